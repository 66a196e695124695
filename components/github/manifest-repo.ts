import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import {
  defaultBranchRuleset,
  githubOwnerProblem,
  githubRepositoryNameProblem,
  repositoryUrls,
} from "../../core/github/github";
import type { ManifestRepositorySettings } from "../../core/github/settings";

export interface ManifestRepoArgs {
  /**
   * The repository settings, already validated by `githubSettingsSchema`
   * (`gitops-bootstrap:github.manifestRepository`); the schema applies its defaults. Defaults to none (required).
   */
  settings: ManifestRepositorySettings;
  /** The GitHub user or organization that owns the repository; the provider must act for it. Defaults to none (required). */
  owner: string;
  /** Stack name, used in the ruleset name so several stacks can protect one repository. Defaults to none (required). */
  stack: string;
  /** Explicit providers; every child uses `providers.github`, never the ambient one. Defaults to none (required). */
  providers: { github: github.Provider };
}

/**
 * The private repository the GitOps engine reads and CI publishes manifests to: private,
 * auto-initialised, head branches deleted on merge, vulnerability alerts on, and a ruleset on the
 * default branch. The repository is `protect`ed and `retainOnDelete`: destroying the stack leaves it.
 * With `settings.adopt` the existing repository of that name is imported instead of created.
 */
export class ManifestRepo extends pulumi.ComponentResource {
  /** Repository name. */
  public readonly name: pulumi.Output<string>;
  /** `owner/name`. */
  public readonly fullName: pulumi.Output<string>;
  /** The default branch the engine tracks. */
  public readonly defaultBranch: pulumi.Output<string>;
  /** `git@github.com:owner/name.git` (Argo CD). Known before the repository exists. */
  public readonly scpUrl: string;
  /** `ssh://git@github.com/owner/name.git` (Flux). Known before the repository exists. */
  public readonly sshUrl: string;

  constructor(name: string, args: ManifestRepoArgs, opts?: pulumi.ComponentResourceOptions) {
    // Checked before anything (this component included) is registered.
    const problems = [
      ["gitops-bootstrap:github.owner", githubOwnerProblem(args.owner)],
      ["gitops-bootstrap:github.manifestRepository.name", githubRepositoryNameProblem(args.settings.name)],
    ].filter(([, why]) => why !== undefined);
    if (problems.length > 0) {
      throw new Error(`ManifestRepo ${name}: ${problems.map(([key, why]) => `${key}: ${why}`).join("; ")}`);
    }
    super("gitops:github:ManifestRepo", name, {}, opts);
    const { settings } = args;
    const provider = args.providers.github;

    const repository = new github.Repository(
      name,
      {
        name: settings.name,
        description: settings.description,
        visibility: "private",
        // Only meaningful at creation; an adopted repository already has commits.
        autoInit: settings.adopt ? undefined : true,
        deleteBranchOnMerge: true,
        hasIssues: false,
        hasProjects: false,
        hasWiki: false,
        // If protection is ever lifted and the repository deleted, archive it instead.
        archiveOnDestroy: true,
      },
      {
        parent: this,
        provider,
        protect: true,
        retainOnDelete: true,
        // The import ID of a repository is its name.
        import: settings.adopt ? settings.name : undefined,
      },
    );

    // The repository outlives the stack (above), so its settings do too: destroying the stack must
    // not strip the branch ruleset or the vulnerability alerts from a repository that stays.
    const keptSetting = { parent: this, provider, retainOnDelete: true };
    const branch = new github.BranchDefault(
      `${name}-default-branch`,
      {
        repository: repository.name,
        branch: settings.defaultBranch,
        // A new repository starts on the owner's initial branch name: rename it. Never rename a
        // branch of an adopted repository.
        rename: !settings.adopt,
        // The provider renames only when the names differ; wait for GitHub to settle before the ruleset.
        waitForRename: !settings.adopt,
      },
      keptSetting,
    );

    new github.RepositoryVulnerabilityAlerts(
      `${name}-vulnerability-alerts`,
      { repository: repository.name, enabled: true },
      keptSetting,
    );

    if (settings.protectDefaultBranch) {
      const ruleset = defaultBranchRuleset(args.stack);
      new github.RepositoryRuleset(
        `${name}-ruleset`,
        { ...ruleset, repository: repository.name },
        { ...keptSetting, dependsOn: [branch] },
      );
    }

    const urls = repositoryUrls(args.owner, settings.name);
    this.name = repository.name;
    this.fullName = repository.fullName;
    this.defaultBranch = branch.branch;
    this.scpUrl = urls.scp;
    this.sshUrl = urls.ssh;
    this.registerOutputs({
      name: this.name,
      fullName: this.fullName,
      defaultBranch: this.defaultBranch,
      scpUrl: this.scpUrl,
      sshUrl: this.sshUrl,
    });
  }
}
