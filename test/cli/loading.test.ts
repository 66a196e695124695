/**
 * Each command loads only what it uses: `generate` never loads a Pulumi SDK, and `--help` and
 * `--version` load nothing but the CLI's entry bundle. Checked on the compiled CLI users run, by
 * listing every module a fresh process loaded.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, relative } from "node:path";
import { copyFixture } from "../catalog/helpers";
import { REPO_ROOT } from "../support/harness";

/** Runs the compiled CLI's main() in a fresh process; returns its exit code and the loaded modules. */
function loadedBy(args: string[], cwd = REPO_ROOT): { code: number; modules: string[] } {
  const script = [
    `const { main } = require(${JSON.stringify(join(REPO_ROOT, "cli", "dist", "main.js"))});`,
    "main(JSON.parse(process.argv[1])).then((code) => {",
    "  process.stdout.write('\\n@@' + JSON.stringify({ code, modules: Object.keys(require.cache) }));",
    "});",
  ].join("\n");
  const run = spawnSync(process.execPath, ["-e", script, JSON.stringify(args)], { cwd, encoding: "utf8" });
  const marker = run.stdout.lastIndexOf("\n@@");
  assert.notEqual(marker, -1, `no module list: ${run.stderr}`);
  const result = JSON.parse(run.stdout.slice(marker + 3)) as { code: number; modules: string[] };
  return { code: result.code, modules: result.modules.map((m) => relative(REPO_ROOT, m)).sort() };
}

describe("what each command loads", () => {
  it("--help, --version and help load only the entry bundle", () => {
    for (const args of [["--help"], ["--version"], ["help"]]) {
      const { code, modules } = loadedBy(args);
      assert.equal(code, 0);
      assert.deepEqual(modules, ["cli/dist/main.js"], args.join(" "));
    }
  });

  it("generate loads its own bundle and no package from node_modules (no @pulumi SDK)", () => {
    for (const engine of ["argocd", "flux"]) {
      // A fresh copy each: flux over argocd's output would delete it all, which generate refuses.
      const root = copyFixture("classic");
      const { code, modules } = loadedBy([
        "generate",
        "--catalog",
        join(root, "apps.yaml"),
        "--engine",
        engine,
      ]);
      assert.equal(code, 0);
      assert.deepEqual(modules, ["cli/dist/generate.js", "cli/dist/main.js"], engine);
    }
  });

  it("handoff loads its own bundle, never synth's or the program's providers", () => {
    const root = join(copyFixture("classic"), "handoff-root");
    mkdirSync(root);
    const config = join(REPO_ROOT, "examples", "flux-homelab", "Pulumi.flux-homelab.yaml");
    const { code, modules } = loadedBy([
      "handoff",
      "--stack",
      "flux-homelab",
      "--config-file",
      config,
      "--root",
      root,
    ]);
    assert.equal(code, 0);
    // It reads the stack as `config` does, without Pulumi (stacks/load-config.ts is the program's alone).
    assert.deepEqual(modules, ["cli/dist/handoff.js", "cli/dist/main.js"]);
  });

  it("config loads its own bundle and no package from node_modules (no @pulumi SDK)", () => {
    for (const stack of ["homelab", "prod", "account"]) {
      const { code, modules } = loadedBy(["config", "--stack", stack]);
      assert.equal(code, 0, stack);
      assert.deepEqual(modules, ["cli/dist/config.js", "cli/dist/main.js"], stack);
    }
  });

  it("drift-report loads its own bundle and no package from node_modules (no @pulumi SDK)", () => {
    const fixtures = join(REPO_ROOT, "test", "github", "fixtures", "drift");
    const out = join(copyFixture("classic"), "drift-report.json");
    const { code, modules } = loadedBy([
      "drift-report",
      "--stack",
      "prod",
      "--preview",
      join(fixtures, "drifted-prod.json"),
      "--exit-code",
      "7",
      "--out",
      out,
    ]);
    assert.equal(code, 0);
    assert.deepEqual(modules, ["cli/dist/drift-report.js", "cli/dist/main.js"]);
  });

  it("migrate loads its own bundle and no package from node_modules (no @pulumi SDK)", () => {
    const fixtures = join(REPO_ROOT, "test", "migration", "fixtures");
    const { code, modules } = loadedBy([
      "migrate",
      "--state",
      join(fixtures, "run-all.out"),
      "--cluster-stack-file",
      join(fixtures, "Pulumi.tg-cluster.yaml"),
      "--dry-run",
    ]);
    assert.equal(code, 0);
    assert.deepEqual(modules, ["cli/dist/main.js", "cli/dist/migrate.js"]);
  });

  // (@pulumi/pulumi itself loads the typescript package, for closure serialisation.)
  it("synth runs the program compiled into its bundle, with the Pulumi SDKs, never a TypeScript loader or source", function () {
    this.timeout(120_000);
    const { code, modules } = loadedBy([
      "synth",
      "--stack",
      "homelab",
      "--out",
      join(copyFixture("classic"), "out"),
    ]);
    assert.equal(code, 0);
    assert.deepEqual(
      modules.filter((m) => m.startsWith("cli/")),
      ["cli/dist/main.js", "cli/dist/synth.js"],
    );
    assert.ok(modules.some((m) => m.startsWith("node_modules/@pulumi/pulumi/")));
    assert.deepEqual(
      modules.filter((m) => /node_modules\/(tsx|esbuild|ts-node)\/|\.ts$/.test(m)),
      [],
    );
  });
});
