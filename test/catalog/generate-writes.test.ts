/**
 * generate in pre-commit hooks and CI: a run that changes nothing rewrites no file, so mtimes (and
 * whatever watches them) stay put; a change rewrites only the files it changes, in place.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OutputFiles } from "../../cli/output-files";
import { runCli } from "../support/harness";
import { copyFixture, snapshot } from "./helpers";

const PAST = new Date("2020-01-01T00:00:00Z");

function mtimes(dir: string, extra: string[] = []): Map<string, number> {
  const files = [...readdirSync(dir).map((name) => join(dir, name)), ...extra];
  return new Map(files.map((file) => [file, statSync(file).mtimeMs]));
}

describe("generate writes only what changed", () => {
  for (const engine of ["argocd", "flux"]) {
    it(`keeps every file and its mtime when nothing changed (${engine}), --graph included`, () => {
      const root = copyFixture("classic");
      try {
        const args = ["generate", "--catalog", "apps.yaml", "--engine", engine, "--graph", "waves.md"];
        assert.equal(runCli(args, root).status, 0);
        const out = join(root, "manifests", "bootstrap");
        const graph = join(root, "waves.md");
        for (const file of mtimes(out, [graph]).keys()) utimesSync(file, PAST, PAST);
        const before = mtimes(out, [graph]);
        const rerun = runCli(args, root);
        assert.equal(rerun.status, 0, rerun.stderr);
        assert.match(rerun.stdout, / 0 written, 0 deleted, \d+ unchanged\n$/);
        assert.deepEqual(mtimes(out, [graph]), before);
        assert.equal(runCli([...args, "--check"], root).status, 0);
        assert.deepEqual(mtimes(out, [graph]), before);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  }
});

/** Replaces `from` with `to` in the fixture's catalog (which must have it). */
function edit(root: string, from: string, to: string): void {
  const file = join(root, "apps.yaml");
  const text = readFileSync(file, "utf8");
  assert.ok(text.includes(from), `the fixture's catalog has ${from}`);
  writeFileSync(file, text.replace(from, to));
}

describe("generate overwrites changed files in place", () => {
  const args = ["generate", "--catalog", "apps.yaml", "--engine", "argocd"];

  for (const [what, from, to] of [
    ["longer", "revision: main", "revision: release-2026-11"],
    ["shorter", "revision: main", "revision: v1"],
  ] as const) {
    it(`keeps each file (inode and mode) and writes exactly the new bytes when the text gets ${what}`, () => {
      const root = copyFixture("classic");
      const fresh = copyFixture("classic");
      try {
        assert.equal(runCli(args, root).status, 0);
        const out = join(root, "manifests", "bootstrap");
        const app = join(out, "traefik-app.yaml");
        chmodSync(app, 0o640);
        const before = new Map(readdirSync(out).map((name) => [name, statSync(join(out, name)).ino]));
        edit(root, from, to);
        const run = runCli(args, root);
        assert.equal(run.status, 0, run.stderr);
        assert.match(run.stdout, / [1-9]\d* written, 0 deleted, 1 unchanged\n$/);
        for (const [name, ino] of before) assert.equal(statSync(join(out, name)).ino, ino, name);
        assert.equal(statSync(app).mode & 0o777, 0o640);
        // Byte for byte what a first run with the new catalog writes: nothing of the old text is left.
        edit(fresh, from, to);
        assert.equal(runCli(args, fresh).status, 0);
        assert.deepEqual(snapshot(out), snapshot(join(fresh, "manifests", "bootstrap")));
        assert.ok(readFileSync(app, "utf8").includes(`targetRevision: ${to.split(" ")[1]}\n`));
        assert.deepEqual(
          readdirSync(join(root, "manifests")).filter((n) => n.includes(".generate-")),
          [],
          "no temporary directory is left",
        );
      } finally {
        rmSync(root, { recursive: true, force: true });
        rmSync(fresh, { recursive: true, force: true });
      }
    });
  }

  it("creates, updates and deletes in one run, and leaves no temporary directory", () => {
    const root = copyFixture("classic");
    try {
      assert.equal(runCli(args, root).status, 0);
      const out = join(root, "manifests", "bootstrap");
      const files = readdirSync(out);
      edit(root, "revision: main", "revision: v2");
      // homepage leaves the catalog's kustomization: its Application goes, the others change.
      const list = join(root, "manifests", "cluster", "kustomization.yaml");
      writeFileSync(list, readFileSync(list, "utf8").replace(/^.*homepage.*\n/m, ""));
      edit(root, "  homepage:\n", "  homepage-off:\n    path: manifests/cluster/homepage\n");
      const run = runCli(args, root);
      assert.equal(run.status, 0, run.stderr);
      assert.ok(!readdirSync(out).includes("homepage-app.yaml"));
      assert.ok(readdirSync(out).includes("homepage-off-app.yaml"));
      assert.equal(readdirSync(out).length, files.length);
      assert.deepEqual(
        readdirSync(join(root, "manifests")).filter((n) => n.includes(".generate-")),
        [],
      );
      const check = runCli([...args, "--check"], root);
      assert.equal(check.status, 0, check.stdout);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("generate refuses to start writing what it cannot finish", () => {
  it("names a file to update that cannot be written (immutable), exits 2 and changes nothing", function () {
    const root = copyFixture("classic");
    const out = join(root, "manifests", "bootstrap");
    const locked = join(out, "traefik-app.yaml");
    try {
      const args = ["generate", "--catalog", "apps.yaml", "--engine", "argocd"];
      assert.equal(runCli(args, root).status, 0);
      // Root may write any file whatever its mode; only the immutable attribute stops it.
      if (spawnSync("chattr", ["+i", locked]).status !== 0) this.skip();
      const before = snapshot(out);
      edit(root, "revision: main", "revision: v3");
      const run = runCli(args, root);
      assert.equal(run.status, 2, run.stdout + run.stderr);
      assert.match(
        run.stderr,
        /(^|\n)generate: cannot write \S*traefik-app\.yaml; make them writable and rerun\. Nothing was written\.\n$/,
      );
      assert.deepEqual(snapshot(out), before);
    } finally {
      spawnSync("chattr", ["-i", locked]);
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("generate refuses a directory where it writes a file", () => {
  it("names it, exits 2 and changes nothing", () => {
    const root = copyFixture("classic");
    const out = join(root, "manifests", "bootstrap");
    try {
      const args = ["generate", "--catalog", "apps.yaml", "--engine", "argocd"];
      assert.equal(runCli(args, root).status, 0);
      rmSync(join(out, "traefik-app.yaml"));
      mkdirSync(join(out, "traefik-app.yaml"));
      writeFileSync(join(out, "traefik-app.yaml", "notes.md"), "someone's notes\n");
      edit(root, "revision: main", "revision: v4");
      const before = snapshot(out);
      const run = runCli(args, root);
      assert.equal(run.status, 2, run.stdout + run.stderr);
      assert.match(
        run.stderr,
        /(^|\n)generate: \S*traefik-app\.yaml: something else is in the way of the file generate writes there \(a directory, or a file where it needs a directory\); move it away and rerun\. Nothing was written\.\n$/,
      );
      assert.deepEqual(snapshot(out), before);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("OutputFiles: the output directory, read by name", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "output-files-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("holds(name, text) compares bytes: equal, longer, shorter, one byte off, non-ASCII, past 64 KiB", () => {
    const big = `${"a: b\n".repeat(20_000)}é\n`;
    writeFileSync(join(dir, "a.yaml"), "kind: A\n");
    writeFileSync(join(dir, "u.yaml"), "name: café ✓\n");
    writeFileSync(join(dir, "big.yaml"), big);
    const files = new OutputFiles(dir);
    assert.equal(files.holds("a.yaml", "kind: A\n"), true);
    assert.equal(files.holds("a.yaml", "kind: A"), false, "the file is longer");
    assert.equal(files.holds("a.yaml", "kind: A\n\n"), false, "the file is shorter");
    assert.equal(files.holds("a.yaml", "kind: B\n"), false, "same length, one byte off");
    assert.equal(files.holds("u.yaml", "name: café ✓\n"), true);
    assert.equal(files.holds("u.yaml", "name: cafe ✓\n"), false);
    assert.equal(files.holds("big.yaml", big), true);
    assert.equal(files.holds("big.yaml", `${big}x`), false);
    assert.equal(files.holds("big.yaml", big.replace("é", "e")), false);
    assert.equal(files.holds("missing.yaml", ""), false);
  });

  it("lists YAML files and those of generated subdirectories, and reads them only when asked", () => {
    writeFileSync(join(dir, "a-app.yaml"), "a");
    writeFileSync(join(dir, "notes.txt"), "not YAML");
    const files = new OutputFiles(dir);
    assert.deepEqual([...files.keys()], ["a-app.yaml"]);
    assert.equal(files.size, 1);
    writeFileSync(join(dir, "a-app.yaml"), "changed after listing");
    assert.equal(files.get("a-app.yaml"), "changed after listing", "read when asked, not at listing");
    assert.deepEqual([...files], [["a-app.yaml", "changed after listing"]]);
    assert.equal(files.get("notes.txt"), undefined);
    assert.equal(new OutputFiles(join(dir, "absent")).size, 0);
  });
});
