/**
 * The `gitops-bootstrap:github` stack setting: zod schema and its parsed type. The lead composes
 * {@link githubSettingsSchema} into the stack schema; {@link parseGithubSettings} is the standalone
 * entry point (and what the tests use). Every message says what is wrong and how to fix it; the
 * key is named from the issue's path.
 */
import { z } from "zod";
import { checkedString } from "./config-schema";
import { BRANCH_NAME, PULUMI_STACK_NAME, githubOwnerProblem, githubRepositoryNameProblem } from "./github";

/** The stack config key this schema validates. */
export const GITHUB_CONFIG_KEY = "gitops-bootstrap:github";

/** `enabled` missing or not a boolean. */
const enabledError = {
  error: (issue: { code: string }) =>
    issue.code === "invalid_union"
      ? "must be true or false: set enabled: true to manage this part, false to skip it"
      : undefined,
};

const manifestRepositorySchema = z.strictObject({
  /** Repository name, without the owner. */
  name: checkedString(githubRepositoryNameProblem),
  /** Import an existing repository of that name instead of creating one. */
  adopt: z.boolean().default(false),
  /** Default branch; the engine reads it and CI pushes to it. */
  defaultBranch: z
    .string()
    .regex(BRANCH_NAME, {
      error: "must be a git branch name such as main (letters, digits, '.', '_', '-', '/')",
    })
    .default("main"),
  /** Repository description shown on GitHub. */
  description: z
    .string()
    .max(350, { error: "is longer than GitHub's 350 characters" })
    .default("GitOps manifests published by gitops-bootstrap"),
  /**
   * A ruleset on the default branch (no deletion, no force push). Private repositories need GitHub
   * Pro, Team or Enterprise for rulesets; set false on GitHub Free.
   */
  protectDefaultBranch: z.boolean().default(true),
});

const deployKeysSchema = z.strictObject({
  /** Raise by one to replace both deploy keys; the new ones exist before the old ones go. */
  rotation: z
    .int({ error: "must be a whole number: raise it by one to rotate the deploy keys" })
    .min(0, { error: "must be 0 or more: raise it by one to rotate the deploy keys" })
    .default(0),
  /** Create the write key CI publishes manifests with. */
  ciWriteKey: z.boolean().default(true),
});

const ciSchema = z.strictObject({
  /** Write Actions secrets and variables into the source repository. */
  enabled: z.boolean().default(true),
  /** Stacks the workflows preview and update; defaults to this stack alone. */
  stacks: z
    .array(
      z
        .string()
        .regex(PULUMI_STACK_NAME, { error: "must be a Pulumi stack name (letters, digits, '_', '.', '-')" }),
    )
    .min(1, { error: "must list at least one stack, or set ci.enabled: false" })
    .optional(),
  /** The catalog file publish-manifests passes to `generate --catalog`, relative to the source repository. */
  catalog: z
    .string()
    .min(1, { error: "must name the catalog file (e.g. catalog.yaml)" })
    .default("catalog.yaml"),
});

/** `gitops-bootstrap:github` when it is on. */
export const githubEnabledSchema = z.strictObject({
  enabled: z.literal(true),
  /** The GitHub user or organization owning both repositories (the github provider's `owner`). */
  owner: checkedString(githubOwnerProblem),
  /** The repository holding this program and its workflows; Actions secrets and variables go there. */
  sourceRepository: checkedString(githubRepositoryNameProblem),
  manifestRepository: manifestRepositorySchema,
  deployKeys: deployKeysSchema.prefault({}),
  ci: ciSchema.prefault({}),
});

/** `gitops-bootstrap:github`: `{ enabled: false }` or the full settings. */
export const githubSettingsSchema = z.discriminatedUnion(
  "enabled",
  [z.object({ enabled: z.literal(false) }), githubEnabledSchema],
  enabledError,
);

export type GithubSettings = z.output<typeof githubSettingsSchema>;
export type GithubEnabledSettings = z.output<typeof githubEnabledSchema>;
export type ManifestRepositorySettings = GithubEnabledSettings["manifestRepository"];

/** One line per issue: `<config key>.<path>: <message>`. */
export function formatIssues(configKey: string, issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const path = issue.path
      .map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`))
      .join("");
    return `${configKey}${path}: ${issue.message}`;
  });
}

/** Parses `gitops-bootstrap:github`, throwing one error that lists every problem. */
export function parseGithubSettings(raw: unknown): GithubSettings {
  const result = githubSettingsSchema.safeParse(raw);
  if (!result.success) {
    throw new Error(
      `invalid stack config:\n  ${formatIssues(GITHUB_CONFIG_KEY, result.error.issues).join("\n  ")}`,
    );
  }
  return result.data;
}
