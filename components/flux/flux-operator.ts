import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { fluxOperatorValuesProblems, type FluxOperatorSettings } from "../../core/flux/operator";
import { fluxOperatorInstalls } from "../../core/flux/operator-self-management";
import type { EngineInstall } from "../../core/shared/self-management";
import type { ManifestRepo } from "../../core/repository/repository";
import { fluxNamespaceAndGitSecret } from "./flux-system";
import { chartKeys, chartKeysNote, CHARTS, type ChartKey } from "../../core/shared/versions";
import { selfManagedEngineRelease } from "../shared/helm";

export interface FluxOperatorArgs {
  /** The Kubernetes provider for the target cluster (never the ambient default). */
  provider: k8s.Provider;
  /** Flux Operator settings from stack config. */
  settings: FluxOperatorSettings;
  /** The private manifest repository the FluxInstance syncs. */
  repo: ManifestRepo;
  /** Private half of the read-only deploy key, as a Pulumi secret (an SSH repository). */
  sshPrivateKey?: pulumi.Input<string>;
  /** The token of an https repository (`repo.username` set), as a Pulumi secret. */
  httpsToken?: pulumi.Input<string>;
  /** flux-operator chart version. Defaults to the pin in charts/versions.json. */
  operatorChartVersion?: string;
  /** flux-instance chart version. Defaults to the pin in charts/versions.json. */
  instanceChartVersion?: string;
  /**
   * What the FluxInstance is installed after besides the operator and the Git Secret: the deploy
   * key GitHub must hold before the instance's GitRepository can read the repository, and the
   * sops-age Secret, which needs this component's namespace and so is given as a promise kept
   * once it exists. Defaults to nothing.
   */
  instanceWaitsFor?: pulumi.Input<pulumi.Resource>[];
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
  /**
   * The operator's Helm release, or undefined with `selfManagement.releaseOwner: engine` (the
   * stack declares none; Flux runs the operator's install).
   */
  public readonly operatorRelease: k8s.helm.v3.Release | undefined;
  /**
   * The release of the FluxInstance: the root of this engine (its sync is the root Kustomization);
   * undefined with `selfManagement.releaseOwner: engine`.
   */
  public readonly instanceRelease: k8s.helm.v3.Release | undefined;
  /** Both releases as installed: what `gitops-bootstrap handoff` writes for Flux to take over. */
  public readonly installs: { operator: EngineInstall; instance: EngineInstall };

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

    // The same namespace and Secret the flux engine makes; the FluxInstance's sync names the Secret
    // as its pullSecret.
    const { namespace, gitSecret } = fluxNamespaceAndGitSecret(this, name, {
      ...args,
      namespace: settings.namespace,
    });

    this.installs = fluxOperatorInstalls(settings, repo, {
      operator: operatorVersion,
      instance: instanceVersion,
    });
    const self = { selfManagement: settings.selfManagement, engine: "fluxOperator" };
    this.operatorRelease = selfManagedEngineRelease(
      name,
      { install: this.installs.operator, release: settings.operator.release, ...self },
      { parent: this, provider, dependsOn: [namespace] },
    );

    this.instanceRelease = selfManagedEngineRelease(
      `${name}-instance`,
      { install: this.installs.instance, release: settings.instance.release, ...self },
      {
        parent: this,
        provider,
        // Without a declared operator release (releaseOwner: engine), after the namespace.
        dependsOn: [this.operatorRelease ?? namespace, gitSecret, ...(args.instanceWaitsFor ?? [])],
      },
    );

    this.namespace = namespace.metadata.name;
    this.registerOutputs({
      namespace: this.namespace,
      // Without declared releases, their names as the engine's own install keeps them.
      operatorRelease: this.operatorRelease?.status.name ?? this.installs.operator.releaseName,
      instanceRelease: this.instanceRelease?.status.name ?? this.installs.instance.releaseName,
    });
  }
}
