import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ciRbacObjects, type CiAccessSettings } from "../../core/tailscale/ci-access";

export interface CiClusterAccessArgs {
  /** The Kubernetes provider for the target cluster (never the ambient default). Defaults to none (required). */
  provider: k8s.Provider;
  /** Validated `gitops-bootstrap:tailscale.ci`: groups, names, roles. Defaults to none (required). */
  settings: CiAccessSettings;
  /** The engine's namespace name, from config (the preview ClusterRole names it). Defaults to none (required). */
  engineNamespace: string;
  /**
   * The engine's namespace as its component exposes it, so the namespaced Role waits for the
   * Namespace. Defaults to `engineNamespace` (no wait).
   */
  namespace?: pulumi.Input<string>;
}

/**
 * The cluster side of CI's access through the Tailscale API server proxy: the RBAC for the two
 * Kubernetes groups the tailnet grants impersonate (core/tailscale/ci-access.ts builds every
 * object). The preview group may read what `pulumi preview` reads; the deploy group is bound to
 * `deploy.clusterRole` (cluster-admin by default).
 */
export class CiClusterAccess extends pulumi.ComponentResource {
  /** The ClusterRoleBindings and RoleBindings, by key (`preview-clusterrolebinding`, …). */
  public readonly resources: Record<string, pulumi.CustomResource>;

  constructor(name: string, args: CiClusterAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gitops:tailscale:CiClusterAccess", name, {}, opts);
    const { provider } = args;
    const options = { parent: this, provider };
    const resources: Record<string, pulumi.CustomResource> = {};
    for (const entry of ciRbacObjects(
      args.settings,
      args.engineNamespace,
      args.namespace ?? args.engineNamespace,
    )) {
      const resourceName = `${name}-${entry.key}`;
      // The SDK classes set apiVersion and kind themselves.
      const object = entry.object;
      if ("rules" in object) {
        const role = { metadata: object.metadata, rules: object.rules };
        resources[entry.key] =
          object.kind === "ClusterRole"
            ? new k8s.rbac.v1.ClusterRole(resourceName, role, options)
            : new k8s.rbac.v1.Role(resourceName, role, options);
      } else {
        const binding = { metadata: object.metadata, roleRef: object.roleRef, subjects: object.subjects };
        resources[entry.key] =
          object.kind === "ClusterRoleBinding"
            ? new k8s.rbac.v1.ClusterRoleBinding(resourceName, binding, options)
            : new k8s.rbac.v1.RoleBinding(resourceName, binding, options);
      }
    }
    this.resources = resources;
    this.registerOutputs({});
  }
}
