import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GIT_SECRET_NAME } from "../../core/flux/flux";
import {
  fluxInstanceValues,
  fluxOperatorValues,
  fluxOperatorValuesProblems,
  type FluxOperatorSettings,
} from "../../core/flux/operator";
import { fluxGitSecret, type ManifestRepo } from "../../core/repository/repository";
import { chartKeys, chartKeysNote, CHARTS, type ChartKey } from "../../core/shared/versions";
import { engineRelease } from "../shared/helm";

export interface FluxOperatorArgs {
  /** The Kubernetes provider for the target cluster (never the ambient default). */
  provider: k8s.Provider;
  /** Flux Operator settings from stack config. */
  settings: FluxOperatorSettings;
  /** The private manifest repository the FluxInstance syncs. */
  repo: ManifestRepo;
  /** Private half of the read-only deploy key, as a Pulumi secret. */
  sshPrivateKey: pulumi.Input<string>;
  /** flux-operator chart version. Defaults to the pin in charts/versions.json. */
  operatorChartVersion?: string;
  /** flux-instance chart version. Defaults to the pin in charts/versions.json. */
  instanceChartVersion?: string;
  /**
   * What the FluxInstance is installed after besides the operator and the Git Secret: the deploy
   * key GitHub must hold before the instance's GitRepository can read the repository. Defaults to
   * nothing.
   */
  instanceWaitsFor?: pulumi.Resource[];
}

/**
 * Installs the Flux Operator (flux-operator chart) and a FluxInstance (flux-instance chart) that
 * installs Flux and syncs the manifest repository's root path with the engine's deploy key.
 *
 * The FluxInstance comes from the flux-instance chart, not a CustomResource: `pulumi preview` on a
 * fresh cluster has no FluxInstance CRD yet, and a CustomResource whose CRD is missing fails to
 * preview (pulumi-kubernetes #1735, #3247), while a Helm release does not. The instance release is
 * installed after the operator's, which waits until the operator runs and its CRDs exist; on
 * destroy it is uninstalled first, and its wait (release.wait) holds the operator until the
 * operator has uninstalled Flux.
 */
export class FluxOperator extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;
  public readonly operatorRelease: k8s.helm.v3.Release;
  /** The release of the FluxInstance: the root of this engine (its sync is the root Kustomization). */
  public readonly instanceRelease: k8s.helm.v3.Release;

  constructor(name: string, args: FluxOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gitops:engine:FluxOperator", name, {}, opts);
    const { provider, settings, repo } = args;

    // Stack config is checked before any resource (stacks/config.ts); this guards other callers.
    const problems = fluxOperatorValuesProblems(settings, repo, {
      operator: chartKeys("fluxOperator"),
      instance: chartKeys("fluxInstance"),
    });
    if (problems.length > 0)
      throw new pulumi.ResourceError(problems.map((p) => `${p.key}: ${p.message}`).join("\n"), this);
    const operatorVersion = args.operatorChartVersion ?? CHARTS.fluxOperator.version;
    const instanceVersion = args.instanceChartVersion ?? CHARTS.fluxInstance.version;
    const warnKeys = (key: ChartKey, values: object, version: string) => {
      const note = Object.keys(values).length === 0 ? undefined : chartKeysNote(key, version);
      if (note !== undefined) void pulumi.log.warn(note, this);
    };
    warnKeys("fluxOperator", settings.operator.values, operatorVersion);
    warnKeys("fluxInstance", settings.instance.values, instanceVersion);

    const namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      { metadata: { name: settings.namespace } },
      // Kept on destroy: deleting it would hang on, or cascade into, the apps the engine still owns.
      { parent: this, provider, retainOnDelete: true },
    );

    const secret = fluxGitSecret(
      { name: GIT_SECRET_NAME, namespace: settings.namespace, url: repo.url, knownHosts: repo.knownHosts },
      args.sshPrivateKey,
    );
    const gitSecret = new k8s.core.v1.Secret(
      `${name}-git`,
      { metadata: secret.metadata, type: secret.type, stringData: secret.stringData },
      { parent: this, provider, dependsOn: [namespace] },
    );

    this.operatorRelease = engineRelease(
      name,
      {
        releaseName: "flux-operator",
        pin: CHARTS.fluxOperator,
        version: operatorVersion,
        namespace: settings.namespace,
        values: fluxOperatorValues(settings),
        release: settings.operator.release,
      },
      { parent: this, provider, dependsOn: [namespace] },
    );

    this.instanceRelease = engineRelease(
      `${name}-instance`,
      {
        releaseName: "flux-instance",
        pin: CHARTS.fluxInstance,
        version: instanceVersion,
        namespace: settings.namespace,
        values: fluxInstanceValues(settings, repo),
        release: settings.instance.release,
      },
      {
        parent: this,
        provider,
        dependsOn: [this.operatorRelease, gitSecret, ...(args.instanceWaitsFor ?? [])],
      },
    );

    this.namespace = namespace.metadata.name;
    this.registerOutputs({
      namespace: this.namespace,
      operatorRelease: this.operatorRelease.status.name,
      instanceRelease: this.instanceRelease.status.name,
    });
  }
}
