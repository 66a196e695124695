import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ManifestRepo } from "../../core/repository/repository";
import { fluxValues, fluxValuesProblems, GIT_SECRET_NAME, type FluxSettings } from "../../core/flux/flux";
import { fluxGitSecret } from "../../core/repository/repository";
import { chartKeys, chartKeysNote, CHARTS } from "../../core/shared/versions";
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
 * Why flux2 (`engine: flux`) next to the Flux Operator (`engine: flux-operator`, ./flux-operator.ts):
 * here Pulumi is the one thing that installs and upgrades the controllers (a pinned chart version
 * in stack config, visible in `pulumi preview`), and the root GitRepository and Kustomization are
 * plain Flux objects in our root chart, validated offline against Flux's CRD schemas, with the
 * `flux-bootstrap` interval, prune and path the homelab uses. The Operator's FluxInstance generates
 * those objects itself, and installs Flux from its own distribution artifact.
 */
export class Flux extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;
  public readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: FluxArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gitops:engine:Flux", name, {}, opts);
    const { provider, settings, repo } = args;

    // Stack config is checked before any resource (stacks/config.ts); this guards other callers.
    const problems = fluxValuesProblems(settings, chartKeys("flux2"));
    if (problems.length > 0)
      throw new pulumi.ResourceError(problems.map((p) => `${p.key}: ${p.message}`).join("\n"), this);
    const version = args.chartVersion ?? CHARTS.flux2.version;
    const keysNote = Object.keys(settings.values).length === 0 ? undefined : chartKeysNote("flux2", version);
    if (keysNote !== undefined) void pulumi.log.warn(keysNote, this);

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
        version,
        namespace: settings.namespace,
        values: fluxValues(settings),
        release: settings.release,
      },
      { parent: this, provider, dependsOn: [namespace, gitSecret] },
    );

    this.namespace = namespace.metadata.name;
    this.registerOutputs({ namespace: this.namespace, release: this.release.status.name });
  }
}
