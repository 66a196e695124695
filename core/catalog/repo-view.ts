/**
 * A read-only view of the manifest repository, asked path by path: a catalog run looks only at the
 * paths its includes and apps name, so a 10,000-app repository is not walked file by file.
 *
 * The rules are Git's, as the engine sees the clone: a directory exists when at least one file is
 * below it (Git keeps no empty directory); `.git` and `node_modules` are not part of the
 * repository; a symbolic link that stays inside the repository is what it points to, and any other
 * link (leaving the repository, dangling or looping) is reported rather than followed.
 */

export type RepoEntryKind = "file" | "directory";

/** One entry of a directory: a file, a directory holding files, or a link that is not followed. */
export type RepoEntry = { name: string; kind: RepoEntryKind } | { name: string; kind: "link"; what: string };

export interface RepoView {
  /** What `path` (posix, relative to the root) is; undefined when it does not exist as such. */
  kind(path: string): RepoEntryKind | undefined;
  /** The entries of directory `path` ("" is the root), sorted by name; empty when it is none. */
  entries(path: string): RepoEntry[];
  /** A file's text, or undefined when it cannot be read. */
  read(path: string): string | undefined;
  /**
   * The symbolic link on `path` (itself or a directory above it) that is not followed, with what it
   * is (such as "a symbolic link to /srv/media, outside the repository"), or undefined.
   */
  linkOn(path: string): { at: string; what: string } | undefined;
  /**
   * Whether a file's bytes contain `needle` (ASCII), without decoding it: a cheap prefilter for
   * scans over every app directory (the Flux Namespace check). Optional; without it, or when it
   * answers undefined, the caller reads the file.
   */
  contains?(path: string, needle: string): boolean | undefined;
}

/**
 * A view of a repository given as its file list: every file path (posix, relative), a reader, and
 * the links that were not followed, by path with what each is. Tests use it; it also states the
 * rules above as plainly as they can be stated.
 */
export function listedRepo(
  files: readonly string[],
  read: (path: string) => string | undefined,
  links: ReadonlyMap<string, string> = new Map(),
): RepoView {
  const fileSet = new Set(files);
  const dirs = new Set<string>(files.length > 0 ? [""] : []);
  for (const file of files) {
    let i = file.lastIndexOf("/");
    while (i > 0) {
      const dir = file.slice(0, i);
      if (dirs.has(dir)) break;
      dirs.add(dir);
      i = dir.lastIndexOf("/");
    }
  }
  const parentOf = (path: string) => {
    const i = path.lastIndexOf("/");
    return i < 0 ? "" : path.slice(0, i);
  };
  const baseOf = (path: string) => path.slice(path.lastIndexOf("/") + 1);
  return {
    kind: (path) => (fileSet.has(path) ? "file" : dirs.has(path) ? "directory" : undefined),
    entries: (path) => {
      const out: RepoEntry[] = [];
      for (const file of fileSet) if (parentOf(file) === path) out.push({ name: baseOf(file), kind: "file" });
      for (const dir of dirs)
        if (dir !== "" && parentOf(dir) === path) out.push({ name: baseOf(dir), kind: "directory" });
      for (const [link, what] of links)
        if (parentOf(link) === path) out.push({ name: baseOf(link), kind: "link", what });
      return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    read,
    linkOn: (path) => {
      const parts = path.split("/");
      for (let i = parts.length; i > 0; i--) {
        const at = parts.slice(0, i).join("/");
        const what = links.get(at);
        if (what !== undefined) return { at, what };
      }
      return undefined;
    },
  };
}
