/**
 * drift.yml beyond what test/github/workflows.test.ts checks of every workflow (schema, pins,
 * permissions, secrets per environment): its triggers, the preview identity, the exit-code and
 * setup-failure contract with `drift-report`, and the issue script, run with bash against a fake
 * `pulumi`, `npx` and `gh`.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import {
  CI_MODEL_CONDITION,
  OPERATOR_SECRETS,
  workflowEnvironmentExpression,
} from "../../core/github/github";
import { DRIFT_ISSUE_LABEL, driftIssueTitle } from "../../core/github/drift-report";
import { WORKFLOW_DIR } from "./workflow-refs";

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
  run?: string;
  "continue-on-error"?: boolean;
}
interface Job {
  if?: string;
  needs?: string;
  permissions?: Record<string, string>;
  environment?: string;
  strategy?: { matrix?: { stack?: string } };
  steps: Step[];
}

const TEXT = readFileSync(join(WORKFLOW_DIR, "drift.yml"), "utf8");
const DRIFT = parse(TEXT) as { on: Record<string, unknown>; jobs: Record<string, Job> };
const PREVIEW = parse(readFileSync(join(WORKFLOW_DIR, "preview.yml"), "utf8")) as {
  jobs: Record<string, Job>;
};
const previewJob = DRIFT.jobs.preview as Job;
const issuesJob = DRIFT.jobs.issues as Job;
const stepById = (id: string): Step => {
  const step = previewJob.steps.find((s) => s.id === id);
  assert.ok(step, `no step ${id}`);
  return step;
};

/** Runs a step's script with bash as GitHub does, with fake commands on PATH. */
function runStep(
  script: string,
  options: { cwd: string; env: Record<string, string>; fakes: Record<string, string> },
): { status: number | null; stdout: string; stderr: string } {
  const bin = join(options.cwd, ".fake-bin");
  mkdirSync(bin, { recursive: true });
  for (const [name, body] of Object.entries(options.fakes)) {
    writeFileSync(join(bin, name), `#!/usr/bin/env bash\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  }
  return spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], {
    cwd: options.cwd,
    encoding: "utf8",
    env: { PATH: `${bin}:${process.env.PATH ?? ""}`, ...options.env },
  });
}

describe("drift.yml", () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), "gitops-drift-wf-"));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it("runs daily on a schedule and on demand, never on pull requests or pushes", () => {
    assert.deepEqual(Object.keys(DRIFT.on).sort(), ["schedule", "workflow_dispatch"]);
    assert.deepEqual(DRIFT.on.schedule, [{ cron: "17 5 * * *" }]);
  });

  it("runs scheduled runs (whose event has no default_branch) and manual runs from the default branch only", () => {
    for (const job of [previewJob, issuesJob]) {
      assert.match(
        job.if ?? "",
        /\(github\.event_name == 'schedule' \|\|\s+github\.ref == format\('refs\/heads\/\{0\}', github\.event\.repository\.default_branch\)\)/,
      );
      assert.match(job.if ?? "", /vars\.PULUMI_STACKS != ''/);
    }
    assert.ok((previewJob.if ?? "").includes(CI_MODEL_CONDITION));
  });

  it("previews the stacks preview.yml previews, in the preview environment, with the preview role", () => {
    assert.equal(previewJob.strategy?.matrix?.stack, PREVIEW.jobs.preview?.strategy?.matrix?.stack);
    assert.equal(previewJob.environment, workflowEnvironmentExpression("preview"));
    assert.deepEqual(previewJob.permissions, { contents: "read", "id-token": "write" });
    assert.equal(stepById("aws").with?.["role-to-assume"], "${{ vars.AWS_PREVIEW_ROLE_ARN }}");
    assert.deepEqual(
      previewJob.steps.filter((s) => s.uses?.startsWith("tailscale/github-action@")).map((s) => s.with),
      [
        {
          "oauth-client-id": "${{ secrets.TS_PREVIEW_OAUTH_CLIENT_ID }}",
          "oauth-secret": "${{ secrets.TS_PREVIEW_OAUTH_SECRET }}",
          tags: "${{ vars.TS_PREVIEW_TAGS }}",
        },
        { authkey: "${{ secrets.TS_PREVIEW_AUTHKEY }}" },
      ],
    );
    assert.doesNotMatch(TEXT, /TS_DEPLOY_|AWS_DEPLOY_ROLE_ARN|MANIFEST_DEPLOY_KEY/);
  });

  it("runs pulumi preview --refresh --expect-no-changes --json with the providers' admin credentials", () => {
    const preview = stepById("preview");
    assert.match(
      preview.run ?? "",
      /pulumi preview --stack "\$STACK" --refresh --expect-no-changes --json --non-interactive \\\n\s+> "\$out\/preview\.json" 2> "\$out\/preview\.stderr"/,
    );
    assert.deepEqual(preview.env, {
      GITHUB_TOKEN: "${{ secrets.PULUMI_GITHUB_TOKEN }}",
      TAILSCALE_OAUTH_CLIENT_ID: "${{ secrets.TAILSCALE_ADMIN_CLIENT_ID }}",
      TAILSCALE_OAUTH_CLIENT_SECRET: "${{ secrets.TAILSCALE_ADMIN_CLIENT_SECRET }}",
      PULUMI_NODEJS_TRANSPILE_ONLY: "true",
      PULUMI_BACKEND_URL: "${{ vars.PULUMI_BACKEND_URL }}",
      STACK: "${{ matrix.stack }}",
    });
    assert.deepEqual(
      OPERATOR_SECRETS.map((s) => s.name).filter((name) => !JSON.stringify(preview.env).includes(name)),
      [],
    );
    // pulumi/actions only installs the CLI: no command, so no preview of its own.
    const install = previewJob.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
    assert.equal(install?.with, undefined);
  });

  it("skips the preview when any credential step failed, and those steps never fail the job", () => {
    const credentialSteps = ["aws", "tailscale-oauth", "tailscale-authkey", "kubeconfig", "secrets-provider"];
    for (const id of credentialSteps) assert.equal(stepById(id)["continue-on-error"], true, id);
    const condition = (stepById("preview").if ?? "").replace(/\s+/g, " ");
    assert.equal(condition, credentialSteps.map((id) => `steps.${id}.outcome != 'failure'`).join(" && "));
    // Nothing else may fail quietly.
    assert.deepEqual(
      previewJob.steps.filter((s) => s["continue-on-error"] === true).map((s) => s.id),
      credentialSteps,
    );
  });

  it("records pulumi's exit code and JSON apart, keeps the JSON out of the log, and never fails the step", () => {
    const fakes = {
      pulumi: [
        'echo "$@" > "$RUNNER_TEMP/args"',
        'echo \'{"steps":[{"op":"update","urn":"u","detailedDiff":{"policy":{}}}],"config":{"v":"VALUE-IN-JSON"}}\'',
        "echo 'error: no changes were expected for preview but changes were proposed' >&2",
        "exit 7",
      ].join("\n"),
    };
    const run = runStep(stepById("preview").run ?? "", {
      cwd: work,
      env: { RUNNER_TEMP: work, STACK: "prod" },
      fakes,
    });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(
      readFileSync(join(work, "args"), "utf8"),
      "preview --stack prod --refresh --expect-no-changes --json --non-interactive\n",
    );
    assert.equal(readFileSync(join(work, "drift", "exit-code"), "utf8"), "7\n");
    assert.match(readFileSync(join(work, "drift", "preview.json"), "utf8"), /VALUE-IN-JSON/);
    assert.doesNotMatch(run.stdout + run.stderr, /VALUE-IN-JSON/);
    assert.equal(run.stderr, "error: no changes were expected for preview but changes were proposed\n");
  });

  describe("the report step", () => {
    const report = () =>
      previewJob.steps.find((s) => /gitops-bootstrap drift-report/.test(s.run ?? "")) as Step;
    const fakeNpx = { npx: 'printf "%s\\n" "$@" > "$RUNNER_TEMP/npx-args"' };
    const args = () => readFileSync(join(work, "npx-args"), "utf8").trim().split("\n");

    it("reads the preview's outcome and the run's link from env, never spliced", () => {
      assert.deepEqual(report().env, {
        STACK: "${{ matrix.stack }}",
        PREVIEW_OUTCOME: "${{ steps.preview.outcome }}",
        RUN_URL: "${{ github.server_url }}/${{ github.repository }}/actions/runs/${{ github.run_id }}",
      });
      assert.equal(report().if, undefined, "runs whenever the job is still going");
    });

    it("hands drift-report the recorded exit code and files", () => {
      mkdirSync(join(work, "drift"));
      writeFileSync(join(work, "drift", "exit-code"), "7\n");
      const run = runStep(report().run ?? "", {
        cwd: work,
        env: {
          RUNNER_TEMP: work,
          STACK: "prod",
          PREVIEW_OUTCOME: "success",
          RUN_URL: "https://github.com/acme/infra/actions/runs/9",
        },
        fakes: fakeNpx,
      });
      assert.equal(run.status, 0, run.stderr);
      assert.deepEqual(args(), [
        "gitops-bootstrap",
        "drift-report",
        "--stack",
        "prod",
        "--preview",
        `${work}/drift/preview.json`,
        "--stderr",
        `${work}/drift/preview.stderr`,
        "--exit-code",
        "7",
        "--run-url",
        "https://github.com/acme/infra/actions/runs/9",
        "--out",
        `${work}/drift/report/prod.json`,
      ]);
    });

    it("says --setup-failed when the preview was skipped (a credential step failed), with no exit code to read", () => {
      const run = runStep(report().run ?? "", {
        cwd: work,
        env: { RUNNER_TEMP: work, STACK: "prod", PREVIEW_OUTCOME: "skipped", RUN_URL: "u" },
        fakes: fakeNpx,
      });
      assert.equal(run.status, 0, run.stderr);
      const got = args();
      assert.equal(got[got.indexOf("--exit-code") + 1], "255");
      assert.ok(got.includes("--setup-failed"), got.join(" "));
    });

    it("uploads only the report directory, one artifact per stack", () => {
      const upload = previewJob.steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
      assert.deepEqual(upload?.with, {
        name: "drift-report-${{ matrix.stack }}",
        path: "${{ runner.temp }}/drift/report/",
        "if-no-files-found": "error",
        "retention-days": 7,
      });
    });
  });

  describe("the issues job", () => {
    const script = () => issuesJob.steps.find((s) => /gh issue/.test(s.run ?? "")) as Step;

    it("needs only issues: write and the reports: no checkout, no credentials, no project code", () => {
      assert.equal(issuesJob.needs, "preview");
      assert.match(
        issuesJob.if ?? "",
        /^always\(\) && needs\.preview\.result != 'skipped' && needs\.preview\.result != 'cancelled'/,
      );
      assert.deepEqual(issuesJob.permissions, { contents: "read", issues: "write" });
      assert.equal(issuesJob.environment, undefined);
      assert.deepEqual(
        issuesJob.steps.map((s) => s.uses?.split("@")[0] ?? "run"),
        ["actions/download-artifact", "run"],
      );
      assert.doesNotMatch(JSON.stringify(issuesJob), /secrets\.|\bnpx\b|\bnpm\b|\bnode\b/);
      assert.deepEqual(script().env, {
        GH_TOKEN: "${{ github.token }}",
        GH_REPO: "${{ github.repository }}",
        STACKS: "${{ vars.PULUMI_STACKS }}",
        LABEL: DRIFT_ISSUE_LABEL,
      });
      assert.deepEqual(issuesJob.steps[0]?.with, {
        pattern: "drift-report-*",
        path: "drift-reports",
        "merge-multiple": true,
      });
    });

    /** Runs the issue script against a fake gh whose open issues are `open`; returns gh's calls. */
    function runIssues(
      stacks: string[],
      reports: Record<string, { state: string; summary?: string; body?: string }>,
      open: Array<{ number: number; title: string }>,
    ) {
      mkdirSync(join(work, "drift-reports"));
      for (const [stack, r] of Object.entries(reports)) {
        writeFileSync(
          join(work, "drift-reports", `${stack}.json`),
          JSON.stringify({
            stack,
            state: r.state,
            title: driftIssueTitle(stack),
            body: r.body ?? `body of ${stack}`,
            summary: r.summary ?? `${stack}: ${r.state}`,
          }),
        );
      }
      writeFileSync(join(work, "open.json"), JSON.stringify(open));
      const fakes = {
        gh: [
          'printf "%s\\n" "gh $*" >> "$RUNNER_TEMP/gh-calls"',
          'for a in "$@"; do if [ "$prev" = --body-file ]; then printf "body: %s\\n" "$(cat "$a")" >> "$RUNNER_TEMP/gh-calls"; fi; prev="$a"; done',
          'if [ "$1 $2" = "issue list" ]; then cat "$RUNNER_TEMP/open.json"; fi',
        ].join("\n"),
      };
      const run = runStep(script().run ?? "", {
        cwd: work,
        env: {
          RUNNER_TEMP: work,
          GITHUB_STEP_SUMMARY: join(work, "summary.md"),
          STACKS: JSON.stringify(stacks),
          LABEL: "drift",
        },
        fakes,
      });
      const calls = readFileSync(join(work, "gh-calls"), "utf8").trim().split("\n");
      return { run, calls, summary: readFileSync(join(work, "summary.md"), "utf8") };
    }

    const LABEL_CALL =
      "gh label create drift --color D93F0B --force --description A stack differs from its Pulumi program (drift.yml)";
    const LIST_CALL = "gh issue list --label drift --state open --limit 200 --json number,title";

    it("opens an issue for a newly drifted stack and edits the open one of a stack still drifted", () => {
      const { run, calls } = runIssues(
        ["prod", "staging"],
        { prod: { state: "drifted" }, staging: { state: "drifted" } },
        [
          { number: 4, title: "Drift: stack prod-eu differs from its Pulumi program" },
          { number: 12, title: driftIssueTitle("staging") },
        ],
      );
      assert.equal(run.status, 0, run.stderr);
      assert.deepEqual(calls, [
        LABEL_CALL,
        LIST_CALL,
        `gh issue create --title ${driftIssueTitle("prod")} --label drift --body-file ${work}/body.md`,
        "body: body of prod",
        LIST_CALL,
        `gh issue edit 12 --body-file ${work}/body.md`,
        "body: body of staging",
      ]);
    });

    it("closes the open issue of a stack that is clean again, and leaves clean stacks without one alone", () => {
      const { run, calls } = runIssues(
        ["prod", "staging"],
        { prod: { state: "clean", body: "clean again" }, staging: { state: "clean" } },
        [{ number: 4, title: driftIssueTitle("prod") }],
      );
      assert.equal(run.status, 0, run.stderr);
      assert.deepEqual(calls, [
        LABEL_CALL,
        LIST_CALL,
        "gh issue close 4 --reason completed --comment clean again",
        LIST_CALL,
      ]);
    });

    it("fails the run for a stack it could not preview or that has no report, touching no issue of theirs", () => {
      const { run, calls, summary } = runIssues(
        ["prod", "staging", "edge"],
        {
          prod: { state: "unpreviewable", summary: "prod: could not preview (lock): held" },
          staging: { state: "drifted" },
        },
        [{ number: 4, title: driftIssueTitle("prod") }],
      );
      assert.equal(run.status, 1);
      assert.match(run.stdout, /^::error::prod: could not preview \(lock\): held$/m);
      assert.match(
        run.stdout,
        /^::error::edge: no drift report: its preview job failed before writing one \(see its log\)$/m,
      );
      assert.deepEqual(
        calls.filter((c) => /issue (edit|close|create)/.test(c)),
        [`gh issue create --title ${driftIssueTitle("staging")} --label drift --body-file ${work}/body.md`],
      );
      assert.equal(
        summary,
        "- prod: could not preview (lock): held\n- staging: drifted\n- edge: no drift report\n",
      );
    });
  });
});
