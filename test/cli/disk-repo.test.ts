/**
 * The on-disk repository view answers path by path; these tests hold it to the rules stated once
 * by listedRepo over a full walk of the same tree (every file, every link not followed), on random
 * trees with files, empty directories, hidden directories and links of every kind.
 */
import { strict as assert } from "node:assert";
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, sep } from "node:path";
import fc from "fast-check";
import { diskRepo } from "../../cli/disk-repo";
import { listedRepo, type RepoView } from "../../core/catalog/repo-view";

/** Every file below `root` and the links not followed: the walk generate did before it asked per path. */
function fullWalk(root: string): { files: string[]; links: Map<string, string> } {
  const files: string[] = [];
  const links = new Map<string, string>();
  const realRoot = realpathSync(root);
  const inside = (path: string) => path === realRoot || path.startsWith(`${realRoot}${sep}`);
  const walk = (real: string, prefix: string, ancestors: ReadonlySet<string>) => {
    for (const entry of readdirSync(real, { withFileTypes: true })) {
      if (entry.name === ".git" || entry.name === "node_modules") continue;
      const rel = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
      const path = join(real, entry.name);
      if (entry.isSymbolicLink()) {
        let target: string;
        try {
          target = realpathSync(path);
        } catch {
          links.set(rel, "a symbolic link whose target does not exist");
          continue;
        }
        if (!inside(target)) links.set(rel, `a symbolic link to ${target}, outside the repository`);
        else if (statSync(target).isDirectory()) {
          if (ancestors.has(target)) links.set(rel, "a symbolic link to a directory above it (a loop)");
          else walk(target, rel, new Set([...ancestors, target]));
        } else files.push(rel);
      } else if (entry.isDirectory()) walk(path, rel, new Set([...ancestors, path]));
      else if (entry.isFile()) files.push(rel);
    }
  };
  walk(realRoot, "", new Set([realRoot]));
  return { files: files.sort(), links };
}

const OUTSIDE_DIRECTORY = "(a directory outside)";
const OUTSIDE_FILE = "(a file outside)";

// kustomization.yaml: the name diskRepo probes before listing a directory.
const NAMES = ["a", "kustomization.yaml", ".h", "node_modules", ".git"] as const;
const pathArb = fc.array(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 3 }).map((p) => p.join("/"));
const nodeArb = fc.record({
  path: pathArb,
  what: fc.oneof(
    fc.constant({ kind: "file" as const }),
    fc.constant({ kind: "dir" as const }),
    fc.record({
      kind: fc.constant("link" as const),
      // OUTSIDE_DIRECTORY and OUTSIDE_FILE: a directory and a file next to the repository.
      to: fc.oneof(
        pathArb,
        fc.constant(OUTSIDE_DIRECTORY),
        fc.constant(OUTSIDE_FILE),
        fc.constant("missing/x"),
      ),
    }),
  ),
});

type TreeNode = { path: string; what: { kind: "file" } | { kind: "dir" } | { kind: "link"; to: string } };

/**
 * A repository `repo` inside a temporary directory of the test's own, which also holds the
 * targets of the links that leave the repository: nothing outside it is ever linked to.
 */
function scratchRepository(): {
  parent: string;
  root: string;
  outsideDirectory: string;
  outsideFile: string;
} {
  const parent = mkdtempSync(join(tmpdir(), "gitops-disk-repo-"));
  const root = join(parent, "repo");
  const outsideDirectory = join(parent, "outside");
  mkdirSync(root);
  mkdirSync(outsideDirectory);
  writeFileSync(join(outsideDirectory, "file"), "outside\n");
  const outsideFile = join(parent, "outside.txt");
  writeFileSync(outsideFile, "outside\n");
  return { parent, root, outsideDirectory, outsideFile };
}

/**
 * Builds the nodes under `root`, skipping any that cannot exist there: a node whose path exists
 * already, or runs through a file or a link (so nothing is ever written through a link).
 */
function build(repo: ReturnType<typeof scratchRepository>, nodes: readonly TreeNode[]) {
  for (const { path, what } of nodes) {
    const parts = path.split("/");
    let blocked = false;
    for (let i = 1; i <= parts.length && !blocked; i++) {
      const stat = lstatSync(join(repo.root, ...parts.slice(0, i)), { throwIfNoEntry: false });
      blocked = i === parts.length ? stat !== undefined : stat !== undefined && !stat.isDirectory();
    }
    if (blocked) continue;
    const full = join(repo.root, ...parts);
    mkdirSync(dirname(full), { recursive: true });
    if (what.kind === "file") writeFileSync(full, path);
    else if (what.kind === "dir") mkdirSync(full);
    else {
      const to =
        what.to === OUTSIDE_DIRECTORY
          ? repo.outsideDirectory
          : what.to === OUTSIDE_FILE
            ? repo.outsideFile
            : join(repo.root, ...what.to.split("/"));
      symlinkSync(to, full);
    }
  }
}

/** Every path a question could name: all combinations of the names up to depth 4, and the root. */
const QUESTIONS = (() => {
  const out = [""];
  let level = [""];
  for (let depth = 0; depth < 4; depth++) {
    level = level.flatMap((p) => NAMES.map((n) => (p === "" ? n : `${p}/${n}`)));
    out.push(...level);
  }
  return out;
})();

function answers(repo: RepoView) {
  return QUESTIONS.map((path) => ({
    path,
    kind: repo.kind(path),
    entries: repo.entries(path),
    link: repo.linkOn(path),
    read: repo.kind(path) === "file" ? repo.read(path) : undefined,
  }));
}

describe("the repository on disk (generate's view)", () => {
  it("answers every path exactly as a full walk of the tree would", () => {
    fc.assert(
      fc.property(fc.array(nodeArb, { maxLength: 12 }), (nodes) => {
        const repo = scratchRepository();
        const { root } = repo;
        try {
          build(repo, nodes);
          const walked = fullWalk(root);
          const expected = listedRepo(
            walked.files,
            (path) => (walked.files.includes(path) ? path.split("/").slice(-1)[0] : undefined),
            walked.links,
          );
          const read = (view: RepoView) =>
            answers({
              ...view,
              read: (path) => (view.read(path) === undefined ? undefined : path.split("/").slice(-1)[0]),
            });
          // With the kustomization.yaml probe (the default) and without it (the Flux engine's).
          assert.deepEqual(read(diskRepo(root)), read(expected));
          assert.deepEqual(read(diskRepo(root, { probeKustomization: false })), read(expected));
        } finally {
          rmSync(repo.parent, { recursive: true, force: true });
        }
      }),
      { numRuns: 150 },
    );
  });

  it("finds an app directory, its file, a missing directory and a loop, by path", () => {
    const root = mkdtempSync(join(tmpdir(), "gitops-disk-repo-"));
    try {
      for (const app of ["a", "b"]) {
        mkdirSync(join(root, "apps", app), { recursive: true });
        writeFileSync(join(root, "apps", app, "kustomization.yaml"), "resources: []\n");
      }
      mkdirSync(join(root, "unrelated"));
      symlinkSync(join(root, "unrelated"), join(root, "unrelated", "loop"));
      const repo = diskRepo(root);
      assert.equal(repo.kind("apps/a"), "directory");
      assert.equal(repo.kind("apps/a/kustomization.yaml"), "file");
      assert.equal(repo.kind("apps/c"), undefined);
      assert.deepEqual(repo.linkOn("unrelated/loop/x"), {
        at: "unrelated/loop",
        what: "a symbolic link to a directory above it (a loop)",
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
