/**
 * The `gitops-bootstrap:github` stack setting: zod schema and its parsed type. The lead composes
 * {@link githubSettingsSchema} into the stack schema; {@link parseGithubSettings} is the standalone
 * entry point (and what the tests use). Every message says what is wrong and how to fix it; the
 * key is named from the issue's path.
 */
import { z } from "zod";
import { shortenQuoted, unknownKeyMessage } from "../shared/messages";
import { knownKeys, plainIssueText } from "../shared/schema";
import { bool, checkedString, count, onOff } from "../shared/settings-schema";
import {
  BRANCH_NAME,
  CI_MODELS,
  PULUMI_STACK_NAME,
  catalogPathProblem,
  githubOwnerProblem,
  githubRepositoryNameProblem,
} from "./github";

/** The stack config key this schema validates. */
export const GITHUB_CONFIG_KEY = "gitops-bootstrap:github";

/** The manifest repository's description unless configured. */
export const DEFAULT_MANIFEST_REPOSITORY_DESCRIPTION = "GitOps manifests published by gitops-bootstrap";

const manifestRepositoryObject = z.strictObject({
  /** Repository name, without the owner. */
  name: checkedString(githubRepositoryNameProblem),
  /**
   * This stack owns the repository: creates (or adopts) it, its default branch, alerts and ruleset.
   * false: another stack (or a person) owns it; this stack only adds its own deploy keys. Several
   * clusters share one repository that way: exactly one stack manages it (docs/operations.md).
   */
  manage: z.boolean().default(true),
  /** Import an existing repository of that name instead of creating one. */
  adopt: z.boolean().default(false),
  /** Default branch; the engine reads it and CI pushes to it. */
  defaultBranch: z
    .string()
    .regex(BRANCH_NAME, {
      error: "must be a git branch name such as main (letters, digits, '.', '_', '-', '/')",
    })
    .default("main"),
  /** Repository description shown on GitHub. Defaults to {@link DEFAULT_MANIFEST_REPOSITORY_DESCRIPTION}. */
  description: z.string().max(350, { error: "is longer than GitHub's 350 characters" }).optional(),
  /**
   * A ruleset on the default branch (no deletion, no force push). Private repositories need GitHub
   * Pro, Team or Enterprise for rulesets; set false on GitHub Free. Defaults to true.
   */
  protectDefaultBranch: z.boolean().optional(),
});

const manifestRepositorySchema = manifestRepositoryObject
  .superRefine((repo, ctx) => {
    if (repo.manage) return;
    // What only the managing stack does: a value written here would be silently ignored.
    const owned = [
      ["adopt", repo.adopt ? true : undefined],
      ["description", repo.description],
      ["protectDefaultBranch", repo.protectDefaultBranch],
    ] as const;
    for (const [key, value] of owned) {
      if (value === undefined) continue;
      ctx.addIssue({
        code: "custom",
        path: [key],
        message: `is set, but manage is false: the stack that manages ${repo.name} decides it; remove it here, or set manage: true if this stack owns the repository`,
      });
    }
  })
  .transform((repo) => ({
    ...repo,
    description: repo.description ?? DEFAULT_MANIFEST_REPOSITORY_DESCRIPTION,
    protectDefaultBranch: repo.protectDefaultBranch ?? true,
  }));

const deployKeysSchema = z.strictObject({
  /** Raise by one to replace both deploy keys; the new ones exist before the old ones go. */
  rotation: z
    .int({ error: "must be a whole number: raise it by one to rotate the deploy keys" })
    .min(0, { error: "must be 0 or more: raise it by one to rotate the deploy keys" })
    .default(0),
  /**
   * Create the write key CI publishes manifests with. Unset: exactly when this stack runs CI
   * (`ci.enabled`), since only that stack hands the key to the workflows; a write key nothing
   * uses is a standing credential for no one.
   */
  ciWriteKey: bool().optional(),
});

/** A numeric GitHub user or team ID; logins and slugs are refused with the command that finds the ID. */
const reviewerId = (what: "user" | "team") =>
  z.preprocess(
    (v) => (typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v),
    z
      .number({
        error:
          what === "user"
            ? "must be a numeric GitHub user ID, not a login: find it with `gh api users/<login> --jq .id`"
            : "must be a numeric GitHub team ID, not a slug: find it with `gh api orgs/<org>/teams/<slug> --jq .id`",
      })
      .int({ error: `must be a whole-number GitHub ${what} ID` })
      .positive({ error: `must be a positive GitHub ${what} ID` }),
  );

/** GitHub allows at most six required reviewers (users and teams together) per environment. */
const MAX_REVIEWERS = 6;

const reviewersSchema = z
  .strictObject({
    /** Numeric user IDs (`gh api users/<login> --jq .id`). */
    users: z.array(reviewerId("user")).default([]),
    /** Numeric team IDs (`gh api orgs/<org>/teams/<slug> --jq .id`). */
    teams: z.array(reviewerId("team")).default([]),
  })
  .superRefine((r, ctx) => {
    if (r.users.length + r.teams.length > MAX_REVIEWERS) {
      ctx.addIssue({
        code: "custom",
        message: `lists ${r.users.length + r.teams.length} reviewers; GitHub allows at most ${MAX_REVIEWERS} users and teams together per environment: use a team`,
      });
    }
  });

const ciSchema = z.strictObject({
  /** Write the environments, Actions secrets and variables into the source repository. */
  enabled: z.boolean().default(true),
  /**
   * `environments` (GitHub environments with required reviewers; public repositories on any plan,
   * private ones on GitHub Enterprise) or `branches` (repository secrets, no environments; GitHub
   * Free). The account stack's `aws.ci.model` must be the same (core/github/github.ts CI_MODELS).
   */
  model: z
    .enum(CI_MODELS, {
      error:
        'must be "environments" (GitHub environments with required reviewers: public repositories, or GitHub Enterprise) or "branches" (no environments: GitHub Free private repositories)',
    })
    .default("environments"),
  /** Stacks the workflows preview and update; defaults to this stack alone. */
  stacks: z
    .array(
      z
        .string()
        .regex(PULUMI_STACK_NAME, { error: "must be a Pulumi stack name (letters, digits, '_', '.', '-')" }),
    )
    .min(1, { error: "must list at least one stack, or set ci.enabled: false" })
    .optional(),
  /**
   * The catalog file publish-manifests passes to `generate --catalog`, relative to the source
   * repository. Its directory is mirrored into the manifest repository, so it may not be the
   * repository root. Required when CI is on (no default: every repository lays it out differently).
   */
  catalog: checkedString(catalogPathProblem).optional(),
  /**
   * Required reviewers of the `preview` and `production` environments: a reviewer approves before a
   * job gets the environment's secrets (and, through the OIDC subject, the AWS role). At least one
   * when CI is on.
   */
  reviewers: reviewersSchema.prefault({}),
  /** Whoever triggered a run may not approve it. Defaults to false (a one-person repository could never deploy). */
  preventSelfReview: bool().default(false),
  /** The source repository's default branch: the only branch that may deploy to `production`. */
  defaultBranch: z
    .string()
    .regex(BRANCH_NAME, {
      error: "must be a git branch name such as main (letters, digits, '.', '_', '-', '/')",
    })
    .default("main"),
});

/**
 * A ruleset on the source repository's default branch: pull requests with approvals, no deletion,
 * no force push. Private repositories need GitHub Pro, Team or Enterprise for rulesets: set
 * `enabled: false` on GitHub Free.
 */
const sourceRepositoryRulesetSchema = z.strictObject({
  enabled: bool().default(true),
  /** Approvals a pull request needs; 0 still forces every change through a pull request. */
  requiredApprovals: count(0, 10).default(1),
});

/** `gitops-bootstrap:github` when it is on. */
export const githubEnabledSchema = z
  .strictObject({
    enabled: z.literal(true),
    /** The GitHub user or organization owning both repositories (the github provider's `owner`). */
    owner: checkedString(githubOwnerProblem),
    /** The repository holding this program and its workflows; Actions secrets and variables go there. */
    sourceRepository: checkedString(githubRepositoryNameProblem),
    manifestRepository: manifestRepositorySchema,
    deployKeys: deployKeysSchema.prefault({}),
    ci: ciSchema.prefault({}),
    sourceRepositoryRuleset: sourceRepositoryRulesetSchema.prefault({}),
  })
  .superRefine((settings, ctx) => {
    if (!settings.ci.enabled) return;
    if (settings.ci.catalog === undefined && settings.deployKeys.ciWriteKey !== false) {
      ctx.addIssue({
        code: "custom",
        path: ["ci", "catalog"],
        message:
          "is required when CI publishes manifests: name the catalog file inside a directory of its own (e.g. manifests/catalog.yaml); that directory becomes the manifest repository's root",
      });
    }
    const reviewers = settings.ci.reviewers.users.length + settings.ci.reviewers.teams.length;
    if (settings.ci.model === "environments" && reviewers === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["ci", "reviewers"],
        message:
          "must list at least one user or team ID: a reviewer approves every preview and deployment before the job gets its credentials (e.g. reviewers: { users: [1234567] }, IDs from `gh api users/<login> --jq .id`); without required reviewers (GitHub Free, or a private repository below GitHub Enterprise) set ci.model: branches, or ci.enabled: false",
      });
    }
    if (settings.ci.model === "branches") {
      if (reviewers > 0) {
        ctx.addIssue({
          code: "custom",
          path: ["ci", "reviewers"],
          message:
            "lists reviewers, but ci.model is branches, which creates no environments and so has nobody to approve a run: remove them, or set ci.model: environments where the plan has required reviewers",
        });
      }
      if (settings.ci.preventSelfReview) {
        ctx.addIssue({
          code: "custom",
          path: ["ci", "preventSelfReview"],
          message:
            "is true, but ci.model is branches, which has no reviewers: remove it, or set ci.model: environments",
        });
      }
    }
  })
  .transform((settings) => ({
    ...settings,
    deployKeys: { ...settings.deployKeys, ciWriteKey: settings.deployKeys.ciWriteKey ?? settings.ci.enabled },
  }));

/** `gitops-bootstrap:github`: `{ enabled: false }` or the full settings. */
export const githubSettingsSchema = onOff(githubEnabledSchema);

export type GithubSettings = z.output<typeof githubSettingsSchema>;
export type GithubEnabledSettings = z.output<typeof githubEnabledSchema>;
export type ManifestRepositorySettings = GithubEnabledSettings["manifestRepository"];

/**
 * One line per issue: `<config key>.<path>: <message>`; an unknown key gets its own line with the
 * keys `schema` accepts there. Quoted values are cut to excerpts.
 */
export function formatIssues(
  configKey: string,
  issues: readonly z.core.$ZodIssue[],
  schema?: z.ZodType,
): string[] {
  const at = (path: readonly PropertyKey[]) =>
    path.map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`)).join("");
  return issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map(
          (key) =>
            `${configKey}${at([...issue.path, key])}: ${unknownKeyMessage(key, schema === undefined ? [] : knownKeys(schema, issue.path))}`,
        )
      : [shortenQuoted(`${configKey}${at(issue.path)}: ${issue.message}`)],
  );
}

/** Parses `gitops-bootstrap:github`, throwing one error that lists every problem. */
export function parseGithubSettings(raw: unknown): GithubSettings {
  const result = githubSettingsSchema.safeParse(raw, { error: plainIssueText });
  if (!result.success) {
    throw new Error(
      `invalid stack config:\n  ${formatIssues(GITHUB_CONFIG_KEY, result.error.issues, githubSettingsSchema).join("\n  ")}`,
    );
  }
  return result.data;
}
