/**
 * docs/migrating-from-terragrunt.md, tried end to end offline: its `sh offline` code blocks run in
 * order in a project holding the recorded Terragrunt state and the two stack files; its `sh cloud`
 * blocks (Pulumi CLI, Terragrunt, kubectl) are checked to be well-formed, never run, and never
 * destroy anything.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { linkProgram, REPO_ROOT } from "../support/paths";

const DOC = readFileSync(join(REPO_ROOT, "docs", "migrating-from-terragrunt.md"), "utf8");
const FIXTURES = join(__dirname, "fixtures");

/** Every fenced block with the given info string, in document order, as its command lines. */
function blocks(kind: "offline" | "cloud"): string[][] {
  const found: string[][] = [];
  const fence = new RegExp("^```sh " + kind + "\\n([\\s\\S]*?)^```$", "gm");
  for (const match of DOC.matchAll(fence)) {
    found.push(
      (match[1] ?? "")
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line !== "" && !line.startsWith("#")),
    );
  }
  return found;
}

/** Splits a command line as sh would (single and double quotes; no expansions in these docs). */
function words(line: string): string[] {
  const out: string[] = [];
  const token = /'([^']*)'|"([^"]*)"|(\S+)/g;
  for (const m of line.matchAll(token)) out.push(m[1] ?? m[2] ?? m[3] ?? "");
  return out;
}

const CLI_COMMANDS = ["migrate", "config", "synth", "generate", "handoff", "migrate-state"];
const PULUMI_COMMANDS = ["login", "stack", "preview", "up", "config"];

describe("docs/migrating-from-terragrunt.md", () => {
  const work = mkdtempSync(join(tmpdir(), "gitops-migrate-doc-"));
  after(() => rmSync(work, { recursive: true, force: true }));

  it("has the order of events, each step with its way back", () => {
    const steps = [...DOC.matchAll(/^### (\d)\. (.+)$/gm)].map((m) => `${m[1]}. ${m[2]}`);
    assert.deepEqual(steps, [
      "0. Freeze the Terragrunt CI",
      "1. Save what Terraform knows",
      "2. Write the adopt settings, and see the first run's effect",
      "3. The account stack, on a local backend",
      "4. Move the account stack's state into the adopted bucket",
      "5. The cluster stack",
      "6. Terragrunt forgets the cluster, and adopt goes",
      "7. Switch CI over, last",
    ]);
    const sections = DOC.split(/^### /m).slice(1);
    for (const section of sections) assert.match(section, /_Roll back:_/, section.split("\n")[0]);
  });

  it("runs its offline commands in order on the recorded state, each succeeding", function () {
    this.timeout(300_000);
    const project = join(work, "project");
    spawnSync("mkdir", ["-p", project]);
    linkProgram(project);
    copyFileSync(join(FIXTURES, "run-all.out"), join(project, "terragrunt-state.json"));
    copyFileSync(join(FIXTURES, "Pulumi.tg-account.yaml"), join(project, "Pulumi.account.yaml"));
    copyFileSync(join(FIXTURES, "Pulumi.tg-cluster.yaml"), join(project, "Pulumi.homelab.yaml"));
    const commands = blocks("offline").flat();
    assert.deepEqual(
      commands.map((c) => words(c).slice(0, 3).join(" ")),
      [
        "npx gitops-bootstrap migrate",
        "npx gitops-bootstrap config",
        "npx gitops-bootstrap config",
        "npx gitops-bootstrap synth",
        "npx gitops-bootstrap synth",
      ],
    );
    for (const command of commands) {
      // The TypeScript CLI: cli/dist is rebuilt only after merging.
      const args = words(command).slice(2);
      const run = spawnSync(
        process.execPath,
        [join(REPO_ROOT, "node_modules", ".bin", "tsx"), join(REPO_ROOT, "cli", "main.ts"), ...args],
        { cwd: project, encoding: "utf8" },
      );
      assert.equal(run.status, 0, `${command}\n${run.stdout}\n${run.stderr}`);
    }
    const resources = JSON.parse(
      readFileSync(join(project, "out", "homelab", "resources.json"), "utf8"),
    ) as Array<{
      type: string;
      options: { import?: string };
    }>;
    assert.deepEqual(
      resources.filter((r) => r.options.import !== undefined).map((r) => `${r.type}=${r.options.import}`),
      ["kubernetes:core/v1:Namespace=argocd", "kubernetes:helm.sh/v3:Release=argocd/argocd"],
    );
    assert.match(
      readFileSync(join(project, "Pulumi.account.yaml"), "utf8"),
      /stateKey: 6f1d2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b/,
    );
  });

  it("has well-formed cloud commands, none of which destroys anything", () => {
    const commands = blocks("cloud").flat();
    assert.ok(commands.length >= 15, String(commands.length));
    for (const line of commands) {
      assert.doesNotMatch(
        line,
        /\bdestroy\b|helm uninstall|kubectl (-n \S+ )?delete (application|app)/,
        line,
      );
      assert.equal((line.match(/'/g) ?? []).length % 2, 0, `unbalanced quotes: ${line}`);
      const parts = line.split(" && ").map(words);
      for (const [tool, sub, ...rest] of parts) {
        switch (tool) {
          case "cd":
            assert.match(sub ?? "", /^(bootstrap|argocd-install|argocd-configure)$/, line);
            break;
          case "pulumi":
            assert.ok(PULUMI_COMMANDS.includes(sub ?? ""), line);
            if (sub === "up" || sub === "preview")
              assert.ok(rest.includes("--stack"), `names no stack: ${line}`);
            break;
          case "npx":
            assert.equal(sub, "gitops-bootstrap", line);
            assert.ok(CLI_COMMANDS.includes(rest[0] ?? ""), line);
            break;
          case "terragrunt":
            assert.ok(["run-all", "state", "apply"].includes(sub ?? ""), line);
            if (sub === "state") assert.match(rest.join(" "), /^rm \S+$/, line);
            break;
          case "kubectl":
            assert.equal(sub, "-n", line);
            assert.ok(["patch", "label", "annotate"].includes(rest[1] ?? ""), line);
            break;
          default:
            assert.fail(`unexpected command: ${line}`);
        }
      }
    }
  });

  it("prints, through migrate, the same kubectl commands the doc shows", () => {
    const kubectl = blocks("cloud")
      .flat()
      .filter((l) => l.startsWith("kubectl"));
    const run = spawnSync(
      process.execPath,
      [
        join(REPO_ROOT, "node_modules", ".bin", "tsx"),
        join(REPO_ROOT, "cli", "main.ts"),
        "migrate",
        "--state",
        join(FIXTURES, "run-all.out"),
        "--cluster-stack-file",
        join(FIXTURES, "Pulumi.tg-cluster.yaml"),
        "--dry-run",
      ],
      { cwd: REPO_ROOT, encoding: "utf8" },
    );
    assert.equal(run.status, 0, run.stderr);
    for (const line of kubectl) assert.ok(run.stdout.includes(`  ${line}\n`), line);
  });
});
