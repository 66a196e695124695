/**
 * zod building blocks shared by every settings schema (stack config, catalog-free parts: AWS,
 * GitHub, Tailscale), so a boolean or a bounded count is read the same way everywhere.
 */
import { z } from "zod";
import { rfc1123LabelProblem } from "./names";

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

/** A Go duration as Kubernetes controllers read it, such as 30s, 10m or 1h30m. */
export const duration = () =>
  z
    .string({ error: "must be a duration string" })
    .regex(/^(\d+(ms|s|m|h))+$/, { error: "must be a Go duration such as 30s, 10m or 1h" });
