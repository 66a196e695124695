import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import {
  CI_ENVIRONMENTS,
  type CiEnvironment,
  type CiEnvironmentSpec,
  type CiValues,
  ciEntries,
  settingResourceSuffix,
} from "../../core/github/github";

export interface CiSecretsArgs {
  /** Name of the source repository (where the workflows run), same owner as the provider. Defaults to none (required). */
  repository: string;
  /**
   * What to write, by part. `stacks` and `model` are always written (`PULUMI_STACKS`, `CI_MODEL`);
   * `aws`, `manifests` and `tailscale` each add their secrets and variables only when given, so a
   * switched-off part leaves no trace. Names come from `CI_SETTINGS` in core/github/github.ts, the
   * list the workflow tests read. `model` decides where secrets go. Defaults to none (required).
   */
  values: CiValues<pulumi.Input<string>>;
  /**
   * Environments model: the `preview` and `production` environments (`ciEnvironmentSpecs` in
   * core/github/github.ts), both always created, since the workflows name them and GitHub would
   * otherwise create them on first use with no protection rules. Branches model: none (the plan has
   * no environments). Defaults to none.
   */
  environments?: readonly CiEnvironmentSpec[];
  /** Explicit providers; every child uses `providers.github`. Defaults to none (required). */
  providers: { github: github.Provider };
}

/**
 * The CI wiring of the source repository, what preview.yml, up.yml and publish-manifests.yml read:
 * in the environments model the `preview` and `production` GitHub environments (with required
 * reviewers; `production` deployable from the default branch only) and the Actions secrets inside
 * them (never repository-wide); in the branches model repository secrets and no environments. The
 * repository variables in both. Secret values are wrapped in `pulumi.secret` whatever their origin.
 */
export class CiSecrets extends pulumi.ComponentResource {
  /** Names of the Actions secrets created, in registration order (each once, whatever its environments). */
  public readonly secretNames: string[];
  /** Names of the Actions variables created, in registration order. */
  public readonly variableNames: string[];
  /** The environments created, by name. */
  public readonly environments: Partial<Record<CiEnvironment, github.RepositoryEnvironment>>;

  constructor(name: string, args: CiSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    const specs = args.environments ?? [];
    const model = args.values.model ?? "environments";
    if (model === "environments") {
      const missing = CI_ENVIRONMENTS.filter((e) => !specs.some((s) => s.environment === e));
      if (missing.length > 0)
        throw new Error(`CiSecrets ${name}: no spec for environment(s) ${missing.join(", ")}`);
    } else if (specs.length > 0) {
      throw new Error(
        `CiSecrets ${name}: the branches model creates no environments, but ${specs.length} were given`,
      );
    }
    super("gitops:github:CiSecrets", name, {}, opts);
    const provider = args.providers.github;
    this.secretNames = [];
    this.variableNames = [];
    this.environments = {};

    for (const spec of specs) {
      const environment = new github.RepositoryEnvironment(
        `${name}-env-${spec.environment}`,
        {
          repository: args.repository,
          environment: spec.environment,
          reviewers: [{ users: [...spec.reviewers.users], teams: [...spec.reviewers.teams] }],
          preventSelfReview: spec.preventSelfReview,
          canAdminsBypass: spec.canAdminsBypass,
          ...(spec.deploymentBranchPolicy === undefined
            ? {}
            : { deploymentBranchPolicy: { ...spec.deploymentBranchPolicy } }),
        },
        { parent: this, provider },
      );
      spec.branchPatterns.forEach((pattern, i) => {
        new github.RepositoryEnvironmentDeploymentPolicy(
          `${name}-env-${spec.environment}-branch${i === 0 ? "" : `-${i}`}`,
          { repository: args.repository, environment: environment.environment, branchPattern: pattern },
          { parent: this, provider },
        );
      });
      this.environments[spec.environment] = environment;
    }

    for (const { setting, value } of ciEntries(args.values)) {
      const suffix = settingResourceSuffix(setting.name);
      if (setting.kind === "secret" && model === "branches") {
        // Repository-wide: the plan has no environments (docs/github-tailscale.md, the trade-off).
        new github.ActionsSecret(
          `${name}-secret-${suffix}`,
          { repository: args.repository, secretName: setting.name, value: pulumi.secret(value) },
          { parent: this, provider },
        );
        this.secretNames.push(setting.name);
      } else if (setting.kind === "secret") {
        for (const env of setting.environments) {
          const environment = this.environments[env];
          if (environment === undefined) throw new Error(`CiSecrets ${name}: no environment ${env}`);
          new github.ActionsEnvironmentSecret(
            `${name}-${env}-${suffix}`,
            {
              repository: args.repository,
              environment: environment.environment,
              secretName: setting.name,
              value: pulumi.secret(value),
            },
            { parent: this, provider },
          );
        }
        this.secretNames.push(setting.name);
      } else {
        new github.ActionsVariable(
          `${name}-${suffix}`,
          { repository: args.repository, variableName: setting.name, value },
          { parent: this, provider },
        );
        this.variableNames.push(setting.name);
      }
    }

    this.registerOutputs({ secretNames: this.secretNames, variableNames: this.variableNames });
  }
}
