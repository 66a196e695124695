/**
 * Hub and spoke, as plain data: the identity a hub's Argo CD uses on a spoke, what the spoke
 * exports for the hub, and the Argo CD cluster Secret the hub makes from it. Pure: no Pulumi import.
 *
 * The cluster Secret is Argo CD's declarative cluster (argo-cd docs/operator-manual/
 * declarative-setup.md, "Clusters"): label `argocd.argoproj.io/secret-type: cluster`, data `name`,
 * `server` and `config` (JSON: `bearerToken`, `tlsClientConfig` {`insecure`, `caData`}). Its labels
 * and annotations follow GitOps Bridge (gitops-bridge-dev/terraform-helm-gitops-bridge main.tf:
 * labels `cluster_name`, `environment` and `enable_<addon>`; annotations `cluster_name`,
 * `environment` and the `addons_repo_url`/`_basepath`/`_path`/`_revision` metadata), which the
 * ApplicationSet cluster generator hands to templates as `.metadata.labels.<key>` and
 * `.metadata.annotations.<key>` (docs/operator-manual/applicationset/Generators-Cluster.md).
 */
import { KUBERNETES_CAPABILITY, RBAC_API_GROUP, type PolicyFragment } from "../tailscale/ci-access";
import type { HubSpokeEntry, SpokeSettings } from "./hub-settings";
import { spokeSecretName } from "./hub-settings";

/** The label that makes a Secret an Argo CD cluster. */
export const CLUSTER_SECRET_TYPE_LABEL = "argocd.argoproj.io/secret-type";

/** The annotation naming the ServiceAccount a `kubernetes.io/service-account-token` Secret is for. */
export const SERVICE_ACCOUNT_NAME_ANNOTATION = "kubernetes.io/service-account.name";

/** The stack outputs a spoke exports and a hub reads (names, once). */
export const SPOKE_OUTPUTS = { registration: "hubSpoke", credentials: "hubSpokeCredentials" } as const;

const LABELS: Readonly<Record<string, string>> = {
  "app.kubernetes.io/managed-by": "gitops-bootstrap",
  "app.kubernetes.io/part-of": "gitops-bootstrap-hub",
};

/** What a spoke tells its hub, in the clear: who it is, where its API server is, its metadata. */
export interface SpokeRegistration {
  /** Argo CD's name for the cluster (the cluster generator's `.name`). */
  name: string;
  /** The API server URL the hub's Argo CD talks to. */
  server: string;
  /** How Argo CD signs in: with the token of {@link SpokeCredentials}, or as itself over Tailscale. */
  access: "token" | "tailscale";
  /** Labels for the cluster Secret: cluster_name, environment, enable_<addon>, and the spoke's own. */
  labels: Record<string, string>;
  /** Annotations for the cluster Secret: cluster_name, environment, aws_*, and the spoke's own. */
  annotations: Record<string, string>;
}

/** What a spoke tells its hub as a secret (access: token only). */
export interface SpokeCredentials {
  /** The ServiceAccount's token, decoded. */
  bearerToken: string;
  /** The cluster CA, base64 PEM as the token Secret's `ca.crt` holds it and Argo CD's caData takes it. */
  caData: string;
}

/** The `addons_repo_*` annotations, resolved against the hub's repo settings. */
export interface AddonsRepo {
  url: string;
  basepath: string;
  path: string;
  revision: string;
}

// ---- the spoke -----------------------------------------------------------------------------

interface Metadata {
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
}

/** The objects the spoke stack creates for the hub's Argo CD. */
export interface SpokeIdentityObjects {
  /** token: the ServiceAccount Argo CD acts as. */
  serviceAccount?: { apiVersion: "v1"; kind: "ServiceAccount"; metadata: Metadata };
  /** token: its long-lived token, which the token controller fills in (ca.crt, namespace, token). */
  tokenSecret?: {
    apiVersion: "v1";
    kind: "Secret";
    metadata: Metadata & { annotations: Record<string, string> };
    type: "kubernetes.io/service-account-token";
  };
  /** The binding of `clusterRole` to the ServiceAccount (token) or the impersonated group (tailscale). */
  binding: {
    apiVersion: "rbac.authorization.k8s.io/v1";
    kind: "ClusterRoleBinding";
    metadata: Metadata;
    roleRef: { apiGroup: typeof RBAC_API_GROUP; kind: "ClusterRole"; name: string };
    subjects: Array<
      | { kind: "ServiceAccount"; name: string; namespace: string }
      | { kind: "Group"; apiGroup: typeof RBAC_API_GROUP; name: string }
    >;
  };
}

/**
 * token: a ServiceAccount, a `kubernetes.io/service-account-token` Secret for it (Kubernetes no
 * longer makes one by itself since 1.24; the token controller fills it in and keeps it valid until
 * the Secret is deleted, which is how a stack revokes it) and a ClusterRoleBinding of
 * `clusterRole`. tailscale: only the ClusterRoleBinding, for the group the API server proxy
 * impersonates the hub as (the grant in {@link spokeTailscalePolicy}); no credential exists.
 */
export function spokeIdentityObjects(spoke: SpokeSettings): SpokeIdentityObjects {
  const { name, namespace } = spoke.serviceAccount;
  const roleRef = {
    apiGroup: RBAC_API_GROUP as typeof RBAC_API_GROUP,
    kind: "ClusterRole" as const,
    name: spoke.clusterRole,
  };
  if (spoke.access === "tailscale") {
    return {
      binding: {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name: `${name}-tailscale`, labels: { ...LABELS } },
        roleRef,
        subjects: [{ kind: "Group", apiGroup: RBAC_API_GROUP, name: spoke.tailscale.group }],
      },
    };
  }
  return {
    serviceAccount: {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name, namespace, labels: { ...LABELS } },
    },
    tokenSecret: {
      apiVersion: "v1",
      kind: "Secret",
      // argocd cluster add names it the same way (clusterauth.go SATokenSecretSuffix).
      metadata: {
        name: `${name}-long-lived-token`,
        namespace,
        labels: { ...LABELS },
        annotations: { [SERVICE_ACCOUNT_NAME_ANNOTATION]: name },
      },
      type: "kubernetes.io/service-account-token",
    },
    binding: {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name, labels: { ...LABELS } },
      roleRef,
      subjects: [{ kind: "ServiceAccount", name, namespace }],
    },
  };
}

/** The API server URL the hub uses: the one written, else (tailscale) the proxy's MagicDNS name. */
export function spokeServer(spoke: SpokeSettings, tailscaleHost: string | undefined): string | undefined {
  if (spoke.server !== undefined) return spoke.server;
  if (spoke.access === "tailscale" && tailscaleHost !== undefined) return `https://${tailscaleHost}`;
  return undefined;
}

/** Why a spoke's settings cannot be used with the rest of its stack, per key; empty when they can. */
export function spokeProblems(
  spoke: SpokeSettings,
  tailscaleHost: string | undefined,
): Array<{ key: string; message: string }> {
  if (spokeServer(spoke, tailscaleHost) !== undefined) return [];
  return [
    {
      key: "hub.spoke.server",
      message:
        "is required with access: tailscale unless kubernetes.tailscaleHost names the spoke's API server proxy; set it to https://<the proxy's MagicDNS name>",
    },
  ];
}

/**
 * What the spoke exports for its hub, in the clear. `aws` comes from the account stack when the
 * spoke names one; the spoke's own `aws_region`/`aws_account_id` annotations win over it.
 */
export function spokeRegistration(
  spoke: SpokeSettings,
  name: string,
  server: string,
  aws: { region?: string; accountId?: string } = {},
): SpokeRegistration {
  const environment: Record<string, string> =
    spoke.environment === undefined ? {} : { environment: spoke.environment };
  const addons = Object.fromEntries([...spoke.addons].sort().map((addon) => [`enable_${addon}`, "true"]));
  const awsAnnotations: Record<string, string> = {
    ...(aws.accountId === undefined ? {} : { aws_account_id: aws.accountId }),
    ...(aws.region === undefined ? {} : { aws_region: aws.region }),
  };
  return {
    name,
    server,
    access: spoke.access,
    labels: sorted({ ...spoke.labels, cluster_name: name, ...environment, ...addons }),
    annotations: sorted({ ...awsAnnotations, ...spoke.annotations, cluster_name: name, ...environment }),
  };
}

/** The account ID of an IAM ARN (`arn:aws:iam::123456789012:role/x`), or undefined. */
export function accountIdOfArn(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/.exec(arn)?.[1];
}

/**
 * The tailnet policy fragment the hub needs to reach the spoke's API server proxy as
 * `tailscale.group`: who may own the hub's tags, and a grant from them to the proxy's tags on its
 * ports (core/tailscale/ci-access.ts explains the proxy's impersonation). To merge into the tailnet
 * policy file by hand, like CI's.
 */
export function spokeTailscalePolicy(
  spoke: SpokeSettings,
  tailnet: {
    readonly apiServer: { readonly tags: readonly string[]; readonly ports: readonly number[] };
    readonly tagOwners: readonly string[];
  },
): PolicyFragment {
  const { hubTags, group } = spoke.tailscale;
  return {
    tagOwners: Object.fromEntries(hubTags.map((tag) => [tag, [...tailnet.tagOwners]])),
    grants: [
      {
        src: [...hubTags],
        dst: [...tailnet.apiServer.tags],
        ip: tailnet.apiServer.ports.map((port) => `tcp:${port}`),
        app: { [KUBERNETES_CAPABILITY]: [{ impersonate: { groups: [group] } }] },
      },
    ],
  };
}

// ---- the hub -------------------------------------------------------------------------------

const isStringMap = (value: unknown): value is Record<string, string> =>
  typeof value === "object" &&
  value !== null &&
  !Array.isArray(value) &&
  Object.values(value).every((v) => typeof v === "string");

/**
 * A spoke's `hubSpoke` output, checked: it comes from another stack, which may be older, not a
 * spoke, or not deployed. Throws naming the stack and the fix.
 */
export function parseSpokeRegistration(value: unknown, stack: string): SpokeRegistration {
  const fix = `run pulumi up on ${stack} with gitops-bootstrap:hub.spoke set (docs/hub-and-spoke.md)`;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(
      `hub.spokes: stack ${stack}'s output ${SPOKE_OUTPUTS.registration} is not a spoke registration; ${fix}`,
    );
  }
  const v = value as Record<string, unknown>;
  const wrong = [
    typeof v.name === "string" && v.name !== "" ? undefined : "name",
    typeof v.server === "string" && v.server.startsWith("https://") ? undefined : "server",
    v.access === "token" || v.access === "tailscale" ? undefined : "access",
    isStringMap(v.labels) ? undefined : "labels",
    isStringMap(v.annotations) ? undefined : "annotations",
  ].filter((key): key is string => key !== undefined);
  if (wrong.length > 0) {
    throw new Error(
      `hub.spokes: stack ${stack}'s output ${SPOKE_OUTPUTS.registration} has no valid ${wrong.join(", ")}; ${fix}`,
    );
  }
  return v as unknown as SpokeRegistration;
}

/** The cluster Secret's `config`: a bearer token and the CA (token), or TLS only (tailscale). */
export function clusterConfig(access: SpokeRegistration["access"], credentials?: SpokeCredentials): string {
  if (access === "tailscale") {
    // The proxy serves a certificate for its MagicDNS name that the system roots trust, and
    // authenticates the hub by its tailnet identity: no token, no CA to pin.
    return JSON.stringify({ tlsClientConfig: { insecure: false } });
  }
  if (credentials === undefined) throw new Error("a token spoke needs its credentials");
  return JSON.stringify({
    bearerToken: credentials.bearerToken,
    tlsClientConfig: { insecure: false, caData: credentials.caData },
  });
}

/** The Argo CD cluster Secret for one spoke, without its `config` (a secret the caller adds). */
export interface ClusterSecretObject {
  apiVersion: "v1";
  kind: "Secret";
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  };
  type: "Opaque";
  stringData: { name: string; server: string };
}

/**
 * The cluster Secret for one spoke: the spoke's labels and annotations, the `addons_repo_*`
 * annotations from the hub, and the secret-type label (last: nothing may change it).
 */
export function clusterSecretObject(
  entry: Pick<HubSpokeEntry, "stack" | "secretName">,
  registration: SpokeRegistration,
  addonsRepo: AddonsRepo,
  namespace: string,
): ClusterSecretObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: spokeSecretName(entry),
      namespace,
      labels: sorted({ ...registration.labels, [CLUSTER_SECRET_TYPE_LABEL]: "cluster" }),
      annotations: sorted({
        ...registration.annotations,
        addons_repo_url: addonsRepo.url,
        addons_repo_basepath: addonsRepo.basepath,
        addons_repo_path: addonsRepo.path,
        addons_repo_revision: addonsRepo.revision,
      }),
    },
    type: "Opaque",
    stringData: { name: registration.name, server: registration.server },
  };
}

function sorted(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** A spoke's `hubSpokeCredentials` output, checked (a token spoke must have exported it). */
export function parseSpokeCredentials(value: unknown, stack: string): SpokeCredentials {
  const v = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof v.bearerToken !== "string" || v.bearerToken === "" || typeof v.caData !== "string") {
    // Never quote the value: it is a credential.
    throw new Error(
      `hub.spokes: stack ${stack} registers with access: token but its output ${SPOKE_OUTPUTS.credentials} holds no bearerToken and caData; run pulumi up on ${stack} (docs/hub-and-spoke.md)`,
    );
  }
  return { bearerToken: v.bearerToken, caData: v.caData };
}

/** Why the hub settings cannot be used with the rest of the stack, per key; empty when they can. */
export function hubProblems(config: {
  engine: string;
  hub: { spoke?: SpokeSettings; spokes: readonly unknown[] };
  kubernetes: { tailscaleHost?: string };
}): Array<{ key: string; message: string }> {
  const problems =
    config.hub.spoke === undefined ? [] : spokeProblems(config.hub.spoke, config.kubernetes.tailscaleHost);
  if (config.hub.spokes.length > 0 && config.engine !== "argocd") {
    problems.push({
      key: "hub.spokes",
      message: `lists spokes, but engine is ${config.engine}: a hub registers its spokes with Argo CD (engine: argocd); remove hub.spokes or switch the engine`,
    });
  }
  return problems;
}
