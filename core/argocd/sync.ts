/**
 * Facts about Argo CD objects that more than one builder needs: the root app of apps and the
 * per-app Applications and ApplicationSets that `generate` writes. One place, so they cannot drift.
 */

export const ARGOCD_API_VERSION = "argoproj.io/v1alpha1";

/** The in-cluster API server, as Argo CD names it. */
export const IN_CLUSTER_SERVER = "https://kubernetes.default.svc";

/** Deleting an Application with this finalizer deletes everything it deployed. */
export const RESOURCES_FINALIZER = "resources-finalizer.argocd.argoproj.io";

export const SYNC_WAVE_ANNOTATION = "argocd.argoproj.io/sync-wave";

/** Retry 5 times, 30s then doubling, at most 2m apart: what the Terragrunt homelab used. */
export const DEFAULT_RETRY = {
  limit: 5,
  backoff: { duration: "30s", factor: 2, maxDuration: "2m" },
} as const;

/**
 * Sync options for objects we own. ServerSideApply pairs with server-side diff, which the engine
 * values turn on; ApplyOutOfSyncOnly is never set (it skips changes a client-side diff misses).
 */
export const SERVER_SIDE_SYNC_OPTIONS: readonly string[] = [
  "CreateNamespace=true",
  "ServerSideApply=true",
  "RespectIgnoreDifferences=true",
];

/** Sync options we refuse anywhere, with the reason shown to the user. */
export const FORBIDDEN_SYNC_OPTIONS: Readonly<Record<string, string>> = {
  "ApplyOutOfSyncOnly=true":
    "skips resources a diff calls in sync, and with server-side apply that silently drops changes",
};
