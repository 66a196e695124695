/**
 * zod building blocks shared by the app catalog and the stack settings (durations, labels,
 * annotations, patch targets), and the plain-language messages and key lookups both use.
 *
 * Written in zod/mini, which the classic API the stack settings use accepts inside its own
 * schemas: `generate` validates the catalog with zod/mini alone, whose bundle loads in ~5 ms
 * against ~30 ms for the classic API (bench/, README "Performance"). Builders only the stack
 * settings use are in ./settings-schema.ts.
 */
import * as z from "zod/mini";
import { FLUX_DURATION, fluxDurationProblem } from "./duration";
import { excerpt, unknownKeyMessage } from "./messages";
import { annotationKeyProblem, annotationsSizeProblem, labelKeyProblem, labelValueProblem } from "./names";

/**
 * A Flux interval: a Go duration longer than 0 in the form Flux's CRDs accept, such as 30s, 10m,
 * 1.5h or 1h30m (see ./duration.ts).
 */
export const duration = () =>
  z.string({ error: "must be a duration string such as 10m" }).check(
    z.regex(FLUX_DURATION, {
      // The pattern stays in the schema (editors check it); the message says what exactly is wrong.
      error: (issue) => fluxDurationProblem(String(issue.input)) ?? "must be a duration such as 10m",
    }),
    z.superRefine((value, ctx) => {
      const problem = FLUX_DURATION.test(value) ? fluxDurationProblem(value) : undefined;
      if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
    }),
  );

/**
 * Labels of a Kubernetes object: keys and values as the API server accepts them. With
 * `templateValues`, a value holding `{{` is a template rendered later (an ApplicationSet's Go
 * template) and is checked by whoever renders it, not here.
 */
/**
 * The objects a kustomize patch applies to (kustomize's `Selector`, as Flux's Kustomization and
 * FluxInstance take it in `patches[].target`).
 */
export const kustomizePatchTarget = () =>
  z.strictObject({
    group: z.optional(z.string()),
    version: z.optional(z.string()),
    kind: z.optional(z.string()),
    name: z.optional(z.string()),
    namespace: z.optional(z.string()),
    labelSelector: z.optional(z.string()),
    annotationSelector: z.optional(z.string()),
  });

export const labels = (options: { templateValues?: boolean } = {}) =>
  z.record(z.string(), z.string({ error: "must be a string (quote numbers and true/false)" })).check(
    z.superRefine((map, ctx) => {
      for (const [key, value] of Object.entries(map)) {
        const keyProblem = labelKeyProblem(key);
        if (keyProblem !== undefined) {
          ctx.addIssue({ code: "custom", path: [key], message: `label key ${excerpt(key)} ${keyProblem}` });
        }
        if (options.templateValues === true && value.includes("{{")) continue;
        const valueProblem = labelValueProblem(value);
        if (valueProblem !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: [key],
            message: `label value ${excerpt(value)} ${valueProblem}`,
          });
        }
      }
    }),
  );

/** Annotations of a Kubernetes object: keys as the API server accepts them, at most 256 KiB in all. */
export const annotations = () =>
  z.record(z.string(), z.string({ error: "must be a string (quote numbers and true/false)" })).check(
    z.superRefine((map, ctx) => {
      for (const key of Object.keys(map)) {
        const problem = annotationKeyProblem(key);
        if (problem !== undefined) {
          ctx.addIssue({ code: "custom", path: [key], message: `annotation key ${excerpt(key)} ${problem}` });
        }
      }
      const size = annotationsSizeProblem(map);
      if (size !== undefined) ctx.addIssue({ code: "custom", message: size });
    }),
  );

// ---- messages ----------------------------------------------------------------------------------

const EXPECTED: Readonly<Record<string, string>> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  object: "an object (key: value pairs)",
  array: "a list",
  record: "an object (key: value pairs)",
  bigint: "a whole number",
  date: "a date",
  null: "null",
};

/** What a value is, for "got …": its kind and a short excerpt. */
export function describeInput(input: unknown): string {
  if (input === null) return "null";
  if (Array.isArray(input)) return "a list";
  if (typeof input === "object") return "an object";
  return excerpt(input);
}

/**
 * Plain-language text for zod's built-in issues, so no raw "Invalid input: expected …" reaches a
 * user; pass it as the `error` option of `safeParse`. A schema's own messages take precedence.
 */
export function plainIssueText(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case "invalid_type": {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      return issue.input === undefined
        ? `is required (${expected})`
        : `must be ${expected}, got ${describeInput(issue.input)}`;
    }
    case "too_small": {
      const min = Number(issue.minimum);
      if (issue.origin === "string")
        return min <= 1 ? "must not be empty" : `must be at least ${min} characters long`;
      if (issue.origin === "array" || issue.origin === "set") {
        return `must list at least ${min} ${min === 1 ? "entry" : "entries"}`;
      }
      return issue.inclusive === false ? `must be more than ${min}` : `must be at least ${min}`;
    }
    case "too_big": {
      const max = Number(issue.maximum);
      if (issue.origin === "string") return `must be at most ${max} characters long`;
      if (issue.origin === "array" || issue.origin === "set") return `must list at most ${max} entries`;
      return issue.inclusive === false ? `must be less than ${max}` : `must be at most ${max}`;
    }
    case "invalid_value":
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_format": {
      const got = `got ${describeInput(issue.input)}`;
      const { prefix, suffix, includes } = issue as { prefix?: string; suffix?: string; includes?: string };
      if (issue.format === "starts_with") return `must start with ${JSON.stringify(prefix)}, ${got}`;
      if (issue.format === "ends_with") return `must end with ${JSON.stringify(suffix)}, ${got}`;
      if (issue.format === "includes") return `must contain ${JSON.stringify(includes)}, ${got}`;
      if (issue.format === "regex") return `does not have the expected form, ${got}`;
      return `must be a valid ${issue.format}, ${got}`;
    }
    case "unrecognized_keys": {
      const shape = (issue.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod
        ?.def?.shape;
      const known = shape === undefined ? [] : Object.keys(shape);
      return issue.keys.map((key) => unknownKeyMessage(key, known)).join("; ");
    }
    case "not_multiple_of":
      return `must be a multiple of ${String(issue.divisor)}`;
    default:
      return undefined;
  }
}

// ---- schema navigation -------------------------------------------------------------------------

type Def = { type: string; innerType?: unknown; in?: unknown; out?: unknown; options?: unknown[] } & Record<
  string,
  unknown
>;
const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;

/** The schemas `schema` may stand for, with wrappers (defaults, optionals, pipes, unions) taken off. */
function unwrap(schema: unknown): unknown[] {
  const def = defOf(schema);
  if (def.innerType !== undefined) return unwrap(def.innerType);
  if (def.type === "pipe") {
    // A preprocess is a pipe from a transform: the schema that matters is its output side.
    return unwrap(defOf(def.in).type === "transform" ? def.out : def.in);
  }
  if (def.type === "union") return (def.options ?? []).flatMap(unwrap);
  return [schema];
}

/**
 * The keys the object schema at `path` inside `schema` accepts, for "did you mean" hints; every
 * option's keys for a union (an on/off section); [] where there is no object.
 */
export function knownKeys(schema: z.ZodMiniType, path: readonly PropertyKey[]): string[] {
  let current = unwrap(schema);
  for (const step of path) {
    const next: unknown[] = [];
    for (const option of current) {
      const def = defOf(option);
      const child =
        def.type === "object"
          ? (def.shape as Record<string, unknown>)[String(step)]
          : def.type === "array"
            ? def.element
            : def.type === "record"
              ? def.valueType
              : undefined;
      if (child !== undefined) next.push(...unwrap(child));
    }
    current = next;
  }
  const keys = current.flatMap((option) => {
    const def = defOf(option);
    return def.type === "object" ? Object.keys(def.shape as Record<string, unknown>) : [];
  });
  return [...new Set(keys)];
}
