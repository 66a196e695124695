/**
 * Argo CD objects for catalog apps: one Application per app (the classic generate-apps.sh shape),
 * or one ApplicationSet per category with a git directory generator.
 */
import {
  ARGOCD_API_VERSION,
  DEFAULT_RETRY,
  IN_CLUSTER_SERVER,
  RESOURCES_FINALIZER,
  SERVER_SIDE_SYNC_OPTIONS,
  SYNC_WAVE_ANNOTATION,
} from "./argocd-sync";
import {
  CatalogError,
  type CatalogIssue,
  type IgnoreDifference,
  type ResolvedApp,
  type ResolvedCatalog,
} from "./catalog";

/** An Argo CD Application as written to a file; only the fields we set. */
export interface ArgoApplication {
  apiVersion: typeof ARGOCD_API_VERSION;
  kind: "Application";
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    annotations: Record<string, string>;
    finalizers: string[];
  };
  spec: {
    destination: { server: string; namespace: string };
    project: string;
    source: { path: string; repoURL: string; targetRevision: string };
    syncPolicy: {
      automated: { prune: boolean; selfHeal: boolean };
      syncOptions?: string[];
      retry: { backoff: { duration: string; factor: number; maxDuration: string }; limit: number };
    };
    ignoreDifferences?: IgnoreDifference[];
  };
}

export interface ArgoApplicationSet {
  apiVersion: typeof ARGOCD_API_VERSION;
  kind: "ApplicationSet";
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec: {
    goTemplate: true;
    goTemplateOptions: string[];
    generators: Array<{
      git: { repoURL: string; revision: string; directories: Array<{ path: string }> };
    }>;
    template: Omit<ArgoApplication, "apiVersion" | "kind" | "metadata"> & {
      metadata: Omit<ArgoApplication["metadata"], "namespace">;
    };
    templatePatch?: string;
  };
}

function retry(): ArgoApplication["spec"]["syncPolicy"]["retry"] {
  return { backoff: { ...DEFAULT_RETRY.backoff }, limit: DEFAULT_RETRY.limit };
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
        retry: retry(),
      },
      ...(app.ignoreDifferences.length > 0 ? { ignoreDifferences: app.ignoreDifferences } : {}),
    },
  };
}

function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Argo CD has no dependsOn: order comes from sync waves. A dependency must therefore sit in a
 * lower wave than its dependant; anything else is an error naming both apps.
 */
export function checkArgoDependencies(catalog: ResolvedCatalog): void {
  const byName = new Map(catalog.apps.map((a) => [a.name, a]));
  const issues: CatalogIssue[] = [];
  for (const app of catalog.apps) {
    app.dependsOn.forEach((dep, i) => {
      const other = byName.get(dep);
      if (other !== undefined && other.wave >= app.wave) {
        issues.push({
          file: catalog.file,
          key: `apps.${app.name}.dependsOn[${i}]`,
          message: `${app.name} (wave ${app.wave}) depends on ${dep} (wave ${other.wave}); Argo CD orders by wave only, so give ${dep} a lower wave than ${app.wave}`,
        });
      }
    });
  }
  if (issues.length > 0) throw new CatalogError(issues);
}

/** Go-template text safe inside an ApplicationSet: `{{` in user data becomes a literal. */
function goLiteral(text: string): string {
  return text.replaceAll("{{", '{{ "{{" }}');
}

/**
 * One ApplicationSet per category: a git directory generator over `<categoryDir>/*`, Go templates
 * with missingkey=error, Application names `<category>-<dir>`, server-side sync options. Apps whose
 * settings differ from the catalog defaults get a `templatePatch` branch keyed on their path, so
 * overrides work without one generator per app.
 */
export function argoApplicationSet(
  category: string,
  categoryDir: string,
  apps: readonly ResolvedApp[],
  catalog: Pick<ResolvedCatalog, "repo" | "argocd" | "defaults">,
): ArgoApplicationSet {
  const d = catalog.defaults;
  const template = argoApplication(
    {
      name: `${category}-{{ .path.basename }}`,
      source: "",
      path: "{{ .path.path }}",
      namespace: "{{ .path.basename }}",
      wave: d.wave,
      project: d.project,
      selfHeal: d.selfHeal,
      syncOptions: d.syncOptions,
      ignoreDifferences: d.ignoreDifferences,
      dependsOn: [],
      labels: d.labels,
      annotations: d.annotations,
    },
    catalog,
    { requiredSyncOptions: SERVER_SIDE_SYNC_OPTIONS },
  );
  const branches: string[] = [];
  for (const app of apps) {
    const full = argoApplication(app, catalog, { requiredSyncOptions: SERVER_SIDE_SYNC_OPTIONS });
    const dirName = app.name.slice(category.length + 1);
    const discoveredPath = `${categoryDir}/${dirName}`;
    const rendered = {
      ...template,
      metadata: { ...template.metadata, name: app.name },
      spec: templateSpecFor(template, discoveredPath, dirName),
    };
    const patch = differences(rendered, full);
    if (patch !== undefined) {
      branches.push(
        `{{- ${branches.length === 0 ? "if" : "else if"} eq .path.path ${JSON.stringify(discoveredPath)} }}\n${goLiteral(JSON.stringify(patch))}`,
      );
    }
  }
  const { name, labels, annotations, finalizers } = template.metadata;
  return {
    apiVersion: ARGOCD_API_VERSION,
    kind: "ApplicationSet",
    metadata: { name: category, namespace: catalog.argocd.namespace },
    spec: {
      goTemplate: true,
      goTemplateOptions: ["missingkey=error"],
      generators: [
        {
          git: {
            repoURL: catalog.repo.url,
            revision: catalog.repo.revision,
            directories: [{ path: `${categoryDir}/*` }],
          },
        },
      ],
      template: {
        metadata: { name, ...(labels === undefined ? {} : { labels }), annotations, finalizers },
        spec: template.spec,
      },
      ...(branches.length === 0 ? {} : { templatePatch: `${branches.join("\n")}\n{{- end }}\n` }),
    },
  };
}

/** The template as the ApplicationSet controller renders it for one app directory. */
function templateSpecFor(template: ArgoApplication, path: string, dirName: string): ArgoApplication["spec"] {
  return {
    ...template.spec,
    destination: { ...template.spec.destination, namespace: dirName },
    source: { ...template.spec.source, path },
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
