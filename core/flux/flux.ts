/**
 * Flux as plain data: the flux2 chart's values and the root app of apps.
 *
 * Value keys follow the flux2 chart 2.18.x values.yaml (fluxcd-community/helm-charts,
 * charts/flux2): `installCRDs`, `<controller>.create`, `watchAllNamespaces`;
 * charts/values-keys/flux2.json has every key of the pinned version, and `flux.values` is checked
 * against it.
 */
import { fluxSshUrl, type ManifestRepo } from "../repository/repository";
import type { ReleaseSettings } from "../shared/release";
import type { SelfManagement } from "../shared/self-management";
import {
  mergeValues,
  ownedValueConflicts,
  unknownValueKeys,
  type ChartKeys,
  type OwnedValue,
  type Values,
  type ValuesProblem,
} from "../shared/values";

export interface FluxSettings {
  namespace: string;
  /** Also run the image reflector and automation controllers (not part of Flux's default set). */
  imageAutomation: boolean;
  source: { name: string; interval: string };
  root: {
    name: string;
    interval: string;
    retryInterval: string;
    prune: boolean;
    wait: boolean;
    timeout: string;
  };
  /** Raw values for the flux2 chart, merged over ours (see {@link fluxValues}). */
  values: Values;
  /** How Pulumi runs the Helm release. */
  release: ReleaseSettings;
  /**
   * Flux managing its own install from the manifest repository after Pulumi installed it
   * (docs/engines.md, "Hand-off"). Defaults to off: Pulumi owns the release.
   */
  selfManagement?: FluxSelfManagement;
}

/** `flux.selfManagement`: the shared shape, and how often Flux reconciles its own install. */
export interface FluxSelfManagement extends SelfManagement {
  /** Interval of the pointer Kustomization, the HelmRepository and the HelmRelease. */
  interval: string;
}

/** Helm release name of Flux: the HelmRelease that takes it over must name the same release. */
export const FLUX_RELEASE_NAME = "flux";

/** Name of the Git SSH Secret the GitRepository reads; Flux's own bootstrap uses the same name. */
export const GIT_SECRET_NAME = "flux-system";

/**
 * Values for the flux2 chart: ours, with `settings.values` merged over them (maps key by key;
 * anything else in `values` replaces ours whole). {@link fluxValuesProblems} refuses `values`
 * that would change a key a typed setting writes, or that the pinned chart does not have.
 */
export function fluxValues(settings: FluxSettings): Values {
  return mergeValues(fluxOwnValues(settings), settings.values);
}

/** The values we compute from the settings, before `settings.values`: Flux's default controller set, image automation optional. */
export function fluxOwnValues(settings: FluxSettings): Values {
  return {
    installCRDs: true,
    // The chart renders its CRDs as templates, so uninstalling (or replacing) the release would delete
    // them, and with them every Kustomization and HelmRelease: keep them, as argo-cd's chart does.
    crds: { annotations: { "helm.sh/resource-policy": "keep" } },
    watchAllNamespaces: true,
    sourceController: { create: true },
    kustomizeController: { create: true },
    helmController: { create: true },
    notificationController: { create: true },
    imageReflectionController: { create: settings.imageAutomation },
    imageAutomationController: { create: settings.imageAutomation },
  };
}

/** The chart keys we write from a typed setting: `values` may not change them. */
export function fluxValueSources(): OwnedValue[] {
  return [
    { path: ["imageReflectionController", "create"], setting: "flux.imageAutomation" },
    { path: ["imageAutomationController", "create"], setting: "flux.imageAutomation" },
  ];
}

/** The chart keys we set as plain opinions: `values` may change each (docs/engines.md). */
export const FLUX_OPINIONS: ReadonlyArray<readonly string[]> = [
  ["installCRDs"],
  ["crds", "annotations", "helm.sh/resource-policy"],
  ["watchAllNamespaces"],
  ["sourceController", "create"],
  ["kustomizeController", "create"],
  ["helmController", "create"],
  ["notificationController", "create"],
];

/** What is wrong with `flux.values`: keys the pinned chart lacks, and keys a typed setting writes. */
export function fluxValuesProblems(settings: FluxSettings, keys: ChartKeys): ValuesProblem[] {
  if (Object.keys(settings.values).length === 0) return [];
  const unknown = unknownValueKeys(settings.values, keys);
  const owned = ownedValueConflicts(
    fluxOwnValues(settings),
    settings.values,
    fluxValueSources(),
    "flux.values",
  );
  return [...unknown, ...owned.map((o) => o.message)].map((message) => ({ key: "flux.values", message }));
}

/** The Git ref a GitRepository follows: a full commit SHA, a `refs/…` name, or a branch. */
export function gitRef(revision: string): Record<string, string> {
  if (/^[0-9a-f]{40}$/.test(revision)) return { commit: revision };
  if (revision.startsWith("refs/")) return { name: revision };
  return { branch: revision };
}

/** The GitRepository all of Flux's Kustomizations read the manifest repository through. */
export function fluxGitRepository(settings: FluxSettings, repo: ManifestRepo) {
  return {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "GitRepository",
    metadata: { name: settings.source.name, namespace: settings.namespace },
    spec: {
      interval: settings.source.interval,
      url: fluxSshUrl(repo.url),
      ref: gitRef(repo.revision),
      secretRef: { name: GIT_SECRET_NAME },
    },
  };
}

/**
 * The root Kustomization (`flux-bootstrap` in the Flux homelab): it applies the directory of
 * per-app Kustomizations, and pruning removes an app's Kustomization when it leaves the repo.
 * It does not wait for them by default: each per-app Kustomization waits for its own objects, and a
 * root that waited would report the slowest app (or any broken one) as its own failure.
 */
export function fluxRootKustomization(settings: FluxSettings, repo: ManifestRepo) {
  return {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: settings.root.name, namespace: settings.namespace },
    spec: {
      interval: settings.root.interval,
      retryInterval: settings.root.retryInterval,
      path: `./${repo.path}`,
      prune: settings.root.prune,
      // Deleting the root (`pulumi destroy`) leaves the apps it applied running, as the Argo CD root
      // without a finalizer does; prune still removes an app that leaves the repository.
      deletionPolicy: "Orphan",
      wait: settings.root.wait,
      timeout: settings.root.timeout,
      sourceRef: { kind: "GitRepository", name: settings.source.name },
    },
  };
}

/**
 * With `flux.selfManagement`: the Kustomization through which Flux applies its own install (the
 * HelmRepository and HelmRelease `gitops-bootstrap handoff` writes), as `flux bootstrap`'s
 * `flux-system` Kustomization does. It never changes on an upgrade (the chart version and values
 * live in that directory), so Pulumi can keep it. No pruning, and orphaned on deletion: the
 * HelmRelease must never be deleted by accident, since helm-controller would uninstall Flux with it.
 */
export function fluxSelfKustomization(settings: FluxSettings, self: FluxSelfManagement) {
  return handoffPointerKustomization(
    { namespace: settings.namespace, root: settings.root, sourceName: settings.source.name },
    self,
  );
}

/**
 * The Kustomization applying a hand-off directory (`self.path`) from the root GitRepository
 * `sourceName`, for either Flux engine: no pruning, orphaned on deletion, never waiting; retries
 * and timeout as the root's.
 */
export function handoffPointerKustomization(
  target: {
    namespace: string;
    root: { retryInterval: string; timeout: string };
    sourceName: string;
    serviceAccountName?: string;
  },
  self: FluxSelfManagement,
) {
  return {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: self.name, namespace: target.namespace },
    spec: {
      interval: self.interval,
      retryInterval: target.root.retryInterval,
      path: `./${self.path}`,
      prune: false,
      deletionPolicy: "Orphan",
      wait: false,
      timeout: target.root.timeout,
      ...(target.serviceAccountName === undefined ? {} : { serviceAccountName: target.serviceAccountName }),
      sourceRef: { kind: "GitRepository", name: target.sourceName },
    },
  };
}

/** Every object the root chart carries for Flux, in apply order. */
export function fluxRootObjects(settings: FluxSettings, repo: ManifestRepo) {
  const self = settings.selfManagement;
  return [
    fluxGitRepository(settings, repo),
    fluxRootKustomization(settings, repo),
    ...(self === undefined ? [] : [fluxSelfKustomization(settings, self)]),
  ];
}
