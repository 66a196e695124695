/**
 * zod building blocks of the stack settings (AWS, GitHub, Tailscale, the engines): a boolean or a
 * bounded count is read the same way everywhere. They use zod's classic API, which the stack
 * settings are written in; the blocks the catalog shares with them are in ./schema.ts, written in
 * zod/mini so that `generate` does not load the classic API (see cli/build.ts).
 */
import { z } from "zod";
import { unknownKeyMessage } from "./messages";
import { rfc1123LabelProblem } from "./names";
import { describeInput, knownKeys, plainIssueText } from "./schema";

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
          : `must be true or false, got ${describeInput(value.enabled)}: set enabled: true to manage this part, false to skip it`,
    });
    const rest = on.safeParse({ ...value, enabled: true }, { error: plainIssueText });
    for (const issue of rest.success ? [] : rest.error.issues) {
      ctx.addIssue({ ...issue, input: undefined } as never);
    }
    return value;
  }, union);
}
