/**
 * The Flux Operator as plain data: the values of the flux-operator and flux-instance charts, and
 * the FluxInstance the flux-instance chart renders from them.
 *
 * Facts from upstream (controlplaneio-fluxcd/flux-operator v0.49.0 and the charts at 0.49.0):
 * - one FluxInstance per cluster, named `flux`, in the operator's namespace (CRD rule
 *   `self.metadata.name == 'flux'`; the flux-instance chart's `fullnameOverride: flux`);
 * - `spec.sync` makes a GitRepository and a Kustomization, both named `sync.name` (default: the
 *   namespace's name), in the instance's namespace: GitRepository `ref.name: <sync.ref>` (so a Git
 *   ref name such as refs/heads/main), `secretRef.name: <sync.pullSecret>`, `interval:
 *   <sync.interval>`; Kustomization `interval: 10m0s`, `prune: true`, `path: <sync.path>`
 *   (internal/builder/templates.go, syncTmpl);
 * - `spec.kustomize.patches` apply to everything the instance installs, the sync objects included
 *   (the operator's own Terraform example patches the `flux-system` Kustomization that way);
 * - the flux-instance chart copies `instance.<field>` to `spec.<field>` (templates/instance.yaml),
 *   dropping empty strings in `cluster` and `sync` when `sync.url` is empty.
 */
import { GIT_SECRET_NAME, type FluxSelfManagement } from "./flux";
import { fluxSshUrl, type ManifestRepo } from "../repository/repository";
import type { ReleaseSettings } from "../shared/release";
import {
  mergeValues,
  ownedValueConflicts,
  unknownValueKeys,
  type ChartKeys,
  type OwnedValue,
  type Values,
  type ValuesProblem,
} from "../shared/values";
import { toYaml } from "../shared/yaml";

export interface FluxOperatorPatch {
  patch: string;
  target?: {
    group?: string;
    version?: string;
    kind?: string;
    name?: string;
    namespace?: string;
    labelSelector?: string;
    annotationSelector?: string;
  };
}

export interface FluxOperatorSettings {
  /** Where the operator, the FluxInstance and Flux's controllers run. */
  namespace: string;
  /** The Flux version the instance installs: exact (the default, pinned) or an x-range. */
  distribution: { version: string };
  /** The controllers the instance installs. */
  components: string[];
  /** `spec.cluster`: what kind of cluster Flux runs in. */
  cluster: {
    type: string;
    size?: string | undefined;
    domain: string;
    networkPolicy: boolean;
    multitenant: boolean;
  };
  /** The root GitRepository and Kustomization the instance syncs: their name, the source's interval. */
  sync: { name: string; interval: string };
  /** The root Kustomization's behaviour, patched onto what the operator generates. */
  root: { interval: string; prune: boolean; retryInterval: string; wait: boolean; timeout: string };
  /** More kustomize patches for what the instance installs, applied after the root patch. */
  patches: FluxOperatorPatch[];
  /** The flux-operator chart: raw values and how Pulumi runs its release. */
  operator: { values: Values; release: ReleaseSettings };
  /** The flux-instance chart: raw values and how Pulumi runs its release. */
  instance: { values: Values; release: ReleaseSettings };
  /**
   * Flux managing the operator's and the instance's releases from the manifest repository after
   * Pulumi installed them (docs/engines.md, "Hand-off"). Defaults to off: Pulumi owns both.
   */
  selfManagement?: FluxSelfManagement;
}

/** Helm release names of the operator and the instance: a HelmRelease taking one over must name the same. */
export const FLUX_OPERATOR_RELEASE = "flux-operator";
export const FLUX_INSTANCE_RELEASE = "flux-instance";

/** The one name the Flux Operator accepts for a FluxInstance. */
export const FLUX_INSTANCE_NAME = "flux";

/** The registry Flux's images come from: the upstream distribution (the flux-instance chart's default too). */
export const FLUX_REGISTRY = "ghcr.io/fluxcd";

/**
 * The Git ref the instance's GitRepository follows, as `spec.sync.ref` takes it (a ref name):
 * `refs/…` as written, a branch as `refs/heads/<branch>`; undefined for a commit SHA, which a ref
 * name cannot express (see {@link fluxOperatorRepoProblems}).
 */
export function fluxSyncRef(revision: string): string | undefined {
  if (/^[0-9a-f]{40}$/.test(revision)) return undefined;
  return revision.startsWith("refs/") ? revision : `refs/heads/${revision}`;
}

/** What the Flux Operator cannot do with the stack's `repo`: follow a commit SHA. */
export function fluxOperatorRepoProblems(repo: Pick<ManifestRepo, "revision">): ValuesProblem[] {
  if (fluxSyncRef(repo.revision) !== undefined) return [];
  return [
    {
      key: "repo.revision",
      message: `${repo.revision} is a commit SHA, but the FluxInstance's spec.sync.ref is a Git ref name (the operator writes it as the GitRepository's ref.name); use a branch such as main, or a tag as refs/tags/<tag>`,
    },
  ];
}

/**
 * The patch that gives the operator's root Kustomization the settings of our flux engine's root:
 * the operator writes only interval 10m0s and prune true. `deletionPolicy: Orphan` keeps the apps
 * running when the root is deleted while kustomize-controller runs (the instance's `sync` removed,
 * say), as the flux engine's root does; `add` replaces a value the operator set.
 */
export function fluxOperatorRootPatch(
  settings: Pick<FluxOperatorSettings, "sync" | "root">,
): FluxOperatorPatch {
  const { interval, prune, retryInterval, wait, timeout } = settings.root;
  const set = (field: string, value: unknown) => ({ op: "add", path: `/spec/${field}`, value });
  return {
    target: { group: "kustomize.toolkit.fluxcd.io", kind: "Kustomization", name: settings.sync.name },
    patch: toYaml([
      set("interval", interval),
      set("retryInterval", retryInterval),
      set("prune", prune),
      set("wait", wait),
      set("timeout", timeout),
      set("deletionPolicy", "Orphan"),
    ]),
  };
}

/**
 * `spec` of the FluxInstance: Flux's default controllers at the pinned version, reading the
 * manifest repository with the engine's deploy key Secret from the same root path as the other
 * engines, and our root patch before the user's.
 */
export function fluxInstanceSpec(settings: FluxOperatorSettings, repo: ManifestRepo) {
  const { size, ...cluster } = settings.cluster;
  return {
    distribution: { version: settings.distribution.version, registry: FLUX_REGISTRY },
    components: [...settings.components],
    cluster: { ...cluster, ...(size === undefined ? {} : { size }) },
    sync: {
      kind: "GitRepository",
      url: fluxSshUrl(repo.url),
      // A SHA is refused by config validation (fluxOperatorRepoProblems) before anything is built.
      ref: fluxSyncRef(repo.revision) ?? repo.revision,
      path: `./${repo.path}`,
      pullSecret: GIT_SECRET_NAME,
      name: settings.sync.name,
      interval: settings.sync.interval,
    },
    kustomize: { patches: [fluxOperatorRootPatch(settings), ...settings.patches] },
  };
}

/** The flux-instance values we compute from the settings, before `instance.values`. */
export function fluxInstanceOwnValues(settings: FluxOperatorSettings, repo: ManifestRepo): Values {
  return { instance: fluxInstanceSpec(settings, repo) };
}

/** Values for the flux-instance chart: ours, with `instance.values` merged over them. */
export function fluxInstanceValues(settings: FluxOperatorSettings, repo: ManifestRepo): Values {
  return mergeValues(fluxInstanceOwnValues(settings, repo), settings.instance.values);
}

/**
 * Values for the flux-operator chart: the user's `operator.values` alone. The chart's defaults are
 * the opinions (CRDs installed and kept on uninstall, cluster-admin for the operator, the read-only
 * Flux web UI on port 9080 inside the cluster); docs/engines.md says how to change each.
 */
export function fluxOperatorValues(settings: FluxOperatorSettings): Values {
  return mergeValues({}, settings.operator.values);
}

/** The flux-instance chart keys we write from a typed setting or the stack's `repo`: `values` may not change them. */
export function fluxInstanceValueSources(): OwnedValue[] {
  const at = (...path: string[]) => ["instance", ...path];
  const fromRepo = (field: string, setting: string) => ({
    path: at("sync", field),
    setting,
    instead: `the FluxInstance reads the stack's manifest repository; set ${setting} instead, and remove it from fluxOperator.instance.values`,
  });
  return [
    { path: at("distribution", "version"), setting: "fluxOperator.distribution.version" },
    { path: at("components"), setting: "fluxOperator.components" },
    ...["type", "size", "domain", "networkPolicy", "multitenant"].map((field) => ({
      path: at("cluster", field),
      setting: `fluxOperator.cluster.${field}`,
    })),
    fromRepo("url", "repo.url"),
    fromRepo("ref", "repo.revision"),
    fromRepo("path", "repo.path"),
    {
      path: at("sync", "kind"),
      setting: "repo.url",
      instead:
        "the manifest repository is a Git repository read over SSH; remove it from fluxOperator.instance.values",
    },
    {
      path: at("sync", "pullSecret"),
      setting: "repoSshPrivateKey",
      instead: `the stack keeps the deploy key in the ${GIT_SECRET_NAME} Secret; remove it from fluxOperator.instance.values`,
    },
    { path: at("sync", "name"), setting: "fluxOperator.sync.name" },
    { path: at("sync", "interval"), setting: "fluxOperator.sync.interval" },
    {
      path: at("kustomize", "patches"),
      setting: "fluxOperator.patches",
      instead:
        "the list carries the root patch (fluxOperator.root); put your patches in fluxOperator.patches, which follow it, and remove them from fluxOperator.instance.values",
    },
  ];
}

/**
 * The chart keys we set as plain opinions: `values` may change each (docs/engines.md). The
 * flux-operator chart has none: its values are the user's alone.
 */
export const FLUX_INSTANCE_OPINIONS: ReadonlyArray<readonly string[]> = [
  ["instance", "distribution", "registry"],
];

/** What is wrong with `fluxOperator.operator.values` and `fluxOperator.instance.values`. */
export function fluxOperatorValuesProblems(
  settings: FluxOperatorSettings,
  repo: ManifestRepo,
  keys: { operator: ChartKeys; instance: ChartKeys },
): ValuesProblem[] {
  const operatorKey = "fluxOperator.operator.values";
  const instanceKey = "fluxOperator.instance.values";
  const operator = unknownValueKeys(settings.operator.values, keys.operator).map((message) => ({
    key: operatorKey,
    message,
  }));
  if (Object.keys(settings.instance.values).length === 0) return operator;
  const owned = ownedValueConflicts(
    fluxInstanceOwnValues(settings, repo),
    settings.instance.values,
    fluxInstanceValueSources(),
    instanceKey,
  );
  return [
    ...operator,
    ...[...unknownValueKeys(settings.instance.values, keys.instance), ...owned.map((o) => o.message)].map(
      (message) => ({ key: instanceKey, message }),
    ),
  ];
}

/**
 * The FluxInstance the flux-instance chart renders from {@link fluxInstanceValues}, for schema
 * validation and the docs: `spec` is the values' `instance` map.
 */
export function fluxInstanceObject(settings: FluxOperatorSettings, repo: ManifestRepo) {
  return {
    apiVersion: "fluxcd.controlplane.io/v1",
    kind: "FluxInstance",
    metadata: { name: FLUX_INSTANCE_NAME, namespace: settings.namespace },
    spec: fluxInstanceValues(settings, repo).instance as ReturnType<typeof fluxInstanceSpec>,
  };
}

/**
 * What is wrong with `fluxOperator.selfManagement`: its pointer Kustomization may not take the name
 * of the root Kustomization the instance's sync makes (both live in the operator's namespace).
 */
export function fluxOperatorSelfManagementProblems(
  settings: Pick<FluxOperatorSettings, "sync" | "selfManagement">,
): ValuesProblem[] {
  const self = settings.selfManagement;
  if (self === undefined || self.name !== settings.sync.name) return [];
  return [
    {
      key: "fluxOperator.selfManagement.name",
      message: `is ${self.name}, the name of the root Kustomization (fluxOperator.sync.name); the pointer would replace the root: choose another name, such as flux-operator`,
    },
  ];
}
