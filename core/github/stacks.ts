/**
 * Checks across the stack files of one project. `pulumi up` runs one stack and sees only its own
 * file, so it cannot notice that two stacks would create the same GitHub object, or that the
 * cluster and account stacks disagree on the CI model; the CLI's `config` and `synth` commands and
 * the tests see every `Pulumi.<stack>.yaml` and run these. Pure: parsed stack files in, problems out.
 *
 * How clusters share GitHub (docs/operations.md, "Add a cluster"): one source repository and one
 * manifest repository for all of them. Exactly one stack manages the manifest repository
 * (`github.manifestRepository.manage`, default true; the others set false and only add their own
 * deploy keys, whose titles carry the stack), and exactly one writes the source repository's CI
 * settings (`github.ci.enabled`), listing every stack in its `ci.stacks`. Each cluster has its own
 * catalog, with its own `output` path, in the directory publish-manifests mirrors.
 */
import { dirname } from "node:path/posix";
import { type CiModel, environmentNameProblem, repoUrlProblem, repositoryUrls } from "./github";
import type { GithubEnabledSettings } from "./settings";

/** What the cross-stack checks need of one cluster stack file. */
export interface ClusterStackView {
  readonly kind: "cluster";
  readonly stack: string;
  /** `gitops-bootstrap:github` when enabled. */
  readonly github?: GithubEnabledSettings;
  /** `gitops-bootstrap:repo`: the URL and catalog the engine reads. */
  readonly repo: { readonly url: string; readonly catalog?: string };
  /** `gitops-bootstrap:aws.accountStack`. */
  readonly accountStack?: string;
}

/** What the cross-stack checks need of the account stack file. */
export interface AccountStackView {
  readonly kind: "account";
  readonly stack: string;
  readonly ci: {
    readonly repository: string;
    readonly defaultBranch: string;
    readonly model: CiModel;
    /** The environments the roles trust ("" in the branches model), as the account stack outputs them. */
    readonly deployEnvironment: string;
    readonly previewEnvironment: string;
  };
}

export type StackView = ClusterStackView | AccountStackView;

/** A problem that involves some stacks; `config` and `synth` of any of them report it. */
export interface StackSetProblem {
  readonly stacks: readonly string[];
  readonly message: string;
}

const file = (stack: string) => `Pulumi.${stack}.yaml`;
const files = (stacks: readonly string[]) =>
  stacks.length === 2 ? `${file(stacks[0] ?? "")} and ${file(stacks[1] ?? "")}` : stacks.map(file).join(", ");

/** A GitHub object a stack creates: its identity (GitHub names are case-insensitive) and the fix for a duplicate. */
interface GithubObject {
  readonly id: string;
  readonly key: string;
  readonly what: string;
  readonly fix: string;
}

/** The GitHub objects a cluster stack creates that no other stack may create too. */
export function githubObjects(view: ClusterStackView): GithubObject[] {
  const gh = view.github;
  if (gh === undefined) return [];
  const source = `${gh.owner}/${gh.sourceRepository}`;
  const manifests = `${gh.owner}/${gh.manifestRepository.name}`;
  const objects: GithubObject[] = [];
  if (gh.manifestRepository.manage) {
    objects.push({
      id: `repository ${manifests}`.toLowerCase(),
      key: "gitops-bootstrap:github.manifestRepository.manage",
      what: `manage the manifest repository ${manifests}`,
      fix: "keep it in the stack that owns the repository and set manage: false in the others (they add only their own deploy keys)",
    });
  }
  if (gh.ci.enabled) {
    objects.push({
      id: `ci ${source}`.toLowerCase(),
      key: "gitops-bootstrap:github.ci.enabled",
      what: `write the Actions variables, secrets${gh.ci.model === "environments" ? " and environments" : ""} of ${source}`,
      fix: "keep CI in one stack, list every stack in its github.ci.stacks, and set ci.enabled: false (and deployKeys.ciWriteKey: false) in the others",
    });
  }
  return objects;
}

/** Two stack files that would create the same GitHub object, one problem per object. */
function duplicates(clusters: readonly ClusterStackView[]): StackSetProblem[] {
  const byId = new Map<string, { object: GithubObject; stacks: string[] }>();
  for (const view of clusters) {
    for (const object of githubObjects(view)) {
      const entry = byId.get(object.id) ?? { object, stacks: [] };
      entry.stacks.push(view.stack);
      byId.set(object.id, entry);
    }
  }
  return [...byId.values()]
    .filter((entry) => entry.stacks.length > 1)
    .map(({ object, stacks }) => ({
      stacks,
      message: `${object.key}: ${files(stacks)} would both ${object.what}, and the second \`pulumi up\` would fail on it (or take it over): ${object.fix}`,
    }));
}

/** The stacks CI runs for the stack that writes the CI settings, checked against their files. */
function ciStackProblems(
  owner: ClusterStackView,
  clusters: ReadonlyMap<string, ClusterStackView>,
): StackSetProblem[] {
  const gh = owner.github;
  if (gh === undefined || !gh.ci.enabled) return [];
  const problems: StackSetProblem[] = [];
  const published = gh.ci.catalog === undefined ? undefined : dirname(gh.ci.catalog);
  for (const stack of gh.ci.stacks ?? [owner.stack]) {
    const view = clusters.get(stack);
    if (view === undefined) continue;
    const involved = [...new Set([owner.stack, stack])];
    const urls = repositoryUrls(gh.owner, gh.manifestRepository.name);
    if (
      stack !== owner.stack &&
      repoUrlProblem(view.repo.url, gh.owner, gh.manifestRepository.name) !== undefined
    ) {
      problems.push({
        stacks: involved,
        message: `gitops-bootstrap:repo.url: ${file(stack)} reads ${view.repo.url}, but ${file(owner.stack)}, whose github.ci.stacks lists ${stack}, publishes to ${urls.slug} only: set repo.url to ${urls.scp}, or remove ${stack} from ci.stacks`,
      });
    }
    const catalog = view.repo.catalog;
    if (published !== undefined && gh.deployKeys.ciWriteKey && catalog !== undefined) {
      if (!catalog.startsWith(`${published}/`)) {
        problems.push({
          stacks: involved,
          message: `gitops-bootstrap:repo.catalog: ${file(stack)} reads ${catalog}, outside ${published}/, the directory publish-manifests mirrors into the manifest repository (${file(owner.stack)}: github.ci.catalog ${gh.ci.catalog}): move the catalog into ${published}/ with its own output path (e.g. clusters/${stack}/bootstrap)`,
        });
      }
    }
  }
  return problems;
}

/** The account stack a cluster stack names (`organization/<project>/<stack>`), if it is one of `views`. */
function referencedAccount(
  project: string,
  view: ClusterStackView,
  accounts: ReadonlyMap<string, AccountStackView>,
): AccountStackView | undefined {
  const [, referencedProject, stack] = view.accountStack?.split("/") ?? [];
  if (referencedProject !== project || stack === undefined) return undefined;
  return accounts.get(stack);
}

/** The cluster stack that writes CI variables and the account stack whose roles CI assumes must agree. */
function modelProblems(view: ClusterStackView, account: AccountStackView): StackSetProblem[] {
  const gh = view.github;
  if (gh === undefined || !gh.ci.enabled) return [];
  const stacks = [view.stack, account.stack];
  const problems: string[] = [];
  if (gh.ci.model !== account.ci.model) {
    problems.push(
      `gitops-bootstrap:github.ci.model: ${file(view.stack)} has ${gh.ci.model}, but the account stack ${file(account.stack)} has aws.ci.model ${account.ci.model}: set both to the same model (environments needs required reviewers: public repositories, or GitHub Enterprise; branches is for GitHub Free)`,
    );
  } else {
    for (const [role, reported] of [
      ["production", account.ci.deployEnvironment],
      ["preview", account.ci.previewEnvironment],
    ] as const) {
      const why = environmentNameProblem(gh.ci.model, role, reported);
      if (why !== undefined)
        problems.push(`gitops-bootstrap:aws.accountStack: ${file(account.stack)}: ${why}`);
    }
  }
  const source = `${gh.owner}/${gh.sourceRepository}`;
  if (source.toLowerCase() !== account.ci.repository.toLowerCase()) {
    problems.push(
      `gitops-bootstrap:github.sourceRepository: ${file(view.stack)} writes CI settings into ${source}, but the account stack's roles trust ${account.ci.repository} (${file(account.stack)}: aws.ci.repository): name the same repository in both`,
    );
  }
  if (gh.ci.defaultBranch !== account.ci.defaultBranch) {
    problems.push(
      `gitops-bootstrap:github.ci.defaultBranch: ${file(view.stack)} has ${gh.ci.defaultBranch}, but the account stack's deploy role trusts ${account.ci.defaultBranch} (${file(account.stack)}: aws.ci.defaultBranch): set both to the source repository's default branch`,
    );
  }
  return problems.map((message) => ({ stacks, message }));
}

/**
 * Every problem between the stack files of `project`: GitHub objects two stacks would both create,
 * stacks CI runs that it could not publish, and a CI model (or repository, or branch) on which a
 * cluster stack and the account stack it names disagree.
 */
export function stackSetProblems(project: string, views: readonly StackView[]): StackSetProblem[] {
  const clusters = new Map(
    views.filter((v): v is ClusterStackView => v.kind === "cluster").map((v) => [v.stack, v]),
  );
  const accounts = new Map(
    views.filter((v): v is AccountStackView => v.kind === "account").map((v) => [v.stack, v]),
  );
  const problems = duplicates([...clusters.values()]);
  for (const view of clusters.values()) {
    problems.push(...ciStackProblems(view, clusters));
    const account = referencedAccount(project, view, accounts);
    if (account !== undefined) problems.push(...modelProblems(view, account));
  }
  return problems;
}

/**
 * Why a stack file CI runs `pulumi` on cannot be decrypted there, or undefined. Pulumi takes the
 * secrets provider from the stack file's `secretsprovider` and `encryptedkey` (written by
 * `pulumi stack init --secrets-provider` or `pulumi stack change-secrets-provider`); without them a
 * self-managed backend falls back to a passphrase (pkg/backend/diy: DefaultSecretManager), which CI
 * does not have. `pulumi up --secrets-provider` does not help: it is used only when `up` creates a
 * stack from a template, and a stack CI creates rewrites a file the job then throws away.
 */
export function stackFileSecretsProblem(
  stack: string,
  document: Record<string, unknown>,
): string | undefined {
  const present = (key: string) =>
    typeof document[key] === "string" && (document[key] as string).trim() !== "";
  const missing = ["secretsprovider", "encryptedkey"].filter((key) => !present(key));
  if (missing.length === 0) return undefined;
  return `${file(stack)} has no ${missing.join(" and ")}: CI's pulumi would ask for a passphrase. Run \`pulumi stack change-secrets-provider --stack ${stack} "$(pulumi stack output --stack account secretsProvider)"\` (or \`pulumi stack init ${stack} --secrets-provider …\` for a new stack) and commit ${file(stack)}`;
}
