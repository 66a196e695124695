/**
 * generate in pre-commit hooks and CI: a run that changes nothing rewrites no file, so mtimes (and
 * whatever watches them) stay put; a change rewrites only the files it changes.
 */
import { strict as assert } from "node:assert";
import { readdirSync, rmSync, statSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../support/harness";
import { copyFixture } from "./helpers";

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
