/**
 * Benchmark of `generate` for 100, 1,000 and 10,000 apps: time and peak memory, printed as a table.
 *
 *   npx tsx bench/generate.ts            # all sizes, each in a fresh child process
 *   npx tsx bench/generate.ts 1000       # one size, in this process
 *
 * Each size runs in its own process so its peak RSS is its own. Times are the median of 5 runs
 * (3 at 10,000 apps) after one warm-up; "cli" is one end-to-end `generate` writing into an empty temporary directory.
 * The synthetic catalog is shaped like a homelab: 5% of the apps spread over waves 0..6 (so Flux
 * gets wave dependsOn), the rest at the default wave 10, 5% with an override.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { generateCommand } from "../cli/generate";
import { loadCatalog, type RepoView } from "../core/catalog/catalog";
import { generate, type GenerateOptions } from "../core/catalog/generate";

const SIZES = [100, 1_000, 10_000];
/** Timed runs per measurement (after one warm-up); fewer for the largest size. */
const runsFor = (n: number) => (n >= 10_000 ? 3 : 5);

interface Synthetic {
  catalog: string;
  files: Record<string, string>;
}

/** A catalog of `n` apps: half in a classic kustomization list, half in apps/<category>/<app>. */
function synthetic(n: number): Synthetic {
  const files: Record<string, string> = {};
  const listed: string[] = [];
  const overrides: string[] = [];
  for (let i = 0; i < n; i++) {
    const app = `app-${String(i).padStart(5, "0")}`;
    const dir = i % 2 === 0 ? `manifests/cluster/${app}` : `apps/cat-${i % 20}/${app}`;
    files[`${dir}/kustomization.yaml`] = "resources: [deployment.yaml]\n";
    files[`${dir}/deployment.yaml`] = "kind: Deployment\n";
    if (i % 2 === 0) listed.push(app);
    const name = i % 2 === 0 ? app : `cat-${i % 20}-${app}`;
    if (i % 20 === 0) overrides.push(`  ${name}: { wave: ${(i / 20) % 7}, namespace: ns-${i % 7} }`);
    // Category cat-1 as a whole in wave 3: an ApplicationSet's apps share one wave.
    else if (i % 20 === 1) overrides.push(`  ${name}: { wave: 3 }`);
  }
  files["manifests/cluster/kustomization.yaml"] = `resources:\n${listed.map((a) => `  - ${a}\n`).join("")}`;
  const catalog = [
    "repo: { url: https://github.com/acme/homelab, revision: main }",
    "include:",
    "  - kustomization: manifests/cluster/kustomization.yaml",
    '  - directories: "apps/*/*"',
    "apps:",
    ...overrides,
    "",
  ].join("\n");
  return { catalog, files };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function time(runs: number, run: () => unknown): number {
  run();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    run();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

async function measure(n: number): Promise<string[][]> {
  const { catalog, files } = synthetic(n);
  const repo: RepoView = { files: Object.keys(files).sort(), read: (p) => files[p] };
  const runs = runsFor(n);
  const resolveMs = time(runs, () => loadCatalog(catalog, "apps.yaml", repo));
  const resolved = loadCatalog(catalog, "apps.yaml", repo);
  const rows: string[][] = [];
  const variants: Array<[string, GenerateOptions]> = [
    ["argocd applications", { engine: "argocd", mode: "applications" }],
    ["argocd applicationsets", { engine: "argocd", mode: "applicationsets" }],
    ["flux", { engine: "flux" }],
  ];
  const dir = mkdtempSync(join(tmpdir(), "gitops-bench-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  writeFileSync(join(dir, "apps.yaml"), catalog);
  try {
    for (const [label, options] of variants) {
      const generateMs = time(runs, () => generate(resolved, new Map(), options));
      const result = generate(resolved, new Map(), options);
      const bytes = [...result.files.values()].reduce((sum, text) => sum + text.length, 0);
      rmSync(join(dir, resolved.output), { recursive: true, force: true });
      const argv = ["--catalog", join(dir, "apps.yaml"), "--engine", options.engine];
      if (options.engine === "argocd") argv.push("--mode", options.mode ?? "applications");
      const quiet = { out: () => undefined, err: () => undefined };
      const start = performance.now();
      const code = await generateCommand(argv, quiet);
      const cliMs = performance.now() - start;
      if (code !== 0) throw new Error(`generate exited ${code}`);
      rows.push([
        n.toLocaleString("en-US"),
        label,
        String(result.files.size),
        `${(bytes / 1024 / 1024).toFixed(1)} MB`,
        resolveMs.toFixed(1),
        generateMs.toFixed(1),
        cliMs.toFixed(0),
      ]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const peak = `${Math.round(process.resourceUsage().maxRSS / 1024)} MB`;
  return rows.map((row) => [...row, peak]);
}

const HEADER = ["apps", "output", "files", "size", "parse+resolve ms", "generate ms", "cli ms", "peak RSS"];

function table(rows: string[][]): string {
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(HEADER), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

/** Runs every size in a child process and returns the Markdown table (for bench/run.ts). */
export function benchGenerate(): string {
  const rows: string[][] = [];
  for (const n of SIZES) {
    const child = spawnSync(
      process.execPath,
      ["--require", require.resolve("tsx/cjs"), __filename, "--child", String(n)],
      {
        encoding: "utf8",
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    if (child.status !== 0) throw new Error(`bench for ${n} apps failed:\n${child.stderr}`);
    rows.push(...(JSON.parse(child.stdout) as string[][]));
  }
  return `generate (node ${process.version}, ${process.platform}/${process.arch}; median of 5 runs, 3 at 10,000 apps)\n\n${table(rows)}`;
}

async function main(): Promise<void> {
  const only = process.argv[2];
  if (only === "--child") process.stdout.write(JSON.stringify(await measure(Number(process.argv[3]))));
  else if (only !== undefined) console.log(table(await measure(Number(only))));
  else console.log(benchGenerate());
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
