import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ROOT_CHART } from "../../core/shared/versions";
import { rootAdoptionNote } from "../../core/migration/settings";

export interface RootAppArgs {
  /** The Kubernetes provider for the target cluster (never the ambient default). */
  provider: k8s.Provider;
  /** Namespace of the engine; the root objects live there. */
  namespace: pulumi.Input<string>;
  /** The root objects, built by core/argocd/argocd.ts or core/flux/flux.ts (no secrets: values are stored in clear). */
  objects: Record<string, unknown>[];
  /** Name of the root object, exported as a stack output. */
  rootName: string;
  /**
   * What the root is installed after: the engine's Helm release (ready, its CRDs exist) and, when
   * the stack makes it, the deploy key the engine reads the repository with.
   */
  waitFor: pulumi.Resource[];
  /**
   * Existing objects the chart renders (`gitops-bootstrap:adopt.rootObjects`, `<Kind>/<name>`):
   * Helm takes them over only once they carry its ownership label and annotations, so preview
   * prints the kubectl commands that add them. Defaults to none.
   */
  adoptObjects?: readonly string[];
}

/**
 * The root app of apps, delivered as a release of the local `charts/gitops-root` chart.
 *
 * A Helm release instead of CustomResources: `pulumi preview` on a fresh cluster has no Argo CD
 * or Flux CRDs yet, and pulumi-kubernetes fails to preview a CustomResource whose CRD is missing
 * (pulumi-kubernetes #1735, #3247). The release is installed only after the engine's release is
 * ready, when the CRDs exist.
 */
export class RootApp extends pulumi.ComponentResource {
  public readonly name: string;
  public readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: RootAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gitops:engine:RootApp", name, {}, opts);
    this.release = new k8s.helm.v3.Release(
      name,
      {
        name: ROOT_CHART.name,
        // Relative to the project directory, where `pulumi up` runs.
        chart: ROOT_CHART.path,
        namespace: args.namespace,
        createNamespace: false,
        values: { objects: args.objects },
        timeout: 300,
        maxHistory: 10,
      },
      { parent: this, provider: args.provider, dependsOn: args.waitFor },
    );
    if (args.adoptObjects !== undefined && args.adoptObjects.length > 0) {
      const objects = args.adoptObjects;
      void pulumi
        .output(args.namespace)
        .apply((namespace) => pulumi.log.warn(rootAdoptionNote(objects, namespace), this));
    }
    this.name = args.rootName;
    this.registerOutputs({ name: this.name });
  }
}
