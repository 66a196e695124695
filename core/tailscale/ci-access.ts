/**
 * CI's two identities, preview and deploy, on the tailnet and in the cluster, as plain data: the
 * tailnet policy fragment (tag owners and grants) and the Kubernetes RBAC for the groups those
 * grants impersonate. Both are built from the same settings, so they cannot disagree on a group.
 * Pure: no Pulumi import.
 *
 * How the Tailscale API server proxy names a caller in auth mode (the operator's default when the
 * proxy is on, `apiServerProxyConfig.mode: "true"`; tailscale/tailscale
 * k8s-operator/api-proxy/proxy.go, `addImpersonationHeaders`):
 * - a tagged node (every CI runner) is impersonated as the user `<node's MagicDNS name>`;
 * - its groups are the `impersonate.groups` of every `tailscale.com/cap/kubernetes` grant that
 *   applies to it; with no such grant, its tags (`tag:ci-preview`) are its groups instead;
 * - the API server adds `system:authenticated` to every impersonated user
 *   (k8s.io/apiserver endpoints/filters/impersonation.go), which gives discovery and nothing else.
 * No RBAC names the node's MagicDNS name (it changes with every ephemeral runner) or its tags, so
 * without the grant and the bindings below, CI is forbidden everything.
 */

/** The grant capability the API server proxy reads (tailscale.com/tailcfg/peercap `Kubernetes`). */
export const KUBERNETES_CAPABILITY = "tailscale.com/cap/kubernetes";

/** The RBAC API group, of every role reference and group subject. */
export const RBAC_API_GROUP = "rbac.authorization.k8s.io";

export type CiRole = "preview" | "deploy";

/** What both identities have: tailnet tags, the Kubernetes group, and the name of their RBAC objects. */
export interface CiIdentitySettings {
  /** Tags the CI node joins with (tailscale/github-action `tags`, or the auth key's tags). */
  readonly tags: readonly string[];
  /** The Kubernetes group the grant impersonates and the bindings name. */
  readonly group: string;
  /** metadata.name of the RBAC objects made for this identity. */
  readonly name: string;
}

export interface CiAccessSettings {
  readonly preview: CiIdentitySettings & {
    /** Also read Secrets in the engine's namespace, which `pulumi preview --refresh` needs. */
    readonly readSecrets: boolean;
  };
  readonly deploy: CiIdentitySettings & {
    /** An existing ClusterRole bound to the deploy group. */
    readonly clusterRole: string;
  };
}

// ---- names ------------------------------------------------------------------------------------

/** Why `value` cannot be a Kubernetes group for a CI identity, or undefined when it can. */
export function kubernetesGroupProblem(value: string): string | undefined {
  if (value.trim() === "") return 'must not be empty (e.g. "gitops-bootstrap:ci-deploy")';
  if (value !== value.trim() || /[\s\p{Cc}]/u.test(value)) {
    return `${JSON.stringify(value)} holds white space or control characters; a group name is one word (e.g. "gitops-bootstrap:ci-deploy")`;
  }
  if (value.startsWith("system:")) {
    // Binding a role to system:authenticated would give it to every identity of the cluster.
    return `${JSON.stringify(value)} is a Kubernetes system group, which the API server assigns itself (system:authenticated holds every identity); use a group of your own (e.g. "gitops-bootstrap:ci-deploy")`;
  }
  return undefined;
}

/** Why `value` cannot name an RBAC object (a path segment), or undefined when it can. */
export function rbacNameProblem(value: string): string | undefined {
  if (value.length === 0) return "must not be empty";
  if (value.length > 253) return `is ${value.length} characters long; a Kubernetes name has at most 253`;
  if (value === "." || value === ".." || /[/%\s]/.test(value)) {
    return `${JSON.stringify(value)} is not a valid RBAC name: no '/', '%' or white space, and not "." or ".."`;
  }
  return undefined;
}

// ---- the tailnet policy fragment ---------------------------------------------------------------

/** One grant of the tailnet policy file. */
export interface PolicyGrant {
  readonly src: string[];
  readonly dst: string[];
  readonly ip: string[];
  readonly app: { readonly [KUBERNETES_CAPABILITY]: Array<{ impersonate: { groups: string[] } }> };
}

/** The part of the tailnet policy file (HuJSON) that CI access needs. */
export interface PolicyFragment {
  readonly tagOwners: Record<string, string[]>;
  readonly grants: PolicyGrant[];
}

/**
 * The policy fragment to merge into the tailnet policy file: who may own the CI tags, and per
 * identity one grant from its tags to the API server proxy's tags, on the API ports, impersonating
 * its group. The stack does not manage the policy file: it is tailnet-wide and usually hand-edited,
 * and `tailscale.Acl` would replace it whole. docs/github-tailscale.md shows this fragment.
 */
export function aclFragment(settings: {
  ci: Pick<CiAccessSettings, "preview" | "deploy">;
  apiServer: { readonly tags: readonly string[]; readonly ports: readonly number[] };
  tagOwners: readonly string[];
}): PolicyFragment {
  const tagOwners: Record<string, string[]> = {};
  const identities = [settings.ci.preview, settings.ci.deploy];
  for (const identity of identities)
    for (const tag of identity.tags) tagOwners[tag] = [...settings.tagOwners];
  return {
    tagOwners,
    grants: identities.map((identity) => ({
      src: [...identity.tags],
      dst: [...settings.apiServer.tags],
      ip: settings.apiServer.ports.map((port) => `tcp:${port}`),
      app: { [KUBERNETES_CAPABILITY]: [{ impersonate: { groups: [identity.group] } }] },
    })),
  };
}

// ---- the RBAC ---------------------------------------------------------------------------------

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  resourceNames?: string[];
  verbs: string[];
}

interface GroupSubject {
  kind: "Group";
  apiGroup: typeof RBAC_API_GROUP;
  name: string;
}

interface Metadata<N> {
  name: string;
  namespace?: N;
  labels: Record<string, string>;
}

export interface RoleObject<N> {
  apiVersion: "rbac.authorization.k8s.io/v1";
  kind: "ClusterRole" | "Role";
  metadata: Metadata<N>;
  rules: PolicyRule[];
}

export interface BindingObject<N> {
  apiVersion: "rbac.authorization.k8s.io/v1";
  kind: "ClusterRoleBinding" | "RoleBinding";
  metadata: Metadata<N>;
  roleRef: { apiGroup: typeof RBAC_API_GROUP; kind: "ClusterRole" | "Role"; name: string };
  subjects: GroupSubject[];
}

/** One RBAC object with the role it serves and a stable key for its resource name. */
export type CiRbacEntry<N> =
  | { key: string; role: CiRole; object: RoleObject<N> }
  | { key: string; role: CiRole; object: BindingObject<N> };

const LABELS: Readonly<Record<string, string>> = {
  "app.kubernetes.io/managed-by": "gitops-bootstrap",
  "app.kubernetes.io/part-of": "gitops-bootstrap-ci",
};

/**
 * What a plain `pulumi preview` of this program reads from the cluster, beyond discovery: nothing.
 * The kubernetes provider diffs against state, its server-side dry run falls back to a client-side
 * preview when the API server answers Forbidden (pulumi-kubernetes provider.go Create/Update), and
 * a helm.v3.Release previews with a client-only render. `pulumi preview --refresh` reads what the
 * stack registered: the engine's Namespace (this rule), the Secrets it created and Helm's release
 * records, which are Secrets too (`previewSecretRules`).
 */
export function previewClusterRules(engineNamespace: string): PolicyRule[] {
  return [{ apiGroups: [""], resources: ["namespaces"], resourceNames: [engineNamespace], verbs: ["get"] }];
}

/**
 * Reading the engine namespace's Secrets: Helm stores each release as a Secret and finds it with a
 * labelled list, and refreshing our own Secrets gets them by name. A list returns every Secret in
 * full (the repository deploy key, the OIDC client secret, Argo CD's session signing key), so this
 * is only granted on request (`preview.readSecrets`).
 */
export const PREVIEW_SECRET_RULES: readonly PolicyRule[] = [
  { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"] },
];

const group = (name: string): GroupSubject => ({ kind: "Group", apiGroup: RBAC_API_GROUP, name });

/**
 * The RBAC for CI's two groups. Preview: a ClusterRole with {@link previewClusterRules} and its
 * binding, plus a Role and RoleBinding with {@link PREVIEW_SECRET_RULES} in the engine's namespace
 * when `readSecrets` is on. Deploy: a binding of `deploy.clusterRole` (cluster-admin by default:
 * `pulumi up` installs the engine's CRDs and ClusterRoles, and creating a ClusterRole that grants
 * `*` requires holding it, or `escalate` and `bind`, which amount to the same).
 *
 * `namespace` is the engine's namespace; generic so the component can pass its Output (the Role
 * then waits for the Namespace) while tests pass a string.
 */
export function ciRbacObjects<N>(
  ci: CiAccessSettings,
  engineNamespace: string,
  namespace: N,
): CiRbacEntry<N>[] {
  const { preview, deploy } = ci;
  const meta = (name: string): Metadata<N> => ({ name, labels: { ...LABELS } });
  const entries: CiRbacEntry<N>[] = [
    {
      key: "preview-clusterrole",
      role: "preview",
      object: {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: meta(preview.name),
        rules: previewClusterRules(engineNamespace),
      },
    },
    {
      key: "preview-clusterrolebinding",
      role: "preview",
      object: {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: meta(preview.name),
        roleRef: { apiGroup: RBAC_API_GROUP, kind: "ClusterRole", name: preview.name },
        subjects: [group(preview.group)],
      },
    },
  ];
  if (preview.readSecrets) {
    entries.push(
      {
        key: "preview-secrets-role",
        role: "preview",
        object: {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "Role",
          metadata: { ...meta(preview.name), namespace },
          rules: PREVIEW_SECRET_RULES.map((rule) => ({ ...rule, verbs: [...rule.verbs] })),
        },
      },
      {
        key: "preview-secrets-rolebinding",
        role: "preview",
        object: {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "RoleBinding",
          metadata: { ...meta(preview.name), namespace },
          roleRef: { apiGroup: RBAC_API_GROUP, kind: "Role", name: preview.name },
          subjects: [group(preview.group)],
        },
      },
    );
  }
  entries.push({
    key: "deploy-clusterrolebinding",
    role: "deploy",
    object: {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: meta(deploy.name),
      roleRef: { apiGroup: RBAC_API_GROUP, kind: "ClusterRole", name: deploy.clusterRole },
      subjects: [group(deploy.group)],
    },
  });
  return entries;
}

/**
 * Whether the cluster stack creates the RBAC: `ci.rbac` is on and CI reaches this cluster over
 * Tailscale, either because the workflows build their kubeconfig from `kubernetes.tailscaleHost`
 * or because this stack mints CI's tailnet credentials (`tailscale.enabled`), for example on the
 * first `pulumi up` from a laptop with a direct admin context.
 */
export function ciRbacWanted(settings: {
  tailscaleHost: string | undefined;
  tailscaleEnabled: boolean;
  rbac: boolean;
}): boolean {
  return settings.rbac && (settings.tailscaleHost !== undefined || settings.tailscaleEnabled);
}
