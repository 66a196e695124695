/**
 * `drift-report`: reads one stack's recorded `pulumi preview --refresh --expect-no-changes --json`
 * and writes the verdict and its drift issue's text (core/github/drift-report.ts). drift.yml runs it
 * after the preview and hands the result to the job that edits issues. No Pulumi SDK, no network.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { driftReport } from "../core/github/drift-report";

export const DRIFT_REPORT_HELP = `Usage: npx gitops-bootstrap drift-report --stack <name> --preview <file> --exit-code <n> [options]

Reads the stdout of \`pulumi preview --refresh --expect-no-changes --json\` for one stack and decides,
from the JSON (the exit code is nonzero both for changes and for errors): clean, drifted, or
unpreviewable (credentials, lock, or another error; never reported as drift). Writes the drift
issue's title and body: resource types and names, operations and property names, never values.

Options:
  --stack <name>      the stack that was previewed
  --preview <file>    pulumi preview's stdout (a missing file counts as no output)
  --exit-code <n>     pulumi preview's exit code
  --stderr <file>     pulumi preview's stderr: read to tell a lock or credentials failure apart, never copied
  --setup-failed      a credentials step before the preview failed, so it did not run
  --run-url <url>     the workflow run, linked from the issue
  --checked-at <time> when the check ran, for the issue (default: now, ISO 8601)
  --out <file>        write the report as JSON there and print its one-line summary; without it the JSON goes to stdout
  -h, --help          this text

The report: {"stack", "state": "clean"|"drifted"|"unpreviewable", "reason"?, "title", "body", "summary", "resources"}.
Exit codes: 0 report written (whatever the state), 2 bad arguments or an unreadable file.`;

const read = (file: string | undefined): string =>
  file === undefined || !existsSync(file) ? "" : readFileSync(file, "utf8");

export function driftReportCommand(argv: string[]): number {
  // parseArgs throws on an unknown option; main() prints it and exits 2.
  const { values } = parseArgs({
    args: argv,
    options: {
      stack: { type: "string" },
      preview: { type: "string" },
      "exit-code": { type: "string" },
      stderr: { type: "string" },
      "setup-failed": { type: "boolean" },
      "run-url": { type: "string" },
      "checked-at": { type: "string" },
      out: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help === true) {
    console.log(DRIFT_REPORT_HELP);
    return 0;
  }
  const missing = (["stack", "preview", "exit-code"] as const).filter((key) => values[key] === undefined);
  if (missing.length > 0) {
    console.error(
      `drift-report: ${missing.map((key) => `--${key}`).join(", ")} ${missing.length === 1 ? "is" : "are"} required\n\n${DRIFT_REPORT_HELP}`,
    );
    return 2;
  }
  const exitCode = values["exit-code"] ?? "";
  if (!/^\d+$/.test(exitCode)) {
    console.error(
      `drift-report: --exit-code must be pulumi preview's exit code, a number such as 0 or 1; got ${JSON.stringify(exitCode)}`,
    );
    return 2;
  }
  if (values.preview !== undefined && !existsSync(values.preview) && values["setup-failed"] !== true) {
    console.error(
      `drift-report: ${values.preview} does not exist: counted as a preview that printed nothing`,
    );
  }
  let report;
  try {
    report = driftReport({
      stack: values.stack ?? "",
      previewJson: read(values.preview),
      exitCode: Number(exitCode),
      stderr: read(values.stderr),
      setupFailed: values["setup-failed"] === true,
      runUrl: values["run-url"],
      checkedAt: values["checked-at"] ?? new Date().toISOString(),
    });
  } catch (error) {
    // Only file reads throw here (a directory, no permission): name the file, never its content.
    console.error(`drift-report: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  const json = `${JSON.stringify(report, null, 2)}\n`;
  if (values.out === undefined) {
    process.stdout.write(json);
    return 0;
  }
  writeFileSync(values.out, json);
  console.log(report.summary);
  return 0;
}
