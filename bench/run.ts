/**
 * `npm run bench`: whole-process times of the compiled CLI, printed as the Markdown tables the
 * README quotes. Not a test (nothing here asserts a time). Run `npm run build` first when the
 * sources changed. BENCH_RUNS sets the runs per measurement, BENCH_NODE the Node timed, and
 * BENCH_SCRIPT=0 skips the stand-in script; sizes may be given (default 50 1000 10000):
 * `npm run bench -- 50 1000`.
 */
import { cpus, loadavg } from "node:os";
import { spawnSync } from "node:child_process";
import { generateTable, measureGenerate, NODE, scriptAvailable, SIZES } from "./generate";
import { measureStartup, startupTable } from "./synth";

const sizes = process.argv.slice(2).map(Number);
const load = () => loadavg()[0]?.toFixed(1) ?? "?";
const nodeVersion = spawnSync(NODE, ["--version"], { encoding: "utf8" }).stdout.trim();
const machine = `Node ${nodeVersion}, ${process.platform}/${process.arch}, ${cpus().length} CPUs, load average ${load()} at start`;

console.log(
  `## Start-up and synth (${machine}; median of ${process.env.BENCH_RUNS ?? 5} runs after a warm-up)\n`,
);
console.log(startupTable(measureStartup()));

const script = scriptAvailable();
console.log(
  `\n## generate, whole process (median of ${process.env.BENCH_RUNS ?? "5 runs, 3 at 10,000 apps"})\n`,
);
if (!script) console.log("(BENCH_SCRIPT=0 or no bash 4: the stand-in script was not timed)\n");
console.log(
  generateTable((sizes.length > 0 ? sizes : SIZES).flatMap((apps) => measureGenerate(apps, script))),
);
console.log(`\n(load average ${load()} at the end)`);
