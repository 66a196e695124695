/**
 * Finds the Namespace objects an app's directory ships, so Flux output never has two owners for
 * one Namespace (the app's Kustomization and the generated `<ns>-namespace.yaml`).
 *
 * Read only as far as needed, since it runs over every app: each YAML file below the app's
 * directory is searched for the word Namespace as bytes (RepoView.contains, when the view has it),
 * then for a top-level `kind: Namespace` line; only a file that has one is parsed, and only then
 * is the directory's kustomization.yaml read, to drop files it does not list (Flux builds a
 * directory without a kustomization.yaml from every YAML file in it). Not followed: resources
 * outside the directory (`../base`), remote bases, generators, and a Namespace inside a
 * `kind: List`.
 */
import { posix } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { plainKustomizationResources } from "./fast-kustomization";
import type { RepoView } from "./repo-view";

const KUSTOMIZATION_NAMES = new Set(["kustomization.yaml", "kustomization.yml", "Kustomization"]);
const NAMESPACE_KIND = /^kind:[ \t]*(["']?)Namespace\1[ \t]*(#.*)?\r?$/m;

/** A Namespace object found in an app directory. */
export interface ShippedNamespace {
  /** Repository-relative file. */
  file: string;
  /** Its metadata.name, when it has one. */
  name?: string;
}

/** Every file below `dir` (posix, repository-relative), through the view's directory entries. */
function filesBelow(view: RepoView, dir: string): string[] {
  const out: string[] = [];
  for (const entry of view.entries(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.kind === "file") out.push(path);
    else if (entry.kind === "directory") out.push(...filesBelow(view, path));
  }
  return out;
}

/** The Namespace objects Flux would apply from `dir` (see the module comment for the limits). */
export function shippedNamespaces(view: RepoView, dir: string): ShippedNamespace[] {
  const found: ShippedNamespace[] = [];
  const files = filesBelow(view, dir);
  for (const file of files) {
    if (!/\.ya?ml$/.test(file) || KUSTOMIZATION_NAMES.has(posix.basename(file))) continue;
    // Most files never say "Namespace" at all: ask the view before decoding the whole file.
    if (view.contains?.(file, "Namespace") === false) continue;
    const text = view.read(file);
    if (text === undefined || !NAMESPACE_KIND.test(text)) continue;
    for (const name of namespaceNames(text)) found.push({ file, ...(name === undefined ? {} : { name }) });
  }
  if (found.length === 0) return found;
  const listed = listedResources(view, dir, files);
  return listed === undefined ? found : found.filter((n) => listed.some((entry) => within(n.file, entry)));
}

/** The directory's kustomization `resources:` as repository paths, or undefined without one. */
function listedResources(view: RepoView, dir: string, files: readonly string[]): string[] | undefined {
  const kustomization = files.find(
    (f) => posix.dirname(f) === dir && KUSTOMIZATION_NAMES.has(posix.basename(f)),
  );
  if (kustomization === undefined) return undefined;
  const text = view.read(kustomization) ?? "";
  let entries = plainKustomizationResources(text)?.map((e) => e.value);
  if (entries === undefined) {
    try {
      const resources = (parse(text) as { resources?: unknown } | null)?.resources;
      entries = Array.isArray(resources) ? resources.filter((r): r is string => typeof r === "string") : [];
    } catch {
      // A broken kustomization fails in Flux anyway; count every file as listed.
      return undefined;
    }
  }
  return entries.map((entry) => posix.normalize(posix.join(dir, entry)).replace(/\/+$/, ""));
}

function within(file: string, entry: string): boolean {
  return file === entry || file.startsWith(`${entry}/`);
}

/** metadata.name of each Namespace document in a file (undefined for one without a name). */
function namespaceNames(text: string): Array<string | undefined> {
  const names: Array<string | undefined> = [];
  for (const doc of parseAllDocuments(text)) {
    if (!("errors" in doc) || doc.errors.length > 0) continue;
    const object = doc.toJS() as { kind?: unknown; metadata?: { name?: unknown } } | null;
    if (object?.kind !== "Namespace") continue;
    names.push(typeof object.metadata?.name === "string" ? object.metadata.name : undefined);
  }
  return names;
}
