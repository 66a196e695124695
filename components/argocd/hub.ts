import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  clusterConfig,
  clusterSecretObject,
  parseSpokeCredentials,
  parseSpokeRegistration,
  SPOKE_OUTPUTS,
  spokeIdentityObjects,
  type AddonsRepo,
  type SpokeCredentials,
} from "../../core/argocd/hub";
import { stackSlug, type HubSpokeEntry, type SpokeSettings } from "../../core/argocd/hub-settings";

export interface SpokeIdentityArgs {
  /** The Kubernetes provider for the spoke (never the ambient default). Defaults to none (required). */
  provider: k8s.Provider;
  /** Validated `gitops-bootstrap:hub.spoke`. Defaults to none (required). */
  settings: SpokeSettings;
}

/**
 * The spoke side of hub and spoke: the identity the hub's Argo CD uses on this cluster
 * (core/argocd/hub.ts builds every object). With `access: token`, a ServiceAccount, its long-lived
 * token Secret and a ClusterRoleBinding, and {@link credentials} for the hub; with `tailscale`,
 * only the binding for the group the API server proxy impersonates the hub as.
 */
export class SpokeIdentity extends pulumi.ComponentResource {
  /** token: the bearer token and CA the hub's cluster Secret needs, as one secret. Absent for tailscale. */
  public readonly credentials?: pulumi.Output<SpokeCredentials>;

  constructor(name: string, args: SpokeIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gitops:argocd:SpokeIdentity", name, {}, opts);
    const options = { parent: this, provider: args.provider };
    const objects = spokeIdentityObjects(args.settings);
    // The SDK classes set apiVersion and kind themselves.
    const serviceAccount =
      objects.serviceAccount === undefined
        ? undefined
        : new k8s.core.v1.ServiceAccount(
            `${name}-service-account`,
            { metadata: objects.serviceAccount.metadata },
            options,
          );
    const { binding } = objects;
    new k8s.rbac.v1.ClusterRoleBinding(
      `${name}-binding`,
      { metadata: binding.metadata, roleRef: binding.roleRef, subjects: binding.subjects },
      options,
    );
    if (objects.tokenSecret !== undefined) {
      const { metadata, type } = objects.tokenSecret;
      // The provider waits until the token controller has filled the Secret in (pulumi-kubernetes
      // await/awaiters.go untilCoreV1SecretInitialized), so `data` holds the token on first up.
      const token = new k8s.core.v1.Secret(
        `${name}-token`,
        { metadata, type },
        { ...options, dependsOn: serviceAccount === undefined ? [] : [serviceAccount] },
      );
      const secretName = metadata.name;
      this.credentials = pulumi.secret(
        token.data.apply((data) => {
          const bearer = data?.token;
          const ca = data?.["ca.crt"];
          if (bearer === undefined || ca === undefined) {
            throw new Error(
              `hub.spoke: Secret ${metadata.namespace}/${secretName} holds no token or ca.crt: the token controller did not fill it in; check that ServiceAccount ${args.settings.serviceAccount.name} exists`,
            );
          }
          return { bearerToken: Buffer.from(bearer, "base64").toString("utf8"), caData: ca };
        }),
      );
    }
    this.registerOutputs(this.credentials === undefined ? {} : { credentials: this.credentials });
  }
}

export interface HubClustersArgs {
  /** The Kubernetes provider for the hub (never the ambient default). Defaults to none (required). */
  provider: k8s.Provider;
  /** Validated `gitops-bootstrap:hub.spokes`. Defaults to none (required). */
  spokes: readonly HubSpokeEntry[];
  /** The `addons_repo_*` annotations, resolved against the hub's repo. Defaults to none (required). */
  addonsRepo: AddonsRepo;
  /** Argo CD's namespace as its component exposes it, so each Secret waits for the Namespace. Defaults to none (required). */
  namespace: pulumi.Input<string>;
}

/**
 * The hub side: per spoke, a StackReference to its stack and an Argo CD cluster Secret from its
 * `hubSpoke` and `hubSpokeCredentials` outputs, with GitOps Bridge labels and annotations. The
 * credentials stay secrets end to end (a StackReference output of a secret is a secret).
 */
export class HubClusters extends pulumi.ComponentResource {
  /** The cluster Secrets, by spoke stack name. */
  public readonly secrets: Record<string, k8s.core.v1.Secret>;

  constructor(name: string, args: HubClustersArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gitops:argocd:HubClusters", name, {}, opts);
    const secrets: Record<string, k8s.core.v1.Secret> = {};
    for (const entry of args.spokes) {
      const slug = stackSlug(entry.stack);
      const spoke = new pulumi.StackReference(`${name}-${slug}`, { name: entry.stack }, { parent: this });
      const registration = spoke
        .requireOutput(SPOKE_OUTPUTS.registration)
        .apply((value) => parseSpokeRegistration(value, entry.stack));
      const object = pulumi
        .all([registration, args.namespace])
        .apply(([reg, namespace]) => clusterSecretObject(entry, reg, args.addonsRepo, namespace));
      // A tailscale spoke exports no credentials: only a token spoke's are read.
      const config = pulumi.secret(
        pulumi
          .all([registration, spoke.getOutput(SPOKE_OUTPUTS.credentials)])
          .apply(([reg, credentials]) =>
            clusterConfig(
              reg.access,
              reg.access === "token" ? parseSpokeCredentials(credentials, entry.stack) : undefined,
            ),
          ),
      );
      secrets[entry.stack] = new k8s.core.v1.Secret(
        `${name}-${slug}`,
        {
          metadata: object.metadata,
          type: object.type,
          stringData: { name: object.stringData.name, server: object.stringData.server, config },
        },
        { parent: this, provider: args.provider },
      );
    }
    this.secrets = secrets;
    this.registerOutputs({});
  }
}
