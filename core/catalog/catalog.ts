/**
 * The app catalog: a YAML file that lists the apps GitOps deploys, validated with zod and resolved
 * against the manifest repository's file tree into a flat, ordered list of apps.
 *
 * Pure: the caller supplies the catalog text and a read-only view of the repository (file list and
 * a reader). `generate` writes what the builders make of the result; the stack config reads
 * `bootstrapTarget` of the same file, so the root app points where `generate` writes.
 */
import { readFileSync } from "node:fs";
import { posix } from "node:path";
import { Document, LineCounter, parseDocument, isMap, isScalar, isSeq, type Node } from "yaml";
import * as z from "zod/mini";
import { FORBIDDEN_SYNC_OPTIONS, IN_CLUSTER_SERVER } from "../argocd/sync";
import { DEFAULT_ROOT_PATH } from "../repository/repository";
import { deepFreeze } from "../shared/freeze";
import { closest, excerpt, shortenQuoted, unknownKeyMessage, yamlErrorText } from "../shared/messages";
import { labelKeyProblem, labelValueProblem, RFC1123_LABEL, rfc1123LabelProblem } from "../shared/names";
import { annotations, duration, knownKeys, labels, plainIssueText } from "../shared/schema";

// zod/mini carries no message locale: English, as the classic API sets, for the issues that
// plainIssueText leaves to zod (the stack settings' schemas use the same).
z.config(z.locales.en());
import { plainKustomizationResources } from "./fast-kustomization";
import {
  argocdApplicationSettings,
  classicArgoAppSettings,
  resolveArgocdApplication,
  setsAny,
  type ArgoAppSettings,
} from "./argocd-application";
import {
  fluxAppSchema,
  fluxDefaultsSchema,
  fluxWaveDependencies,
  resolveFluxSettings,
  type ResolvedFluxSettings,
} from "./flux-settings";
import { goTemplateProblem, isGoTemplate, renderGoTemplate, SUPPORTED_EXPRESSIONS } from "./go-template";
import type { RepoView } from "./repo-view";

export type { RepoView } from "./repo-view";

// ---------------------------------------------------------------------------------------------
// Schema

/** Where a catalog's generated files go when it does not say: the classic bootstrap directory. */
export const DEFAULT_OUTPUT = DEFAULT_ROOT_PATH;

const label = (what: string) =>
  z
    .string()
    .check(
      z.maxLength(63),
      z.regex(RFC1123_LABEL),
      z.meta({ description: `${what}: an RFC 1123 label (lower-case letters, digits, '-'; at most 63).` }),
    );

/** A repository-relative path in one spelling: no `./`, no doubled or trailing `/`. */
export function normalPath(value: string): string {
  const normal = posix.normalize(value).replace(/\/+$/, "");
  return normal === "" ? "." : normal;
}

/** Why a repository-relative path is unusable, or undefined when it is fine. */
export function repoPathProblem(value: string): string | undefined {
  if (value.length === 0) return "must not be empty";
  if (value.includes("\\")) return "must use '/' as separator";
  if (value.startsWith("/") || /^[A-Za-z]:/.test(value)) {
    return "is absolute; write it relative to the repository root";
  }
  // Without a dot, no segment is `.` or `..`: the path can be neither the root nor above it.
  if (!value.includes(".")) return undefined;
  const normal = posix.normalize(value);
  if (normal === "." || normal === "./") return "is the repository root; name a directory inside it";
  if (normal === ".." || normal.startsWith("../")) {
    return "escapes the repository root; write a path inside the repository";
  }
  return undefined;
}

const repoPath = (description: string) =>
  z.string().check(
    z.superRefine((value, ctx) => {
      const problem = repoPathProblem(value);
      if (problem !== undefined)
        ctx.addIssue({ code: "custom", message: `${JSON.stringify(value)} ${problem}` });
    }),
    z.meta({ description }),
  );

const wave = z
  .int()
  .check(
    z.nonnegative(),
    z.meta({ description: "Sync wave: a whole number ≥ 0. Lower waves are deployed first." }),
  );

const syncOptions = z.array(z.string().check(z.regex(/^[A-Za-z]+=\S+$/))).check(
  z.superRefine((options, ctx) => {
    options.forEach((option, i) => {
      const why = FORBIDDEN_SYNC_OPTIONS[option];
      if (why !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: [i],
          message: `${option} is not allowed: it ${why}; remove it`,
        });
      }
    });
  }),
  z.meta({
    description:
      "Argo CD sync options, e.g. CreateNamespace=true. ApplyOutOfSyncOnly=true gets a warning about its interaction with the diff (docs/catalog.md).",
  }),
);

export const ignoreDifference = z.strictObject({
  group: z.optional(z.string()),
  kind: z.string().check(z.minLength(1)),
  name: z.optional(z.string()),
  namespace: z.optional(z.string()),
  jsonPointers: z.optional(z.array(z.string().check(z.startsWith("/")))),
  jqPathExpressions: z.optional(z.array(z.string())),
  managedFieldsManagers: z.optional(z.array(z.string())),
});

const appSettings = {
  project: z.optional(label("Argo CD project")),
  selfHeal: z.optional(z.boolean()).check(z.meta({ description: "Argo CD automated selfHeal." })),
  syncOptions: z.optional(syncOptions),
  ignoreDifferences: z
    .optional(z.array(ignoreDifference))
    .check(
      z.meta({ description: "Argo CD ignoreDifferences, e.g. /spec/replicas of an autoscaled Deployment." }),
    ),
  labels: z.optional(
    labels({ templateValues: true }).check(
      z.meta({
        description:
          "Labels on the generated object. A value with {{ }} is a Go template an ApplicationSet renders (applicationsets mode only).",
      }),
    ),
  ),
  annotations: z.optional(
    annotations().check(z.meta({ description: "Annotations on the generated object." })),
  ),
  ...argocdApplicationSettings,
};

/** Per-app Flux settings (Flux only), under one `flux:` key: see ./flux-settings.ts for why. */
const fluxAppSettings = { flux: z.optional(fluxAppSchema) };

const appOverride = z
  .nullable(
    z.strictObject({
      namespace: z.optional(label("Destination namespace. Defaults to the app's directory name")),
      wave: z.optional(wave),
      path: z.optional(
        repoPath("The app's directory, relative to the repository root. Defaults to defaults.path."),
      ),
      dependsOn: z.optional(z.array(label("Name of another app"))).check(
        z.meta({
          description: "Apps that must be ready first. Flux: dependsOn; Argo CD: must be in a lower wave.",
        }),
      ),
      ...appSettings,
      ...fluxAppSettings,
    }),
  )
  .check(
    z.meta({
      description:
        "Adds an app, or overrides a discovered one. `name: {}` or `name:` adds one with defaults.",
    }),
  );

const include = z
  .strictObject({
    kustomization: z.optional(
      repoPath(
        "A kustomization.yaml whose `resources:` entries each name an app directory (the classic layout).",
      ),
    ),
    directories: z.optional(z.string()).check(
      z.meta({
        description: "A glob like apps/*/* : each matching directory is an app, its parent the category.",
      }),
    ),
  })
  .check(
    z.superRefine((value, ctx) => {
      const given = (value.kustomization === undefined ? 0 : 1) + (value.directories === undefined ? 0 : 1);
      if (given !== 1) {
        ctx.addIssue({ code: "custom", message: "give exactly one of `kustomization:` or `directories:`" });
      }
      if (value.directories !== undefined) {
        const problem = globProblem(value.directories);
        if (problem !== undefined) {
          ctx.addIssue({ code: "custom", path: ["directories"], message: problem });
        }
      }
    }),
  );

// ---------------------------------------------------------------------------------------------
// Categories and their ApplicationSets (applicationsets mode)

/** The label RollingSync steps select on, unless `applicationSet.waveLabel` says otherwise. */
export const ROLLING_SYNC_WAVE_LABEL = "gitops-bootstrap/wave";

/** A destination namespace: an RFC 1123 label, or a Go template of the git generator's path. */
const namespaceSetting = z.string().check(
  z.superRefine((value, ctx) => {
    const problem = isGoTemplate(value) ? goTemplateProblem(value) : rfc1123LabelProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: `${excerpt(value)} ${problem}` });
  }),
  z.meta({
    description: `Destination namespace: an RFC 1123 label, or a Go template of the app's directory such as {{index .path.segments 1}} (supported: ${SUPPORTED_EXPRESSIONS}). Defaults to the app's directory name.`,
  }),
);

/** One entry of a git directory generator: a directory or a glob of whole-segment `*`s. */
const generatorDirectory = z.strictObject({
  path: z.string().check(
    z.superRefine((value, ctx) => {
      const problem = generatorPathProblem(value);
      if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
    }),
    z.meta({
      description: "A directory, or a glob whose segments are plain names or *, such as my-apps/*/*.",
    }),
  ),
  exclude: z.optional(z.boolean()).check(
    z.meta({
      description: "Leave out the directories this path matches (it wins over every other entry).",
    }),
  ),
});

// Hub and spoke: a cluster generator over the hub's Argo CD clusters (docs/hub-and-spoke.md).

/** One set-based requirement of a label selector (metav1.LabelSelectorRequirement). */
const labelSelectorRequirement = z
  .strictObject({
    key: z.string().check(
      z.superRefine((value, ctx) => {
        const problem = labelKeyProblem(value);
        if (problem !== undefined)
          ctx.addIssue({ code: "custom", message: `label key ${excerpt(value)} ${problem}` });
      }),
    ),
    operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist"]),
    values: z.optional(z.array(z.string())),
  })
  .check(
    z.superRefine((requirement, ctx) => {
      const needsValues = requirement.operator === "In" || requirement.operator === "NotIn";
      const has = (requirement.values ?? []).length > 0;
      if (needsValues !== has) {
        ctx.addIssue({
          code: "custom",
          path: ["values"],
          message: needsValues
            ? `must list at least one value with operator ${requirement.operator}`
            : `must be left out with operator ${requirement.operator}`,
        });
      }
    }),
  );

const clusterGeneratorSettings = z
  .optional(
    z.strictObject({
      selector: z
        .optional(
          z.strictObject({
            matchLabels: z.optional(labels()),
            matchExpressions: z.optional(z.array(labelSelectorRequirement)),
          }),
        )
        .check(
          z.meta({
            description:
              "The clusters (Argo CD cluster Secrets) the category's apps go to, by label. Defaults to GitOps Bridge's add-on label, matchLabels {enable_<category>: \"true\"}. An empty selector ({}) selects every cluster, the hub's own in-cluster one included.",
          }),
        ),
    }),
  )
  .check(
    z.meta({
      description:
        "Deploy the category's apps to every selected cluster: a matrix of a cluster generator and the git directory generator; Applications are named {{ .nameNormalized }}-<app name> and go to {{ .server }}. Defaults to off (the in-cluster server only).",
    }),
  );

const applicationSetSettings = z
  .prefault(
    z.strictObject({
      name: z.optional(label("The ApplicationSet's name. Defaults to the category")),
      labels: z.optional(labels().check(z.meta({ description: "Labels on the ApplicationSet itself." }))),
      annotations: z.optional(
        annotations().check(
          z.meta({
            description: "Annotations on the ApplicationSet itself (the sync-wave annotation is generate's).",
          }),
        ),
      ),
      preserveResourcesOnDeletion: z._default(z.boolean(), true).check(
        z.meta({
          description:
            "syncPolicy.preserveResourcesOnDeletion: an Application the generator drops leaves its workloads. Defaults to true.",
        }),
      ),
      strategy: z._default(z.enum(["AllAtOnce", "RollingSync"]), "AllAtOnce").check(
        z.meta({
          description:
            "AllAtOnce (Argo CD's default, no strategy written) or RollingSync: one step per wave over the wave label, each step waiting for the previous one to be Healthy. Needs applicationsetcontroller.enable.progressive.syncs.",
        }),
      ),
      waveLabel: z._default(z.string(), ROLLING_SYNC_WAVE_LABEL).check(
        z.superRefine((value, ctx) => {
          const problem = labelKeyProblem(value);
          if (problem !== undefined)
            ctx.addIssue({ code: "custom", message: `label key ${excerpt(value)} ${problem}` });
        }),
        z.meta({
          description: `RollingSync only: the Application label carrying the wave. Defaults to ${ROLLING_SYNC_WAVE_LABEL}.`,
        }),
      ),
      clusters: clusterGeneratorSettings,
    }),
    {},
  )
  .check(z.meta({ description: "The category's ApplicationSet object." }));

const appProjectSettings = z
  .optional(
    z.union([
      z.boolean(),
      z.strictObject({
        description: z
          .optional(z.string())
          .check(z.meta({ description: "spec.description. Defaults to a sentence naming the category." })),
        destinations: z
          .optional(
            z.array(
              z.strictObject({
                namespace: z
                  .string()
                  .check(z.minLength(1), z.meta({ description: "A namespace or a glob such as *." })),
                server: z._default(z.string().check(z.minLength(1)), IN_CLUSTER_SERVER),
              }),
            ),
          )
          .check(
            z.meta({
              description:
                "spec.destinations. Defaults to the category's apps' namespaces on the in-cluster server.",
            }),
          ),
        clusterResources: z._default(z.boolean(), true).check(
          z.meta({
            description: "Allow cluster-scoped kinds (clusterResourceWhitelist */*). Defaults to true.",
          }),
        ),
        finalizer: z._default(z.boolean(), true).check(
          z.meta({
            description:
              "The resources finalizer: Argo CD deletes the project only once no Application uses it. Defaults to true.",
          }),
        ),
      }),
    ]),
  )
  .check(
    z.meta({
      description:
        "Generate an AppProject for the category (named by the category's project, default the category): its repository and its apps' namespaces. Off unless set.",
    }),
  );

const category = z
  .strictObject({
    ...appSettings,
    namespace: z.optional(namespaceSetting),
    wave: z.optional(wave),
    appName: z
      .optional(
        z.string().check(
          z.superRefine((value, ctx) => {
            const problem = isGoTemplate(value) ? goTemplateProblem(value) : rfc1123LabelProblem(value);
            if (problem !== undefined)
              ctx.addIssue({ code: "custom", message: `${excerpt(value)} ${problem}` });
            else if (!isGoTemplate(value))
              ctx.addIssue({
                code: "custom",
                message: `${excerpt(value)} names every app alike; use a Go template such as {{.path.basename}}`,
              });
          }),
        ),
      )
      .check(
        z.meta({
          description:
            "The Application name template, such as my-apps-{{.path.basename}} or {{.path.basename}}. Defaults to <category>-{{ .path.basename }}.",
        }),
      ),
    directories: z.optional(z.array(generatorDirectory).check(z.minLength(1))).check(
      z.meta({
        description:
          "The git generator's own directory list (explicit paths, globs, exclude: true entries); its matches are this category's apps. Defaults to <category dir>/* of the include that found the category.",
      }),
    ),
    applicationSet: applicationSetSettings,
    appProject: appProjectSettings,
  })
  .check(z.meta({ description: "A category's settings: defaults < category < apps.<name>." }));

function generatorPathProblem(value: string): string | undefined {
  const problem = repoPathProblem(value);
  if (problem !== undefined) return `${JSON.stringify(value)} ${problem}`;
  const bad = value
    .split("/")
    .find((s) => s !== "*" && (s.includes("*") || s === "" || s === "." || s === ".."));
  if (bad !== undefined) {
    return `${JSON.stringify(value)}: segment ${JSON.stringify(bad)} is not allowed; each segment is a plain name or *`;
  }
  return undefined;
}

/** The catalog file's schema. `schemas/catalog.schema.json` is generated from it. */
export const CatalogSchema = z
  .strictObject({
    repo: z
      .strictObject({
        url: z
          .string()
          .check(z.minLength(1), z.meta({ description: "The Git repository the GitOps engine reads." })),
        revision: z
          ._default(z.string().check(z.minLength(1)), "HEAD")
          .check(z.meta({ description: "Branch, tag or commit. Defaults to HEAD." })),
      })
      .check(z.meta({ description: "The manifest repository." })),
    output: z._default(
      repoPath(
        "Directory (relative to the repository root) that generate writes and the root app of apps watches. Defaults to manifests/bootstrap.",
      ),
      DEFAULT_OUTPUT,
    ),
    defaults: z
      .prefault(
        z.strictObject({
          path: z._default(z.string(), "manifests/cluster/{name}").check(
            z.meta({
              description: "Directory of an app listed only under apps:. {name} is replaced by the app name.",
            }),
          ),
          wave: z._default(wave, 10),
          ...appSettings,
          project: z._default(label("Argo CD project"), "default"),
          selfHeal: z
            ._default(z.boolean(), true)
            .check(z.meta({ description: "Argo CD automated selfHeal. Defaults to true." })),
          // Not defaulted: in applicationsets mode a list the user wrote replaces the built-in one.
          syncOptions: z.optional(syncOptions),
          namespace: z.optional(namespaceSetting),
          ignoreDifferences: z._default(z.array(ignoreDifference), []),
          labels: z._default(
            labels({ templateValues: true }).check(
              z.meta({ description: "Labels on every generated object." }),
            ),
            {},
          ),
          annotations: z._default(
            annotations().check(z.meta({ description: "Annotations on every generated object." })),
            {},
          ),
          flux: z.optional(fluxDefaultsSchema),
        }),
        {},
      )
      .check(z.meta({ description: "Settings every app gets unless it overrides them." })),
    include: z._default(z.array(include), []).check(
      z.meta({
        description: "Where apps are discovered, in order: kustomization files and directory globs.",
      }),
    ),
    apps: z
      ._default(z.record(label("App name"), appOverride), {})
      .check(z.meta({ description: "Apps added or overridden by name." })),
    categories: z._default(z.record(label("Category"), category), {}).check(
      z.meta({
        description:
          "Settings per category (the parent directory of a `directories:` include's apps, or a category with its own `directories:`): the apps' settings between defaults and apps, and their ApplicationSet.",
      }),
    ),
    argocd: z
      .prefault(z.strictObject({ namespace: z._default(label("Namespace Argo CD runs in"), "argocd") }), {})
      .check(z.meta({ description: "Argo CD settings." })),
    flux: z
      .prefault(
        z.strictObject({
          namespace: z._default(label("Namespace the Kustomizations live in"), "flux-system"),
          gitRepository: z._default(
            label("Name of the GitRepository source in that namespace"),
            "flux-system",
          ),
          interval: z._default(duration(), "10m").check(
            z.meta({
              description:
                "Reconcile interval: a Go duration longer than 0 with the units ms, s, m or h, such as 10m or 1.5h. Defaults to 10m.",
            }),
          ),
          waveDependencies: fluxWaveDependencies,
        }),
        {},
      )
      .check(z.meta({ description: "Flux settings." })),
  })
  .check(
    z.meta({
      title: "gitops-bootstrap app catalog",
      description:
        "The apps `gitops-bootstrap generate` turns into Argo CD Applications/ApplicationSets or Flux Kustomizations.",
    }),
  );

export type CatalogDocument = z.output<typeof CatalogSchema>;
export type CatalogAppOverride = NonNullable<z.output<typeof appOverride>>;
export type IgnoreDifference = z.output<typeof ignoreDifference>;
export type CatalogCategory = z.output<typeof category>;

/** The JSON Schema editors use for catalog files (generated from `CatalogSchema`). */
export function catalogJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(CatalogSchema, { io: "input" });
}

function globProblem(glob: string): string | undefined {
  const problem = repoPathProblem(glob);
  if (problem !== undefined) return `${JSON.stringify(glob)} ${problem}`;
  const segments = glob.split("/");
  if (segments.length < 2 || segments[segments.length - 1] !== "*") {
    return `${JSON.stringify(glob)} must end in /* below a category directory, e.g. apps/*/* or apps/media/*`;
  }
  const bad = segments.find((s) => s !== "*" && (s.includes("*") || s === "" || s === "." || s === ".."));
  if (bad !== undefined) {
    return `${JSON.stringify(glob)}: segment ${JSON.stringify(bad)} is not allowed; each segment is a plain name or *`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Errors

/** One problem in a catalog or a file it includes. */
export interface CatalogIssue {
  /** The file the problem is in, as given (relative to the repository root where possible). */
  file: string;
  /** 1-based line and column, when known. */
  line?: number;
  column?: number;
  /** The key, e.g. `apps.metallb.wave` or `resources[3]`. */
  key: string;
  /** What is wrong and how to fix it. */
  message: string;
}

/** Every problem found in one run; nothing is written when this is thrown. */
export class CatalogError extends Error {
  constructor(public readonly issues: readonly CatalogIssue[]) {
    super(issues.map(formatIssue).join("\n"));
    this.name = "CatalogError";
  }
}

export function formatIssue(issue: CatalogIssue): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}:${issue.column ?? 1}`;
  return shortenQuoted(`${where}: ${issue.key}: ${issue.message}`);
}

/** `a.b[2].c` from a path. */
export function keyOf(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out === "" ? "(top level)" : out;
}

/** Where `path` (and optionally a key inside it) is in a parsed YAML document. */
function locate(
  doc: Document,
  counter: LineCounter,
  path: readonly PropertyKey[],
  key?: string,
): { line?: number; column?: number } {
  let node: unknown = doc.contents;
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === part);
      if (pair === undefined) break;
      node = pair.value ?? pair.key;
    } else if (isSeq(node) && typeof part === "number") {
      const item = node.items[part];
      if (item === undefined) break;
      node = item;
    } else break;
  }
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
    if (pair !== undefined) node = pair.key;
  }
  const range = (node as Node | null)?.range;
  if (range === undefined || range === null) return {};
  const pos = counter.linePos(range[0]);
  return { line: pos.line, column: pos.col };
}

function zodIssues(
  file: string,
  doc: Document,
  counter: LineCounter,
  issues: readonly z.core.$ZodIssue[],
): CatalogIssue[] {
  const out: CatalogIssue[] = [];
  for (const issue of issues) {
    const path = issue.path;
    if (issue.code === "invalid_union") {
      // A key that takes `false` or a map (retry): report the map branch's own issues, by key.
      const nested = issue.errors.find(
        (branch) => branch.length > 0 && branch.every((i) => i.path.length > 0),
      );
      if (nested !== undefined && isMap(doc.getIn(path as unknown[], true))) {
        const inner = nested.map((i) => ({ ...i, path: [...path, ...i.path] }));
        out.push(...zodIssues(file, doc, counter, inner as z.core.$ZodIssue[]));
        continue;
      }
    }
    if (issue.code === "unrecognized_keys") {
      const allowed = knownKeys(CatalogSchema, path);
      for (const key of issue.keys) {
        out.push({
          file,
          ...locate(doc, counter, path, key),
          key: keyOf([...path, key]),
          message: unknownKeyMessage(key, allowed),
        });
      }
      continue;
    }
    let message = issue.message;
    if (issue.code === "invalid_key") {
      const key = String(path[path.length - 1]);
      message = `${excerpt(key)} ${rfc1123LabelProblem(key) ?? "is not a valid key"}; rename it`;
    } else if (
      issue.code === "invalid_format" &&
      issue.format === "regex" &&
      !issue.message.startsWith("does not have the expected form")
    ) {
      // The schema's own message (a Flux duration, a pinned chart version) says what is wrong.
      message = `${excerpt(doc.getIn(path as unknown[]))} ${issue.message}`;
    } else if (issue.code === "invalid_format" && issue.format === "regex" && "input" in issue) {
      const input = String((issue as { input?: unknown }).input);
      message = `${excerpt(input)} ${rfc1123LabelProblem(input) ?? `does not match ${issue.pattern}`}`;
    } else if (issue.code === "invalid_format" && issue.format === "regex") {
      const value = doc.getIn(path as unknown[]);
      message = `${excerpt(value)} ${typeof value === "string" ? (rfc1123LabelProblem(value) ?? `does not match ${issue.pattern}`) : "is invalid"}`;
    } else if (issue.code === "too_big" && issue.origin === "string") {
      const value = doc.getIn(path as unknown[]);
      message = `${excerpt(value)} ${typeof value === "string" ? (rfc1123LabelProblem(value) ?? issue.message) : issue.message}`;
    } else if (
      (issue.code === "invalid_type" && issue.expected === "int") ||
      (issue.code === "too_small" && issue.origin === "number")
    ) {
      const value = excerpt(doc.getIn(path as unknown[]));
      const minimum =
        issue.code === "too_small" ? Number(issue.minimum) + (issue.inclusive ? 0 : 1) : undefined;
      message =
        path[path.length - 1] === "wave"
          ? `${value} is not a wave: use a whole number ≥ 0`
          : `${value} is not allowed: use a whole number${minimum === undefined ? "" : ` ≥ ${minimum}`}`;
    } else if (issue.code === "invalid_type") {
      const value = doc.getIn(path as unknown[]);
      message =
        value === undefined
          ? `is required (expected ${issue.expected})`
          : `expected ${issue.expected}, got ${excerpt(value)}`;
    }
    const at =
      issue.code === "invalid_key"
        ? locate(doc, counter, path.slice(0, -1), String(path[path.length - 1]))
        : locate(doc, counter, path);
    out.push({ file, ...at, key: keyOf(path), message });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parsing

/** Parses and schema-checks a catalog file's text; throws CatalogError naming file, line and key. */
export function parseCatalog(text: string, file: string): CatalogDocument {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new CatalogError(
      doc.errors.map((e) => {
        const pos = counter.linePos(e.pos[0]);
        const duplicate = e.code === "DUPLICATE_KEY";
        return {
          file,
          line: pos.line,
          column: pos.col,
          key: duplicate ? "apps" : "(yaml)",
          message: duplicate
            ? `duplicate key: ${yamlErrorText(e.message)}; each app (and each key) may appear once, merge the two entries`
            : `${yamlErrorText(e.message)}; fix the YAML syntax`,
        };
      }),
    );
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    // Not a catalog at all (a key, a certificate, a list): say so without quoting any of it.
    throw new CatalogError([
      {
        file,
        key: "(top level)",
        message: `is not a catalog: a catalog is a YAML mapping with repo:, include: and apps:, but this file holds ${isSeq(doc.contents) ? "a list" : "a single text value"}; pass the catalog file`,
      },
    ]);
  }
  const result = CatalogSchema.safeParse(doc.toJS() ?? {}, { error: plainIssueText });
  if (!result.success) throw new CatalogError(zodIssues(file, doc, counter, result.error.issues));
  const problems: CatalogIssue[] = [];
  if (!result.data.defaults.path.includes("{name}")) {
    problems.push({
      file,
      ...locate(doc, counter, ["defaults", "path"]),
      key: "defaults.path",
      message: `${JSON.stringify(result.data.defaults.path)} must contain {name}, e.g. manifests/cluster/{name}`,
    });
  } else {
    const unknown = /\{(?!name\})[^}]*\}/.exec(result.data.defaults.path);
    if (unknown !== null) {
      problems.push({
        file,
        ...locate(doc, counter, ["defaults", "path"]),
        key: "defaults.path",
        message: `unknown placeholder ${unknown[0]}; only {name} is replaced`,
      });
    }
  }
  if (problems.length > 0) throw new CatalogError(problems);
  return result.data;
}

/** What the root app of apps needs from a catalog: one source of truth for where apps live. */
export interface BootstrapTarget {
  /** The repository URL (Argo CD `repoURL`; Flux GitRepository `url`). */
  repoURL: string;
  /** The revision (Argo CD `targetRevision`). */
  revision: string;
  /** The directory `generate` writes, relative to the repository root, without a leading `./`. */
  path: string;
}

/** The root app's source for a parsed catalog: `repo` and `output`. */
export function bootstrapTarget(catalog: CatalogDocument): BootstrapTarget {
  return {
    repoURL: catalog.repo.url,
    revision: catalog.repo.revision,
    path: normalPath(catalog.output),
  };
}

/**
 * Reads a catalog file and returns where its generated manifests live, for the stack config's
 * root app (`manifests.catalog: path/to/apps.yaml`). Throws CatalogError on a bad catalog.
 */
export function readBootstrapTarget(catalogFile: string): BootstrapTarget {
  return bootstrapTarget(parseCatalog(readFileSync(catalogFile, "utf8"), catalogFile));
}

// ---------------------------------------------------------------------------------------------
// Resolution against the repository tree

/** Why `path` is not a directory of the repository, when a symbolic link on it explains it. */
function linkProblem(repo: RepoView, path: string): string | undefined {
  const link = repo.linkOn(path);
  return link === undefined
    ? undefined
    : `${link.at} is ${link.what}: Git keeps only the link, so the engine finds no directory there; move the directory into the repository (a link inside it is fine)`;
}

/** One app, with every setting resolved. */
export interface ResolvedApp {
  name: string;
  /** The category (parent directory) of an app found by a `directories:` glob. */
  category?: string;
  /** The glob directory (e.g. apps/media) whose `*` children are this category's apps. */
  categoryDir?: string;
  /** Where the app came from, for messages. */
  source: string;
  path: string;
  namespace: string;
  wave: number;
  project: string;
  selfHeal: boolean;
  syncOptions: string[];
  ignoreDifferences: IgnoreDifference[];
  dependsOn: string[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /**
   * The directory the category's git generator yields for this app (the app's discovered path),
   * which its ApplicationSet's templates are rendered against. Only for apps of a category.
   */
  generatorPath?: string;
  /** Whether any level (defaults, category, app) wrote `syncOptions`. */
  syncOptionsWritten?: boolean;
  /** The catalog keys of labels/annotations whose value is a Go template, e.g. `defaults.labels.tier`. */
  templated?: string[];
  /**
   * Argo CD Application settings (sync policy, finalizer, destination, sources, spec extras),
   * defaults < category < app; absent: the classic Application. core/catalog/argocd-application.ts.
   */
  argocd?: ArgoAppSettings;
  /**
   * Flux Kustomization settings (`defaults.flux` and `apps.<name>.flux`); resolveCatalog always
   * sets them, an app built elsewhere (an ApplicationSet template) may leave them out.
   */
  flux?: ResolvedFluxSettings;
}

/** A category with its settings resolved (defaults < category): what its ApplicationSet's template carries. */
export interface ResolvedCategory {
  name: string;
  /** The git generator's entries: `<category dir>/*`, or the category's own `directories:`. */
  directories: Array<{ path: string; exclude?: boolean }>;
  /** The glob directory of a category an include found (e.g. apps/media). */
  dir?: string;
  /** The Application name template. */
  appName: string;
  /** Destination namespace: a label or a Go template. */
  namespace: string;
  wave: number;
  project: string;
  selfHeal: boolean;
  syncOptions: string[];
  syncOptionsWritten: boolean;
  ignoreDifferences: IgnoreDifference[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  applicationSet: CatalogCategory["applicationSet"] & { name: string };
  appProject?: {
    description?: string;
    destinations?: Array<{ namespace: string; server: string }>;
    clusterResources: boolean;
    finalizer: boolean;
  };
  /**
   * The Argo CD Application settings (defaults < category) the template carries, with {name},
   * {namespace} and {path} as the template's Go templates; absent: the classic Application.
   */
  argocd?: ArgoAppSettings;
  /** The Argo CD Application keys the category itself writes (checked for `{{`). */
  argocdWritten?: Record<string, unknown>;
}

/** The Application name template of a category that does not set `appName`: `<category>-<dir>`. */
export function defaultAppName(category: string): string {
  return `${category}-{{ .path.basename }}`;
}

export interface ResolvedCatalog {
  file: string;
  repo: { url: string; revision: string };
  output: string;
  defaults: CatalogDocument["defaults"];
  argocd: CatalogDocument["argocd"];
  flux: CatalogDocument["flux"];
  /** Apps in catalog order: includes in order, then apps only listed under `apps:`. */
  apps: ResolvedApp[];
  /** Every category an app belongs to, by name, in the order their first app comes. */
  categories: Map<string, ResolvedCategory>;
  /** Things worth saying that are not errors. */
  warnings: string[];
  /** The repository the apps were resolved against (Flux reads app directories for Namespaces). */
  view?: RepoView;
}

interface Discovered {
  name: string;
  dirName: string;
  path: string;
  category?: string;
  categoryDir?: string;
  /** Set for apps a category's generator yields: the directory it yields. */
  generatorPath?: string;
  source: string;
  key: string;
  file: string;
  line?: number;
  column?: number;
}

/** A directory name that joins to a path without normalising: no `/`, and not `.` or `..`. */
const PLAIN_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

function fromKustomization(
  catalogFile: string,
  index: number,
  file: string,
  repo: RepoView,
  issues: CatalogIssue[],
): Discovered[] {
  const includeKey = `include[${index}].kustomization`;
  const text = repo.kind(file) === "file" ? repo.read(file) : undefined;
  if (text === undefined) {
    issues.push({
      file: catalogFile,
      key: includeKey,
      message: `${file} does not exist in the repository; fix the path (it is relative to the repository root) or remove the include`,
    });
    return [];
  }
  // A plain list (the usual case) is read line by line; anything else as a YAML document.
  const plain = plainKustomizationResources(text);
  const counter = new LineCounter();
  const doc =
    plain === undefined ? parseDocument(text, { lineCounter: counter, prettyErrors: false }) : new Document();
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const pos = first === undefined ? undefined : counter.linePos(first.pos[0]);
    issues.push({
      file,
      line: pos?.line,
      column: pos?.col,
      key: "(yaml)",
      message: `${yamlErrorText(first?.message ?? "invalid YAML")}; fix the YAML syntax (included by ${catalogFile} ${includeKey})`,
    });
    return [];
  }
  const resources: unknown =
    plain?.map((entry) => entry.value) ?? (doc.toJS() as { resources?: unknown } | null)?.resources ?? [];
  if (!Array.isArray(resources)) {
    issues.push({
      file,
      ...locate(doc, counter, ["resources"]),
      key: "resources",
      message: "must be a list",
    });
    return [];
  }
  if (resources.length === 0) {
    issues.push({
      file,
      ...locate(doc, counter, ["resources"]),
      key: "resources",
      message: `lists no app directory (included by ${catalogFile} ${includeKey}): an include that finds nothing would delete every app it found before; list the app directories or remove the include`,
    });
    return [];
  }
  const base = posix.dirname(file);
  const out: Discovered[] = [];
  resources.forEach((entry: unknown, i) => {
    const key = `resources[${i}]`;
    const position = plain?.[i];
    const at =
      position === undefined
        ? { file, ...locate(doc, counter, ["resources", i]), key }
        : { file, line: position.line, column: position.column, key };
    if (typeof entry !== "string") {
      issues.push({ ...at, message: `must be a directory name, got ${excerpt(entry)}` });
      return;
    }
    if (entry.includes("://") || entry.startsWith("github.com/")) {
      issues.push({
        ...at,
        message: `${entry} is a remote resource, not an app directory; list it elsewhere`,
      });
      return;
    }
    // A plain directory name (the usual entry) is joined as it is; anything else is normalised.
    const path = PLAIN_NAME.test(entry)
      ? base === "."
        ? entry
        : `${base}/${entry}`
      : posix.join(base, entry).replace(/\/+$/, "");
    const problem = repoPathProblem(path === "." ? "" : path);
    if (problem !== undefined || path === ".") {
      issues.push({
        ...at,
        message: `${entry} resolves to ${path}, which ${problem ?? "is the repository root"}`,
      });
      return;
    }
    const kind = repo.kind(path);
    if (kind === "file") {
      issues.push({
        ...at,
        message: `${entry} is a file; each resources entry must name an app directory (move the file into one)`,
      });
      return;
    }
    if (kind !== "directory") {
      issues.push({
        ...at,
        message: `${entry}: ${linkProblem(repo, path) ?? `directory ${path} does not exist; create it or remove the entry`}`,
      });
      return;
    }
    const name = posix.basename(path);
    const nameProblem = rfc1123LabelProblem(name);
    if (nameProblem !== undefined) {
      issues.push({
        ...at,
        message: `app name ${JSON.stringify(name)} ${nameProblem}; rename the directory`,
      });
      return;
    }
    out.push({ name, dirName: name, path, source: `${file} ${key}`, ...at });
  });
  return out;
}

function fromDirectories(
  catalogFile: string,
  index: number,
  glob: string,
  repo: RepoView,
  issues: CatalogIssue[],
  categories: CatalogDocument["categories"] = {},
): Discovered[] {
  const key = `include[${index}].directories`;
  // Expanded level by level: only the directories the glob can reach are read.
  let level = [""];
  const segments = glob.split("/");
  segments.forEach((segment, depth) => {
    const last = depth === segments.length - 1;
    const next: string[] = [];
    for (const dir of level) {
      const join = (name: string) => (dir === "" ? name : `${dir}/${name}`);
      if (segment !== "*") {
        if (repo.kind(join(segment)) === "directory") next.push(join(segment));
        else if (last) {
          const link = repo.linkOn(join(segment));
          if (link?.at === join(segment))
            issues.push({ file: catalogFile, key, message: linkProblem(repo, link.at) ?? link.what });
        }
        continue;
      }
      for (const entry of repo.entries(dir)) {
        if (entry.name.startsWith(".")) continue;
        if (entry.kind === "directory") next.push(join(entry.name));
        else if (entry.kind === "link" && last) {
          issues.push({ file: catalogFile, key, message: linkProblem(repo, join(entry.name)) ?? entry.what });
        }
      }
    }
    level = next;
  });
  const matches = level.sort();
  if (matches.length === 0) {
    issues.push({
      file: catalogFile,
      key,
      message: `${glob} matches no directory in the repository: an include that finds nothing would delete every app it found before; fix the glob (it is relative to the repository root) or remove the include`,
    });
  }
  const out: Discovered[] = [];
  for (const path of matches) {
    const parts = path.split("/");
    const dirName = parts[parts.length - 1] ?? "";
    const category = parts[parts.length - 2] ?? "";
    const template = categories[category]?.appName;
    if (categories[category]?.directories !== undefined) {
      issues.push({
        file: catalogFile,
        key,
        message: `${path}: category ${category} has its own categories.${category}.directories, which list its apps; remove the category's directories from this glob (e.g. list the others) or drop categories.${category}.directories`,
      });
      continue;
    }
    const name = template === undefined ? `${category}-${dirName}` : renderName(template, path);
    const problem =
      rfc1123LabelProblem(category) === undefined && rfc1123LabelProblem(dirName) === undefined
        ? rfc1123LabelProblem(name)
        : "has a category or app directory name that is not an RFC 1123 label";
    if (problem !== undefined) {
      issues.push({
        file: catalogFile,
        key,
        message: `${path}: app name ${JSON.stringify(name)} (${template === undefined ? "<category>-<app>" : `categories.${category}.appName`}) ${problem}; rename the directory`,
      });
      continue;
    }
    out.push({
      name,
      dirName,
      path,
      category,
      categoryDir: parts.slice(0, -1).join("/"),
      generatorPath: path,
      source: `${catalogFile} ${key} (${path})`,
      key,
      file: catalogFile,
    });
  }
  return out;
}

/** An Application name from a name template (checked by the schema) for one directory. */
function renderName(template: string, path: string): string {
  try {
    return renderGoTemplate(template, path);
  } catch (error) {
    return `(${error instanceof Error ? error.message : String(error)})`;
  }
}

/** Whether a generator path (plain names and whole-segment `*`s) matches a directory. */
function generatorMatches(pattern: string, dir: string): boolean {
  const want = pattern.split("/");
  const parts = dir.split("/");
  return (
    parts.length === want.length &&
    parts.every((p, i) => (want[i] === "*" ? !p.startsWith(".") : p === want[i]))
  );
}

/** The directories a generator path (plain names and whole-segment `*`s) matches, read level by level. */
function directoriesMatching(pattern: string, repo: RepoView): string[] {
  let level = [""];
  for (const segment of pattern.split("/")) {
    const next: string[] = [];
    for (const dir of level) {
      const join = (name: string) => (dir === "" ? name : `${dir}/${name}`);
      if (segment !== "*") {
        if (repo.kind(join(segment)) === "directory") next.push(join(segment));
        continue;
      }
      for (const entry of repo.entries(dir)) {
        if (entry.kind === "directory" && !entry.name.startsWith(".")) next.push(join(entry.name));
      }
    }
    level = next;
  }
  return level;
}

/**
 * The apps of a category with its own `directories:`: what Argo CD's git directory generator
 * yields for them (a directory any entry matches and no `exclude: true` entry matches; argo-cd
 * applicationset/generators/git.go filterApps), sorted.
 */
function fromCategoryDirectories(
  catalogFile: string,
  category: string,
  settings: CatalogCategory,
  repo: RepoView,
  issues: CatalogIssue[],
): Discovered[] {
  const entries = settings.directories ?? [];
  const key = `categories.${category}.directories`;
  const found = new Set<string>();
  entries.forEach((entry, i) => {
    if (entry.exclude === true) return;
    const path = normalPath(entry.path);
    const matches = directoriesMatching(path, repo);
    if (matches.length === 0) {
      issues.push({
        file: catalogFile,
        key: `${key}[${i}].path`,
        message: `${linkProblem(repo, path) ?? `${path} matches no directory in the repository`}: an entry that finds nothing would delete every app it found before; fix the path (it is relative to the repository root) or remove the entry`,
      });
    }
    for (const match of matches) found.add(match);
  });
  const excluded = entries.filter((e) => e.exclude === true).map((e) => normalPath(e.path));
  const kept = [...found].filter((dir) => !excluded.some((pattern) => generatorMatches(pattern, dir))).sort();
  if (found.size > 0 && kept.length === 0) {
    issues.push({
      file: catalogFile,
      key,
      message: `the exclude entries leave no directory: the ApplicationSet would delete every Application it made; fix the entries`,
    });
  }
  const template = settings.appName ?? defaultAppName(category);
  const out: Discovered[] = [];
  for (const path of kept) {
    const dirName = posix.basename(path);
    const name = renderName(template, path);
    const problem = rfc1123LabelProblem(name);
    if (problem !== undefined) {
      issues.push({
        file: catalogFile,
        key: settings.appName === undefined ? key : `categories.${category}.appName`,
        message: `${path}: app name ${JSON.stringify(name)} ${problem}; rename the directory or change categories.${category}.appName`,
      });
      continue;
    }
    out.push({
      name,
      dirName,
      path,
      category,
      generatorPath: path,
      source: `${catalogFile} ${key} (${path})`,
      key,
      file: catalogFile,
    });
  }
  return out;
}

/** The key of the most specific level that set `labels.<name>` (or annotations) of an app. */
/** What an app inherits unless it sets its own: one frozen copy per category for apps that set none. */
interface SharedSettings {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  templated: string[];
  syncOptions: string[] | undefined;
  ignoreDifferences: IgnoreDifference[];
  flux: ResolvedFluxSettings;
}

const NO_NAMES: string[] = Object.freeze([]) as unknown as string[];

/** Whether an app's own entry leaves every {@link SharedSettings} field to the levels above. */
function ownsShared(override: CatalogAppOverride): boolean {
  return (
    override.labels === undefined &&
    override.annotations === undefined &&
    override.syncOptions === undefined &&
    override.ignoreDifferences === undefined &&
    override.flux === undefined
  );
}

function settingKey(
  field: "labels" | "annotations",
  name: string,
  app: string,
  override: CatalogAppOverride,
  category: string | undefined,
  settings: CatalogCategory | undefined,
): string {
  if (override[field]?.[name] !== undefined) return `apps.${app}.${field}.${name}`;
  if (category !== undefined && settings?.[field]?.[name] !== undefined) {
    return `categories.${category}.${field}.${name}`;
  }
  return `defaults.${field}.${name}`;
}

/**
 * Resolves a parsed catalog against the repository: discovers apps, applies defaults and
 * overrides, checks names, paths and dependencies. Throws CatalogError with every problem found.
 */
export function resolveCatalog(catalog: CatalogDocument, file: string, repo: RepoView): ResolvedCatalog {
  const issues: CatalogIssue[] = [];
  const warnings: string[] = [];

  const discovered = new Map<string, Discovered>();
  const categories = new Map<string, string>();
  catalog.include.forEach((entry, i) => {
    const found =
      entry.kustomization !== undefined
        ? fromKustomization(file, i, normalPath(entry.kustomization), repo, issues)
        : fromDirectories(file, i, entry.directories ?? "", repo, issues, catalog.categories);
    addDiscovered(found);
  });
  for (const [name, settings] of Object.entries(catalog.categories)) {
    if (settings.directories !== undefined) {
      addDiscovered(fromCategoryDirectories(file, name, settings, repo, issues));
    }
  }
  function addDiscovered(found: readonly Discovered[]): void {
    for (const app of found) {
      const previous = discovered.get(app.name);
      if (previous !== undefined) {
        issues.push({
          file: app.file,
          line: app.line,
          column: app.column,
          key: app.key,
          message: `duplicate app ${JSON.stringify(app.name)}: ${app.path} and ${previous.path} (from ${previous.source}); list each app once`,
        });
        continue;
      }
      if (app.category !== undefined && app.categoryDir !== undefined) {
        const other = categories.get(app.category);
        if (other !== undefined && other !== app.categoryDir) {
          issues.push({
            file,
            key: app.key,
            message: `duplicate category ${JSON.stringify(app.category)}: ${app.categoryDir} and ${other}; rename one directory`,
          });
          continue;
        }
        categories.set(app.category, app.categoryDir);
      }
      discovered.set(app.name, app);
    }
  }
  const found = new Set([...discovered.values()].map((a) => a.category));
  for (const [name, settings] of Object.entries(catalog.categories)) {
    // A category with its own directories has already said why it found nothing.
    if (found.has(name) || settings.directories !== undefined) continue;
    const known = [...found].filter((c): c is string => c !== undefined);
    const guess = closest(name, known);
    issues.push({
      file,
      key: `categories.${name}`,
      message: `no include finds a category ${JSON.stringify(name)}${guess === undefined ? "" : `; did you mean ${JSON.stringify(guess)}?`} (a category is the parent directory of a \`directories:\` include's apps); fix the name, give it its own directories:, or remove it`,
    });
  }

  const d = catalog.defaults;
  const apps: ResolvedApp[] = [];
  const reported = new Set<string>();
  // Whether defaults and a category leave every Argo CD Application key unset (memoised per category).
  const classicAbove = new Map<string | undefined, boolean>();
  const build = (base: Discovered, override: CatalogAppOverride): ResolvedApp => {
    const app = buildApp(base, override);
    const c = base.category === undefined ? undefined : catalog.categories[base.category];
    let classic = classicAbove.get(base.category);
    if (classic === undefined) {
      classic = !setsAny(d) && (c === undefined || !setsAny(c));
      classicAbove.set(base.category, classic);
    }
    // What resolveArgocdApplication answers when no level sets a key, without building the levels.
    if (classic && !setsAny(override)) {
      app.argocd = classicArgoAppSettings();
      return app;
    }
    const argo = resolveArgocdApplication(
      [
        { key: "defaults", settings: d },
        ...(c === undefined ? [] : [{ key: `categories.${base.category}`, settings: c }]),
        { key: `apps.${base.name}`, settings: override },
      ],
      { name: app.name, namespace: app.namespace, path: app.path, repo: catalog.repo },
    );
    // A problem of a shared level (defaults, a category) is found for every app: report it once.
    for (const problem of argo.problems) {
      const id = `${problem.key}\n${problem.message}`;
      if (reported.has(id)) continue;
      reported.add(id);
      issues.push({ file, ...problem });
    }
    app.argocd = argo.settings;
    return app;
  };
  const buildApp = (base: Discovered, override: CatalogAppOverride): ResolvedApp => {
    const c = base.category === undefined ? undefined : catalog.categories[base.category];
    const path = override.path === undefined ? base.path : normalPath(override.path);
    const namespaceSource = override.namespace ?? c?.namespace ?? d.namespace;
    let namespace = base.dirName;
    if (namespaceSource !== undefined) {
      try {
        namespace = renderGoTemplate(namespaceSource, base.generatorPath ?? path);
      } catch (error) {
        issues.push({
          file,
          key:
            override.namespace === undefined && c?.namespace !== undefined
              ? `categories.${base.category}.namespace`
              : override.namespace === undefined
                ? "defaults.namespace"
                : `apps.${base.name}.namespace`,
          message: `${error instanceof Error ? error.message : String(error)} (app ${base.name}); use a smaller index`,
        });
      }
    }
    const { labels, annotations, templated, syncOptions, ignoreDifferences, flux } = ownsShared(override)
      ? sharedOf(base.category, c)
      : mergedSettings(base, override, c);
    return {
      name: base.name,
      ...(base.category === undefined ? {} : { category: base.category, categoryDir: base.categoryDir }),
      source: base.source,
      path,
      namespace,
      wave: override.wave ?? c?.wave ?? d.wave,
      project: override.project ?? c?.project ?? (c?.appProject ? base.category : undefined) ?? d.project,
      selfHeal: override.selfHeal ?? c?.selfHeal ?? d.selfHeal,
      syncOptions: syncOptions ?? NO_NAMES,
      ignoreDifferences,
      dependsOn: override.dependsOn === undefined ? NO_NAMES : [...override.dependsOn],
      labels,
      annotations,
      ...(base.generatorPath === undefined ? {} : { generatorPath: base.generatorPath }),
      ...(syncOptions === undefined ? {} : { syncOptionsWritten: true }),
      ...(templated.length === 0 ? {} : { templated }),
      flux,
    };
  };
  /** The settings an app takes from the levels above it, merged for this app. */
  const mergedSettings = (
    base: Discovered,
    override: CatalogAppOverride,
    c: CatalogCategory | undefined,
  ): SharedSettings => {
    const labels = { ...d.labels, ...c?.labels, ...override.labels };
    const annotations = { ...d.annotations, ...c?.annotations, ...override.annotations };
    const syncOptions = override.syncOptions ?? c?.syncOptions ?? d.syncOptions;
    return {
      labels,
      annotations,
      templated: [
        ...Object.entries(labels)
          .filter(([, v]) => isGoTemplate(v))
          .map(([k]) => settingKey("labels", k, base.name, override, base.category, c)),
        ...Object.entries(annotations)
          .filter(([, v]) => isGoTemplate(v))
          .map(([k]) => settingKey("annotations", k, base.name, override, base.category, c)),
      ],
      syncOptions: syncOptions === undefined ? undefined : [...syncOptions],
      ignoreDifferences: structuredClone(
        override.ignoreDifferences ?? c?.ignoreDifferences ?? d.ignoreDifferences,
      ),
      flux: resolveFluxSettings(override.flux, d.flux),
    };
  };
  // An app that sets none of them shares its category's (or the defaults') merged settings with
  // every such app, frozen: 10,000 apps then hold one copy instead of 10,000.
  const shared = new Map<string | undefined, SharedSettings>();
  const sharedOf = (category: string | undefined, c: CatalogCategory | undefined): SharedSettings => {
    let settings = shared.get(category);
    if (settings === undefined) {
      // No app's own key is involved, so the app named in settingKey's messages does not matter.
      settings = deepFreeze(
        mergedSettings({ name: "", dirName: "", path: "", source: "", key: "", file, category }, {}, c),
      );
      shared.set(category, settings);
    }
    return settings;
  };
  for (const found of discovered.values()) apps.push(build(found, catalog.apps[found.name] ?? {}));
  for (const [name, override] of Object.entries(catalog.apps)) {
    if (discovered.has(name)) continue;
    const path = normalPath(override?.path ?? d.path.replaceAll("{name}", name));
    apps.push(
      build(
        { name, dirName: name, path, source: `${file} apps.${name}`, key: `apps.${name}`, file },
        override ?? {},
      ),
    );
  }

  const names = new Set(apps.map((a) => a.name));
  for (const app of apps) {
    const key = `apps.${app.name}`;
    const problem = repoPathProblem(app.path);
    if (problem !== undefined) {
      issues.push({ file, key: `${key}.path`, message: `${app.path} ${problem}` });
    } else if (
      app.argocd?.readsAppDirectory !== false &&
      app.flux?.helm === undefined &&
      app.flux?.oci === undefined &&
      repo.kind(app.path) !== "directory"
    ) {
      // (An app whose source is elsewhere has no directory here: an Argo CD chart or other
      // repository, a Flux Helm or OCI app.)
      const fix =
        catalog.apps[app.name]?.path === undefined
          ? `create it, set ${key}.path, or change defaults.path`
          : `create it or fix ${key}.path`;
      issues.push({
        file,
        key: catalog.apps[app.name]?.path === undefined ? key : `${key}.path`,
        message: `app directory ${linkProblem(repo, app.path) ?? `${app.path} does not exist in the repository; ${fix}`}`,
      });
    }
    app.dependsOn.forEach((dep, i) => {
      if (dep === app.name) {
        issues.push({
          file,
          key: `${key}.dependsOn[${i}]`,
          message: `${dep} depends on itself; remove the entry`,
        });
      } else if (!names.has(dep)) {
        const guess = closest(dep, names);
        issues.push({
          file,
          key: `${key}.dependsOn[${i}]`,
          message: `unknown app ${JSON.stringify(dep)}${guess === undefined ? "" : `; did you mean ${JSON.stringify(guess)}?`}`,
        });
      }
    });
  }
  issues.push(...renderedValueIssues(file, apps));
  if (issues.length > 0) throw new CatalogError(issues);
  return {
    file,
    repo: { url: catalog.repo.url, revision: catalog.repo.revision },
    output: normalPath(catalog.output),
    defaults: catalog.defaults,
    argocd: catalog.argocd,
    flux: catalog.flux,
    apps,
    categories: resolveCategories(catalog, apps),
    warnings,
    view: repo,
  };
}

/**
 * Namespaces (templated or not) that are not RFC 1123 labels, and templated label or annotation
 * values generate cannot evaluate or whose value for an app's directory the API server refuses.
 */
function renderedValueIssues(file: string, apps: readonly ResolvedApp[]): CatalogIssue[] {
  const issues: CatalogIssue[] = [];
  const seen = new Set<string>();
  for (const app of apps) {
    const problem = rfc1123LabelProblem(app.namespace);
    if (problem !== undefined) {
      issues.push({
        file,
        key: `apps.${app.name}.namespace`,
        message: `namespace ${excerpt(app.namespace)} ${problem}; set apps.${app.name}.namespace (or the category's or defaults' namespace)`,
      });
    }
    for (const key of app.templated ?? []) {
      const [, field = "", ...rest] = key.split(/\.(labels|annotations)\./);
      const name = rest.join("");
      const value = (field === "labels" ? app.labels : app.annotations)[name] ?? "";
      const templateProblem = goTemplateProblem(value);
      if (templateProblem !== undefined) {
        if (!seen.has(key)) issues.push({ file, key, message: `${excerpt(value)} ${templateProblem}` });
        seen.add(key);
        continue;
      }
      if (field !== "labels" || app.generatorPath === undefined) continue;
      let rendered: string;
      try {
        rendered = renderGoTemplate(value, app.generatorPath);
      } catch (error) {
        issues.push({
          file,
          key,
          message: `${error instanceof Error ? error.message : String(error)} (app ${app.name})`,
        });
        continue;
      }
      const valueProblem = labelValueProblem(rendered);
      if (valueProblem !== undefined) {
        issues.push({
          file,
          key,
          message: `renders to ${excerpt(rendered)} for ${app.generatorPath} (app ${app.name}), a label value that ${valueProblem}`,
        });
      }
    }
  }
  return issues;
}

/** The app directory as an ApplicationSet template writes it (git directory generator). */
const TEMPLATE_PATH = "{{ .path.path }}";

/** Each category's settings (defaults < category), in the order of its first app. */
function resolveCategories(
  catalog: CatalogDocument,
  apps: readonly ResolvedApp[],
): Map<string, ResolvedCategory> {
  const d = catalog.defaults;
  const out = new Map<string, ResolvedCategory>();
  for (const app of apps) {
    if (app.category === undefined || out.has(app.category)) continue;
    const name = app.category;
    const c = catalog.categories[name];
    const syncOptions = c?.syncOptions ?? d.syncOptions;
    const appProject = c?.appProject;
    const appName = c?.appName ?? defaultAppName(name);
    const namespace = c?.namespace ?? d.namespace ?? "{{ .path.basename }}";
    // The template's Argo CD settings: what a new directory gets. Problems were reported per app.
    const argocd = resolveArgocdApplication(
      [
        { key: "defaults", settings: d },
        ...(c === undefined ? [] : [{ key: `categories.${name}`, settings: c }]),
      ],
      { name: appName, namespace, path: TEMPLATE_PATH, repo: catalog.repo },
    ).settings;
    const argocdWritten = Object.fromEntries(
      Object.keys(argocdApplicationSettings)
        .map((key) => [key, (c as Record<string, unknown> | undefined)?.[key]])
        .filter(([, value]) => value !== undefined),
    );
    out.set(name, {
      name,
      directories: c?.directories?.map((e) => ({
        path: normalPath(e.path),
        ...(e.exclude === undefined ? {} : { exclude: e.exclude }),
      })) ?? [{ path: `${app.categoryDir ?? ""}/*` }],
      ...(app.categoryDir === undefined ? {} : { dir: app.categoryDir }),
      appName,
      namespace,
      wave: c?.wave ?? d.wave,
      project: c?.project ?? (appProject ? name : undefined) ?? d.project,
      selfHeal: c?.selfHeal ?? d.selfHeal,
      syncOptions: [...(syncOptions ?? [])],
      syncOptionsWritten: syncOptions !== undefined,
      ignoreDifferences: structuredClone(c?.ignoreDifferences ?? d.ignoreDifferences),
      labels: { ...d.labels, ...c?.labels },
      annotations: { ...d.annotations, ...c?.annotations },
      applicationSet: {
        ...(c?.applicationSet ?? {
          preserveResourcesOnDeletion: true,
          strategy: "AllAtOnce",
          waveLabel: ROLLING_SYNC_WAVE_LABEL,
        }),
        name: c?.applicationSet.name ?? name,
      },
      ...(appProject === undefined || appProject === false
        ? {}
        : { appProject: appProject === true ? { clusterResources: true, finalizer: true } : appProject }),
      argocd,
      ...(Object.keys(argocdWritten).length === 0 ? {} : { argocdWritten }),
    });
  }
  return out;
}

/** Parses and resolves in one step. */
export function loadCatalog(text: string, file: string, repo: RepoView): ResolvedCatalog {
  return resolveCatalog(parseCatalog(text, file), file, repo);
}
