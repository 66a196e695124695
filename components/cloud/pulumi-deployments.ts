/**
 * A stack's own Pulumi Deployments configuration, made by the stack itself when its home is Pulumi
 * Cloud: DeploymentSettings (source, GitHub app triggers, OIDC to AWS) and a DriftSchedule. The
 * inputs are built by core/cloud/deployments.ts; this component only registers them.
 */
import * as pulumi from "@pulumi/pulumi";
import * as pulumiservice from "@pulumi/pulumiservice";
import type { DeploymentSettingsInputs, DriftScheduleInputs } from "../../core/cloud/deployments";

export interface PulumiDeploymentsArgs {
  /** The explicit pulumiservice provider (API URL, access token). Required: no default provider is used. */
  provider: pulumiservice.Provider;
  /** The stack's DeploymentSettings; undefined makes none (pulumiCloud.deployments.enabled: false). */
  settings?: DeploymentSettingsInputs;
  /** The stack's DriftSchedule; undefined makes none (pulumiCloud.driftSchedule.enabled: false). */
  driftSchedule?: DriftScheduleInputs;
}

export class PulumiDeployments extends pulumi.ComponentResource {
  public readonly settings?: pulumiservice.DeploymentSettings;
  public readonly driftSchedule?: pulumiservice.DriftSchedule;

  constructor(name: string, args: PulumiDeploymentsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gitops:cloud:PulumiDeployments", name, {}, opts);
    const child = { parent: this, provider: args.provider };
    const settings =
      args.settings === undefined
        ? undefined
        : new pulumiservice.DeploymentSettings(`${name}-settings`, args.settings, child);
    // Drift detection runs as a deployment, so it needs the settings to exist first.
    const drift =
      args.driftSchedule === undefined
        ? undefined
        : new pulumiservice.DriftSchedule(`${name}-drift`, args.driftSchedule, {
            ...child,
            ...(settings === undefined ? {} : { dependsOn: [settings] }),
          });
    if (settings !== undefined) this.settings = settings;
    if (drift !== undefined) this.driftSchedule = drift;
    this.registerOutputs({});
  }
}
