/**
 * The GitHub and Tailscale part of a cluster stack, composed in one place so `stacks/cluster.ts`
 * needs a few lines: the manifest repository (unless another stack manages it), its deploy keys,
 * CI's tailnet credential, and the Actions secrets and variables of the source repository. Returns
 * the read-only private key the engine's repository Secret takes. Nothing is registered for a part
 * that is switched off.
 */
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import * as tailscale from "@pulumi/tailscale";
import * as tls from "@pulumi/tls";
import { CiSecrets } from "../components/github/ci-secrets";
import { DeployKeys } from "../components/github/deploy-keys";
import { ManifestRepo } from "../components/github/manifest-repo";
import { SourceRuleset } from "../components/github/source-ruleset";
import { TailscaleAccess } from "../components/tailscale/tailscale-access";
import {
  type CiModel,
  type CiValues,
  ciEnvironmentSpecs,
  environmentNameProblem,
  repoUrlProblem,
  repositoryUrls,
} from "../core/github/github";
import type { GithubSettings } from "../core/github/settings";
import type { TailscaleSettings } from "../core/tailscale/settings";

export interface GithubAccessArgs {
  /** Stack name (`pulumi.getStack()`): in deploy key titles, descriptions and the default `ci.stacks`. Defaults to none (required). */
  stack: string;
  /** Validated `gitops-bootstrap:github`. Defaults to none (required). */
  github: GithubSettings;
  /** Validated `gitops-bootstrap:tailscale`. Defaults to none (required). */
  tailscale: TailscaleSettings;
  /**
   * The engine's repository settings (`gitops-bootstrap:repo`): the URL must name the manifest
   * repository. (publish-manifests reads each stack's catalog and engine from its stack file.)
   * Defaults to none (required).
   */
  repo: { url: string };
  /**
   * The account stack's outputs for CI (role ARNs, region, backend URL, secrets provider, and the
   * environments the roles trust, which must fit `github.ci.model`). Defaults to undefined: no AWS
   * variables are written and the workflows skip AWS.
   */
  aws?: CiValues<pulumi.Input<string>>["aws"];
  /** Explicit providers, each required when its part is on (tls with github). Defaults to none. */
  providers: { github?: github.Provider; tls?: tls.Provider; tailscale?: tailscale.Provider };
}

export interface GithubAccess {
  /** Absent when another stack manages the repository (`manifestRepository.manage: false`). */
  manifestRepo?: ManifestRepo;
  deployKeys?: DeployKeys;
  tailscaleAccess?: TailscaleAccess;
  ciSecrets?: CiSecrets;
  sourceRuleset?: SourceRuleset;
  /** Private half of the read-only cluster deploy key (secret): the engine's repository Secret. */
  repoSshPrivateKey?: pulumi.Output<string>;
}

/** Why the parts cannot be built together, one line per problem, each naming its key. */
export function githubAccessProblems(args: GithubAccessArgs): string[] {
  const problems: string[] = [];
  if (args.github.enabled) {
    const why = repoUrlProblem(args.repo.url, args.github.owner, args.github.manifestRepository.name);
    if (why !== undefined) problems.push(`gitops-bootstrap:repo.url: ${why}`);
    if (args.providers.github === undefined)
      problems.push("gitops-bootstrap:github: is enabled but no github provider was passed");
    if (args.providers.tls === undefined)
      problems.push(
        "gitops-bootstrap:github: is enabled but no tls provider was passed (for the deploy key pairs)",
      );
    if (args.github.ci.enabled && args.aws !== undefined) {
      // Checked here when given as plain strings; a StackReference's values are checked when they
      // arrive (checkedRoleArn), which fails preview and up before any variable is written.
      for (const why of ciModelProblems(args.github.ci.model, args.aws)) {
        if (why !== undefined) problems.push(`gitops-bootstrap:aws: ${why}`);
      }
    }
  }
  if (args.tailscale.enabled && args.providers.tailscale === undefined) {
    problems.push("gitops-bootstrap:tailscale: is enabled but no tailscale provider was passed");
  }
  return problems;
}

/** The account stack's reported environments against `model`, for the plain strings among them. */
function ciModelProblems(model: CiModel, aws: NonNullable<GithubAccessArgs["aws"]>): (string | undefined)[] {
  return (
    [
      ["production", aws.deployEnvironment],
      ["preview", aws.previewEnvironment],
    ] as const
  ).map(([role, reported]) =>
    typeof reported === "string" ? environmentNameProblem(model, role, reported) : undefined,
  );
}

/**
 * The role ARN CI is told to assume, once the account stack's reported environments are known to
 * fit `model`: a mismatch (say, an account stack on the branches model and a cluster stack on
 * environments) fails preview and up with the reason, instead of writing variables for roles that
 * would refuse every run. The check adds no resource; it only gates a value (a program that fails
 * this way deletes nothing: Pulumi removes unregistered resources only after a program succeeds).
 */
export function checkedRoleArn(
  model: CiModel,
  aws: NonNullable<GithubAccessArgs["aws"]>,
  arn: pulumi.Input<string>,
): pulumi.Output<string> {
  return pulumi
    .all([arn, aws.deployEnvironment, aws.previewEnvironment])
    .apply(([value, deployEnvironment, previewEnvironment]) => {
      const reported = { ...aws, deployEnvironment, previewEnvironment };
      const problems = ciModelProblems(model, reported).filter((why): why is string => why !== undefined);
      if (problems.length > 0)
        throw new Error(`invalid stack config:\n  gitops-bootstrap:aws.accountStack: ${problems.join("; ")}`);
      return value;
    });
}

/** Registers the GitHub and Tailscale part. Checks everything first: on a problem, nothing is registered. */
export function buildGithubAccess(args: GithubAccessArgs): GithubAccess {
  const problems = githubAccessProblems(args);
  if (problems.length > 0) throw new Error(`invalid stack config:\n  ${problems.join("\n  ")}`);

  const result: GithubAccess = {};
  const ts = args.tailscale;
  if (ts.enabled && args.providers.tailscale !== undefined) {
    result.tailscaleAccess = new TailscaleAccess("tailscale", {
      settings: ts,
      stack: args.stack,
      providers: { tailscale: args.providers.tailscale },
    });
  }
  const gh = args.github;
  if (!gh.enabled || args.providers.github === undefined || args.providers.tls === undefined) return result;
  const provider = args.providers.github;
  const tlsProvider = args.providers.tls;

  // One stack manages the repository; the others only add their deploy keys to it by name.
  const repo = gh.manifestRepository.manage
    ? new ManifestRepo("manifests", {
        settings: gh.manifestRepository,
        owner: gh.owner,
        stack: args.stack,
        providers: { github: provider },
      })
    : undefined;
  const keys = new DeployKeys("deploy-keys", {
    repository: repo?.name ?? gh.manifestRepository.name,
    stack: args.stack,
    rotation: gh.deployKeys.rotation,
    ciWriteKey: gh.deployKeys.ciWriteKey,
    providers: { github: provider, tls: tlsProvider },
  });
  if (gh.sourceRepositoryRuleset.enabled) {
    result.sourceRuleset = new SourceRuleset("source-ruleset", {
      repository: gh.sourceRepository,
      stack: args.stack,
      requiredApprovals: gh.sourceRepositoryRuleset.requiredApprovals,
      providers: { github: provider },
    });
  }
  if (repo !== undefined) result.manifestRepo = repo;
  result.deployKeys = keys;
  result.repoSshPrivateKey = keys.clusterPrivateKey;

  if (gh.ci.enabled) {
    const access = result.tailscaleAccess;
    const aws = args.aws;
    const values: CiValues<pulumi.Input<string>> = {
      stacks: gh.ci.stacks ?? [args.stack],
      model: gh.ci.model,
      ...(aws === undefined
        ? {}
        : {
            aws: {
              ...aws,
              previewRoleArn: checkedRoleArn(gh.ci.model, aws, aws.previewRoleArn),
              deployRoleArn: checkedRoleArn(gh.ci.model, aws, aws.deployRoleArn),
            },
          }),
      ...(keys.ciPrivateKey === undefined
        ? {}
        : {
            manifests: {
              repository: repositoryUrls(gh.owner, gh.manifestRepository.name).slug,
              branch: gh.manifestRepository.defaultBranch,
              // The schema requires a catalog whenever CI is on with a write key.
              catalog: gh.ci.catalog ?? "",
              deployKey: keys.ciPrivateKey,
            },
          }),
      ...(access === undefined ? {} : { tailscale: access.credentials }),
    };
    result.ciSecrets = new CiSecrets("ci", {
      repository: gh.sourceRepository,
      values,
      ...(gh.ci.model === "environments"
        ? {
            environments: ciEnvironmentSpecs({
              reviewers: gh.ci.reviewers,
              preventSelfReview: gh.ci.preventSelfReview,
              defaultBranch: gh.ci.defaultBranch,
            }),
          }
        : {}),
      providers: { github: provider },
    });
  }
  return result;
}
