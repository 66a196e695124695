/**
 * `npx tsx scripts/synth-diff.ts --base <git ref> | --base-dir <dir> [--stack <name>]…`: what a change does to what
 * each stack installs. Synthesises every stack (Pulumi.<stack>.yaml at the root, and
 * examples/<name>/Pulumi.<name>.yaml) on the base and on this tree, and prints the diff of the
 * Helm values (helm/*.yaml), the objects (manifests/) and, with selfManagement, what `handoff` writes
 * for the engine (handoff/). CI runs it on each pull request (preview
 * workflow), so a chart bump from Renovate shows its effect before merge; locally it answers "what
 * does my change do to prod?". Offline and without credentials, like synth.
 *
 * Exits 1 only when this tree's synth fails; a base that cannot synth a stack (new, or older
 * without the stack's options) is reported and skipped.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";

export interface StackRef {
  stack: string;
  /** The stack file relative to the project root. */
  file: string;
}

/** The stacks of a project: Pulumi.<stack>.yaml at its root and examples/<name>/Pulumi.<name>.yaml. */
export function listStacks(root: string): StackRef[] {
  const at = (dir: string) =>
    readdirSync(join(root, dir))
      .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
      .filter((s): s is string => s !== undefined)
      .map((stack) => ({ stack, file: join(dir, `Pulumi.${stack}.yaml`) }));
  const examples = existsSync(join(root, "examples"))
    ? readdirSync(join(root, "examples"), { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .flatMap((e) => at(join("examples", e.name)))
    : [];
  return [...at("."), ...examples].map((s) => ({ ...s, file: relative(".", s.file) }));
}

/**
 * Recorded outputs of the stacks an example's stacks reference (a hub's spokes): `stack-outputs.yaml`
 * beside the stack file, passed to synth with --stack-outputs (docs/hub-and-spoke.md).
 */
function stackOutputsArgs(projectDir: string, ref: StackRef): string[] {
  const file = join(projectDir, dirname(ref.file), "stack-outputs.yaml");
  return ref.file.includes("/") && existsSync(file) ? ["--stack-outputs", file] : [];
}

function synth(projectDir: string, ref: StackRef, out: string): { ok: boolean; error: string } {
  const run = spawnSync(
    join(projectDir, "node_modules", ".bin", "tsx"),
    [
      join(projectDir, "cli", "main.ts"),
      "synth",
      "--stack",
      ref.stack,
      ...(ref.file.includes("/") ? ["--config-file", join(projectDir, ref.file)] : []),
      ...stackOutputsArgs(projectDir, ref),
      "--out",
      out,
    ],
    { cwd: projectDir, encoding: "utf8" },
  );
  return { ok: run.status === 0, error: `${run.stderr}${run.stdout}`.trim() };
}

/** `git diff --no-index` of a stack's two synth outputs under `work`, limited to the values and objects. */
function diff(work: string, stack: string): string {
  return ["helm", "manifests", "handoff"]
    .map(
      (dir) =>
        spawnSync(
          "git",
          ["diff", "--no-index", "--no-color", "--", `base/${stack}/${dir}`, `head/${stack}/${dir}`],
          {
            cwd: work,
            encoding: "utf8",
          },
        ).stdout,
    )
    .join("");
}

export interface StackDiff {
  stack: string;
  file: string;
  /** "changed", "unchanged", "new" (no base synth) or "failed" (this tree's synth failed). */
  status: "changed" | "unchanged" | "new" | "failed";
  text: string;
}

/** Synth of every stack of `headDir` (or only those named) on both trees, diffed. */
export function synthDiff(baseDir: string, headDir: string, only?: readonly string[]): StackDiff[] {
  const work = mkdtempSync(join(tmpdir(), "gitops-synth-diff-"));
  try {
    const stacks = listStacks(headDir).filter((ref) => only === undefined || only.includes(ref.stack));
    return stacks.map((ref) => {
      const head = join(work, "head", ref.stack);
      const base = join(work, "base", ref.stack);
      const headRun = synth(headDir, ref, head);
      if (!headRun.ok) return { ...ref, status: "failed" as const, text: headRun.error };
      const baseRun = existsSync(join(baseDir, ref.file))
        ? synth(baseDir, ref, base)
        : { ok: false, error: "no such stack file on the base" };
      if (!baseRun.ok) return { ...ref, status: "new" as const, text: baseRun.error.split("\n")[0] ?? "" };
      const text = diff(work, ref.stack);
      return { ...ref, status: text === "" ? ("unchanged" as const) : ("changed" as const), text };
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The report: one section per stack, the diff in a fenced block. */
export function formatReport(diffs: readonly StackDiff[]): string {
  return diffs
    .map((d) => {
      const title = `### ${d.stack} (${d.file}): ${d.status}`;
      if (d.status === "unchanged") return `${title}\n`;
      return `${title}\n\n\`\`\`${d.status === "changed" ? "diff" : ""}\n${d.text.trimEnd()}\n\`\`\`\n`;
    })
    .join("\n");
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      base: { type: "string" },
      "base-dir": { type: "string" },
      stack: { type: "string", multiple: true },
    },
  });
  const headDir = resolve(__dirname, "..");
  let baseDir = values["base-dir"] === undefined ? undefined : resolve(values["base-dir"]);
  // A base checked out next to this tree (CI) runs with this tree's dependencies.
  if (baseDir !== undefined && !existsSync(join(baseDir, "node_modules")))
    symlinkSync(join(headDir, "node_modules"), join(baseDir, "node_modules"));
  let worktree: string | undefined;
  if (baseDir === undefined) {
    if (values.base === undefined)
      throw new Error("usage: synth-diff.ts --base <git ref> | --base-dir <dir>");
    worktree = mkdtempSync(join(tmpdir(), "gitops-base-"));
    execFileSync("git", ["worktree", "add", "--detach", worktree, values.base], {
      cwd: headDir,
      stdio: "ignore",
    });
    symlinkSync(join(headDir, "node_modules"), join(worktree, "node_modules"));
    baseDir = worktree;
  }
  try {
    const diffs = synthDiff(baseDir, headDir, values.stack);
    const report = formatReport(diffs);
    console.log(report);
    const summary = process.env.GITHUB_STEP_SUMMARY;
    if (summary !== undefined && summary !== "")
      appendFileSync(summary, `## synth: base → head\n\n${report}\n`);
    return diffs.some((d) => d.status === "failed") ? 1 : 0;
  } finally {
    if (worktree !== undefined) {
      execFileSync("git", ["worktree", "remove", "--force", worktree], { cwd: headDir, stdio: "ignore" });
    }
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}
