/**
 * Flux objects for catalog apps: one kustomize.toolkit.fluxcd.io/v1 Kustomization per app, with
 * sync waves turned into `dependsOn` (an app depends on every app of the nearest lower wave) plus
 * the catalog's explicit `dependsOn`. Cycles and unknown dependencies are errors.
 */
import { CatalogError, type ResolvedApp, type ResolvedCatalog } from "./catalog";
import { fluxOf, type FluxWaveDependencies, type ResolvedFluxSettings } from "./flux-settings";
import { HELM_CHART_LAYER } from "../flux/oci";

export { FLUX_RETRY_INTERVAL } from "./flux-settings";

export const FLUX_KUSTOMIZATION_API_VERSION = "kustomize.toolkit.fluxcd.io/v1";

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

/**
 * The namespaces to write a Namespace for: each namespace of an app with `createNamespace` once,
 * in catalog order.
 */
export function fluxNamespaces(
  apps: readonly ResolvedApp[],
  catalog: Pick<ResolvedCatalog, "flux">,
): string[] {
  const skip = new Set([...EXISTING_NAMESPACES, catalog.flux.namespace]);
  const wanted = new Set<string>();
  for (const app of apps)
    if (fluxOf(app).createNamespace && !skip.has(app.namespace)) wanted.add(app.namespace);
  return [...wanted];
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
  /** Keys in alphabetical order, as written. */
  spec: {
    components?: string[];
    decryption?: ResolvedFluxSettings["decryption"];
    dependsOn?: Array<{ name: string }>;
    force?: true;
    healthChecks?: ResolvedFluxSettings["healthChecks"];
    interval: string;
    patches?: ResolvedFluxSettings["patches"];
    path: string;
    postBuild?: ResolvedFluxSettings["postBuild"];
    prune: boolean;
    retryInterval?: string;
    serviceAccountName?: string;
    sourceRef: { kind: string; name: string; namespace?: string };
    targetNamespace?: string;
    timeout?: string;
    wait?: true;
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

/** The name of the barrier Kustomization of a wave (`flux.waveDependencies: barrier`). */
export function waveBarrierName(wave: number): string {
  return `wave-${wave}`;
}

/** Directory (inside the output) of the empty kustomization every wave barrier applies. */
export const WAVE_BARRIER_DIRECTORY = "waves";

/** One barrier: a no-op Kustomization Ready once every app of its wave is Ready. */
export interface WaveBarrier {
  name: string;
  wave: number;
  /** The wave's apps, in catalog order. */
  dependsOn: string[];
}

/**
 * The linear form of waves (`flux.waveDependencies: barrier`): one barrier per wave that has a
 * higher wave after it, depending on that wave's apps; each app depends on the barrier of the
 * nearest lower wave only, then on its explicit dependsOn. N apps give about N dependsOn entries
 * instead of (apps of a wave × apps of the next) per pair of waves.
 */
export function waveBarriers(apps: readonly ResolvedApp[]): {
  deps: Map<string, string[]>;
  barriers: WaveBarrier[];
} {
  const byWave = new Map<number, string[]>();
  for (const app of apps) {
    const list = byWave.get(app.wave) ?? [];
    list.push(app.name);
    byWave.set(app.wave, list);
  }
  const waves = [...byWave.keys()].sort((a, b) => a - b);
  const barriers: WaveBarrier[] = waves
    .slice(0, -1)
    .map((wave) => ({ name: waveBarrierName(wave), wave, dependsOn: byWave.get(wave) ?? [] }));
  const lower = new Map<number, string>();
  waves.forEach((wave, i) => {
    if (i > 0) lower.set(wave, waveBarrierName(waves[i - 1] ?? 0));
  });
  const deps = new Map<string, string[]>();
  for (const app of apps) {
    const barrier = lower.get(app.wave);
    const list = barrier === undefined ? [] : [barrier];
    for (const dep of app.dependsOn) if (!list.includes(dep)) list.push(dep);
    deps.set(app.name, list);
  }
  return { deps, barriers };
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
 * The Flux Kustomization for one app, from its resolved `flux` settings. With `targetNamespace`
 * (the default) every namespaced object of the app's directory goes into the app's namespace,
 * overriding the namespaces its manifests name, and kustomize renames its Namespace objects to it.
 * Fields at their API default (`force: false`, `wait: false`) are left out, as Flux writes them.
 */
export function fluxKustomization(
  app: ResolvedApp,
  dependsOn: readonly string[],
  catalog: Pick<ResolvedCatalog, "flux"> & Partial<Pick<ResolvedCatalog, "output">>,
): FluxKustomization {
  const flux = fluxOf(app);
  // A Helm app's Kustomization applies its HelmRelease from the output, in the repository the
  // root reads (flux.gitRepository); an OCI app's reads the artifact's OCIRepository.
  const source =
    flux.helm !== undefined
      ? undefined
      : flux.oci !== undefined
        ? { kind: "OCIRepository" as const, name: app.name }
        : flux.sourceRef;
  const path =
    flux.helm !== undefined
      ? `./${catalog.output ?? "."}/${helmDirectory(app.name)}`
      : flux.oci !== undefined
        ? `./${(flux.oci.path ?? "").replace(/^\.?\/+/, "")}`
        : `./${app.path}`;
  // Alphabetical, as yaml writes what generate has always written.
  const spec: FluxKustomization["spec"] = {
    ...(flux.components === undefined ? {} : { components: flux.components }),
    ...(flux.decryption === undefined ? {} : { decryption: flux.decryption }),
    ...(dependsOn.length > 0 ? { dependsOn: dependsOn.map((name) => ({ name })) } : {}),
    ...(flux.force ? { force: true as const } : {}),
    ...(flux.healthChecks === undefined ? {} : { healthChecks: flux.healthChecks }),
    interval: flux.interval ?? catalog.flux.interval,
    ...(flux.patches === undefined ? {} : { patches: flux.patches }),
    path,
    ...(flux.postBuild === undefined ? {} : { postBuild: flux.postBuild }),
    prune: flux.prune,
    ...(flux.retryInterval === null ? {} : { retryInterval: flux.retryInterval }),
    ...(flux.serviceAccountName === undefined ? {} : { serviceAccountName: flux.serviceAccountName }),
    sourceRef: {
      kind: source?.kind ?? "GitRepository",
      name: source?.name ?? catalog.flux.gitRepository,
      ...(source?.namespace === undefined ? {} : { namespace: source.namespace }),
    },
    ...(flux.targetNamespace ? { targetNamespace: app.namespace } : {}),
    ...(flux.timeout === undefined ? {} : { timeout: flux.timeout }),
    ...(flux.wait ? { wait: true as const } : {}),
  };
  return {
    apiVersion: FLUX_KUSTOMIZATION_API_VERSION,
    kind: "Kustomization",
    metadata: {
      name: app.name,
      namespace: catalog.flux.namespace,
      ...(Object.keys(app.labels).length > 0 ? { labels: sorted(app.labels) } : {}),
      ...(Object.keys(app.annotations).length > 0 ? { annotations: sorted(app.annotations) } : {}),
    },
    spec,
  };
}

/**
 * A wave barrier's Kustomization: it applies an empty kustomization (kustomize-controller
 * reconciles one to Ready with an empty inventory) once every app of its wave is Ready at the
 * current revision, so the next wave's apps wait on it alone.
 */
export function waveBarrierKustomization(
  barrier: WaveBarrier,
  catalog: Pick<ResolvedCatalog, "flux" | "output">,
): FluxKustomization {
  return {
    apiVersion: FLUX_KUSTOMIZATION_API_VERSION,
    kind: "Kustomization",
    metadata: { name: barrier.name, namespace: catalog.flux.namespace },
    spec: {
      dependsOn: barrier.dependsOn.map((name) => ({ name })),
      interval: catalog.flux.interval,
      path: `./${catalog.output}/${WAVE_BARRIER_DIRECTORY}`,
      prune: true,
      sourceRef: { kind: "GitRepository", name: catalog.flux.gitRepository },
    },
  };
}

/** The empty kustomization the wave barriers apply. */
export const EMPTY_KUSTOMIZATION = {
  apiVersion: "kustomize.config.k8s.io/v1beta1",
  kind: "Kustomization",
  resources: [] as string[],
};

/** How waves become dependsOn, for generate. */
export function fluxDependencies(
  catalog: Pick<ResolvedCatalog, "apps">,
  mode: FluxWaveDependencies,
): { deps: Map<string, string[]>; barriers: WaveBarrier[] } {
  return mode === "barrier"
    ? waveBarriers(catalog.apps)
    : { deps: dependencyMap(catalog.apps), barriers: [] };
}

function sorted(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

// ---------------------------------------------------------------------------------------------
// Apps whose source is not the repository: Helm charts and OCI artifacts (`apps.<name>.flux.helm`
// and `.oci`). Field names follow source-controller's v1 and helm-controller's v2 APIs.

export const FLUX_SOURCE_API_VERSION = "source.toolkit.fluxcd.io/v1";
export const FLUX_HELM_API_VERSION = "helm.toolkit.fluxcd.io/v2";

/** Directory (inside the output) holding a Helm app's HelmRelease, which its Kustomization applies. */
export function helmDirectory(app: string): string {
  return `${app}.helm`;
}

export interface FluxSource {
  apiVersion: typeof FLUX_SOURCE_API_VERSION;
  kind: "HelmRepository" | "OCIRepository";
  metadata: { name: string; namespace: string };
  spec: Record<string, unknown>;
}

/**
 * The source an app's Helm chart or OCI artifact comes from, named after the app, in the Flux
 * namespace, or undefined for an app read from the repository. A chart in an OCI registry gets
 * an OCIRepository (what Flux recommends over a HelmRepository of type oci), its layer copied
 * as the chart archive for the HelmRelease's chartRef.
 */
export function fluxAppSource(
  app: ResolvedApp,
  catalog: Pick<ResolvedCatalog, "flux">,
): FluxSource | undefined {
  const { helm, oci } = fluxOf(app);
  const metadata = { name: app.name, namespace: catalog.flux.namespace };
  const interval = catalog.flux.interval;
  if (helm !== undefined && !helm.repository.startsWith("oci://")) {
    return {
      apiVersion: FLUX_SOURCE_API_VERSION,
      kind: "HelmRepository",
      metadata,
      spec: { interval, url: helm.repository },
    };
  }
  if (helm !== undefined) {
    return {
      apiVersion: FLUX_SOURCE_API_VERSION,
      kind: "OCIRepository",
      metadata,
      spec: {
        interval,
        layerSelector: { mediaType: HELM_CHART_LAYER, operation: "copy" },
        ref: { tag: helm.version },
        url: `${helm.repository.replace(/\/+$/, "")}/${helm.chart}`,
      },
    };
  }
  if (oci !== undefined) {
    const ref =
      oci.tag !== undefined
        ? { tag: oci.tag }
        : oci.semver !== undefined
          ? { semver: oci.semver }
          : { digest: oci.digest };
    return {
      apiVersion: FLUX_SOURCE_API_VERSION,
      kind: "OCIRepository",
      metadata,
      spec: { interval, ref, url: oci.url },
    };
  }
  return undefined;
}

export interface FluxHelmRelease {
  apiVersion: typeof FLUX_HELM_API_VERSION;
  kind: "HelmRelease";
  metadata: { name: string; namespace: string };
  spec: Record<string, unknown>;
}

/**
 * A Helm app's HelmRelease, in the app's namespace (so the release and its history live there,
 * as with `helm install -n`), reading the source fluxAppSource wrote. Undefined for other apps.
 */
export function fluxHelmRelease(
  app: ResolvedApp,
  catalog: Pick<ResolvedCatalog, "flux">,
): FluxHelmRelease | undefined {
  const flux = fluxOf(app);
  const helm = flux.helm;
  if (helm === undefined) return undefined;
  const source = { name: app.name, namespace: catalog.flux.namespace };
  const chart = helm.repository.startsWith("oci://")
    ? { chartRef: { kind: "OCIRepository", ...source } }
    : {
        chart: {
          spec: {
            chart: helm.chart,
            sourceRef: { kind: "HelmRepository", ...source },
            version: helm.version,
          },
        },
      };
  return {
    apiVersion: FLUX_HELM_API_VERSION,
    kind: "HelmRelease",
    metadata: { name: app.name, namespace: app.namespace },
    spec: {
      ...chart,
      interval: flux.interval ?? catalog.flux.interval,
      ...(helm.releaseName === undefined ? {} : { releaseName: helm.releaseName }),
      ...(helm.values === undefined ? {} : { values: helm.values }),
      ...(helm.valuesFrom === undefined ? {} : { valuesFrom: helm.valuesFrom }),
    },
  };
}
