/** Settings shared by the engine and component tests: the defaults a minimal stack resolves to. */
import type { ArgoCdSettings } from "../../core/argocd/argocd";
import type { FluxSettings } from "../../core/flux/flux";
import { GITHUB_KNOWN_HOSTS, type ManifestRepo } from "../../core/repository/repository";
import { RELEASE_DEFAULTS } from "../../core/shared/release";

export const REPO: ManifestRepo = {
  url: "git@github.com:acme/manifests.git",
  revision: "main",
  path: "manifests/bootstrap",
  knownHosts: GITHUB_KNOWN_HOSTS.join("\n"),
};

export const ARGOCD: ArgoCdSettings = {
  namespace: "argocd",
  tlsTermination: "ingress",
  ingress: { enabled: true, annotations: {} },
  rbac: { defaultRole: "role:readonly", adminGroups: [], adminUsers: [] },
  admin: {},
  exec: { enabled: false },
  accounts: {},
  values: {},
  release: { ...RELEASE_DEFAULTS },
  replicas: { server: 1, repoServer: 1, controller: 1, applicationSet: 1 },
  root: { name: "bootstrap", project: "bootstrap", selfHeal: false },
  appsProject: {
    enabled: true,
    name: "apps",
    sourceRepos: [],
    destinations: [{ server: "https://kubernetes.default.svc", namespace: "*" }],
    clusterResources: true,
  },
};

export const FLUX: FluxSettings = {
  namespace: "flux-system",
  imageAutomation: false,
  source: { name: "flux-system", interval: "1m" },
  root: {
    name: "flux-bootstrap",
    interval: "10m",
    retryInterval: "1m",
    prune: true,
    wait: false,
    timeout: "5m",
  },
  values: {},
  release: { ...RELEASE_DEFAULTS },
};
