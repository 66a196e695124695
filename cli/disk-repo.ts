/**
 * The manifest repository on disk as a {@link RepoView}: each question reads only the directories on
 * its path (cached), so `generate` over 10,000 apps reads 10,000 app directories once instead of
 * walking every file of the repository first.
 */
import {
  closeSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  realpathSync,
  statSync,
  type Dirent,
} from "node:fs";
import { join, sep } from "node:path";
import type { RepoEntry, RepoEntryKind, RepoView } from "../core/catalog/repo-view";

/** What a directory entry is once links are resolved (`real` for directories: the real path). */
type Resolved =
  { kind: "file" } | { kind: "directory"; real: string } | { kind: "link"; what: string } | { kind: "other" };

const HIDDEN = new Set([".git", "node_modules"]);

/** The real directories from one up to the root, innermost first: a link to one of them is a loop. */
interface Ancestors {
  real: string;
  up?: Ancestors;
}

function isAncestor(ancestors: Ancestors | undefined, real: string): boolean {
  for (let at = ancestors; at !== undefined; at = at.up) if (at.real === real) return true;
  return false;
}

/**
 * `name` inside the real directory `real`, joined by hand: a real path needs no normalising, and
 * path.join's was a tenth of the allocation of a 10,000-app run.
 */
function childPath(real: string, name: string): string {
  return real.endsWith(sep) ? `${real}${name}` : `${real}${sep}${name}`;
}

export interface DiskRepoOptions {
  /**
   * Answer "does this directory hold a file?" with one `lstat` of its kustomization.yaml before
   * listing it. Default true; off when every app directory is listed anyway (Flux's Namespace
   * scan), where the probe would be one system call more per app.
   */
  probeKustomization?: boolean;
}

export function diskRepo(root: string, options: DiskRepoOptions = {}): RepoView {
  const probe = options.probeKustomization ?? true;
  const realRoot = realpathSync(root);
  // One buffer for every `contains`: no string or buffer per file, so scanning 10,000 app
  // directories costs the reads, not their decoding and garbage.
  const buffer = Buffer.alloc(64 * 1024);
  const inside = (path: string) => path === realRoot || path.startsWith(`${realRoot}${sep}`);
  // Each directory is read once; its name → entry map is built only when a path is looked up in
  // it (10,000 lookups in one directory stay linear, and an app directory needs none).
  const listings = new Map<string, Dirent[]>();
  const list = (real: string): Dirent[] => {
    let entries = listings.get(real);
    if (entries === undefined) {
      try {
        entries = readdirSync(real, { withFileTypes: true }).filter((e) => !HIDDEN.has(e.name));
      } catch {
        entries = []; // Not a readable directory: it has no entries.
      }
      listings.set(real, entries);
    }
    return entries;
  };
  const byName = new Map<string, Map<string, Dirent>>();
  const lookup = (real: string, name: string): Dirent | undefined => {
    let names = byName.get(real);
    if (names === undefined) {
      names = new Map(list(real).map((e) => [e.name, e]));
      byName.set(real, names);
    }
    return names.get(name);
  };

  /** An entry of the real directory `real`; `ancestors` are the real directories above it (loops). */
  const resolveEntry = (real: string, entry: Dirent, ancestors: Ancestors): Resolved => {
    const path = childPath(real, entry.name);
    if (entry.isFile()) return { kind: "file" };
    if (entry.isDirectory()) return { kind: "directory", real: path };
    if (!entry.isSymbolicLink()) return { kind: "other" };
    let target: string;
    try {
      target = realpathSync(path);
    } catch {
      return { kind: "link", what: "a symbolic link whose target does not exist" };
    }
    if (!inside(target))
      return { kind: "link", what: `a symbolic link to ${target}, outside the repository` };
    if (!statSync(target).isDirectory()) return { kind: "file" };
    if (isAncestor(ancestors, target))
      return { kind: "link", what: "a symbolic link to a directory above it (a loop)" };
    return { kind: "directory", real: target };
  };

  /**
   * Whether a file is somewhere below the real directory `real` (Git keeps no empty directory).
   * Only a file directly inside is remembered: an answer found through a subdirectory may depend on
   * which directories are above (a link to one of them is a loop there, and followed elsewhere).
   */
  const holdsFileDirectly = new Set<string>();
  const hasFile = (real: string, ancestors: Ancestors): boolean => {
    if (holdsFileDirectly.has(real)) return true;
    // An app directory usually holds a kustomization.yaml: one lstat answers, where listing the
    // directory takes four system calls (a third of a 10,000-app run). Anything else lists it.
    if (
      probe &&
      lstatSync(childPath(real, "kustomization.yaml"), { throwIfNoEntry: false })?.isFile() === true
    ) {
      holdsFileDirectly.add(real);
      return true;
    }
    const inner: Ancestors = { real, up: ancestors };
    const entries = list(real);
    // Files first: one is usually right there, and then no subdirectory is read.
    if (
      entries.some((e) => e.isFile() || (e.isSymbolicLink() && resolveEntry(real, e, inner).kind === "file"))
    ) {
      holdsFileDirectly.add(real);
      return true;
    }
    return entries.some((e) => {
      const resolved = resolveEntry(real, e, inner);
      return resolved.kind === "directory" && hasFile(resolved.real, inner);
    });
  };

  /** Follows `path` from the root: the resolved entry, or where a link stops it (memoised by path). */
  type Walked =
    { resolved: Resolved; ancestors: Ancestors } | { stoppedAt: string; what: string } | undefined;
  const walked = new Map<string, Walked>([
    ["", { resolved: { kind: "directory", real: realRoot }, ancestors: { real: realRoot } }],
  ]);
  const walk = (path: string): Walked => {
    if (walked.has(path)) return walked.get(path);
    const slash = path.lastIndexOf("/");
    const parent = walk(slash < 0 ? "" : path.slice(0, slash));
    let result: Walked;
    if (parent === undefined || "stoppedAt" in parent) result = parent;
    else if (parent.resolved.kind !== "directory") result = undefined;
    else {
      const real = parent.resolved.real;
      const entry = lookup(real, path.slice(slash + 1));
      const resolved = entry === undefined ? undefined : resolveEntry(real, entry, parent.ancestors);
      result =
        resolved === undefined
          ? undefined
          : resolved.kind === "link"
            ? { stoppedAt: path, what: resolved.what }
            : {
                resolved,
                ancestors:
                  resolved.kind === "directory"
                    ? { real: resolved.real, up: parent.ancestors }
                    : parent.ancestors,
              };
    }
    walked.set(path, result);
    return result;
  };

  const kindOf = (resolved: Resolved, ancestors: Ancestors): RepoEntryKind | undefined =>
    resolved.kind === "file"
      ? "file"
      : resolved.kind === "directory" && hasFile(resolved.real, ancestors)
        ? "directory"
        : undefined;

  return {
    kind: (path) => {
      const found = walk(path);
      return found === undefined || "stoppedAt" in found
        ? undefined
        : kindOf(found.resolved, found.ancestors);
    },
    entries: (path) => {
      const found = walk(path);
      if (found === undefined || "stoppedAt" in found || found.resolved.kind !== "directory") return [];
      const real = found.resolved.real;
      const out: RepoEntry[] = [];
      for (const entry of list(real)) {
        const resolved = resolveEntry(real, entry, found.ancestors);
        if (resolved.kind === "link") out.push({ name: entry.name, kind: "link", what: resolved.what });
        else {
          const kind = kindOf(resolved, found.ancestors);
          if (kind !== undefined) out.push({ name: entry.name, kind });
        }
      }
      return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    read: (path) => {
      try {
        return readFileSync(join(root, ...path.split("/")), "utf8");
      } catch {
        return undefined;
      }
    },
    linkOn: (path) => {
      const found = walk(path);
      return found !== undefined && "stoppedAt" in found
        ? { at: found.stoppedAt, what: found.what }
        : undefined;
    },
    contains: (path, needle) => {
      let fd: number;
      try {
        fd = openSync(join(root, ...path.split("/")), "r");
      } catch {
        return undefined;
      }
      try {
        // Chunks overlap by the needle's length, so a needle across two chunks is still found.
        const overlap = needle.length - 1;
        let kept = 0;
        for (;;) {
          const read = readSync(fd, buffer, kept, buffer.length - kept, null);
          if (read === 0) return false;
          const end = kept + read;
          const at = buffer.indexOf(needle, 0, "latin1");
          if (at !== -1 && at + needle.length <= end) return true;
          kept = Math.min(overlap, end);
          buffer.copy(buffer, 0, end - kept, end);
        }
      } finally {
        closeSync(fd);
      }
    },
  };
}
