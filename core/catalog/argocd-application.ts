/**
 * The catalog's Argo CD Application settings beyond the classic shape (issue #11): sync policy
 * (`prune`, `allowEmpty`, `retry`, `managedNamespaceMetadata`), `revisionHistoryLimit`, the
 * resources finalizer, the destination cluster, the source (Helm, plugin, directory, kustomize
 * options, a chart from a Helm repository), several `sources`, and `spec`, an escape hatch for
 * Application spec fields the catalog has no key for.
 *
 * Field names follow argo-cd's Application types (pkg/apis/application/v1alpha1/types.go:
 * ApplicationSpec, SyncPolicy, SyncPolicyAutomated, RetryStrategy, Backoff,
 * ManagedNamespaceMetadata, ApplicationSource, ApplicationSourceHelm, ApplicationSourcePlugin,
 * ApplicationSourceDirectory, ApplicationSourceKustomize, ApplicationDestination).
 *
 * Every key is optional at every level (defaults, a category, an app); an app's value is resolved
 * from the most specific level that sets it, maps (`source`, `retry`, `spec`, …) field by field.
 * With none of them set, an Application is the classic object byte for byte.
 */
import * as z from "zod/mini";
import { DEFAULT_RETRY, IN_CLUSTER_SERVER } from "../argocd/sync";
import { deepFreeze } from "../shared/freeze";
import { annotations, labels } from "../shared/schema";

/** What Argo CD accepts as a backoff duration: whole seconds ("30") or a Go duration ("2m", "1h30m"). */
const ARGO_DURATION = /^(\d+|(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+)$/;

const argoDuration = (what: string) =>
  z.string().check(
    z.refine((value) => ARGO_DURATION.test(value), {
      error: "must be whole seconds such as 30, or a Go duration such as 30s, 2m or 1h30m",
    }),
    z.meta({
      description: `${what}: whole seconds such as 30, or a Go duration such as 30s, 2m or 1h30m.`,
      // For editors: the check above is a refinement, which JSON Schema does not carry by itself.
      pattern: ARGO_DURATION.source,
    }),
  );

/** `retry`: false (none) or a map refining the level above; also the root app's `argocd.root.retry`. */
export const retry = z
  .union(
    [
      z.literal(false),
      z.strictObject({
        limit: z.optional(z.int()).check(
          z.meta({
            description: "Failed sync attempts to retry; less than 0 retries forever. Defaults to 5.",
          }),
        ),
        backoff: z.optional(
          z.strictObject({
            duration: z.optional(argoDuration("First wait. Defaults to 30s")),
            factor: z.optional(z.int().check(z.positive())).check(
              z.meta({
                description: "Each wait is the previous one times this whole number. Defaults to 2.",
              }),
            ),
            maxDuration: z.optional(argoDuration("Longest wait. Defaults to 2m")),
          }),
        ),
        refresh: z.optional(z.boolean()).check(
          z.meta({
            description: "Retry with the latest revision instead of the one that failed (Argo CD ≥ 2.14).",
          }),
        ),
      }),
    ],
    {
      error:
        "must be false (no retry) or a map of limit, backoff (duration, factor, maxDuration) and refresh",
    },
  )
  .check(
    z.meta({
      description:
        "syncPolicy.retry, merged field by field over the level above (default: limit 5, backoff 30s × 2 up to 2m). false writes none: a failed sync is not retried.",
    }),
  );

const helm = z
  .strictObject({
    releaseName: z.optional(z.string().check(z.minLength(1))),
    valueFiles: z.optional(z.array(z.string().check(z.minLength(1)))),
    values: z.optional(z.string()).check(z.meta({ description: "Values as YAML text." })),
    valuesObject: z
      .optional(z.record(z.string(), z.unknown()))
      .check(z.meta({ description: "Values as a map." })),
    parameters: z.optional(
      z.array(
        z.strictObject({
          name: z.string().check(z.minLength(1)),
          value: z.optional(z.string()),
          forceString: z.optional(z.boolean()),
        }),
      ),
    ),
    fileParameters: z.optional(
      z.array(
        z.strictObject({ name: z.string().check(z.minLength(1)), path: z.string().check(z.minLength(1)) }),
      ),
    ),
    version: z.optional(z.enum(["v3"])),
    passCredentials: z.optional(z.boolean()),
    ignoreMissingValueFiles: z.optional(z.boolean()),
    skipCrds: z.optional(z.boolean()),
    skipTests: z.optional(z.boolean()),
    skipSchemaValidation: z.optional(z.boolean()),
    namespace: z.optional(z.string().check(z.minLength(1))),
    kubeVersion: z.optional(z.string().check(z.minLength(1))),
    apiVersions: z.optional(z.array(z.string().check(z.minLength(1)))),
  })
  .check(z.meta({ description: "source.helm: Helm options (ApplicationSourceHelm)." }));

const plugin = z
  .strictObject({
    name: z.optional(z.string().check(z.minLength(1))),
    env: z.optional(z.array(z.strictObject({ name: z.string().check(z.minLength(1)), value: z.string() }))),
    parameters: z.optional(
      z.array(
        z.strictObject({
          name: z.string().check(z.minLength(1)),
          string: z.optional(z.string()),
          array: z.optional(z.array(z.string())),
          map: z.optional(z.record(z.string(), z.string())),
        }),
      ),
    ),
  })
  .check(z.meta({ description: "source.plugin: a config management plugin (ApplicationSourcePlugin)." }));

const directory = z
  .strictObject({
    recurse: z.optional(z.boolean()),
    include: z.optional(z.string()),
    exclude: z.optional(z.string()),
    disableExtensionFilter: z.optional(z.boolean()),
    jsonnet: z.optional(z.record(z.string(), z.unknown())),
  })
  .check(z.meta({ description: "source.directory: plain-directory options (ApplicationSourceDirectory)." }));

/** ApplicationSourceKustomize's fields (types.go); values are written as given. */
const KUSTOMIZE_FIELDS = [
  "namePrefix",
  "nameSuffix",
  "images",
  "commonLabels",
  "version",
  "commonAnnotations",
  "forceCommonLabels",
  "forceCommonAnnotations",
  "namespace",
  "commonAnnotationsEnvsubst",
  "replicas",
  "patches",
  "components",
  "ignoreMissingComponents",
  "labelWithoutSelector",
  "kubeVersion",
  "apiVersions",
  "labelIncludeTemplates",
] as const;

const kustomize = z
  .strictObject(Object.fromEntries(KUSTOMIZE_FIELDS.map((field) => [field, z.optional(z.unknown())])))
  .check(
    z.meta({
      description: "source.kustomize: Kustomize options (ApplicationSourceKustomize), written as given.",
    }),
  );

/** The fields of one source that are not its place (path/ref): type-specific options. */
const sourceOptions = {
  repoURL: z.optional(z.string().check(z.minLength(1))).check(
    z.meta({
      description: "Repository URL. Defaults to repo.url; a chart from a Helm repository needs its URL here.",
    }),
  ),
  targetRevision: z.optional(z.string().check(z.minLength(1))).check(
    z.meta({
      description:
        "Branch, tag, commit, or chart version. Defaults to repo.revision when repoURL is the catalog's.",
    }),
  ),
  chart: z.optional(z.string().check(z.minLength(1))).check(
    z.meta({
      description:
        "A chart from a Helm (or OCI) repository: set repoURL and targetRevision (the version) too.",
    }),
  ),
  name: z
    .optional(z.string().check(z.minLength(1)))
    .check(z.meta({ description: "The source's name (multiple sources)." })),
  helm: z.optional(helm),
  kustomize: z.optional(kustomize),
  directory: z.optional(directory),
  plugin: z.optional(plugin),
};

const source = z.strictObject(sourceOptions).check(
  z.meta({
    description:
      "The Application's source, merged field by field over the level above and over ours (path: the app's directory, repoURL: repo.url, targetRevision: repo.revision). {name}, {namespace} and {path} are replaced in chart, helm.releaseName and helm.valueFiles.",
  }),
);

const sourceEntry = z
  .strictObject({
    ...sourceOptions,
    path: z.optional(z.string().check(z.minLength(1))).check(
      z.meta({
        description: "Directory in the repository; {path} is the app's directory.",
      }),
    ),
    ref: z
      .optional(
        z.string().check(
          z.refine((value) => /^[A-Za-z0-9_-]+$/.test(value), {
            error: "must be letters, digits, '-' and '_', such as values (value files name it as $values/…)",
          }),
        ),
      )
      .check(
        z.meta({
          description: "Names this source for $<ref>/… value files of another source, e.g. values.",
          pattern: "^[A-Za-z0-9_-]+$",
        }),
      ),
  })
  .check(z.meta({ description: "One of several sources." }));

const destination = z
  .strictObject({
    server: z.optional(z.string().check(z.minLength(1))),
    name: z.optional(z.string().check(z.minLength(1))),
  })
  .check(
    z.superRefine((value, ctx) => {
      if ((value.server === undefined) === (value.name === undefined)) {
        ctx.addIssue({
          code: "custom",
          message:
            "give exactly one of server: (the API server URL) or name: (the cluster's name in Argo CD); Argo CD refuses both",
        });
      }
    }),
    z.meta({
      description:
        "The destination cluster, by server URL or by name (exactly one). Defaults to the in-cluster server.",
    }),
  );

/** Application spec keys generate writes from catalog keys; `spec:` may not set them. */
export const OWNED_SPEC_KEYS: Readonly<Record<string, string>> = {
  destination: "namespace and destination",
  project: "project",
  source: "path and source",
  sources: "sources",
  syncPolicy: "prune, selfHeal, allowEmpty, syncOptions, retry and managedNamespaceMetadata",
  ignoreDifferences: "ignoreDifferences",
  revisionHistoryLimit: "revisionHistoryLimit",
};

const specPatch = z.record(z.string(), z.unknown()).check(
  z.superRefine((value, ctx) => {
    for (const key of Object.keys(value)) {
      const instead = OWNED_SPEC_KEYS[key];
      if (instead !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `spec.${key} is written by generate from the catalog; use the catalog's ${instead} key(s) instead`,
        });
      }
    }
  }),
  z.meta({
    description:
      "Escape hatch: Application spec fields the catalog has no key for (e.g. info, sourceHydrator), added to the spec as given (maps merged over the level above). Keys generate writes are refused.",
  }),
);

/**
 * The Argo CD Application keys of every catalog level, spread into `appSettings` so defaults,
 * categories and apps all take them.
 */
export const argocdApplicationSettings = {
  prune: z.optional(z.boolean()).check(
    z.meta({
      description: "syncPolicy.automated.prune: delete what left Git. Defaults to true.",
    }),
  ),
  allowEmpty: z.optional(z.boolean()).check(
    z.meta({
      description:
        "syncPolicy.automated.allowEmpty: let a sync leave the app with no resources. Not written unless set (Argo CD: false).",
    }),
  ),
  retry: z.optional(retry),
  revisionHistoryLimit: z.optional(z.int().check(z.nonnegative())).check(
    z.meta({
      description:
        "spec.revisionHistoryLimit: syncs kept in the history. Not written unless set (Argo CD: 10).",
    }),
  ),
  managedNamespaceMetadata: z
    .optional(
      z.strictObject({
        labels: z.optional(labels()),
        annotations: z.optional(annotations()),
      }),
    )
    .check(
      z.meta({
        description:
          "syncPolicy.managedNamespaceMetadata: labels and annotations on the namespace CreateNamespace=true makes.",
      }),
    ),
  resourcesFinalizer: z
    .optional(
      z.union([z.boolean(), z.enum(["foreground", "background"])], {
        error: "must be true, false, foreground or background",
      }),
    )
    .check(
      z.meta({
        description:
          "The resources finalizer: deleting the Application deletes what it deployed. true (default): resources-finalizer.argocd.argoproj.io; foreground/background: that deletion policy's variant; false: none, so removing the app leaves its resources (CNI, storage).",
      }),
    ),
  destination: z.optional(destination),
  source: z.optional(source),
  sources: z.optional(z.array(sourceEntry).check(z.minLength(1))).check(
    z.meta({
      description:
        "Several sources instead of one (spec.sources), e.g. a chart plus { ref: values } for $values/… value files. An entry without repoURL reads repo.url at repo.revision.",
    }),
  ),
  spec: z.optional(specPatch),
};

type LevelSettings = {
  [K in keyof typeof argocdApplicationSettings]?: z.output<(typeof argocdApplicationSettings)[K]>;
};

export type ApplicationSourceSpec = z.output<typeof sourceEntry>;
export interface RetrySpec {
  limit?: number;
  backoff?: { duration?: string; factor?: number; maxDuration?: string };
  refresh?: boolean;
}

/** An app's resolved Argo CD Application settings. */
export interface ArgoAppSettings {
  prune: boolean;
  /** Written only when set somewhere. */
  allowEmpty?: boolean;
  /** false: no retry block. */
  retry: RetrySpec | false;
  revisionHistoryLimit?: number;
  managedNamespaceMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  resourcesFinalizer: boolean | "foreground" | "background";
  /** The key that set resourcesFinalizer (`defaults.resourcesFinalizer`, …); absent at its default. */
  resourcesFinalizerKey?: string;
  destination: { server: string } | { name: string };
  /** Options added to the single source (placeholders replaced); undefined with `sources`. */
  source?: Omit<ApplicationSourceSpec, "path" | "ref">;
  /** Several sources, complete (repoURL, targetRevision filled, placeholders replaced). */
  sources?: ApplicationSourceSpec[];
  /** Spec keys added as given. */
  spec: Record<string, unknown>;
  /** Whether the Application reads the app's directory from the catalog repository. */
  readsAppDirectory: boolean;
}

/** Finalizer names by setting (argo-cd pkg/apis/application/v1alpha1/application_defaults.go). */
export const RESOURCES_FINALIZERS = {
  foreground: "resources-finalizer.argocd.argoproj.io/foreground",
  background: "resources-finalizer.argocd.argoproj.io/background",
} as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `over` merged onto `base`: maps recursively, anything else (lists included) replaced. */
export function mergeMaps(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isRecord(base) || !isRecord(over)) return structuredClone(over);
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = mergeMaps(base[key], value);
  return out;
}

/** One catalog level: its settings and the key its values are reported under (defaults, apps.x). */
export interface SettingsLevel {
  key: string;
  settings: LevelSettings;
}

export interface ResolveContext {
  name: string;
  namespace: string;
  path: string;
  repo: { url: string; revision: string };
}

export interface SettingsProblem {
  key: string;
  message: string;
}

function expand(text: string, app: ResolveContext): string {
  return text
    .replaceAll("{name}", app.name)
    .replaceAll("{namespace}", app.namespace)
    .replaceAll("{path}", app.path);
}

/** Placeholders are replaced only where a name or path is expected, never inside values. */
function expandSource<T extends Partial<ApplicationSourceSpec>>(source: T, app: ResolveContext): T {
  const out: T = { ...source };
  if (out.path !== undefined) out.path = expand(out.path, app);
  if (out.chart !== undefined) out.chart = expand(out.chart, app);
  if (out.helm !== undefined) {
    out.helm = { ...out.helm };
    if (out.helm.releaseName !== undefined) out.helm.releaseName = expand(out.helm.releaseName, app);
    if (out.helm.valueFiles !== undefined)
      out.helm.valueFiles = out.helm.valueFiles.map((f) => expand(f, app));
  }
  return out;
}

function sourceProblems(source: Partial<ApplicationSourceSpec>, key: string): SettingsProblem[] {
  const out: SettingsProblem[] = [];
  if (source.chart !== undefined && (source.repoURL === undefined || source.targetRevision === undefined)) {
    out.push({
      key,
      message: `chart ${JSON.stringify(source.chart)} needs repoURL (the Helm repository) and targetRevision (the chart version); add ${source.repoURL === undefined ? "repoURL" : "targetRevision"}`,
    });
  }
  if (source.chart !== undefined && source.path !== undefined) {
    out.push({ key, message: "has both chart and path; a source is a chart or a directory, remove one" });
  }
  if (source.helm?.values !== undefined && source.helm.valuesObject !== undefined) {
    out.push({
      key: `${key}.helm`,
      message: "has both values and valuesObject; Argo CD uses only valuesObject then, so keep one",
    });
  }
  const types = (["helm", "kustomize", "directory", "plugin"] as const).filter(
    (t) => source[t] !== undefined,
  );
  if (types.length > 1) {
    out.push({
      key,
      message: `sets ${types.join(" and ")}; a source has one type (Argo CD refuses more), keep one`,
    });
  }
  return out;
}

/**
 * An app's Argo CD settings from its levels, most general first (defaults, category, app).
 * Problems name the key of the level that set the offending value.
 */
export function resolveArgocdApplication(
  levels: readonly SettingsLevel[],
  app: ResolveContext,
): { settings: ArgoAppSettings; problems: SettingsProblem[] } {
  // The common case, cheaply: no level sets any key, so the app gets the shared classic settings.
  if (levels.every((level) => !setsAny(level.settings))) return { settings: CLASSIC_SETTINGS, problems: [] };
  return resolveLevels(levels, app);
}

function resolveLevels(
  levels: readonly SettingsLevel[],
  app: ResolveContext,
): { settings: ArgoAppSettings; problems: SettingsProblem[] } {
  const problems: SettingsProblem[] = [];
  let prune = true;
  let allowEmpty: boolean | undefined;
  let retrySetting = structuredClone(DEFAULT_RETRY) as RetrySpec | false;
  let revisionHistoryLimit: number | undefined;
  let managedNamespaceMetadata: ArgoAppSettings["managedNamespaceMetadata"];
  let resourcesFinalizer: ArgoAppSettings["resourcesFinalizer"] = true;
  let resourcesFinalizerKey: string | undefined;
  let destination: ArgoAppSettings["destination"] = { server: IN_CLUSTER_SERVER };
  let single: { value: Partial<ApplicationSourceSpec>; key: string } | undefined;
  let multiple: { value: ApplicationSourceSpec[]; key: string } | undefined;
  let spec: Record<string, unknown> = {};
  for (const { key, settings: s } of levels) {
    if (s.prune !== undefined) prune = s.prune;
    if (s.allowEmpty !== undefined) allowEmpty = s.allowEmpty;
    if (s.retry !== undefined) {
      // An object refines the inherited retry; after `false` it refines the default.
      retrySetting =
        s.retry === false
          ? false
          : (mergeMaps(
              retrySetting === false ? structuredClone(DEFAULT_RETRY) : retrySetting,
              s.retry,
            ) as RetrySpec);
    }
    if (s.revisionHistoryLimit !== undefined) revisionHistoryLimit = s.revisionHistoryLimit;
    if (s.managedNamespaceMetadata !== undefined) {
      managedNamespaceMetadata = mergeMaps(
        managedNamespaceMetadata ?? {},
        s.managedNamespaceMetadata,
      ) as ArgoAppSettings["managedNamespaceMetadata"];
    }
    if (s.resourcesFinalizer !== undefined) {
      resourcesFinalizer = s.resourcesFinalizer;
      resourcesFinalizerKey = `${key}.resourcesFinalizer`;
    }
    if (s.destination !== undefined) {
      destination =
        s.destination.name !== undefined
          ? { name: s.destination.name }
          : { server: s.destination.server ?? "" };
    }
    if (s.source !== undefined && s.sources !== undefined) {
      problems.push({
        key: `${key}.sources`,
        message: "is set together with source; an Application has one source or several, remove one",
      });
    }
    if (s.sources !== undefined) {
      multiple = { value: s.sources, key: `${key}.sources` };
      single = undefined;
    } else if (s.source !== undefined) {
      single = {
        value: mergeMaps(single?.value ?? {}, s.source) as Partial<ApplicationSourceSpec>,
        key: `${key}.source`,
      };
      multiple = undefined;
    }
    if (s.spec !== undefined) spec = mergeMaps(spec, s.spec) as Record<string, unknown>;
  }

  let source: ArgoAppSettings["source"];
  let sources: ArgoAppSettings["sources"];
  let readsAppDirectory = true;
  if (multiple !== undefined) {
    sources = multiple.value.map((entry, i) => {
      const ours = entry.repoURL === undefined;
      const filled = expandSource(
        {
          ...entry,
          repoURL: entry.repoURL ?? app.repo.url,
          ...(ours && entry.targetRevision === undefined ? { targetRevision: app.repo.revision } : {}),
        },
        app,
      );
      problems.push(...sourceProblems(entry, `${multiple?.key ?? "sources"}[${i}]`));
      return orderedSource(filled);
    });
    readsAppDirectory = sources.some((s) => s.repoURL === app.repo.url && s.path === app.path);
  } else if (single !== undefined) {
    source = expandSource(single.value, app);
    problems.push(...sourceProblems(single.value, single.key));
    readsAppDirectory =
      source.chart === undefined && (source.repoURL === undefined || source.repoURL === app.repo.url);
  }
  return {
    settings: {
      prune,
      ...(allowEmpty === undefined ? {} : { allowEmpty }),
      retry: retrySetting,
      ...(revisionHistoryLimit === undefined ? {} : { revisionHistoryLimit }),
      ...(managedNamespaceMetadata === undefined ? {} : { managedNamespaceMetadata }),
      resourcesFinalizer,
      ...(resourcesFinalizerKey === undefined ? {} : { resourcesFinalizerKey }),
      destination,
      ...(source === undefined ? {} : { source }),
      ...(sources === undefined ? {} : { sources }),
      spec,
      readsAppDirectory,
    },
    problems,
  };
}

/** A source's fields in the order Argo CD's own examples write them. */
const SOURCE_ORDER = [
  "repoURL",
  "chart",
  "path",
  "targetRevision",
  "ref",
  "name",
  "helm",
  "kustomize",
  "directory",
  "plugin",
] as const;

function orderedSource(source: ApplicationSourceSpec): ApplicationSourceSpec {
  const out: Record<string, unknown> = {};
  for (const key of SOURCE_ORDER) if (source[key] !== undefined) out[key] = source[key];
  return out as ApplicationSourceSpec;
}

const SETTING_KEYS = Object.keys(argocdApplicationSettings) as Array<keyof LevelSettings>;

/** Whether a level (defaults, a category, an app) sets any key of this module. */
export function setsAny(settings: LevelSettings): boolean {
  for (const key of SETTING_KEYS) if (settings[key] !== undefined) return true;
  return false;
}

/**
 * The classic settings, shared (frozen) by every app that sets none of these keys; the builder
 * knows them by identity and writes the classic Application directly.
 */
const CLASSIC_SETTINGS: ArgoAppSettings = deepFreeze(
  resolveLevels([], { name: "", namespace: "", path: "", repo: { url: "", revision: "" } }).settings,
);

/** The classic settings: what an app gets when no level sets any key of this module. */
export function classicArgoAppSettings(): ArgoAppSettings {
  return CLASSIC_SETTINGS;
}
