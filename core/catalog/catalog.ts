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
import { z } from "zod";
import { FORBIDDEN_SYNC_OPTIONS } from "../argocd/sync";
import { DEFAULT_ROOT_PATH } from "../repository/settings";
import { closest, excerpt, shortenQuoted, unknownKeyMessage, yamlErrorText } from "../shared/messages";
import { RFC1123_LABEL, rfc1123LabelProblem } from "../shared/names";
import { annotations, duration, knownKeys, labels, plainIssueText } from "../shared/schema";
import { plainKustomizationResources } from "./fast-kustomization";
import {
  fluxAppSchema,
  fluxDefaultsSchema,
  fluxWaveDependencies,
  resolveFluxSettings,
  type ResolvedFluxSettings,
} from "./flux-settings";
import type { RepoView } from "./repo-view";

export type { RepoView } from "./repo-view";

// ---------------------------------------------------------------------------------------------
// Schema

/** Where a catalog's generated files go when it does not say: the classic bootstrap directory. */
export const DEFAULT_OUTPUT = DEFAULT_ROOT_PATH;

const label = (what: string) =>
  z
    .string()
    .max(63)
    .regex(RFC1123_LABEL)
    .meta({ description: `${what}: an RFC 1123 label (lower-case letters, digits, '-'; at most 63).` });

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
  const normal = posix.normalize(value);
  if (normal === "." || normal === "./") return "is the repository root; name a directory inside it";
  if (normal === ".." || normal.startsWith("../")) {
    return "escapes the repository root; write a path inside the repository";
  }
  return undefined;
}

const repoPath = (description: string) =>
  z
    .string()
    .superRefine((value, ctx) => {
      const problem = repoPathProblem(value);
      if (problem !== undefined)
        ctx.addIssue({ code: "custom", message: `${JSON.stringify(value)} ${problem}` });
    })
    .meta({ description });

const wave = z
  .number()
  .int()
  .nonnegative()
  .meta({ description: "Sync wave: a whole number ≥ 0. Lower waves are deployed first." });

const syncOptions = z
  .array(z.string().regex(/^[A-Za-z]+=\S+$/))
  .superRefine((options, ctx) => {
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
  })
  .meta({
    description: "Argo CD sync options, e.g. CreateNamespace=true. ApplyOutOfSyncOnly=true is refused.",
  });

const ignoreDifference = z.strictObject({
  group: z.string().optional(),
  kind: z.string().min(1),
  name: z.string().optional(),
  namespace: z.string().optional(),
  jsonPointers: z.array(z.string().startsWith("/")).optional(),
  jqPathExpressions: z.array(z.string()).optional(),
  managedFieldsManagers: z.array(z.string()).optional(),
});

const appSettings = {
  project: label("Argo CD project").optional(),
  selfHeal: z.boolean().optional().meta({ description: "Argo CD automated selfHeal." }),
  syncOptions: syncOptions.optional(),
  ignoreDifferences: z
    .array(ignoreDifference)
    .optional()
    .meta({ description: "Argo CD ignoreDifferences, e.g. /spec/replicas of an autoscaled Deployment." }),
  labels: labels().meta({ description: "Labels on the generated object." }).optional(),
  annotations: annotations().meta({ description: "Annotations on the generated object." }).optional(),
};

/** Per-app Flux settings (Flux only), under one `flux:` key: see ./flux-settings.ts for why. */
const fluxAppSettings = { flux: fluxAppSchema.optional() };

const appOverride = z
  .strictObject({
    namespace: label("Destination namespace. Defaults to the app's directory name").optional(),
    wave: wave.optional(),
    path: repoPath(
      "The app's directory, relative to the repository root. Defaults to defaults.path.",
    ).optional(),
    dependsOn: z.array(label("Name of another app")).optional().meta({
      description: "Apps that must be ready first. Flux: dependsOn; Argo CD: must be in a lower wave.",
    }),
    ...appSettings,
    ...fluxAppSettings,
  })
  .nullable()
  .meta({
    description: "Adds an app, or overrides a discovered one. `name: {}` or `name:` adds one with defaults.",
  });

const include = z
  .strictObject({
    kustomization: repoPath(
      "A kustomization.yaml whose `resources:` entries each name an app directory (the classic layout).",
    ).optional(),
    directories: z.string().optional().meta({
      description: "A glob like apps/*/* : each matching directory is an app, its parent the category.",
    }),
  })
  .superRefine((value, ctx) => {
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
  });

/** The catalog file's schema. `schemas/catalog.schema.json` is generated from it. */
export const CatalogSchema = z
  .strictObject({
    repo: z
      .strictObject({
        url: z.string().min(1).meta({ description: "The Git repository the GitOps engine reads." }),
        revision: z
          .string()
          .min(1)
          .default("HEAD")
          .meta({ description: "Branch, tag or commit. Defaults to HEAD." }),
      })
      .meta({ description: "The manifest repository." }),
    output: repoPath(
      "Directory (relative to the repository root) that generate writes and the root app of apps watches. Defaults to manifests/bootstrap.",
    ).default(DEFAULT_OUTPUT),
    defaults: z
      .strictObject({
        path: z.string().default("manifests/cluster/{name}").meta({
          description: "Directory of an app listed only under apps:. {name} is replaced by the app name.",
        }),
        wave: wave.default(10),
        ...appSettings,
        project: label("Argo CD project").default("default"),
        selfHeal: z
          .boolean()
          .default(true)
          .meta({ description: "Argo CD automated selfHeal. Defaults to true." }),
        syncOptions: syncOptions.default([]),
        ignoreDifferences: z.array(ignoreDifference).default([]),
        labels: labels().meta({ description: "Labels on every generated object." }).default({}),
        annotations: annotations()
          .meta({ description: "Annotations on every generated object." })
          .default({}),
        flux: fluxDefaultsSchema.optional(),
      })
      .prefault({})
      .meta({ description: "Settings every app gets unless it overrides them." }),
    include: z
      .array(include)
      .default([])
      .meta({ description: "Where apps are discovered, in order: kustomization files and directory globs." }),
    apps: z
      .record(label("App name"), appOverride)
      .default({})
      .meta({ description: "Apps added or overridden by name." }),
    argocd: z
      .strictObject({ namespace: label("Namespace Argo CD runs in").default("argocd") })
      .prefault({})
      .meta({ description: "Argo CD settings." }),
    flux: z
      .strictObject({
        namespace: label("Namespace the Kustomizations live in").default("flux-system"),
        gitRepository: label("Name of the GitRepository source in that namespace").default("flux-system"),
        interval: duration().default("10m").meta({
          description:
            "Reconcile interval: a Go duration longer than 0 with the units ms, s, m or h, such as 10m or 1.5h. Defaults to 10m.",
        }),
        waveDependencies: fluxWaveDependencies,
      })
      .prefault({})
      .meta({ description: "Flux settings." }),
  })
  .meta({
    title: "gitops-bootstrap app catalog",
    description:
      "The apps `gitops-bootstrap generate` turns into Argo CD Applications/ApplicationSets or Flux Kustomizations.",
  });

export type CatalogDocument = z.output<typeof CatalogSchema>;
export type CatalogAppOverride = NonNullable<z.output<typeof appOverride>>;
export type IgnoreDifference = z.output<typeof ignoreDifference>;

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

function zodIssues(file: string, doc: Document, counter: LineCounter, error: z.ZodError): CatalogIssue[] {
  const out: CatalogIssue[] = [];
  for (const issue of error.issues) {
    const path = issue.path;
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
      message = `${excerpt(doc.getIn(path as unknown[]))} is not a wave: use a whole number ≥ 0`;
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
  if (!result.success) throw new CatalogError(zodIssues(file, doc, counter, result.error));
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
   * Flux Kustomization settings (`defaults.flux` and `apps.<name>.flux`); resolveCatalog always
   * sets them, an app built elsewhere (an ApplicationSet template) may leave them out.
   */
  flux?: ResolvedFluxSettings;
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
  source: string;
  key: string;
  file: string;
  line?: number;
  column?: number;
}

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
    const at = {
      file,
      ...(position === undefined
        ? locate(doc, counter, ["resources", i])
        : { line: position.line, column: position.column }),
      key,
    };
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
    const path = posix.normalize(posix.join(base, entry)).replace(/\/+$/, "");
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
    const name = `${category}-${dirName}`;
    const problem =
      rfc1123LabelProblem(category) === undefined && rfc1123LabelProblem(dirName) === undefined
        ? rfc1123LabelProblem(name)
        : "has a category or app directory name that is not an RFC 1123 label";
    if (problem !== undefined) {
      issues.push({
        file: catalogFile,
        key,
        message: `${path}: app name ${JSON.stringify(name)} (<category>-<app>) ${problem}; rename the directory`,
      });
      continue;
    }
    out.push({
      name,
      dirName,
      path,
      category,
      categoryDir: parts.slice(0, -1).join("/"),
      source: `${catalogFile} ${key} (${path})`,
      key,
      file: catalogFile,
    });
  }
  return out;
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
        : fromDirectories(file, i, entry.directories ?? "", repo, issues);
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
  });

  const d = catalog.defaults;
  const apps: ResolvedApp[] = [];
  const build = (base: Discovered, override: CatalogAppOverride): ResolvedApp => ({
    name: base.name,
    ...(base.category === undefined ? {} : { category: base.category, categoryDir: base.categoryDir }),
    source: base.source,
    path: override.path === undefined ? base.path : normalPath(override.path),
    namespace: override.namespace ?? base.dirName,
    wave: override.wave ?? d.wave,
    project: override.project ?? d.project,
    selfHeal: override.selfHeal ?? d.selfHeal,
    syncOptions: [...(override.syncOptions ?? d.syncOptions)],
    ignoreDifferences: structuredClone(override.ignoreDifferences ?? d.ignoreDifferences),
    dependsOn: [...(override.dependsOn ?? [])],
    labels: { ...d.labels, ...override.labels },
    annotations: { ...d.annotations, ...override.annotations },
    flux: resolveFluxSettings(override.flux, d.flux),
  });
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
      app.flux?.helm === undefined &&
      app.flux?.oci === undefined &&
      repo.kind(app.path) !== "directory"
    ) {
      // (A Flux Helm or OCI app has no directory in the repository: its source is elsewhere.)
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
  if (issues.length > 0) throw new CatalogError(issues);
  return {
    file,
    repo: { url: catalog.repo.url, revision: catalog.repo.revision },
    output: normalPath(catalog.output),
    defaults: catalog.defaults,
    argocd: catalog.argocd,
    flux: catalog.flux,
    apps,
    warnings,
    view: repo,
  };
}

/** Parses and resolves in one step. */
export function loadCatalog(text: string, file: string, repo: RepoView): ResolvedCatalog {
  return resolveCatalog(parseCatalog(text, file), file, repo);
}
