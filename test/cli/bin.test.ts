/**
 * `npx gitops-bootstrap …`: every command through the bin, the compiled code users run.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { writeRepository } from "../../bench/catalogs";
import { runCli, REPO_ROOT } from "../support/harness";

const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string })
  .version;
const COMMANDS = ["config", "generate", "synth", "handoff", "migrate-state", "drift-report", "migrate"];

describe("npx gitops-bootstrap", () => {
  const work = mkdtempSync(join(tmpdir(), "gitops-bin-"));
  after(() => rmSync(work, { recursive: true, force: true }));

  it("--help and help list every command with npx usage, exit 0", () => {
    for (const args of [["--help"], ["-h"], ["help"]]) {
      const run = runCli(args);
      assert.equal(run.status, 0, `${args.join(" ")}: ${run.stderr}`);
      assert.match(run.stdout, /^Usage: npx gitops-bootstrap <command> \[options\]\n/);
      for (const command of [...COMMANDS, "help"])
        assert.match(run.stdout, new RegExp(`\\n  ${command} +\\S`));
      assert.equal(run.stderr, "");
    }
  });

  it("--version, -v and version print the package version, exit 0", () => {
    for (const args of [["--version"], ["-v"], ["version"]]) {
      const run = runCli(args);
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stdout, `${VERSION}\n`);
    }
  });

  for (const command of COMMANDS) {
    it(`${command} --help and help ${command} show its npx usage, exit 0`, () => {
      const direct = runCli([command, "--help"]);
      assert.equal(direct.status, 0, direct.stderr);
      assert.match(direct.stdout, new RegExp(`^Usage: npx gitops-bootstrap ${command} `));
      const viaHelp = runCli(["help", command]);
      assert.equal(viaHelp.status, 0, viaHelp.stderr);
      assert.equal(viaHelp.stdout, direct.stdout);
    });
  }

  it("synth runs the program through the bin (it failed on index.ts: Unknown file extension)", function () {
    this.timeout(120_000);
    const out = join(work, "homelab");
    const run = runCli(["synth", "--stack", "homelab", "--out", out]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^synth: homelab: \d+ resources, \d+ files in /);
    assert.equal(JSON.parse(readFileSync(join(out, "outputs.json"), "utf8")).engine, "flux");
  });

  it("migrate-state is a command: without options it exits 2 naming each missing option", () => {
    const run = runCli(["migrate-state"]);
    assert.equal(run.status, 2, run.stdout + run.stderr);
    assert.match(run.stdout, /--stack: at least one stack is required/);
    assert.match(run.stdout, /--backend-url: /);
  });

  it("an unknown command exits 2 with the command list; no command shows the help and exits 2", () => {
    const unknown = runCli(["deploy"]);
    assert.equal(unknown.status, 2);
    assert.match(
      unknown.stderr,
      /^gitops-bootstrap: unknown command "deploy"\n\nUsage: npx gitops-bootstrap /,
    );
    const none = runCli([]);
    assert.equal(none.status, 2);
    assert.match(none.stdout, /^Usage: npx gitops-bootstrap /);
    const help = runCli(["help", "deploy"]);
    assert.equal(help.status, 2);
    assert.match(help.stderr, /unknown command "deploy"/);
  });

  it("printing to a reader that went away (| head) ends the printing, not the run", () => {
    const root = mkdtempSync(join(tmpdir(), "bin-epipe-"));
    try {
      writeRepository(root, 3_000);
      // The --dry-run listing (~200 KB) outgrows the pipe, so it is written after head has exited.
      const run = spawnSync(
        "bash",
        [
          "-c",
          `"${process.execPath}" "${join(REPO_ROOT, "cli", "bin.js")}" generate --catalog apps.yaml --engine argocd --dry-run | head -c 10 >/dev/null; echo "exit \${PIPESTATUS[0]}"`,
        ],
        { cwd: root, encoding: "utf8" },
      );
      assert.equal(run.stdout, "exit 0\n", run.stderr);
      assert.equal(run.stderr, "");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
