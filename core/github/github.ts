/**
 * GitHub facts for the manifest repository, its deploy keys and the CI settings of the source
 * repository. Pure: plain data in, plain data out, no Pulumi import. The components and the
 * workflow tests read the names from here, so the stack and the workflows cannot disagree.
 */
import { parseSshRepoUrl } from "../repository/repository";
import type { TailscaleCiCredentials } from "../tailscale/tailscale";

/** GitHub user and organization logins: alphanumerics and single hyphens, at most 39 characters. */
export const GITHUB_OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;

/** GitHub repository names: letters, digits, '-', '_' and '.', at most 100 characters. */
export const GITHUB_REPOSITORY_NAME = /^[A-Za-z0-9._-]{1,100}$/;

/** Why `value` is not a GitHub owner (user or organization login), or undefined when it is one. */
export function githubOwnerProblem(value: string): string | undefined {
  if (value.length === 0)
    return "must not be empty: set the GitHub user or organization that owns the repositories";
  if (value.length > 39) return `is ${value.length} characters long; a GitHub login has at most 39`;
  if (!GITHUB_OWNER.test(value)) {
    return `"${value}" is not a GitHub login: use letters, digits and single hyphens, not starting or ending with '-' (e.g. acme)`;
  }
  return undefined;
}

/** Why `value` is not a GitHub repository name, or undefined when it is one. */
export function githubRepositoryNameProblem(value: string): string | undefined {
  if (value.length === 0) return "must not be empty: set the repository name (e.g. homelab-manifests)";
  if (value.includes("/")) {
    return `"${value}" contains '/': give the repository name only; the owner is the separate 'owner' key`;
  }
  if (value.length > 100)
    return `is ${value.length} characters long; a GitHub repository name has at most 100`;
  if (!GITHUB_REPOSITORY_NAME.test(value) || value === "." || value === "..") {
    return `"${value}" is not a GitHub repository name: use letters, digits, '-', '_' and '.' (e.g. homelab-manifests)`;
  }
  if (value.toLowerCase().endsWith(".git")) {
    return `"${value}" ends in '.git': GitHub adds that suffix itself; drop it`;
  }
  return undefined;
}

/** Pulumi stack names: what `pulumi stack init` accepts. */
export const PULUMI_STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** Git branch names we accept for the default branch: a conservative subset of `git check-ref-format`. */
export const BRANCH_NAME = /^(?!\/)(?!.*\/\/)(?!.*\.\.)(?!.*\/$)(?!.*\.lock$)[A-Za-z0-9._/-]{1,255}$/;

/** The ways to reach a repository over SSH and HTTPS. Argo CD takes `scp`; Flux needs `ssh`. */
export interface RepositoryUrls {
  /** `owner/name`, what `actions/checkout` takes as `repository`. */
  readonly slug: string;
  /** `git@github.com:owner/name.git` (scp-like syntax). */
  readonly scp: string;
  /** `ssh://git@github.com/owner/name.git` (URL syntax, required by Flux). */
  readonly ssh: string;
  /** `https://github.com/owner/name`. */
  readonly https: string;
}

/** The URLs of `owner/name`; deterministic, so the engine config needs no provider output. */
export function repositoryUrls(owner: string, name: string): RepositoryUrls {
  return {
    slug: `${owner}/${name}`,
    scp: `git@github.com:${owner}/${name}.git`,
    ssh: `ssh://git@github.com/${owner}/${name}.git`,
    https: `https://github.com/${owner}/${name}`,
  };
}

/**
 * Why the engine's configured repository URL (`gitops-bootstrap:repo.url`) is not the managed
 * manifest repository `owner/name` on github.com, or undefined when it is. One repository, named in
 * two settings: they must agree, or the cluster would read a repository the stack does not manage.
 */
export function repoUrlProblem(url: string, owner: string, name: string): string | undefined {
  const parsed = parseSshRepoUrl(url);
  const expected = repositoryUrls(owner, name);
  if (parsed?.host === "github.com" && parsed.path.toLowerCase() === expected.slug.toLowerCase())
    return undefined;
  return `is ${url}, but gitops-bootstrap:github manages ${expected.slug}: set it to ${expected.scp}`;
}

/** The two deploy keys a stack owns on the manifest repository. */
export type DeployKeyRole = "cluster-readonly" | "ci-write";

/**
 * The title of a deploy key: `<stack>-<role>`, with `-r<rotation>` once the key has been rotated.
 *
 * Several clusters can share one manifest repository, so the stack is in the title. The rotation
 * generation is in it too: during a rotation the new key is created before the old one is deleted
 * (Pulumi's default create-before-delete replacement), so for a moment both exist and the titles
 * tell them apart in GitHub's UI and audit log.
 */
export function deployKeyTitle(stack: string, role: DeployKeyRole, rotation: number): string {
  if (!Number.isInteger(rotation) || rotation < 0) {
    throw new Error(`deploy key rotation must be a whole number >= 0, got ${rotation}`);
  }
  return rotation === 0 ? `${stack}-${role}` : `${stack}-${role}-r${rotation}`;
}

/**
 * Whether the deploy key may push. The cluster only ever reads; CI publishes manifests.
 */
export function deployKeyReadOnly(role: DeployKeyRole): boolean {
  return role === "cluster-readonly";
}

/** A repository ruleset on the default branch, as plain data (the shape `github.RepositoryRuleset` takes). */
export interface DefaultBranchRuleset {
  readonly name: string;
  readonly target: "branch";
  readonly enforcement: "active";
  readonly conditions: { readonly refName: { readonly includes: string[]; readonly excludes: string[] } };
  readonly rules: { readonly deletion: true; readonly nonFastForward: true };
}

/**
 * The default-branch ruleset: the branch can be neither deleted nor force-pushed. Pull requests are
 * not required: CI publishes with the write deploy key by plain pushes, which a pull-request rule
 * would block unless the deploy key were a bypass actor.
 */
export function defaultBranchRuleset(stack: string): DefaultBranchRuleset {
  return {
    name: `${stack}-default-branch`,
    target: "branch",
    enforcement: "active",
    conditions: { refName: { includes: ["~DEFAULT_BRANCH"], excludes: [] } },
    rules: { deletion: true, nonFastForward: true },
  };
}

// ---------------------------------------------------------------------------------------------
// Actions secrets and variables of the source repository: the one list the stack writes and the
// workflows read. Each entry belongs to a part that may be switched off.
// ---------------------------------------------------------------------------------------------

/** The parts of the CI wiring; a part that is off contributes no secrets and no variables. */
export type CiPart = "pulumi" | "aws" | "manifests" | "tailscale-oauth" | "tailscale-authkey";

/**
 * How CI's credentials are gated; GitHub's plan decides which is available (docs/github-tailscale.md):
 *
 * - `environments`: the `preview` and `production` GitHub environments with required reviewers;
 *   secrets live in them, and the AWS roles trust only their OIDC subjects. Environments with
 *   required reviewers exist for public repositories on every current plan, and for private or
 *   internal ones only on GitHub Enterprise (Pro and Team get environments without reviewers; Free
 *   gets no environments for private repositories). The API refuses what the plan lacks: 422 for
 *   reviewers on Pro/Team private repositories, 404 for an environment on Free (go-github #2611).
 * - `branches`: no environments. Secrets are repository secrets (readable by any workflow run of
 *   anyone with write access); the deploy role trusts only the default branch's `up.yml`, the
 *   preview role the `pull_request` subject of `preview.yml` (any pull request from a branch of the
 *   repository, never from a fork). For GitHub Free private repositories.
 *
 * The cluster stack (`gitops-bootstrap:github.ci.model`) and the account stack
 * (`gitops-bootstrap:aws.ci.model`) must name the same model; the workflows read it from the
 * `CI_MODEL` variable.
 */
export const CI_MODELS = ["environments", "branches"] as const;
export type CiModel = (typeof CI_MODELS)[number];

/**
 * The GitHub environments of the source repository, by role (model `environments`). The workflows
 * name them literally (`vars.CI_MODEL == 'environments' && 'preview' || ''`), so they are fixed here
 * rather than configurable: a name in config could drift from the workflow files.
 */
export const CI_ENVIRONMENTS = ["preview", "production"] as const;
export type CiEnvironment = (typeof CI_ENVIRONMENTS)[number];

/**
 * The `environment:` a workflow job declares for `role`: the literal name in the environments
 * model, and the empty string (GitHub then runs the job with no environment) in the branches model.
 * A job using it must also require `CI_MODEL` to be one of {@link CI_MODELS} in its `if:`, so a
 * missing variable skips the job instead of running it without an environment.
 */
export function workflowEnvironmentExpression(role: CiEnvironment): string {
  return `\${{ vars.CI_MODEL == 'environments' && '${role}' || '' }}`;
}

/** The `if:` clause every job that declares {@link workflowEnvironmentExpression} must contain. */
export const CI_MODEL_CONDITION = "(vars.CI_MODEL == 'environments' || vars.CI_MODEL == 'branches')";

/**
 * One Actions secret or variable: its name, its part, and what it holds. In the environments model
 * secrets live in GitHub environments only (never repository-wide), so only a job that declares one
 * of `environments` (and passes its protection rules) can read them; in the branches model they are
 * repository secrets. Variables are repository-wide and not sensitive.
 */
export type CiSetting = {
  readonly name: string;
  readonly part: CiPart;
  readonly description: string;
} & (
  { readonly kind: "variable" } | { readonly kind: "secret"; readonly environments: readonly CiEnvironment[] }
);

/** Every Actions secret and variable the stack can create, in the order they are registered. */
export const CI_SETTINGS: readonly CiSetting[] = [
  {
    name: "PULUMI_STACKS",
    kind: "variable",
    part: "pulumi",
    description: "JSON list of the stacks CI previews and updates",
  },
  {
    name: "CI_MODEL",
    kind: "variable",
    part: "pulumi",
    description: "environments or branches: whether the jobs declare the preview and production environments",
  },
  {
    name: "AWS_REGION",
    kind: "variable",
    part: "aws",
    description: "region of the state bucket and CI roles",
  },
  {
    name: "AWS_PREVIEW_ROLE_ARN",
    kind: "variable",
    part: "aws",
    description: "role preview.yml assumes over OIDC",
  },
  {
    name: "AWS_DEPLOY_ROLE_ARN",
    kind: "variable",
    part: "aws",
    description: "role up.yml assumes over OIDC",
  },
  { name: "PULUMI_BACKEND_URL", kind: "variable", part: "aws", description: "s3://… state backend" },
  {
    name: "PULUMI_SECRETS_PROVIDER",
    kind: "variable",
    part: "aws",
    description: "awskms://… secrets provider",
  },
  {
    name: "MANIFEST_REPOSITORY",
    kind: "variable",
    part: "manifests",
    description: "owner/name of the private manifest repository",
  },
  { name: "MANIFEST_BRANCH", kind: "variable", part: "manifests", description: "its default branch" },
  {
    name: "GITOPS_CATALOG",
    kind: "variable",
    part: "manifests",
    description: "catalog whose directory becomes the manifest repository's root",
  },
  {
    name: "MANIFEST_DEPLOY_KEY",
    kind: "secret",
    // Only the publish job, on the default branch, after a reviewer approved: it can push.
    environments: ["production"],
    part: "manifests",
    description: "private half of the CI write deploy key",
  },
  // Tailscale: one credential per CI identity, each only in the environment of the job that uses
  // it, so the preview job can never join the tailnet as the deploy identity.
  {
    name: "TAILSCALE_MODE",
    kind: "variable",
    part: "tailscale-oauth",
    description: "oauth: which Tailscale step runs",
  },
  {
    name: "TS_PREVIEW_TAGS",
    kind: "variable",
    part: "tailscale-oauth",
    description: "tags the preview node advertises",
  },
  {
    name: "TS_DEPLOY_TAGS",
    kind: "variable",
    part: "tailscale-oauth",
    description: "tags the deploy node advertises",
  },
  {
    name: "TS_PREVIEW_OAUTH_CLIENT_ID",
    kind: "secret",
    environments: ["preview"],
    part: "tailscale-oauth",
    description: "the preview identity's OAuth client id",
  },
  {
    name: "TS_PREVIEW_OAUTH_SECRET",
    kind: "secret",
    environments: ["preview"],
    part: "tailscale-oauth",
    description: "the preview identity's OAuth client secret",
  },
  {
    name: "TS_DEPLOY_OAUTH_CLIENT_ID",
    kind: "secret",
    environments: ["production"],
    part: "tailscale-oauth",
    description: "the deploy identity's OAuth client id",
  },
  {
    name: "TS_DEPLOY_OAUTH_SECRET",
    kind: "secret",
    environments: ["production"],
    part: "tailscale-oauth",
    description: "the deploy identity's OAuth client secret",
  },
  {
    name: "TAILSCALE_MODE",
    kind: "variable",
    part: "tailscale-authkey",
    description: "authkey: which Tailscale step runs",
  },
  {
    name: "TS_PREVIEW_AUTHKEY",
    kind: "secret",
    environments: ["preview"],
    part: "tailscale-authkey",
    description: "the preview identity's ephemeral, pre-authorized, tagged auth key",
  },
  {
    name: "TS_DEPLOY_AUTHKEY",
    kind: "secret",
    environments: ["production"],
    part: "tailscale-authkey",
    description: "the deploy identity's ephemeral, pre-authorized, tagged auth key",
  },
];

/** Actions secret and variable names: upper case, digits and '_', not starting with a digit or GITHUB_. */
export const ACTIONS_SETTING_NAME = /^(?!GITHUB_)[A-Z_][A-Z0-9_]*$/;

/** The settings of the given parts, in registration order. */
export function ciSettingsFor(parts: Iterable<CiPart>): CiSetting[] {
  const on = new Set(parts);
  return CI_SETTINGS.filter((setting) => on.has(setting.part));
}

/** The distinct secret and variable names the workflows may read (every part on). */
export function allCiNames(): { secrets: string[]; variables: string[] } {
  const pick = (kind: CiSetting["kind"]): string[] =>
    [...new Set(CI_SETTINGS.filter((s) => s.kind === kind).map((s) => s.name))].sort();
  return { secrets: pick("secret"), variables: pick("variable") };
}

/**
 * The values for the parts that are on, keyed by setting name. Generic over the value type so the
 * component can pass Pulumi inputs while tests pass strings. A part is on when its values are given.
 */
export interface CiValues<T> {
  /** Stacks CI previews and updates. Always present when CI wiring is on. */
  readonly stacks: readonly string[];
  /** Where the secrets go and which environments the jobs declare (`CI_MODEL`). Defaults to environments. */
  readonly model?: CiModel;
  readonly aws?: {
    readonly region: T;
    readonly previewRoleArn: T;
    readonly deployRoleArn: T;
    /**
     * The GitHub environment the deploy role trusts, as the account stack reports it ("" in the
     * branches model). Not written as a variable; checked against the model and {@link CI_ENVIRONMENTS}.
     */
    readonly deployEnvironment?: T;
    /** The GitHub environment the preview role trusts, as the account stack reports it; checked likewise. */
    readonly previewEnvironment?: T;
    readonly backendUrl: T;
    readonly secretsProvider: T;
  };
  readonly manifests?: {
    readonly repository: T;
    readonly branch: T;
    readonly catalog: T;
    readonly deployKey: T;
  };
  readonly tailscale?: TailscaleCiCredentials<T>;
}

/** One secret or variable to create: the name and kind from {@link CI_SETTINGS}, with its value. */
export interface CiEntry<T> {
  readonly setting: CiSetting;
  readonly value: T | string;
}

/**
 * The secrets and variables to create for `values`, in {@link CI_SETTINGS} order. Every name comes
 * from {@link CI_SETTINGS}; asking for a name that is not there is a programming error.
 */
export function ciEntries<T>(values: CiValues<T>): CiEntry<T>[] {
  const byName = new Map<string, T | string>();
  const parts: CiPart[] = ["pulumi"];
  byName.set("PULUMI_STACKS", JSON.stringify(values.stacks));
  byName.set("CI_MODEL", values.model ?? "environments");
  if (values.aws !== undefined) {
    parts.push("aws");
    byName.set("AWS_REGION", values.aws.region);
    byName.set("AWS_PREVIEW_ROLE_ARN", values.aws.previewRoleArn);
    byName.set("AWS_DEPLOY_ROLE_ARN", values.aws.deployRoleArn);
    byName.set("PULUMI_BACKEND_URL", values.aws.backendUrl);
    byName.set("PULUMI_SECRETS_PROVIDER", values.aws.secretsProvider);
  }
  if (values.manifests !== undefined) {
    parts.push("manifests");
    byName.set("MANIFEST_REPOSITORY", values.manifests.repository);
    byName.set("MANIFEST_BRANCH", values.manifests.branch);
    byName.set("GITOPS_CATALOG", values.manifests.catalog);
    byName.set("MANIFEST_DEPLOY_KEY", values.manifests.deployKey);
  }
  const tailscale = values.tailscale;
  if (tailscale?.mode === "oauth") {
    parts.push("tailscale-oauth");
    byName.set("TAILSCALE_MODE", "oauth");
    byName.set("TS_PREVIEW_TAGS", tailscale.preview.tags.join(","));
    byName.set("TS_DEPLOY_TAGS", tailscale.deploy.tags.join(","));
    byName.set("TS_PREVIEW_OAUTH_CLIENT_ID", tailscale.preview.clientId);
    byName.set("TS_PREVIEW_OAUTH_SECRET", tailscale.preview.clientSecret);
    byName.set("TS_DEPLOY_OAUTH_CLIENT_ID", tailscale.deploy.clientId);
    byName.set("TS_DEPLOY_OAUTH_SECRET", tailscale.deploy.clientSecret);
  } else if (tailscale?.mode === "authkey") {
    parts.push("tailscale-authkey");
    byName.set("TAILSCALE_MODE", "authkey");
    byName.set("TS_PREVIEW_AUTHKEY", tailscale.preview.authKey);
    byName.set("TS_DEPLOY_AUTHKEY", tailscale.deploy.authKey);
  }
  for (const name of byName.keys()) {
    if (!CI_SETTINGS.some((s) => s.name === name)) throw new Error(`${name} is not listed in CI_SETTINGS`);
  }
  return ciSettingsFor(parts)
    .filter((setting) => byName.has(setting.name))
    .map((setting) => ({ setting, value: byName.get(setting.name) as T | string }));
}

/** `PULUMI_STACKS` → a resource-name suffix: `AWS_REGION` → `aws-region`. */
export function settingResourceSuffix(name: string): string {
  return name.toLowerCase().replace(/_/g, "-");
}

/** The environments a secret lives in (empty for a variable or an unknown name). */
export function secretEnvironments(name: string): readonly CiEnvironment[] {
  const setting = CI_SETTINGS.find((s) => s.name === name && s.kind === "secret");
  if (setting?.kind === "secret") return setting.environments;
  return OPERATOR_SECRETS.find((s) => s.name === name)?.environments ?? [];
}

/**
 * Secrets the operator sets by hand in the environments, because the stack cannot mint the admin
 * credentials its own providers run with: the workflows pass them to `pulumi` as the environment
 * variables the github and tailscale providers read (docs/github-tailscale.md).
 */
export const OPERATOR_SECRETS: readonly {
  readonly name: string;
  readonly environments: readonly CiEnvironment[];
  readonly description: string;
}[] = [
  {
    name: "PULUMI_GITHUB_TOKEN",
    environments: ["preview", "production"],
    description:
      "GitHub App installation token or fine-grained token for the github provider: Administration, Secrets, Environments and Contents on both repositories (read-only in preview)",
  },
  {
    name: "TAILSCALE_ADMIN_CLIENT_ID",
    environments: ["preview", "production"],
    description:
      "Tailscale OAuth client the tailscale provider manages the CI clients with (oauth_keys, auth_keys scopes, owning both CI tags; read-only scopes in preview)",
  },
  {
    name: "TAILSCALE_ADMIN_CLIENT_SECRET",
    environments: ["preview", "production"],
    description: "its secret",
  },
];

/**
 * Why the environment the account stack reports for `role` does not fit this stack's CI `model`,
 * or undefined when it does. The account stack outputs the environment each role trusts
 * (`deployEnvironment`, `previewEnvironment`), or "" when the role trusts branches and pull requests
 * (its `aws.ci.model: branches`). In the environments model the roles must trust exactly
 * `repo:<owner>/<repo>:environment:<role>`, the environment the workflows declare; in the branches
 * model the jobs declare none, so a role that trusts an environment would refuse every run.
 *
 * A reported value that is neither "" nor an environment name did not come from an account stack of
 * this program (synth's mock runtime answers with labelled stand-ins): there is nothing to compare.
 */
export function environmentNameProblem(
  model: CiModel,
  role: CiEnvironment,
  reported: string | undefined,
): string | undefined {
  if (reported === undefined || !/^[A-Za-z0-9._-]*$/.test(reported)) return undefined;
  const which = role === "production" ? "deploy" : "preview";
  if (model === "environments") {
    if (reported === role) return undefined;
    if (reported === "")
      return `the AWS ${which} role trusts branches and pull requests (the account stack's aws.ci.model is branches), but gitops-bootstrap:github.ci.model is environments: set both to the same model`;
    return `the AWS ${which} role trusts the GitHub environment "${reported}", but the workflows run in "${role}" (the environment gitops-bootstrap:github creates): set the account stack's environment to "${role}"`;
  }
  if (reported === "") return undefined;
  return `the AWS ${which} role trusts the GitHub environment "${reported}" (the account stack's aws.ci.model is environments), but gitops-bootstrap:github.ci.model is branches, where no job declares an environment: set both to the same model`;
}

/** Required reviewers of an environment: numeric GitHub user and team IDs (what the API takes). */
export interface CiReviewers {
  readonly users: readonly number[];
  readonly teams: readonly number[];
}

/** One GitHub environment of the source repository, as plain data (`github.RepositoryEnvironment` plus its branch policies). */
export interface CiEnvironmentSpec {
  readonly environment: CiEnvironment;
  readonly reviewers: CiReviewers;
  readonly preventSelfReview: boolean;
  /** Admins cannot skip the reviewers. */
  readonly canAdminsBypass: false;
  /** Undefined: every ref may use the environment (pull requests run on `refs/pull/<n>/merge`). */
  readonly deploymentBranchPolicy?: {
    readonly protectedBranches: false;
    readonly customBranchPolicies: true;
  };
  /** Branch name patterns allowed to deploy, one `github.RepositoryEnvironmentDeploymentPolicy` each. */
  readonly branchPatterns: readonly string[];
}

/**
 * The two environments: `preview` (reviewers approve before a pull request's code gets the
 * Tailscale credentials; any ref, since a pull request runs on its merge ref) and `production`
 * (the same reviewers, and only the source repository's default branch may deploy). The branch is
 * named (a custom policy) rather than "protected branches", which GitHub evaluates against classic
 * branch protection rules and which admits every branch when a repository has none.
 */
export function ciEnvironmentSpecs(args: {
  reviewers: CiReviewers;
  preventSelfReview: boolean;
  defaultBranch: string;
}): CiEnvironmentSpec[] {
  const common = {
    reviewers: { users: [...args.reviewers.users], teams: [...args.reviewers.teams] },
    preventSelfReview: args.preventSelfReview,
    canAdminsBypass: false as const,
  };
  return [
    { environment: "preview", ...common, branchPatterns: [] },
    {
      environment: "production",
      ...common,
      deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
      branchPatterns: [args.defaultBranch],
    },
  ];
}

/** The source repository's default-branch ruleset, as plain data (the shape `github.RepositoryRuleset` takes). */
export interface SourceBranchRuleset {
  readonly name: string;
  readonly target: "branch";
  readonly enforcement: "active";
  readonly conditions: { readonly refName: { readonly includes: string[]; readonly excludes: string[] } };
  readonly rules: {
    readonly deletion: true;
    readonly nonFastForward: true;
    readonly pullRequest: {
      readonly requiredApprovingReviewCount: number;
      readonly dismissStaleReviewsOnPush: true;
      readonly requireLastPushApproval: boolean;
    };
  };
}

/**
 * The source repository's default branch: no deletion, no force push, changes only through a pull
 * request with `requiredApprovals` approvals (stale approvals dismissed on a new push; with at least
 * one approval, the last push must be approved by someone else). This is what makes the
 * `production` environment's branch policy mean "reviewed code": the default branch holds only
 * merged pull requests. No bypass actors.
 */
export function sourceBranchRuleset(stack: string, requiredApprovals: number): SourceBranchRuleset {
  if (!Number.isInteger(requiredApprovals) || requiredApprovals < 0 || requiredApprovals > 10) {
    throw new Error(`required approvals must be a whole number from 0 to 10, got ${requiredApprovals}`);
  }
  return {
    name: `${stack}-source-default-branch`,
    target: "branch",
    enforcement: "active",
    conditions: { refName: { includes: ["~DEFAULT_BRANCH"], excludes: [] } },
    rules: {
      deletion: true,
      nonFastForward: true,
      pullRequest: {
        requiredApprovingReviewCount: requiredApprovals,
        dismissStaleReviewsOnPush: true,
        requireLastPushApproval: requiredApprovals > 0,
      },
    },
  };
}

/**
 * Why `catalog` cannot be published, or undefined when it can. publish-manifests mirrors the
 * catalog's directory into the manifest repository (and deletes what is not there): a catalog at
 * the repository root would publish the whole source checkout (node_modules, Pulumi.*.yaml,
 * .github); a path leaving the repository or absolute is not the repository's.
 */
export function catalogPathProblem(catalog: string): string | undefined {
  const parts = catalog.split("/");
  if (catalog.startsWith("/") || /^[A-Za-z]:/.test(catalog) || catalog.includes("\\"))
    return `"${catalog}" must be a path relative to the source repository, with '/' separators (e.g. manifests/catalog.yaml)`;
  if (parts.some((p) => p === ".." || p === ""))
    return `"${catalog}" must not contain '..' or empty segments`;
  const dirs = parts.slice(0, -1).filter((p) => p !== ".");
  if (dirs.length === 0)
    return `"${catalog}" is at the repository root: its directory is mirrored into the manifest repository, which would publish the whole source checkout; move the catalog and its app directories into a directory of their own (e.g. manifests/catalog.yaml)`;
  if (
    dirs[0] === ".git" ||
    dirs[0] === "node_modules" ||
    dirs[0] === ".github" ||
    dirs[0] === ".manifest-repo"
  )
    return `"${catalog}" is inside ${dirs[0]}/: put the catalog in a directory of its own (e.g. manifests/catalog.yaml)`;
  return undefined;
}
