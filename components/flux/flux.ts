import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ManifestRepo } from "../../core/repository/repository";
import { fluxValues, GIT_SECRET_NAME, type FluxSettings } from "../../core/flux/flux";
import { fluxGitSecret } from "../../core/repository/repository";
import { CHARTS } from "../../core/shared/versions";
import { engineRelease } from "../shared/helm";

export interface FluxArgs {
  /** The Kubernetes provider for the target cluster (never the ambient default). */
  provider: k8s.Provider;
  /** Flux settings from stack config. */
  settings: FluxSettings;
  /** The private manifest repository Flux reads. */
  repo: ManifestRepo;
  /** Private half of the read-only deploy key, as a Pulumi secret. */
  sshPrivateKey: pulumi.Input<string>;
  /** flux2 chart version. Defaults to the pin in core/shared/versions.ts. */
  chartVersion?: string;
}

/**
 * Installs Flux with the fluxcd-community flux2 chart, and the Git Secret its source reads.
 *
 * Why flux2 and not the Flux Operator: Pulumi stays the one thing that installs and upgrades the
 * engine (a pinned chart version in stack config, visible in `pulumi preview`), and the root
 * GitRepository and Kustomization are plain Flux objects in our root chart, validated offline
 * against Flux's CRD schemas, with the `flux-bootstrap` interval, prune and path the homelab uses.
 * The Operator's FluxInstance would generate those objects itself and upgrade Flux on its own.
 */
export class Flux extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;
  public readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: FluxArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gitops:engine:Flux", name, {}, opts);
    const { provider, settings, repo } = args;

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

    this.release = engineRelease(
      name,
      {
        releaseName: "flux",
        pin: CHARTS.flux2,
        ...(args.chartVersion === undefined ? {} : { version: args.chartVersion }),
        namespace: settings.namespace,
        values: fluxValues(settings),
      },
      { parent: this, provider, dependsOn: [namespace, gitSecret] },
    );

    this.namespace = namespace.metadata.name;
    this.registerOutputs({ namespace: this.namespace, release: this.release.status.name });
  }
}
