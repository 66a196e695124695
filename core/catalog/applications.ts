/**
 * Argo CD objects for catalog apps: one Application per app (the classic generate-apps.sh shape),
 * or one ApplicationSet per category with a git directory generator.
 */
import {
  APPLY_OUT_OF_SYNC_ONLY,
  APPLY_OUT_OF_SYNC_ONLY_WARNING,
  ARGOCD_API_VERSION,
  DEFAULT_RETRY,
  IN_CLUSTER_SERVER,
  RESOURCES_FINALIZER,
  SERVER_SIDE_SYNC_OPTIONS,
  SYNC_WAVE_ANNOTATION,
} from "../argocd/sync";
import {
  argocdApplicationSettings,
  classicArgoAppSettings,
  type ArgoAppSettings,
  RESOURCES_FINALIZERS,
  type ApplicationSourceSpec,
  type RetrySpec,
} from "./argocd-application";
import {
  CatalogError,
  type CatalogIssue,
  type IgnoreDifference,
  type ResolvedApp,
  type ResolvedCatalog,
  type ResolvedCategory,
} from "./catalog";
import { renderGoTemplateJson, renderGoTemplates } from "./go-template";
import { listSome } from "../shared/messages";

/** An Argo CD Application as written to a file; only the fields we set. */
export interface ArgoApplication {
  apiVersion: typeof ARGOCD_API_VERSION;
  kind: "Application";
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    annotations: Record<string, string>;
    /** Absent when the app's resourcesFinalizer is false. */
    finalizers?: string[];
  };
  spec: ApplicationSpec;
}

/** An Application's spec: the fields we set, plus the keys of the catalog's `spec:` escape hatch, as given. */
export type ApplicationSpec = ApplicationSpecFields & { [extra: string]: unknown };

interface ApplicationSpecFields {
  /** `server` or `name`, never both (the classic shape: server). */
  destination: { server?: string; name?: string; namespace: string };
  project: string;
  /** The classic shape: path, repoURL, targetRevision; a chart source has chart instead of path. */
  source?: Partial<ApplicationSourceSpec> & { repoURL: string };
  sources?: ApplicationSourceSpec[];
  syncPolicy: {
    automated: { prune: boolean; selfHeal: boolean; allowEmpty?: boolean };
    syncOptions?: string[];
    retry?: RetrySpec;
    managedNamespaceMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  };
  ignoreDifferences?: IgnoreDifference[];
  revisionHistoryLimit?: number;
}

/**
 * An ApplicationSet as written. `G` is its generator: the git directory generator, or with
 * `applicationSet.clusters` (hub and spoke) a matrix of it and a cluster generator.
 */
export interface ArgoApplicationSet<G = GitDirectoryGenerator> {
  apiVersion: typeof ARGOCD_API_VERSION;
  kind: "ApplicationSet";
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    /** The category's sync wave: the root app of apps orders ApplicationSets by it. */
    annotations: Record<string, string>;
  };
  spec: {
    goTemplate: true;
    goTemplateOptions: string[];
    generators: G[];
    /** Removing an Application (renamed directory, empty generator) must never delete its workloads. */
    syncPolicy?: { preserveResourcesOnDeletion: true };
    /** Progressive sync: one step per wave, each waiting for the previous one to be Healthy. */
    strategy?: {
      type: "RollingSync";
      rollingSync: {
        steps: Array<{ matchExpressions: Array<{ key: string; operator: "In"; values: string[] }> }>;
      };
    };
    template: {
      metadata: {
        name: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
        finalizers?: string[];
      };
      spec: ApplicationSpec;
    };
    templatePatch?: string;
  };
}

/** A git directory generator: one parameter set per matching directory. */
export interface GitDirectoryGenerator {
  git: { repoURL: string; revision: string; directories: Array<{ path: string; exclude?: boolean }> };
}

/** Either generator an ApplicationSet of the catalog has. */
export type AppSetGenerator =
  GitDirectoryGenerator | { matrix: { generators: [GitDirectoryGenerator, ClusterGenerator] } };

/** A cluster generator: one parameter set per Argo CD cluster its selector matches (hub and spoke). */
export interface ClusterGenerator {
  clusters: {
    selector: {
      matchLabels?: Record<string, string>;
      matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
    };
  };
}

/** An Argo CD AppProject for one category's apps. */
export interface ArgoAppProject {
  apiVersion: typeof ARGOCD_API_VERSION;
  kind: "AppProject";
  metadata: { name: string; namespace: string; finalizers?: string[] };
  spec: {
    description: string;
    sourceRepos: string[];
    destinations: Array<{ namespace: string; server: string }>;
    clusterResourceWhitelist: Array<{ group: string; kind: string }>;
  };
}

/** The classic retry, in generate-apps.sh's key order (backoff, then limit). */
function classicRetry(): RetrySpec {
  return { backoff: { ...DEFAULT_RETRY.backoff }, limit: DEFAULT_RETRY.limit };
}

/** A retry in the classic key order: backoff (duration, factor, maxDuration), limit, refresh. */
function orderedRetry(retry: RetrySpec): RetrySpec {
  const { backoff, limit, refresh } = retry;
  return {
    ...(backoff === undefined
      ? {}
      : {
          backoff: {
            ...(backoff.duration === undefined ? {} : { duration: backoff.duration }),
            ...(backoff.factor === undefined ? {} : { factor: backoff.factor }),
            ...(backoff.maxDuration === undefined ? {} : { maxDuration: backoff.maxDuration }),
          },
        }),
    ...(limit === undefined ? {} : { limit }),
    ...(refresh === undefined ? {} : { refresh }),
  };
}

/** The single source: ours (path, repoURL, targetRevision) with the app's source options over it. */
function singleSource(
  app: ResolvedApp,
  repo: ResolvedCatalog["repo"],
): NonNullable<ArgoApplication["spec"]["source"]> {
  const options = app.argocd?.source;
  if (options === undefined) return { path: app.path, repoURL: repo.url, targetRevision: repo.revision };
  const { repoURL: givenURL, targetRevision: givenRevision, chart, ...rest } = options;
  const repoURL = givenURL ?? repo.url;
  // Another repository's default branch is its own (Argo CD: HEAD), not the catalog's revision.
  const targetRevision = givenRevision ?? (repoURL === repo.url ? repo.revision : undefined);
  return {
    ...(chart === undefined ? { path: app.path } : { chart }),
    repoURL,
    ...(targetRevision === undefined ? {} : { targetRevision }),
    ...rest,
  };
}

function finalizersOf(setting: boolean | "foreground" | "background"): string[] | undefined {
  if (setting === false) return undefined;
  return [setting === true ? RESOURCES_FINALIZER : RESOURCES_FINALIZERS[setting]];
}

/** Sync options with `required` first and no repeats. */
function mergeOptions(required: readonly string[], extra: readonly string[]): string[] {
  return [...new Set([...required, ...extra])];
}

/**
 * The Application for one app. With catalog defaults this is exactly the object generate-apps.sh
 * wrote; labels, syncOptions and ignoreDifferences appear only when set.
 */
export function argoApplication(
  app: ResolvedApp,
  catalog: Pick<ResolvedCatalog, "repo" | "argocd">,
  options: { requiredSyncOptions?: readonly string[] } = {},
): ArgoApplication {
  const syncOptions = mergeOptions(options.requiredSyncOptions ?? [], app.syncOptions);
  const argo = app.argocd;
  // The shared classic settings take the classic path below (the same object, as fast as before).
  if (argo !== undefined && argo !== classicArgoAppSettings()) {
    return argoApplicationWith(app, argo, catalog, syncOptions);
  }
  return {
    apiVersion: ARGOCD_API_VERSION,
    kind: "Application",
    metadata: {
      name: app.name,
      namespace: catalog.argocd.namespace,
      ...(Object.keys(app.labels).length > 0 ? { labels: sortedRecord(app.labels) } : {}),
      // The wave annotation wins over a user annotation of the same key: the wave is its one source.
      annotations: sortedRecord({ ...app.annotations, [SYNC_WAVE_ANNOTATION]: String(app.wave) }),
      finalizers: [RESOURCES_FINALIZER],
    },
    spec: {
      destination: { server: IN_CLUSTER_SERVER, namespace: app.namespace },
      project: app.project,
      source: { path: app.path, repoURL: catalog.repo.url, targetRevision: catalog.repo.revision },
      syncPolicy: {
        automated: { prune: true, selfHeal: app.selfHeal },
        ...(syncOptions.length > 0 ? { syncOptions } : {}),
        retry: classicRetry(),
      },
      ...(app.ignoreDifferences.length > 0 ? { ignoreDifferences: app.ignoreDifferences } : {}),
    },
  };
}

/**
 * The Application with the app's Argo CD settings (core/catalog/argocd-application.ts). Built in
 * the classic key order, so with every setting at its default it is byte-identical to the classic
 * object; new keys go after the classic ones of their map.
 */
function argoApplicationWith(
  app: ResolvedApp,
  argo: NonNullable<ResolvedApp["argocd"]>,
  catalog: Pick<ResolvedCatalog, "repo" | "argocd">,
  syncOptions: string[],
): ArgoApplication {
  const finalizers = finalizersOf(argo.resourcesFinalizer);
  return {
    apiVersion: ARGOCD_API_VERSION,
    kind: "Application",
    metadata: {
      name: app.name,
      namespace: catalog.argocd.namespace,
      ...(Object.keys(app.labels).length > 0 ? { labels: sortedRecord(app.labels) } : {}),
      annotations: sortedRecord({ ...app.annotations, [SYNC_WAVE_ANNOTATION]: String(app.wave) }),
      ...(finalizers === undefined ? {} : { finalizers }),
    },
    spec: {
      destination: { ...argo.destination, namespace: app.namespace },
      project: app.project,
      ...(argo.sources === undefined
        ? { source: singleSource(app, catalog.repo) }
        : { sources: structuredClone(argo.sources) }),
      syncPolicy: {
        automated: {
          prune: argo.prune,
          selfHeal: app.selfHeal,
          ...(argo.allowEmpty === undefined ? {} : { allowEmpty: argo.allowEmpty }),
        },
        ...(syncOptions.length > 0 ? { syncOptions } : {}),
        ...(argo.retry === false ? {} : { retry: orderedRetry(argo.retry) }),
        ...(argo.managedNamespaceMetadata === undefined
          ? {}
          : { managedNamespaceMetadata: structuredClone(argo.managedNamespaceMetadata) }),
      },
      ...(app.ignoreDifferences.length > 0 ? { ignoreDifferences: app.ignoreDifferences } : {}),
      ...(argo.revisionHistoryLimit === undefined ? {} : { revisionHistoryLimit: argo.revisionHistoryLimit }),
      ...(Object.keys(argo.spec).length === 0 ? {} : structuredClone(argo.spec)),
    },
  };
}

function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Where the apps of one ApplicationSet come from: a category, its generator and its settings. */
export interface ApplicationSetGroup {
  category: string;
  /** The generator's directories, for messages: `apps/media/*`, or the category's own list. */
  generatorPaths: string;
  settings: ResolvedCategory;
  apps: ResolvedApp[];
}

/** The apps an applicationsets-mode run turns into ApplicationSets, by category in catalog order. */
export function applicationSetGroups(
  catalog: Pick<ResolvedCatalog, "apps" | "categories">,
): ApplicationSetGroup[] {
  const groups = new Map<string, ApplicationSetGroup>();
  for (const app of catalog.apps) {
    if (app.category === undefined) continue;
    let group = groups.get(app.category);
    if (group === undefined) {
      const settings = catalog.categories.get(app.category);
      if (settings === undefined) continue;
      group = {
        category: app.category,
        generatorPaths: settings.directories
          .map((d) => (d.exclude === true ? `not ${d.path}` : d.path))
          .join(", "),
        settings,
        apps: [],
      };
      groups.set(app.category, group);
    }
    group.apps.push(app);
  }
  return [...groups.values()];
}

/** Whether a category's ApplicationSet syncs its Applications wave by wave (RollingSync). */
function rolling(settings: ResolvedCategory): boolean {
  return settings.applicationSet.strategy === "RollingSync";
}

/** The wave most of a group's apps have (ties: the one seen first in catalog order). */
function commonWave(apps: readonly ResolvedApp[]): { wave: number; example: string } {
  const counts = new Map<number, { count: number; example: string }>();
  for (const app of apps) {
    const entry = counts.get(app.wave) ?? { count: 0, example: app.name };
    entry.count++;
    counts.set(app.wave, entry);
  }
  let best = { wave: apps[0]?.wave ?? 0, count: 0, example: apps[0]?.name ?? "" };
  for (const [wave, { count, example }] of counts) {
    if (count > best.count) best = { wave, count, example };
  }
  return { wave: best.wave, example: best.example };
}

/**
 * Argo CD has no dependsOn: order comes from sync waves, which the root app of apps honours for
 * the objects it syncs (with the Application health check, wave N+1 waits for wave N's apps).
 * A dependency must therefore sit in a lower wave than its dependant.
 *
 * With `applicationSets`, the root syncs one ApplicationSet per category and the ApplicationSet
 * controller creates all of a category's Applications at once, outside any wave; Argo CD cannot
 * wait for them to be healthy. So every app of a category must share one wave (it goes on the
 * ApplicationSet, ordering the categories' creation), and no app may depend on an app an
 * ApplicationSet creates. Throws a CatalogError naming every app, key and fix.
 */
export function checkArgoDependencies(
  catalog: ResolvedCatalog,
  options: { applicationSets?: boolean } = {},
): void {
  const byName = new Map(catalog.apps.map((a) => [a.name, a]));
  const issues: CatalogIssue[] = [];
  const fix = "or generate with --mode applications (one Application per app, ordered by waves)";
  const rollingCategories = new Set<string>();
  const setName = (category: string) => catalog.categories.get(category)?.applicationSet.name ?? category;
  if (options.applicationSets === true) {
    for (const group of applicationSetGroups(catalog)) {
      // RollingSync honours per-app waves: one step per wave.
      if (rolling(group.settings)) {
        rollingCategories.add(group.category);
        continue;
      }
      const { wave, example } = commonWave(group.apps);
      for (const app of group.apps) {
        if (app.wave === wave) continue;
        issues.push({
          file: catalog.file,
          key: `apps.${app.name}.wave`,
          message: `${app.name} is in wave ${app.wave}, but ApplicationSet ${group.settings.applicationSet.name} (${group.generatorPaths}) deploys its apps in wave ${wave} (like ${example}): an ApplicationSet creates all its Applications at once, so a per-app wave does nothing; give every app of category ${group.category} the same wave, ${fix}`,
        });
      }
    }
  }
  for (const app of catalog.apps) {
    app.dependsOn.forEach((dep, i) => {
      const other = byName.get(dep);
      if (other === undefined) return;
      const key = `apps.${app.name}.dependsOn[${i}]`;
      const sameRolling =
        other.category !== undefined &&
        other.category === app.category &&
        rollingCategories.has(other.category);
      if (options.applicationSets === true && other.category !== undefined && !sameRolling) {
        const same = other.category === app.category;
        issues.push({
          file: catalog.file,
          key,
          message: same
            ? `${app.name} depends on ${dep}, but both are Applications of ApplicationSet ${setName(other.category)}, which creates them at once; remove the entry, ${fix}`
            : `${app.name} depends on ${dep}, an Application of ApplicationSet ${setName(other.category)}: Argo CD waits for an ApplicationSet to be synced, not for the Applications it creates to be healthy, so it cannot honour this; remove the entry, ${fix}`,
        });
      } else if (other.wave >= app.wave) {
        issues.push({
          file: catalog.file,
          key,
          message: `${app.name} (wave ${app.wave}) depends on ${dep} (wave ${other.wave}); Argo CD orders by wave only${sameRolling ? " (RollingSync steps)" : ""}, so give ${dep} a lower wave than ${app.wave}`,
        });
      }
    });
  }
  if (issues.length > 0) throw new CatalogError(issues);
}

/** The option that makes a sync leave ignored fields alone instead of overwriting them. */
export const RESPECT_IGNORE_DIFFERENCES = "RespectIgnoreDifferences=true";

/**
 * Apps whose Application has `ignoreDifferences` but whose sync options lack
 * RespectIgnoreDifferences=true: Argo CD then ignores the field only when diffing, and every sync
 * still writes it back (an autoscaler's replica count, say). One warning naming them all.
 */
export function ignoreDifferencesWarnings(apps: readonly ResolvedApp[]): string[] {
  const names = apps
    .filter((a) => a.ignoreDifferences.length > 0 && !a.syncOptions.includes(RESPECT_IGNORE_DIFFERENCES))
    .map((a) => a.name);
  if (names.length === 0) return [];
  const shown = listSome(names);
  return [
    `ignoreDifferences without ${RESPECT_IGNORE_DIFFERENCES} in the app's syncOptions for ${shown}: Argo CD ignores those fields when comparing, but every sync still overwrites them (e.g. scales an autoscaled Deployment back); add ${RESPECT_IGNORE_DIFFERENCES} to defaults.syncOptions (or the app's syncOptions, which replace the defaults)`,
  ];
}

/**
 * Apps whose effective sync options include ApplyOutOfSyncOnly=true: allowed (it is what large
 * apps use), with one warning naming them and how it depends on the diff.
 */
export function applyOutOfSyncOnlyWarnings(
  apps: readonly { name: string; syncOptions: readonly string[] }[],
): string[] {
  const names = apps.filter((a) => a.syncOptions.includes(APPLY_OUT_OF_SYNC_ONLY)).map((a) => a.name);
  if (names.length === 0) return [];
  const shown = listSome(names);
  return [`${shown}: ${APPLY_OUT_OF_SYNC_ONLY_WARNING}`];
}

/**
 * An ApplicationSet's template is a Go template (goTemplate: true): `{{` in a string the defaults
 * or a category give an Argo CD Application key (Helm values with `{{ $labels.instance }}`, say)
 * would be rendered by the ApplicationSet controller, not written. Per-app values are safe
 * (templatePatch writes them as literals); defaults and categories that hold `{{` are refused,
 * naming the key and the fix.
 */
export function checkTemplateText(catalog: Pick<ResolvedCatalog, "file" | "defaults" | "categories">): void {
  const issues: CatalogIssue[] = [];
  const levels: Array<{ key: string; settings: Record<string, unknown> }> = [
    { key: "defaults", settings: catalog.defaults as Record<string, unknown> },
    ...[...catalog.categories.values()].map((c) => ({
      key: `categories.${c.name}`,
      settings: c.argocdWritten ?? {},
    })),
  ];
  for (const { key, settings } of levels) {
    for (const setting of Object.keys(argocdApplicationSettings)) {
      const value = settings[setting];
      if (value !== undefined && JSON.stringify(value).includes("{{")) {
        issues.push({
          file: catalog.file,
          key: `${key}.${setting}`,
          message:
            "contains {{, which the ApplicationSet controller would render as a Go template in every Application instead of writing it; set it per app (apps.<name>, written as a literal), or generate with --mode applications",
        });
      }
    }
  }
  if (issues.length > 0) throw new CatalogError(issues);
}

/** Go-template text safe inside an ApplicationSet: `{{` in user data becomes a literal. */
function goLiteral(text: string): string {
  return text.replaceAll("{{", '{{ "{{" }}');
}

/** An Application as an ApplicationSet template renders it: no sync-wave annotation. */
type TemplatedApplication = Omit<ArgoApplication, "metadata"> & {
  metadata: Omit<ArgoApplication["metadata"], "annotations"> & { annotations?: Record<string, string> };
};

/** Drops the sync-wave annotation: nothing syncs an ApplicationSet's Applications in waves. */
function withoutWave(app: ArgoApplication): TemplatedApplication {
  const { annotations: all, ...metadata } = app.metadata;
  const annotations = Object.fromEntries(Object.entries(all).filter(([key]) => key !== SYNC_WAVE_ANNOTATION));
  return {
    ...app,
    metadata: { ...metadata, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
  };
}

// ---- hub and spoke: the cluster generator -----------------------------------------------------

/**
 * Stand-ins for the cluster generator's parameters while the template and its per-app patches are
 * compared (go-template.ts renders only the git generator's): NUL never occurs in catalog values.
 */
const CLUSTER_NAME = "\u0000cluster-name\u0000";
const CLUSTER_SERVER = "\u0000cluster-server\u0000";

/** The Go templates of the cluster generator (argo-cd docs/operator-manual/applicationset/Generators-Cluster.md). */
const CLUSTER_PARAMS: ReadonlyArray<readonly [string, string]> = [
  [CLUSTER_NAME, "{{ .nameNormalized }}"],
  [CLUSTER_SERVER, "{{ .server }}"],
];

/** GitOps Bridge's add-on label for a category: `enable_<category>: "true"`. */
export function addonLabel(category: string): Record<string, string> {
  return { [`enable_${category}`]: "true" };
}

/**
 * An Application as a cluster generator makes it: named after the cluster (the same app on every
 * cluster needs its own name) and sent to the cluster's server.
 */
function onEachCluster(app: TemplatedApplication): TemplatedApplication {
  return {
    ...app,
    metadata: { ...app.metadata, name: `${CLUSTER_NAME}-${app.metadata.name}` },
    spec: { ...app.spec, destination: { server: CLUSTER_SERVER, namespace: app.spec.destination.namespace } },
  };
}

/** Replaces the stand-ins in text (JSON text escapes NUL as \\u0000). */
function clusterParamsInJson(json: string): string {
  let out = json;
  for (const [stand, param] of CLUSTER_PARAMS)
    out = out.replaceAll(JSON.stringify(stand).slice(1, -1), param);
  return out;
}

/**
 * One ApplicationSet per category: a git directory generator over `<categoryDir>/*` (or the
 * category's own `directories:`), Go templates with missingkey=error, Application names from the
 * category's name template (default `<category>-{{ .path.basename }}`), the category's settings
 * (defaults < category) in the template, and `preserveResourcesOnDeletion` (unless turned off) so
 * an Application the generator drops never takes its workloads with it. Sync options: the list the
 * catalog wrote, else the server-side three. The category's wave (every app of it must share one:
 * checkArgoDependencies) goes on the ApplicationSet, which the root app of apps syncs in wave
 * order; the Applications carry no wave annotation, since nothing would honour it. With RollingSync
 * the wave is a label instead, one step per wave; the template keeps its automated sync policy,
 * whose prune the controller uses for the syncs it triggers. Apps whose settings differ from the category's get a
 * `templatePatch` branch keyed on their path, so overrides work without one generator per app.
 */
export function argoApplicationSet(
  group: Pick<ApplicationSetGroup, "settings" | "apps">,
  catalog: Pick<ResolvedCatalog, "repo" | "argocd">,
): ArgoApplicationSet<AppSetGenerator> {
  const { settings: cat, apps } = group;
  const isRolling = rolling(cat);
  const waves = [...new Set([cat.wave, ...apps.map((a) => a.wave)])].sort((a, b) => a - b);
  const wave = isRolling ? (waves[0] ?? cat.wave) : (apps[0]?.wave ?? cat.wave);
  const waveLabel = (value: number) => (isRolling ? { [cat.applicationSet.waveLabel]: String(value) } : {});
  const effective = (app: Pick<ResolvedApp, "syncOptions" | "syncOptionsWritten">) =>
    app.syncOptionsWritten === true ? app.syncOptions : [...SERVER_SIDE_SYNC_OPTIONS];
  // Under RollingSync the template keeps `automated`: the controller turns automated sync off itself
  // but reads automated.prune for the syncs it triggers (argo-cd applicationset/progressivesync
  // progressive_sync.go SyncDesiredApplications); without it those syncs never prune.
  const clusters = cat.applicationSet.clusters;
  const preserve = cat.applicationSet.preserveResourcesOnDeletion;
  const applicationOf = (app: ResolvedApp) => {
    const application = withoutWave(
      argoApplication(
        {
          ...(preserve ? withoutResourcesFinalizer(app) : app),
          syncOptions: effective(app),
          labels: { ...app.labels, ...waveLabel(app.wave) },
        },
        catalog,
      ),
    );
    return clusters === undefined ? application : onEachCluster(application);
  };
  const template = applicationOf({
    name: cat.appName,
    source: "",
    path: "{{ .path.path }}",
    namespace: cat.namespace,
    // Only the RollingSync label reads it (the annotation is dropped): a new directory's wave.
    wave: cat.wave,
    project: cat.project,
    selfHeal: cat.selfHeal,
    syncOptions: cat.syncOptions,
    syncOptionsWritten: cat.syncOptionsWritten,
    ignoreDifferences: cat.ignoreDifferences,
    dependsOn: [],
    labels: cat.labels,
    annotations: cat.annotations,
    // The category's Argo CD settings, with {name}/{path}/{namespace} as the template renders them.
    ...(cat.argocd === undefined ? {} : { argocd: cat.argocd }),
  });
  const branches: string[] = [];
  const templateJson = JSON.stringify(template);
  for (const app of apps) {
    const discoveredPath = app.generatorPath ?? app.path;
    // What the controller renders for this directory, and what the app should be: equal for most apps.
    const renderedJson = renderGoTemplateJson(templateJson, discoveredPath);
    const own = applicationOf(app);
    const full = app.templated === undefined ? own : renderGoTemplates(own, discoveredPath);
    if (JSON.stringify(full) === renderedJson) continue;
    const patch = differences(JSON.parse(renderedJson), full);
    if (patch !== undefined) {
      branches.push(
        `{{- ${branches.length === 0 ? "if" : "else if"} eq .path.path ${JSON.stringify(discoveredPath)} }}\n${clusterParamsInJson(goLiteral(JSON.stringify(patch)))}`,
      );
    }
  }
  const { name, labels, annotations, finalizers } = template.metadata;
  const setLabels = cat.applicationSet.labels ?? {};
  const git: GitDirectoryGenerator = {
    git: {
      repoURL: catalog.repo.url,
      revision: catalog.repo.revision,
      directories: cat.directories.map((d) => ({ ...d })),
    },
  };
  const set: ArgoApplicationSet<AppSetGenerator> = {
    apiVersion: ARGOCD_API_VERSION,
    kind: "ApplicationSet",
    metadata: {
      name: cat.applicationSet.name,
      namespace: catalog.argocd.namespace,
      ...(Object.keys(setLabels).length > 0 ? { labels: sortedRecord(setLabels) } : {}),
      // The wave annotation wins over a user annotation of the same key: the wave is its one source.
      annotations: sortedRecord({ ...cat.applicationSet.annotations, [SYNC_WAVE_ANNOTATION]: String(wave) }),
    },
    spec: {
      goTemplate: true,
      goTemplateOptions: ["missingkey=error"],
      generators: [
        clusters === undefined
          ? git
          : {
              matrix: { generators: [git, { clusters: { selector: clusterSelector(cat.name, clusters) } }] },
            },
      ],
      ...(cat.applicationSet.preserveResourcesOnDeletion
        ? { syncPolicy: { preserveResourcesOnDeletion: true as const } }
        : {}),
      ...(isRolling
        ? {
            strategy: {
              type: "RollingSync" as const,
              rollingSync: {
                steps: waves.map((w) => ({
                  matchExpressions: [
                    { key: cat.applicationSet.waveLabel, operator: "In" as const, values: [String(w)] },
                  ],
                })),
              },
            },
          }
        : {}),
      template: {
        metadata: {
          name,
          ...(labels === undefined ? {} : { labels }),
          ...(annotations === undefined ? {} : { annotations }),
          ...(finalizers === undefined ? {} : { finalizers }),
        },
        spec: template.spec,
      },
      ...(branches.length === 0 ? {} : { templatePatch: `${branches.join("\n")}\n{{- end }}\n` }),
    },
  };
  return clusters === undefined ? set : (JSON.parse(clusterParamsInJson(JSON.stringify(set))) as typeof set);
}

/** The cluster generator's selector: the one written (`{}` selects every cluster), else the add-on label. */
function clusterSelector(
  category: string,
  clusters: NonNullable<ResolvedCategory["applicationSet"]["clusters"]>,
): ClusterGenerator["clusters"]["selector"] {
  if (clusters.selector === undefined) return { matchLabels: addonLabel(category) };
  const { matchLabels, matchExpressions } = clusters.selector;
  return {
    ...(matchLabels === undefined ? {} : { matchLabels: { ...matchLabels } }),
    ...(matchExpressions === undefined ? {} : { matchExpressions: matchExpressions.map((e) => ({ ...e })) }),
  };
}

/**
 * The AppProject of a category that asks for one (`appProject`): the manifest repository as its
 * source, the namespaces its apps deploy to (or the listed destinations) on the in-cluster server,
 * cluster-scoped kinds unless `clusterResources: false`, and the resources finalizer unless
 * `finalizer: false`. Leaving `namespaceResourceWhitelist` out allows every namespaced kind (Argo
 * CD's AppProject semantics).
 */
export function argoAppProject(
  settings: ResolvedCategory,
  apps: readonly ResolvedApp[],
  catalog: Pick<ResolvedCatalog, "repo" | "argocd">,
): ArgoAppProject {
  const options = settings.appProject ?? { clusterResources: true, finalizer: true };
  const namespaces = [
    ...new Set(apps.filter((a) => a.project === settings.project).map((a) => a.namespace)),
  ].sort();
  return {
    apiVersion: ARGOCD_API_VERSION,
    kind: "AppProject",
    metadata: {
      name: settings.project,
      namespace: catalog.argocd.namespace,
      // Argo CD keeps a project with this finalizer until no Application uses it
      // (controller/appcontroller.go finalizeProjectDeletion), so no Application loses its project.
      ...(options.finalizer ? { finalizers: [RESOURCES_FINALIZER] } : {}),
    },
    spec: {
      description:
        options.description ?? `The apps of category ${settings.name}, generated from the app catalog.`,
      sourceRepos: [catalog.repo.url],
      destinations: (
        options.destinations ?? namespaces.map((namespace) => ({ namespace, server: IN_CLUSTER_SERVER }))
      ).map((d) => ({ namespace: d.namespace, server: d.server })),
      clusterResourceWhitelist: options.clusterResources ? [{ group: "*", kind: "*" }] : [],
    },
  };
}

/**
 * A merge patch that turns `base` into `target`: changed map keys recursively, lists and scalars
 * whole, `null` for a key only `base` has (a merge patch deletes it). Undefined when equal.
 */
function differences(base: unknown, target: unknown): unknown {
  if (JSON.stringify(base) === JSON.stringify(target)) return undefined;
  if (isRecord(base) && isRecord(target)) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(target)) {
      const diff = differences(base[key], value);
      if (diff !== undefined) out[key] = diff;
    }
    for (const key of Object.keys(base)) if (!(key in target)) out[key] = null;
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return target;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * `preserveResourcesOnDeletion` works by the ApplicationSet controller adding no resources
 * finalizer, and it adds one only to a template without finalizers (argo-cd
 * applicationset/utils/utils.go, RenderTemplateParams): a finalizer the template writes stays, and
 * an Application the generator drops then deletes its workloads. So with it on, the template and
 * its per-app patches carry no resources finalizer, and a resourcesFinalizer someone wrote for such
 * an app is refused rather than silently dropped. Throws a CatalogError naming each key and the fix.
 */
export function checkPreservedFinalizers(
  catalog: Pick<ResolvedCatalog, "file">,
  groups: readonly Pick<ApplicationSetGroup, "settings" | "apps">[],
): void {
  const issues = new Map<string, CatalogIssue>();
  for (const { settings, apps } of groups) {
    if (!settings.applicationSet.preserveResourcesOnDeletion) continue;
    for (const argo of [settings.argocd, ...apps.map((a) => a.argocd)]) {
      const key = argo?.resourcesFinalizerKey;
      if (argo === undefined || key === undefined || argo.resourcesFinalizer === false || issues.has(key))
        continue;
      issues.set(key, {
        file: catalog.file,
        key,
        message: `is ${JSON.stringify(argo.resourcesFinalizer)} but categories.${settings.name}.applicationSet.preserveResourcesOnDeletion is true: Argo CD keeps a finalizer the ApplicationSet's template writes, so an Application the generator drops would delete its workloads all the same; set resourcesFinalizer: false for these apps (preserved), or preserveResourcesOnDeletion: false (cascading deletes)`,
      });
    }
  }
  if (issues.size > 0) throw new CatalogError([...issues.values()]);
}

/** An app's settings without the resources finalizer (see {@link checkPreservedFinalizers}). */
function withoutResourcesFinalizer<T extends { argocd?: ArgoAppSettings }>(app: T): T {
  return { ...app, argocd: { ...(app.argocd ?? classicArgoAppSettings()), resourcesFinalizer: false } };
}

/**
 * A category with a cluster generator (`applicationSet.clusters`) sends its apps to each selected
 * cluster's server, so nothing else may name a destination, and an AppProject it asks for must list
 * its destinations (the default names the in-cluster server only, where the spokes' Applications
 * would be refused). Throws a CatalogError naming every key and fix.
 */
export function checkClusterGenerators(
  catalog: Pick<ResolvedCatalog, "file">,
  groups: readonly Pick<ApplicationSetGroup, "settings" | "apps">[],
): void {
  const issues: CatalogIssue[] = [];
  for (const { settings, apps } of groups) {
    if (settings.applicationSet.clusters === undefined) continue;
    const key = `categories.${settings.name}`;
    if (settings.appProject !== undefined && settings.appProject.destinations === undefined) {
      issues.push({
        file: catalog.file,
        key: `${key}.appProject.destinations`,
        message:
          'is needed with applicationSet.clusters: the default names only the in-cluster server, and the apps go to the selected clusters; list the spokes\' servers (or server: "*")',
      });
    }
    const elsewhere = [settings.argocd, ...apps.map((a) => a.argocd)].filter(
      (argo) =>
        argo !== undefined &&
        !("server" in argo.destination && argo.destination.server === IN_CLUSTER_SERVER),
    );
    if (elsewhere.length > 0) {
      issues.push({
        file: catalog.file,
        key: `${key}.applicationSet.clusters`,
        message:
          "sends the category's apps to each selected cluster ({{ .server }}), but a destination is set for them (defaults, the category or an app); remove the destination, or the clusters setting",
      });
    }
  }
  if (issues.length > 0) throw new CatalogError(issues);
}
