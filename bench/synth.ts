/**
 * Whole-process benchmark of the CLI's start-up and `synth`: `--help`, `--version`, `synth` of
 * the example stacks through the compiled bin, and the floor synth cannot go below: loading the
 * six Pulumi SDKs the program uses in one Node process.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NODE, timeOnce, timeRuns } from "./generate";

const ROOT = join(__dirname, "..");
const BIN = join(ROOT, "cli", "bin.js");
const SDKS = [
  "@pulumi/pulumi",
  "@pulumi/kubernetes",
  "@pulumi/aws",
  "@pulumi/github",
  "@pulumi/tailscale",
  "@pulumi/tls",
];

export interface StartupRow {
  what: string;
  seconds: number;
}

export function measureStartup(runs = Number(process.env.BENCH_RUNS ?? 5)): StartupRow[] {
  const out = mkdtempSync(join(tmpdir(), "gitops-bench-synth-"));
  const node = (args: string[]) => () => timeOnce(NODE, args, ROOT);
  try {
    return [
      { what: "node -e 0 (Node alone)", seconds: timeRuns(runs, node(["-e", "0"])) },
      { what: "gitops-bootstrap --help", seconds: timeRuns(runs, node([BIN, "--help"])) },
      { what: "gitops-bootstrap --version", seconds: timeRuns(runs, node([BIN, "--version"])) },
      {
        what: `load the six Pulumi SDKs (${SDKS.map((s) => s.slice("@pulumi/".length)).join(", ")})`,
        seconds: timeRuns(runs, node(["-e", SDKS.map((s) => `require(${JSON.stringify(s)})`).join(";")])),
      },
      ...["homelab", "prod", "account"].map((stack) => ({
        what: `gitops-bootstrap synth --stack ${stack}`,
        seconds: timeRuns(runs, node([BIN, "synth", "--stack", stack, "--out", join(out, stack)])),
      })),
    ];
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export function startupTable(rows: readonly StartupRow[]): string {
  const floor = rows.find((r) => r.what.startsWith("load the six"))?.seconds;
  const lines = rows.map((r) => {
    const ratio =
      r.what.includes(" synth ") && floor !== undefined
        ? `${(r.seconds / floor).toFixed(2)}× the SDK load`
        : "";
    return `| ${r.what} | ${r.seconds.toFixed(3)} s | ${ratio} |`;
  });
  return ["| command | wall time (median) | |", "|---|---:|---|", ...lines].join("\n");
}

if (require.main === module) console.log(startupTable(measureStartup()));
