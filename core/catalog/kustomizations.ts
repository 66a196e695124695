/**
 * Flux objects for catalog apps: one kustomize.toolkit.fluxcd.io/v1 Kustomization per app, with
 * sync waves turned into `dependsOn` (an app depends on every app of the nearest lower wave) plus
 * the catalog's explicit `dependsOn`. Cycles and unknown dependencies are errors.
 */
import { CatalogError, type ResolvedApp, type ResolvedCatalog } from "./catalog";

export const FLUX_KUSTOMIZATION_API_VERSION = "kustomize.toolkit.fluxcd.io/v1";

/** How soon Flux retries a failed apply or health check, instead of waiting a whole interval. */
export const FLUX_RETRY_INTERVAL = "1m";

/**
 * Namespaces every cluster has (Kubernetes' own), which generate never writes a Namespace for;
 * the Flux namespace (`flux.namespace`) is added by the caller.
 */
export const EXISTING_NAMESPACES: readonly string[] = [
  "default",
  "kube-node-lease",
  "kube-public",
  "kube-system",
];

/** Flux annotation that keeps an object when it leaves the source (garbage collection skips it). */
export const FLUX_PRUNE_ANNOTATION = "kustomize.toolkit.fluxcd.io/prune";

export interface FluxNamespace {
  apiVersion: "v1";
  kind: "Namespace";
  metadata: { name: string; annotations: Record<string, string> };
}

/**
 * The Namespace a per-app Kustomization's `targetNamespace` needs: Flux puts the app's objects in
 * it but never creates it. Pruning is disabled on it, so an app leaving the catalog (or a renamed
 * namespace) never deletes a namespace with whatever Flux does not own in it (PVCs of a
 * StatefulSet, Secrets made by operators); delete such a namespace by hand.
 */
export function fluxNamespace(name: string): FluxNamespace {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name, annotations: { [FLUX_PRUNE_ANNOTATION]: "disabled" } },
  };
}

/** The namespaces to write a Namespace for: each app namespace once, in catalog order. */
export function fluxNamespaces(
  apps: readonly ResolvedApp[],
  catalog: Pick<ResolvedCatalog, "flux">,
): string[] {
  const skip = new Set([...EXISTING_NAMESPACES, catalog.flux.namespace]);
  return [...new Set(apps.map((a) => a.namespace))].filter((ns) => !skip.has(ns));
}

export interface FluxKustomization {
  apiVersion: typeof FLUX_KUSTOMIZATION_API_VERSION;
  kind: "Kustomization";
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: {
    dependsOn?: Array<{ name: string }>;
    interval: string;
    path: string;
    prune: true;
    retryInterval: string;
    sourceRef: { kind: "GitRepository"; name: string };
    targetNamespace: string;
    wait: true;
  };
}

/**
 * Every app's dependencies, in a stable order: the apps of the nearest lower wave (catalog order),
 * then explicit ones not already listed. Unknown names are reported by resolveCatalog.
 */
export function dependencyMap(apps: readonly ResolvedApp[]): Map<string, string[]> {
  const byWave = new Map<number, string[]>();
  for (const app of apps) {
    const list = byWave.get(app.wave) ?? [];
    list.push(app.name);
    byWave.set(app.wave, list);
  }
  const waves = [...byWave.keys()].sort((a, b) => a - b);
  const lower = new Map<number, readonly string[]>();
  waves.forEach((wave, i) => lower.set(wave, i === 0 ? [] : (byWave.get(waves[i - 1] ?? -1) ?? [])));
  const out = new Map<string, string[]>();
  for (const app of apps) {
    const deps = [...(lower.get(app.wave) ?? [])];
    const seen = new Set(deps);
    for (const dep of app.dependsOn) {
      if (!seen.has(dep)) {
        seen.add(dep);
        deps.push(dep);
      }
    }
    out.set(app.name, deps);
  }
  return out;
}

/** A dependency cycle as names, first repeated last (`a → b → a`), or undefined when acyclic. */
export function findCycle(deps: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 1 | 2>(); // 1: on the current path, 2: done
  for (const start of deps.keys()) {
    if (state.has(start)) continue;
    // Iterative DFS: 10,000 apps must not overflow the stack.
    const stack: Array<{ name: string; next: number }> = [{ name: start, next: 0 }];
    state.set(start, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { name: string; next: number };
      const children = deps.get(top.name) ?? [];
      if (top.next >= children.length) {
        state.set(top.name, 2);
        stack.pop();
        continue;
      }
      const child = children[top.next++] as string;
      const s = state.get(child);
      if (s === 1) {
        const from = stack.findIndex((f) => f.name === child);
        return [...stack.slice(from).map((f) => f.name), child];
      }
      if (s === undefined && deps.has(child)) {
        state.set(child, 1);
        stack.push({ name: child, next: 0 });
      }
    }
  }
  return undefined;
}

/** Throws a CatalogError naming the cycle when the apps' dependencies (waves included) have one. */
export function checkFluxDependencies(
  catalog: ResolvedCatalog,
  deps: ReadonlyMap<string, readonly string[]>,
): void {
  const cycle = findCycle(deps);
  if (cycle === undefined) return;
  const explicit = cycle
    .slice(0, -1)
    .find((name) => catalog.apps.find((a) => a.name === name)?.dependsOn.length);
  throw new CatalogError([
    {
      file: catalog.file,
      key: `apps.${explicit ?? cycle[0] ?? "?"}.dependsOn`,
      message: `dependency cycle: ${cycle.join(" → ")} (waves count: an app depends on every app of the nearest lower wave); remove a dependsOn entry or change a wave`,
    },
  ]);
}

/**
 * The Flux Kustomization for one app. `targetNamespace` puts every namespaced object of the app's
 * directory into the app's namespace, overriding the namespaces its manifests name.
 */
export function fluxKustomization(
  app: ResolvedApp,
  dependsOn: readonly string[],
  catalog: Pick<ResolvedCatalog, "flux">,
): FluxKustomization {
  return {
    apiVersion: FLUX_KUSTOMIZATION_API_VERSION,
    kind: "Kustomization",
    metadata: {
      name: app.name,
      namespace: catalog.flux.namespace,
      ...(Object.keys(app.labels).length > 0 ? { labels: sorted(app.labels) } : {}),
      ...(Object.keys(app.annotations).length > 0 ? { annotations: sorted(app.annotations) } : {}),
    },
    spec: {
      ...(dependsOn.length > 0 ? { dependsOn: dependsOn.map((name) => ({ name })) } : {}),
      interval: catalog.flux.interval,
      path: `./${app.path}`,
      prune: true,
      retryInterval: FLUX_RETRY_INTERVAL,
      sourceRef: { kind: "GitRepository", name: catalog.flux.gitRepository },
      targetNamespace: app.namespace,
      wait: true,
    },
  };
}

function sorted(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
