/**
 * Argo CD as plain data: the argo-cd chart's values and the root app of apps.
 *
 * Value keys follow the argo-cd chart 9.0.x values.yaml (argoproj/argo-helm, charts/argo-cd):
 * `global.domain`, `configs.cm`, `configs.params`, `configs.rbac`, `configs.ssh.extraHosts`,
 * `server.ingress`, `<component>.replicas`, `dex.enabled`.
 */
import { ARGOCD_API_VERSION, DEFAULT_RETRY, IN_CLUSTER_SERVER, SERVER_SIDE_SYNC_OPTIONS } from "./sync";
import type { ManifestRepo } from "../repository/repository";

export interface ArgoCdOidc {
  /** Display name on the login button. */
  name: string;
  issuer: string;
  clientId: string;
  /** Whether a client secret is configured (kept in the `argocd-oidc` Secret, never in values). */
  hasClientSecret: boolean;
  requestedScopes: string[];
}

/** Where the client's TLS ends; see {@link ArgoCdSettings.tlsTermination}. */
export const TLS_TERMINATIONS = ["ingress", "reencrypt", "server"] as const;
export type TlsTermination = (typeof TLS_TERMINATIONS)[number];

export interface ArgoCdSettings {
  namespace: string;
  /** Public hostname of the UI/API; no ingress without it. */
  hostname?: string;
  /**
   * Where TLS ends, whoever serves the UI (the chart's Ingress, an IngressRoute, an HTTPRoute, a
   * tunnel): `ingress` (it ends TLS and speaks plain HTTP to argocd-server, which runs with
   * `server.insecure`), `reencrypt` (it ends TLS and speaks HTTPS to argocd-server) or `server`
   * (TLS passes through to argocd-server).
   */
  tlsTermination: TlsTermination;
  ingress: { enabled: boolean; className?: string; annotations: Record<string, string> };
  oidc?: ArgoCdOidc;
  rbac: { defaultRole: string; adminGroups: string[]; adminUsers: string[] };
  replicas: { server: number; repoServer: number; controller: number; applicationSet: number };
  root: { name: string; project: string; selfHeal: boolean };
  /** The AppProject the generated apps use; see {@link argoCdAppsProject}. */
  appsProject: {
    enabled: boolean;
    name: string;
    /** Source repositories besides the manifest repository. */
    sourceRepos: string[];
    destinations: Array<{ server: string; namespace: string }>;
    /** Whether apps may create cluster-scoped resources (CRDs, ClusterRoles, Namespaces). */
    clusterResources: boolean;
  };
}

/** Name of the Secret holding the OIDC client secret; argocd-cm refers to it as `$argocd-oidc:clientSecret`. */
export const OIDC_SECRET_NAME = "argocd-oidc";

/** Name of the repository credential Secret Argo CD reads the manifest repo with. */
export const REPOSITORY_SECRET_NAME = "gitops-manifests";

/**
 * Health of an Application as its own status says. Argo CD's built-in check calls a child
 * Application healthy as soon as it exists, so a parent's sync waves would not wait for it; with
 * this, wave N+1 starts only once every wave-N child reports Healthy.
 */
export const APPLICATION_HEALTH_LUA = `hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil then
  if obj.status.health ~= nil then
    hs.status = obj.status.health.status
    if obj.status.health.message ~= nil then
      hs.message = obj.status.health.message
    end
  end
end
return hs
`;

/** `oidc.config` for argocd-cm, as the YAML text Argo CD parses. */
function oidcConfig(oidc: ArgoCdOidc): string {
  const lines = [
    `name: ${JSON.stringify(oidc.name)}`,
    `issuer: ${JSON.stringify(oidc.issuer)}`,
    `clientID: ${JSON.stringify(oidc.clientId)}`,
    ...(oidc.hasClientSecret ? [`clientSecret: $${OIDC_SECRET_NAME}:clientSecret`] : []),
    // Without a client secret the client is public, and PKCE is what keeps the code exchange safe.
    ...(oidc.hasClientSecret ? [] : ["enablePKCEAuthentication: true"]),
    "requestedScopes:",
    ...oidc.requestedScopes.map((scope) => `  - ${JSON.stringify(scope)}`),
  ];
  return `${lines.join("\n")}\n`;
}

/** RBAC policy lines granting `role:admin` to the configured groups and users. */
function adminPolicy(rbac: ArgoCdSettings["rbac"]): string {
  const subjects = [...rbac.adminGroups, ...rbac.adminUsers];
  return subjects.map((subject) => `g, ${subject}, role:admin\n`).join("");
}

/** Values for the argo-cd chart. */
export function argoCdValues(settings: ArgoCdSettings, repo: ManifestRepo): Record<string, unknown> {
  const url = settings.hostname === undefined ? undefined : `https://${settings.hostname}`;
  const ingressEnabled = settings.ingress.enabled && settings.hostname !== undefined;

  const cm: Record<string, unknown> = {
    // Admin login only while there is no SSO; with OIDC, people log in as themselves.
    "admin.enabled": settings.oidc === undefined,
    "exec.enabled": false,
    // Apps are Kustomize directories that may inflate Helm charts (HelmChartInflationGenerator).
    "kustomize.buildOptions": "--enable-helm",
    "resource.customizations.health.argoproj.io_Application": APPLICATION_HEALTH_LUA,
    ...(url === undefined ? {} : { url }),
    ...(settings.oidc === undefined ? {} : { "oidc.config": oidcConfig(settings.oidc) }),
  };

  return {
    ...(settings.hostname === undefined ? {} : { global: { domain: settings.hostname } }),
    configs: {
      cm,
      params: {
        // Server-side diff, paired with ServerSideApply=true in every sync policy we write.
        "controller.diff.server.side": true,
        // Plain HTTP only when what serves the UI ends TLS and speaks HTTP to the server; that
        // holds as much for an IngressRoute, HTTPRoute or tunnel as for the chart's own Ingress.
        "server.insecure": settings.tlsTermination === "ingress",
      },
      rbac: {
        "policy.default": settings.rbac.defaultRole,
        "policy.csv": adminPolicy(settings.rbac),
        scopes: "[groups, email]",
      },
      // Added to the chart's default known hosts (GitHub, GitLab, Bitbucket, Azure DevOps).
      ssh: { extraHosts: `${repo.knownHosts}\n` },
    },
    // Dex only brokers other identity providers; with direct OIDC (or none) it is one pod too many.
    dex: { enabled: false },
    controller: { replicas: settings.replicas.controller },
    repoServer: { replicas: settings.replicas.repoServer },
    applicationSet: { replicas: settings.replicas.applicationSet },
    server: {
      replicas: settings.replicas.server,
      ingress: ingressEnabled
        ? {
            enabled: true,
            hostname: settings.hostname,
            ...(settings.ingress.className === undefined
              ? {}
              : { ingressClassName: settings.ingress.className }),
            annotations: settings.ingress.annotations,
            // A TLS section for the hostname in every mode: the Ingress serves it when it ends TLS,
            // and argocd-server loads the same Secret (argocd-server-tls) when TLS passes through
            // (the chart's README shows tls: true for both).
            tls: true,
          }
        : { enabled: false },
    },
  };
}

/**
 * The AppProject the root app syncs under: it may only read the manifest repository and create
 * Applications and ApplicationSets in Argo CD's namespace, nothing cluster-wide. Never AppProjects:
 * otherwise one commit to the root's directory could mint a project with every right.
 */
export function argoCdRootProject(settings: ArgoCdSettings, repo: ManifestRepo) {
  return {
    apiVersion: ARGOCD_API_VERSION,
    kind: "AppProject",
    metadata: { name: settings.root.project, namespace: settings.namespace },
    spec: {
      description:
        "The root app of apps: Applications and ApplicationSets from the manifest repository, nothing else.",
      sourceRepos: [repo.url],
      destinations: [{ server: IN_CLUSTER_SERVER, namespace: settings.namespace }],
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: [
        { group: "argoproj.io", kind: "Application" },
        { group: "argoproj.io", kind: "ApplicationSet" },
      ],
    },
  };
}

/**
 * The AppProject the generated apps use (the catalog's `project`): sources from the manifest
 * repository and the listed extra repositories, the listed destinations, every namespaced kind, and
 * cluster-scoped kinds unless turned off. Leaving `namespaceResourceWhitelist` out allows every
 * namespaced kind, an empty `clusterResourceWhitelist` none (Argo CD's AppProject semantics).
 */
export function argoCdAppsProject(settings: ArgoCdSettings, repo: ManifestRepo) {
  const project = settings.appsProject;
  return {
    apiVersion: ARGOCD_API_VERSION,
    kind: "AppProject",
    metadata: { name: project.name, namespace: settings.namespace },
    spec: {
      description: "The apps the root app of apps deploys, from the manifest repository.",
      sourceRepos: [...new Set([repo.url, ...project.sourceRepos])],
      destinations: project.destinations.map((d) => ({ server: d.server, namespace: d.namespace })),
      clusterResourceWhitelist: project.clusterResources ? [{ group: "*", kind: "*" }] : [],
    },
  };
}

/**
 * The root Application. It carries no resources finalizer: deleting it (or uninstalling the chart
 * that holds it) must never cascade into the cluster's apps.
 */
export function argoCdRootApplication(settings: ArgoCdSettings, repo: ManifestRepo) {
  return {
    apiVersion: ARGOCD_API_VERSION,
    kind: "Application",
    metadata: { name: settings.root.name, namespace: settings.namespace },
    spec: {
      project: settings.root.project,
      source: { repoURL: repo.url, targetRevision: repo.revision, path: repo.path },
      destination: { server: IN_CLUSTER_SERVER, namespace: settings.namespace },
      syncPolicy: {
        automated: { prune: true, selfHeal: settings.root.selfHeal },
        syncOptions: [...SERVER_SIDE_SYNC_OPTIONS],
        retry: structuredClone(DEFAULT_RETRY),
      },
    },
  };
}

/** Every object the root chart carries for Argo CD, in apply order. */
export function argoCdRootObjects(settings: ArgoCdSettings, repo: ManifestRepo) {
  return [
    argoCdRootProject(settings, repo),
    ...(settings.appsProject.enabled ? [argoCdAppsProject(settings, repo)] : []),
    argoCdRootApplication(settings, repo),
  ];
}
