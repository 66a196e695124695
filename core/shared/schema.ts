/**
 * zod building blocks shared by every settings schema (stack config, catalog-free parts: AWS,
 * GitHub, Tailscale), so a boolean or a bounded count is read the same way everywhere.
 */
import { z } from "zod";
import { FLUX_DURATION, fluxDurationProblem } from "./duration";
import { excerpt, unknownKeyMessage } from "./messages";
import {
  annotationKeyProblem,
  annotationsSizeProblem,
  labelKeyProblem,
  labelValueProblem,
  rfc1123LabelProblem,
} from "./names";

/** A boolean, also accepted as the strings "true"/"false" that `pulumi config set --path` writes. */
export const bool = () =>
  z.preprocess(
    (v) => (v === "true" ? true : v === "false" ? false : v),
    z.boolean({ error: "must be true or false" }),
  );

/** A whole number in a range, also accepted as a numeric string. */
export const count = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v),
    z
      .number({ error: `must be a whole number from ${min} to ${max}` })
      .int({ error: `must be a whole number from ${min} to ${max}` })
      .min(min, { error: `must be at least ${min}` })
      .max(max, { error: `must be at most ${max}` }),
  );

/** A string checked by a `…Problem` function, so a schema and the pure code share one rule. */
export const checkedString = (problem: (value: string) => string | undefined) =>
  z.string({ error: "must be a string" }).superRefine((value, ctx) => {
    const message = problem(value);
    if (message !== undefined) ctx.addIssue({ code: "custom", message });
  });

/** A Kubernetes name: an RFC 1123 label. */
export const label = () =>
  z.string({ error: "must be a string" }).superRefine((value, ctx) => {
    const problem = rfc1123LabelProblem(value);
    if (problem !== undefined)
      ctx.addIssue({ code: "custom", message: `${JSON.stringify(value)} ${problem}` });
  });

/**
 * A Flux interval: a Go duration longer than 0 in the form Flux's CRDs accept, such as 30s, 10m,
 * 1.5h or 1h30m (see ./duration.ts).
 */
export const duration = () =>
  z
    .string({ error: "must be a duration string such as 10m" })
    .regex(FLUX_DURATION, {
      // The pattern stays in the schema (editors check it); the message says what exactly is wrong.
      error: (issue) => fluxDurationProblem(String(issue.input)) ?? "must be a duration such as 10m",
    })
    .superRefine((value, ctx) => {
      const problem = FLUX_DURATION.test(value) ? fluxDurationProblem(value) : undefined;
      if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
    });

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
    group: z.string().optional(),
    version: z.string().optional(),
    kind: z.string().optional(),
    name: z.string().optional(),
    namespace: z.string().optional(),
    labelSelector: z.string().optional(),
    annotationSelector: z.string().optional(),
  });

export const labels = (options: { templateValues?: boolean } = {}) =>
  z
    .record(z.string(), z.string({ error: "must be a string (quote numbers and true/false)" }))
    .superRefine((map, ctx) => {
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
    });

/** Annotations of a Kubernetes object: keys as the API server accepts them, at most 256 KiB in all. */
export const annotations = () =>
  z
    .record(z.string(), z.string({ error: "must be a string (quote numbers and true/false)" }))
    .superRefine((map, ctx) => {
      for (const key of Object.keys(map)) {
        const problem = annotationKeyProblem(key);
        if (problem !== undefined) {
          ctx.addIssue({ code: "custom", path: [key], message: `annotation key ${excerpt(key)} ${problem}` });
        }
      }
      const size = annotationsSizeProblem(map);
      if (size !== undefined) ctx.addIssue({ code: "custom", message: size });
    });

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
function describe(input: unknown): string {
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
        : `must be ${expected}, got ${describe(issue.input)}`;
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
      const got = `got ${describe(issue.input)}`;
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
export function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
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

// ---- on/off sections ---------------------------------------------------------------------------

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/**
 * A section switched by `enabled`: `off` (whose `enabled` is `false`) or `on` (whose `enabled` is
 * `true`). Without an `off` schema, a switched-off section may keep `on`'s settings (unchecked)
 * but no other key. `enabled` may be written "true"/"false" (what `pulumi config set --path`
 * stores). When it is missing or neither, that is reported together with every problem of the
 * rest of the section (read as if enabled), instead of one error hiding the others.
 */
export function onOff<
  T extends z.ZodType,
  F extends z.ZodType = z.ZodObject<{ enabled: z.ZodLiteral<false> }>,
>(on: T, offSchema?: F) {
  const off = (offSchema ?? z.object({ enabled: z.literal(false) })) as F;
  const union = z.discriminatedUnion("enabled", [off as never, on as never], {
    error: (issue: { code: string }) =>
      issue.code === "invalid_type"
        ? "must be a mapping: { enabled: false }, or enabled: true with the part's settings"
        : "must be true or false: set enabled: true to manage this part, false to skip it",
  }) as unknown as z.ZodType<z.output<typeof off> | z.output<T>, z.input<typeof off> | z.input<T>>;
  return z.preprocess((value, ctx) => {
    if (!isObject(value)) return value;
    const enabled = value.enabled === "true" ? true : value.enabled === "false" ? false : value.enabled;
    if (enabled === false && offSchema === undefined) {
      // A switched-off section may keep its settings, but not misspelt ones.
      const known = knownKeys(on, []);
      const unknown = Object.keys(value).filter((key) => !known.includes(key));
      if (unknown.length > 0) {
        const message = unknown.map((key) => unknownKeyMessage(key, known)).join("; ");
        ctx.addIssue({ code: "unrecognized_keys", keys: unknown, input: value, message });
      }
    }
    if (typeof enabled === "boolean") return { ...value, enabled };
    ctx.addIssue({
      code: "custom",
      path: ["enabled"],
      input: value.enabled,
      message:
        value.enabled === undefined
          ? "must be true or false (it is not set): set enabled: true to manage this part, false to skip it"
          : `must be true or false, got ${describe(value.enabled)}: set enabled: true to manage this part, false to skip it`,
    });
    const rest = on.safeParse({ ...value, enabled: true }, { error: plainIssueText });
    for (const issue of rest.success ? [] : rest.error.issues) {
      ctx.addIssue({ ...issue, input: undefined } as never);
    }
    return value;
  }, union);
}
