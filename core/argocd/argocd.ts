/**
 * Argo CD as plain data: the argo-cd chart's values and the root app of apps.
 *
 * Value keys follow the argo-cd chart 9.0.x values.yaml (argoproj/argo-helm, charts/argo-cd):
 * `global.domain`, `configs.cm`, `configs.params`, `configs.rbac`, `configs.ssh.extraHosts`,
 * `server.ingress`, `<component>.replicas`, `dex.enabled`; charts/values-keys/argo-cd.json has
 * every key of the pinned version, and `argocd.values` is checked against it.
 */
import {
  ARGOCD_API_VERSION,
  DEFAULT_RETRY,
  IN_CLUSTER_SERVER,
  RESOURCES_FINALIZER,
  SERVER_SIDE_SYNC_OPTIONS,
} from "./sync";
import type { ManifestRepo } from "../repository/repository";
import { mergeMaps, type RetrySpec } from "../catalog/argocd-application";
import type { IgnoreDifference } from "../catalog/catalog";
import type { ReleaseSettings } from "../shared/release";
import type { SelfManagement } from "../shared/self-management";
import {
  isMap,
  mergeValues,
  ownedValueConflicts,
  unknownValueKeys,
  type ChartKeys,
  type OwnedValue,
  type Values,
  type ValuesProblem,
} from "../shared/values";

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

/** What a local account may do (argocd-cm `accounts.<name>`). */
export const ACCOUNT_CAPABILITIES = ["apiKey", "login"] as const;

export interface ArgoCdAccount {
  capabilities: Array<(typeof ACCOUNT_CAPABILITIES)[number]>;
  enabled: boolean;
}

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
  /** The built-in admin user; unset: on without OIDC, off with it. */
  admin: { enabled?: boolean };
  /** The UI's terminal into pods (argocd-cm `exec.enabled`). */
  exec: { enabled: boolean };
  /** Local accounts (argocd-cm `accounts.<name>`), e.g. an apiKey account for CI. */
  accounts: Record<string, ArgoCdAccount>;
  /** Raw values for the argo-cd chart, merged over ours (see {@link argoCdValues}). */
  values: Values;
  /** How Pulumi runs the Helm release. */
  release: ReleaseSettings;
  replicas: { server: number; repoServer: number; controller: number; applicationSet: number };
  root: {
    name: string;
    /** "default": Argo CD's own project, which the stack does not make (argoCdRootObjects). */
    project: string;
    selfHeal: boolean;
    /** The resources finalizer on the root (default false: deleting it never cascades). */
    resourcesFinalizer?: boolean;
    /** syncPolicy.retry refined over DEFAULT_RETRY; false: none. */
    retry?: RetrySpec | false;
    /** spec.ignoreDifferences, e.g. the child Applications' /status and /operation (seed 004). */
    ignoreDifferences?: IgnoreDifference[];
    /** syncPolicy.syncOptions as written; unset: SERVER_SIDE_SYNC_OPTIONS. */
    syncOptions?: string[];
  };
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
  /**
   * Argo CD managing its own install from the manifest repository after Pulumi installed it
   * (docs/engines.md, "Hand-off"). Defaults to off: Pulumi owns the release.
   */
  selfManagement?: SelfManagement;
}

/** Helm release name of Argo CD: the names of its objects derive from it, so it never changes. */
export const ARGOCD_RELEASE_NAME = "argocd";

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

/** Whether the built-in admin user is on: as set, else only while there is no SSO. */
export function adminEnabled(settings: Pick<ArgoCdSettings, "admin" | "oidc">): boolean {
  // With OIDC, people log in as themselves; a shared admin password is one more secret to leak.
  return settings.admin.enabled ?? settings.oidc === undefined;
}

/** argocd-cm entries of the local accounts: `accounts.<name>` (capabilities) and `.enabled`. */
function accountEntries(accounts: ArgoCdSettings["accounts"]): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(accounts).flatMap(([name, account]) => [
      [`accounts.${name}`, account.capabilities.join(", ")],
      [`accounts.${name}.enabled`, account.enabled],
    ]),
  );
}

/**
 * Values for the argo-cd chart: ours, with `settings.values` merged over them (maps key by key;
 * anything else in `values` replaces ours whole). {@link argoCdValuesProblems} refuses `values`
 * that would change a key a typed setting writes, or that the pinned chart does not have.
 */
export function argoCdValues(settings: ArgoCdSettings, repo: ManifestRepo): Values {
  return mergeValues(argoCdOwnValues(settings, repo), settings.values);
}

/** The values we compute from the settings, before `settings.values`. */
export function argoCdOwnValues(settings: ArgoCdSettings, repo: ManifestRepo): Values {
  const url = settings.hostname === undefined ? undefined : `https://${settings.hostname}`;
  const ingressEnabled = settings.ingress.enabled && settings.hostname !== undefined;

  const cm: Record<string, unknown> = {
    "admin.enabled": adminEnabled(settings),
    // A shell into any pod from the browser is a wide door; open it with argocd.exec.enabled.
    "exec.enabled": settings.exec.enabled,
    ...accountEntries(settings.accounts),
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
      // Added to the chart's default known hosts (GitHub, GitLab, Bitbucket, Azure DevOps); an
      // https repository has none (its TLS certificate is checked instead).
      ...(repo.knownHosts === "" ? {} : { ssh: { extraHosts: `${repo.knownHosts}\n` } }),
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
 * The chart keys we write from a typed setting, for these settings: `values` may not change them
 * (that would silently undo the setting, or the setting would silently undo `values`).
 */
export function argoCdValueSources(
  settings: ArgoCdSettings,
  /** The repository: an https one (no known hosts) leaves configs.ssh.extraHosts to the user. */
  repo?: Pick<ManifestRepo, "knownHosts">,
): OwnedValue[] {
  const cm = (key: string) => ["configs", "cm", key];
  const hasAdmins = settings.rbac.adminGroups.length + settings.rbac.adminUsers.length > 0;
  const ingressEnabled = settings.ingress.enabled && settings.hostname !== undefined;
  const component = (key: keyof ArgoCdSettings["replicas"], chartKey: string): OwnedValue => ({
    path: [chartKey, "replicas"],
    setting: `argocd.replicas.${key}`,
  });
  return [
    ...(settings.hostname === undefined
      ? []
      : [
          { path: ["global", "domain"], setting: "argocd.hostname" },
          { path: cm("url"), setting: "argocd.hostname" },
        ]),
    { path: cm("admin.enabled"), setting: "argocd.admin.enabled" },
    { path: cm("exec.enabled"), setting: "argocd.exec.enabled" },
    ...(settings.oidc === undefined
      ? []
      : [
          {
            path: cm("oidc.config"),
            setting: "argocd.oidc",
            instead:
              "configure SSO in argocd.oidc, or remove argocd.oidc and write the whole oidc.config in values",
          },
        ]),
    ...Object.keys(settings.accounts).flatMap((name) => [
      { path: cm(`accounts.${name}`), setting: `argocd.accounts.${name}` },
      { path: cm(`accounts.${name}.enabled`), setting: `argocd.accounts.${name}` },
    ]),
    { path: ["configs", "params", "server.insecure"], setting: "argocd.tlsTermination" },
    { path: ["configs", "rbac", "policy.default"], setting: "argocd.rbac.defaultRole" },
    ...(hasAdmins
      ? [
          {
            path: ["configs", "rbac", "policy.csv"],
            setting: "argocd.rbac.adminGroups",
            instead:
              'argocd.rbac.adminGroups and adminUsers write it; put your other policy lines under a key of the form configs.rbac["policy.<name>.csv"], which Argo CD appends to policy.csv',
          },
        ]
      : []),
    ...(repo?.knownHosts === ""
      ? []
      : [
          {
            path: ["configs", "ssh", "extraHosts"],
            setting: "repo.knownHosts",
            instead: "list every SSH host key Argo CD needs in repo.knownHosts",
          },
        ]),
    component("controller", "controller"),
    component("repoServer", "repoServer"),
    component("applicationSet", "applicationSet"),
    component("server", "server"),
    {
      path: ["server", "ingress", "enabled"],
      setting: "argocd.ingress.enabled",
      instead: "the chart's Ingress is made when argocd.ingress.enabled is true and argocd.hostname is set",
    },
    ...(ingressEnabled
      ? [
          { path: ["server", "ingress", "hostname"], setting: "argocd.hostname" },
          { path: ["server", "ingress", "annotations"], setting: "argocd.ingress.annotations" },
          ...(settings.ingress.className === undefined
            ? []
            : [{ path: ["server", "ingress", "ingressClassName"], setting: "argocd.ingress.className" }]),
        ]
      : []),
  ];
}

/**
 * The chart keys we set as plain opinions, with no typed setting: `values` may change each
 * (docs/engines.md says why we chose them).
 */
export const ARGOCD_OPINIONS: ReadonlyArray<readonly string[]> = [
  ["configs", "cm", "kustomize.buildOptions"],
  ["configs", "cm", "resource.customizations.health.argoproj.io_Application"],
  ["configs", "params", "controller.diff.server.side"],
  ["configs", "rbac", "scopes"],
  ["configs", "rbac", "policy.csv"],
  ["dex", "enabled"],
  ["server", "ingress", "tls"],
];

/**
 * What is wrong with `argocd.values`: keys the pinned chart does not have (per `keys`, the data
 * scripts/chart-keys.ts wrote), and keys that would change what a typed setting writes.
 */
export function argoCdValuesProblems(
  settings: ArgoCdSettings,
  repo: ManifestRepo,
  keys: ChartKeys,
): ValuesProblem[] {
  if (Object.keys(settings.values).length === 0) return [];
  const unknown = unknownValueKeys(settings.values, keys);
  const owned = ownedValueConflicts(
    argoCdOwnValues(settings, repo),
    settings.values,
    argoCdValueSources(settings, repo),
    "argocd.values",
  );
  return [...unknown, ...owned.map((o) => o.message)].map((message) => ({ key: "argocd.values", message }));
}

/**
 * Settings that are legal but probably not meant: the admin user off with no other way to log in
 * (no OIDC, no Dex, no local account with login). Argo CD then still works from the command line
 * with `argocd --core` (kubectl access), so it is a warning, not an error.
 */
export function argoCdWarnings(settings: ArgoCdSettings, repo: ManifestRepo): string[] {
  return [...rootProjectWarnings(settings, repo), ...loginWarnings(settings, repo)];
}

/**
 * `root.project: default` is allowed (some homelabs run their root there) but widens what a commit
 * to the root's directory can do: Argo CD's `default` project allows every source, destination and
 * kind, where the stack's own root project allows only Applications and ApplicationSets.
 */
function rootProjectWarnings(settings: ArgoCdSettings, repo: ManifestRepo): string[] {
  if (settings.root.project !== "default") return [];
  return [
    `gitops-bootstrap:argocd.root.project is default: the root app runs under Argo CD's own default project, which allows every source, destination and kind, so one commit to ${repo.path} can create anything in the cluster (AppProjects and ClusterRoles included); the stack makes no root AppProject. Set argocd.root.project to a name of your own (default: bootstrap) for a project that allows only Applications and ApplicationSets`,
  ];
}

/** The admin user off with no other way to log in. */
function loginWarnings(settings: ArgoCdSettings, repo: ManifestRepo): string[] {
  const values = argoCdValues(settings, repo);
  const cm = isMap(values.configs) && isMap(values.configs.cm) ? values.configs.cm : {};
  const text = (key: string) => String(cm[key] ?? "").trim();
  if (text("admin.enabled") !== "false") return [];
  const dex = isMap(values.dex) && String(values.dex.enabled) === "true" && text("dex.config") !== "";
  const loginAccount = Object.keys(cm).some((key) => {
    const name = /^accounts\.([^.]+)$/.exec(key)?.[1];
    return (
      name !== undefined &&
      text(key)
        .split(",")
        .map((c) => c.trim())
        .includes("login") &&
      text(`accounts.${name}.enabled`) !== "false"
    );
  });
  if (text("oidc.config") !== "" || dex || loginAccount) return [];
  return [
    "gitops-bootstrap:argocd.admin.enabled is false and nothing else lets anyone log in (no argocd.oidc, no Dex in argocd.values, no argocd.accounts with login): only `argocd --core` with cluster access will work; configure SSO or an account, or set admin.enabled: true",
  ];
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
 * The root Application. By default it carries no resources finalizer: deleting it (or
 * uninstalling the chart that holds it) must never cascade into the cluster's apps;
 * `root.resourcesFinalizer: true` opts in. `root.retry` refines DEFAULT_RETRY (false: none),
 * `root.ignoreDifferences` is written as given.
 */
export function argoCdRootApplication(settings: ArgoCdSettings, repo: ManifestRepo) {
  const root = settings.root;
  const retry =
    root.retry === undefined
      ? structuredClone(DEFAULT_RETRY)
      : root.retry === false
        ? undefined
        : (mergeMaps(structuredClone(DEFAULT_RETRY), root.retry) as RetrySpec);
  const ignoreDifferences = root.ignoreDifferences ?? [];
  return {
    apiVersion: ARGOCD_API_VERSION,
    kind: "Application",
    metadata: {
      name: root.name,
      namespace: settings.namespace,
      ...(root.resourcesFinalizer === true ? { finalizers: [RESOURCES_FINALIZER] } : {}),
    },
    spec: {
      project: root.project,
      source: { repoURL: repo.url, targetRevision: repo.revision, path: repo.path },
      destination: { server: IN_CLUSTER_SERVER, namespace: settings.namespace },
      syncPolicy: {
        automated: { prune: true, selfHeal: root.selfHeal },
        syncOptions: [...(root.syncOptions ?? SERVER_SIDE_SYNC_OPTIONS)],
        ...(retry === undefined ? {} : { retry }),
      },
      ...(ignoreDifferences.length === 0 ? {} : { ignoreDifferences: structuredClone(ignoreDifferences) }),
    },
  };
}

/**
 * With `argocd.selfManagement`: the AppProject Argo CD's own Application syncs under. It reads only
 * the manifest repository (the chart is inflated by kustomize inside it, which the project's
 * `sourceRepos` do not see) and deploys only into Argo CD's namespace, plus the cluster-scoped kinds
 * the argo-cd chart has (CRDs, ClusterRoles, ClusterRoleBindings).
 */
export function argoCdSelfProject(settings: ArgoCdSettings, repo: ManifestRepo, self: SelfManagement) {
  return {
    apiVersion: ARGOCD_API_VERSION,
    kind: "AppProject",
    metadata: { name: self.name, namespace: settings.namespace },
    spec: {
      description: "Argo CD's own install, from the manifest repository (argocd.selfManagement).",
      sourceRepos: [repo.url],
      destinations: [{ server: IN_CLUSTER_SERVER, namespace: settings.namespace }],
      clusterResourceWhitelist: [{ group: "*", kind: "*" }],
    },
  };
}

/**
 * With `argocd.selfManagement`: the Application through which Argo CD manages its own install, from
 * the directory `gitops-bootstrap handoff` writes (a kustomization inflating the argo-cd chart, as
 * seed 001's app-argocd.yaml does). It never changes on an upgrade (the chart version and values
 * live in that directory), so Pulumi can keep it. No resources finalizer: deleting it leaves Argo CD
 * running. Automated with prune (an upgrade that drops an object removes it; Argo CD never
 * auto-syncs an empty render) and the root's selfHeal.
 */
export function argoCdSelfApplication(settings: ArgoCdSettings, repo: ManifestRepo, self: SelfManagement) {
  return {
    apiVersion: ARGOCD_API_VERSION,
    kind: "Application",
    metadata: { name: self.name, namespace: settings.namespace },
    spec: {
      project: self.name,
      source: { repoURL: repo.url, targetRevision: repo.revision, path: self.path },
      destination: { server: IN_CLUSTER_SERVER, namespace: settings.namespace },
      syncPolicy: {
        automated: { prune: true, selfHeal: settings.root.selfHeal },
        syncOptions: [...SERVER_SIDE_SYNC_OPTIONS],
        retry: structuredClone(DEFAULT_RETRY),
      },
    },
  };
}

/**
 * Every object the root chart carries for Argo CD, in apply order. With `root.project: default`
 * the root runs under Argo CD's own project, which Argo CD makes and the stack must not own.
 */
export function argoCdRootObjects(settings: ArgoCdSettings, repo: ManifestRepo) {
  const self = settings.selfManagement;
  return [
    ...(settings.root.project === "default" ? [] : [argoCdRootProject(settings, repo)]),
    ...(settings.appsProject.enabled ? [argoCdAppsProject(settings, repo)] : []),
    argoCdRootApplication(settings, repo),
    ...(self === undefined
      ? []
      : [argoCdSelfProject(settings, repo, self), argoCdSelfApplication(settings, repo, self)]),
  ];
}
