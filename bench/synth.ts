/**
 * Benchmark: `synth` of each example stack, as a user runs it (a fresh process each time).
 * Prints wall time and peak resident memory (from /usr/bin/time) as the median of N runs.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export function benchSynth(): string[] {
  const out = mkdtempSync(join(tmpdir(), "bench-synth-"));
  const rows = ["| stack | resources | wall time (median of " + RUNS + ") | peak RSS |", "|---|---|---|---|"];
  try {
    for (const stack of ["homelab", "prod"]) {
      const times: number[] = [];
      const rss: number[] = [];
      let summary = "";
      for (let i = 0; i < RUNS; i++) {
        const started = process.hrtime.bigint();
        const run = spawnSync(
          "/usr/bin/time",
          [
            "-f",
            "%M",
            join(ROOT, "node_modules", ".bin", "tsx"),
            "cli/main.ts",
            "synth",
            "--stack",
            stack,
            "--out",
            join(out, stack),
          ],
          { cwd: ROOT, encoding: "utf8" },
        );
        times.push(Number(process.hrtime.bigint() - started) / 1e6);
        if (run.status !== 0) throw new Error(`synth ${stack} failed:\n${run.stderr}`);
        rss.push(Number(run.stderr.trim().split("\n").pop()) / 1024);
        summary = run.stdout.trim();
      }
      const resources = /(\d+) resources/.exec(summary)?.[1] ?? "?";
      rows.push(
        `| ${stack} | ${resources} | ${(median(times) / 1000).toFixed(2)} s | ${median(rss).toFixed(0)} MiB |`,
      );
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  return rows;
}
