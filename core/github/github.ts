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
 * The GitHub environments of the source repository, by role. The workflows name them literally
 * (`environment: preview`, `environment: production`), so they are fixed here rather than
 * configurable: a name in config could drift from the workflow files, and a job whose
 * `environment:` evaluates to an empty string runs with no environment at all (no reviewers, no
 * branch policy, no environment secrets).
 */
export const CI_ENVIRONMENTS = ["preview", "production"] as const;
export type CiEnvironment = (typeof CI_ENVIRONMENTS)[number];

/**
 * One Actions secret or variable: its name, its part, and what it holds. Secrets live in GitHub
 * environments only (never repository-wide), so only a job that declares one of `environments`
 * (and passes its protection rules) can read them; variables are repository-wide and not sensitive.
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
    name: "MANIFEST_PATH",
    kind: "variable",
    part: "manifests",
    description: "directory the engine's root app watches",
  },
  {
    name: "GITOPS_ENGINE",
    kind: "variable",
    part: "manifests",
    description: "argocd or flux, passed to generate --engine",
  },
  {
    name: "GITOPS_CATALOG",
    kind: "variable",
    part: "manifests",
    description: "catalog file passed to generate --catalog",
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
  readonly aws?: {
    readonly region: T;
    readonly previewRoleArn: T;
    readonly deployRoleArn: T;
    /**
     * The GitHub environment the deploy role trusts, as the AWS part reports it. Not written as a
     * variable (up.yml names its environment literally); checked against {@link CI_ENVIRONMENTS}.
     */
    readonly deployEnvironment?: T;
    /** The GitHub environment the preview role trusts, as the AWS part reports it; checked likewise. */
    readonly previewEnvironment?: T;
    readonly backendUrl: T;
    readonly secretsProvider: T;
  };
  readonly manifests?: {
    readonly repository: T;
    readonly branch: T;
    readonly path: T;
    readonly engine: T;
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
    byName.set("MANIFEST_PATH", values.manifests.path);
    byName.set("GITOPS_ENGINE", values.manifests.engine);
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
 * Why the environment the AWS part reports for `role` is not the one the workflows declare, or
 * undefined when it is (or when none is reported). The AWS roles trust
 * `repo:<owner>/<repo>:environment:<name>`; a different name would make every run fail to assume
 * the role.
 */
export function environmentNameProblem(
  role: CiEnvironment,
  reported: string | undefined,
): string | undefined {
  if (reported === undefined || reported === "" || reported === role) return undefined;
  return `the AWS ${role === "production" ? "deploy" : "preview"} role trusts the GitHub environment "${reported}", but the workflows run in "${role}" (the environment gitops-bootstrap:github creates): set the AWS part's environment to "${role}"`;
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
