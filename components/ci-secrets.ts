import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { type CiValues, ciEntries, settingResourceSuffix } from "../gitops/github";

export interface CiSecretsArgs {
  /** Name of the source repository (where the workflows run), same owner as the provider. Defaults to none (required). */
  repository: string;
  /**
   * What to write, by part. `stacks` is always written (`PULUMI_STACKS`); `aws`, `manifests` and
   * `tailscale` each add their secrets and variables only when given, so a switched-off part leaves
   * no trace. Names come from `CI_SETTINGS` in gitops/github.ts, the list the workflow tests read.
   * Defaults to none (required).
   */
  values: CiValues<pulumi.Input<string>>;
  /** Explicit providers; every child uses `providers.github`. Defaults to none (required). */
  providers: { github: github.Provider };
}

/**
 * GitHub Actions secrets and variables in the source repository: what preview.yml, up.yml and
 * publish-manifests.yml read. Secret values are wrapped in `pulumi.secret` whatever their origin.
 */
export class CiSecrets extends pulumi.ComponentResource {
  /** Names of the Actions secrets created, in registration order. */
  public readonly secretNames: string[];
  /** Names of the Actions variables created, in registration order. */
  public readonly variableNames: string[];

  constructor(name: string, args: CiSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gitops:github:CiSecrets", name, {}, opts);
    const provider = args.providers.github;
    this.secretNames = [];
    this.variableNames = [];

    for (const { setting, value } of ciEntries(args.values)) {
      const resourceName = `${name}-${settingResourceSuffix(setting.name)}`;
      if (setting.kind === "secret") {
        new github.ActionsSecret(
          resourceName,
          { repository: args.repository, secretName: setting.name, value: pulumi.secret(value) },
          { parent: this, provider },
        );
        this.secretNames.push(setting.name);
      } else {
        new github.ActionsVariable(
          resourceName,
          { repository: args.repository, variableName: setting.name, value },
          { parent: this, provider },
        );
        this.variableNames.push(setting.name);
      }
    }

    this.registerOutputs({ secretNames: this.secretNames, variableNames: this.variableNames });
  }
}
