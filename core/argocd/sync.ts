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
 * values turn on. ApplyOutOfSyncOnly is never set by us (see APPLY_OUT_OF_SYNC_ONLY).
 */
export const SERVER_SIDE_SYNC_OPTIONS: readonly string[] = [
  "CreateNamespace=true",
  "ServerSideApply=true",
  "RespectIgnoreDifferences=true",
];

/**
 * Sync options we refuse anywhere, with the reason shown to the user: only options that are
 * broken whatever the rest of the setup. None today: ApplyOutOfSyncOnly=true is a legitimate choice
 * for large apps and gets a warning instead (APPLY_OUT_OF_SYNC_ONLY_WARNING).
 */
export const FORBIDDEN_SYNC_OPTIONS: Readonly<Record<string, string>> = {};

export const APPLY_OUT_OF_SYNC_ONLY = "ApplyOutOfSyncOnly=true";

/**
 * Why ApplyOutOfSyncOnly=true deserves a warning. With it a sync applies only the resources the
 * last comparison called OutOfSync (argo-cd controller/sync.go passes compareResult.diffResultList
 * to sync.WithResourceModificationChecker; gitops-engine sync_context.go filterOutOfSyncTasks), so
 * the diff alone decides what is applied:
 * - with the server-side diff (argocd-cmd-params-cm `controller.diff.server.side: "true"`, which
 *   the Argo CD install of this project sets, or the per-app annotation
 *   `argocd.argoproj.io/compare-options: ServerSideDiff=true`) the comparison is a dry-run
 *   server-side apply, so a change is seen as the API server would apply it;
 * - without it (the legacy client-side diff, or the structured-merge diff that ServerSideApply=true
 *   selects), a change the diff normalises away, such as a key removed from a ConfigMap under
 *   server-side apply, compares as in sync, is never applied, and the app still reports Synced;
 * - even with the server-side diff, results are cached until a refresh, a new revision, a spec
 *   change or a live resourceVersion change (docs/user-guide/diff-strategies.md), and a field in
 *   ignoreDifferences never makes a resource OutOfSync, so it is not re-applied either.
 */
export const APPLY_OUT_OF_SYNC_ONLY_WARNING =
  "ApplyOutOfSyncOnly=true makes a sync apply only the resources the last diff called OutOfSync, so the diff decides what is applied: keep the server-side diff on for these apps (controller.diff.server.side, which gitops-bootstrap's Argo CD install sets, or the annotation argocd.argoproj.io/compare-options: ServerSideDiff=true). Without it, with ServerSideApply=true, a change the client-side or structured-merge diff misses (a key removed from a ConfigMap) is never applied while the app reports Synced; with it, a resource that drifted since the cached diff is applied only after a refresh";
