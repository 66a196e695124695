import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ManifestRepo } from "../../core/repository/repository";
import { fluxValuesProblems, type FluxSettings } from "../../core/flux/flux";
import { fluxInstall } from "../../core/flux/self-management";
import type { EngineInstall } from "../../core/shared/self-management";
import { fluxNamespaceAndGitSecret } from "./flux-system";
import { chartKeys, chartKeysNote, CHARTS } from "../../core/shared/versions";
import { selfManagedEngineRelease } from "../shared/helm";

export interface FluxArgs {
  /** The Kubernetes provider for the target cluster (never the ambient default). */
  provider: k8s.Provider;
  /** Flux settings from stack config. */
  settings: FluxSettings;
  /** The private manifest repository Flux reads. */
  repo: ManifestRepo;
  /** Private half of the read-only deploy key, as a Pulumi secret (an SSH repository). */
  sshPrivateKey?: pulumi.Input<string>;
  /** The token of an https repository (`repo.username` set), as a Pulumi secret. */
  httpsToken?: pulumi.Input<string>;
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
  /**
   * The engine's Helm release, or undefined with `selfManagement.releaseOwner: engine` (the stack
   * declares none; the engine runs its own install).
   */
  public readonly release: k8s.helm.v3.Release | undefined;
  /** The release as installed: what `gitops-bootstrap handoff` writes for Flux to take over. */
  public readonly install: EngineInstall;

  constructor(name: string, args: FluxArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gitops:engine:Flux", name, {}, opts);
    const { provider, settings } = args;

    // Stack config is checked before any resource (stacks/config.ts); this guards other callers.
    const problems = fluxValuesProblems(settings, chartKeys("flux2"));
    if (problems.length > 0)
      throw new pulumi.ResourceError(problems.map((p) => `${p.key}: ${p.message}`).join("\n"), this);
    const version = args.chartVersion ?? CHARTS.flux2.version;
    const keysNote = Object.keys(settings.values).length === 0 ? undefined : chartKeysNote("flux2", version);
    if (keysNote !== undefined) void pulumi.log.warn(keysNote, this);

    const { namespace, gitSecret } = fluxNamespaceAndGitSecret(this, name, {
      ...args,
      namespace: settings.namespace,
    });

    this.install = fluxInstall(settings, version);
    this.release = selfManagedEngineRelease(
      name,
      {
        install: this.install,
        release: settings.release,
        selfManagement: settings.selfManagement,
        engine: "flux",
      },
      { parent: this, provider, dependsOn: [namespace, gitSecret] },
    );

    this.namespace = namespace.metadata.name;
    this.registerOutputs({
      namespace: this.namespace,
      // Without a declared release, its name as the engine's own install keeps it.
      release: this.release?.status.name ?? this.install.releaseName,
    });
  }
}
