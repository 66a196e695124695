/**
 * core/github/drift-report.ts on recorded `pulumi preview --refresh --expect-no-changes --json`
 * outputs (test/github/fixtures/drift/, written in the shape of pulumi's PreviewDigest), and the
 * `drift-report` command around it.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  driftIssueTitle,
  driftReport,
  MAX_LISTED_PROPERTIES,
  MAX_LISTED_RESOURCES,
  type DriftInput,
} from "../../core/github/drift-report";
import { driftReportCommand } from "../../cli/drift-report";

const FIXTURES = join(__dirname, "fixtures", "drift");
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), "utf8");
const RUN = "https://github.com/acme/homelab-infra/actions/runs/123";
const AT = "2026-11-30T05:17:42.000Z";
const input = (stack: string, previewJson: string, exitCode: number, extra: Partial<DriftInput> = {}) => ({
  stack,
  previewJson,
  exitCode,
  runUrl: RUN,
  checkedAt: AT,
  ...extra,
});

/**
 * Every string value in the fixture's states and config that is not also part of a URN (a name the
 * report shows on purpose, such as "flux" in `prod-flux-read`): none may reach a report.
 */
function values(json: string): string[] {
  const found: string[] = [];
  const urns = [...json.matchAll(/"urn": "([^"]+)"/g)].map((m) => m[1] as string);
  const walk = (v: unknown, inState: boolean): void => {
    if (typeof v === "string") {
      if (inState && v.length > 3) found.push(v);
    } else if (Array.isArray(v)) v.forEach((x) => walk(x, inState));
    else if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        // Keys that name things (urn, type, id, parent) are not values; the states' inputs and outputs are.
        walk(x, inState || ["inputs", "outputs", "config"].includes(k));
      }
    }
  };
  walk(JSON.parse(json), false);
  assert.ok(found.length > 3, "the fixture holds values");
  return found.filter((v) => !urns.some((urn) => urn.includes(v)));
}

describe("driftReport (recorded pulumi preview --json)", () => {
  it("a stack whose refresh and plan are all same/refresh is clean, with a closing comment", () => {
    const report = driftReport(input("account", fixture("clean.json"), 0));
    assert.equal(report.state, "clean");
    assert.equal(report.reason, undefined);
    assert.deepEqual(report.resources, []);
    assert.equal(report.title, "Drift: stack account differs from its Pulumi program");
    assert.equal(
      report.body,
      "<!-- gitops-bootstrap drift-report stack=account -->\n" +
        `Stack **account** is clean again on ${AT} ([run](${RUN})): \`pulumi preview --refresh --expect-no-changes\` found no differences. Closing.`,
    );
    assert.equal(report.summary, "account: clean");
  });

  it("a bucket policy edited in the console: drifted, naming the resource and the property, never the policy", () => {
    const json = fixture("drifted-update.json");
    // 7: NoChangesExpectedError since Pulumi v3.226's exit-code taxonomy; 255 (os.Exit(-1)) before
    // it; 1 for a generic error. The JSON decides, so the verdict is the same for all three.
    for (const exitCode of [7, 255, 1]) {
      const report = driftReport(input("account", json, exitCode));
      assert.equal(report.state, "drifted", String(exitCode));
      assert.deepEqual(report.resources, [
        {
          type: "aws:s3/bucketPolicy:BucketPolicy",
          name: "state-bucket-policy",
          ops: ["update"],
          properties: ["policy"],
        },
      ]);
      assert.equal(
        report.body,
        [
          "<!-- gitops-bootstrap drift-report stack=account -->",
          `\`pulumi preview --refresh --expect-no-changes\` of stack **account** found 1 resource that differs from what the program declares on ${AT} ([run](${RUN})).`,
          "",
          "| resource | type | what `pulumi up` would do | properties that differ |",
          "| --- | --- | --- | --- |",
          "| `state-bucket-policy` | `aws:s3/bucketPolicy:BucketPolicy` | update | `policy` |",
          "",
          "Only names are listed here, never values. To see the values: `pulumi preview --refresh --diff --stack account` with credentials that can read the stack.",
          "",
          "To resolve: run `pulumi up --refresh` (the next push to the default branch does, through up.yml) to put the resources back as the program says, or change the program to match what was changed by hand. This issue is updated by every drift run and closed by the first run that finds the stack clean.",
        ].join("\n"),
      );
      assert.equal(report.summary, "account: drifted: 1 resource (state-bucket-policy)");
      for (const value of values(json)) assert.ok(!report.body.includes(value), value);
      assert.doesNotMatch(report.body, /PublicReadAddedInConsole|arn:aws/);
    }
  });

  it("a refresh-only difference (exit code 0) is still drift: the real resource differs from the state", () => {
    assert.equal(driftReport(input("account", fixture("drifted-update.json"), 0)).state, "drifted");
  });

  it("a deleted deploy key, a replaced role and a changed Secret: ops and property names per resource, in first-seen order", () => {
    const json = fixture("drifted-prod.json");
    const report = driftReport(input("prod", json, 7));
    assert.equal(report.state, "drifted");
    assert.deepEqual(report.resources, [
      {
        type: "github:index/repositoryDeployKey:RepositoryDeployKey",
        name: "prod-flux-read",
        // Refresh found it gone (delete), the plan creates it again.
        ops: ["delete", "create"],
        properties: [],
      },
      {
        type: "kubernetes:core/v1:Secret",
        name: "flux-system-sops-age",
        ops: ["update"],
        properties: ["data"],
      },
      {
        type: "kubernetes:core/v1:ConfigMap",
        name: "cluster-settings",
        ops: ["update"],
        properties: ["data.CLUSTER_DOMAIN"],
      },
      {
        type: "aws:iam/role:Role",
        name: "external-secrets-reader",
        ops: ["create-replacement", "replace", "delete-replaced"],
        properties: ["name"],
      },
    ]);
    const rows = report.body.split("\n").filter((l) => l.startsWith("| `"));
    assert.deepEqual(rows, [
      "| `prod-flux-read` | `github:index/repositoryDeployKey:RepositoryDeployKey` | delete, create | (whole resource) |",
      "| `flux-system-sops-age` | `kubernetes:core/v1:Secret` | update | `data` |",
      "| `cluster-settings` | `kubernetes:core/v1:ConfigMap` | update | `data.CLUSTER_DOMAIN` |",
      "| `external-secrets-reader` | `aws:iam/role:Role` | create-replacement, replace, delete-replaced | `name` |",
    ]);
    assert.match(report.body, /found 4 resources that differ/);
    assert.equal(
      report.summary,
      "prod: drifted: 4 resources (prod-flux-read, flux-system-sops-age, cluster-settings, external-secrets-reader)",
    );
    // No value, no secret placeholder, no diagnostic (the warning quotes the key's ID).
    for (const value of values(json)) assert.ok(!report.body.includes(value), value);
    assert.doesNotMatch(report.body, /\[secret\]|hand-edited|AAAAC3Nza|91827364|home\.example/);
  });

  describe("could not preview: never drift", () => {
    it("an error diagnostic (the cluster refused the preview identity) wins over the steps it did list", () => {
      const json = fixture("error-unauthorized.json");
      assert.ok(JSON.parse(json).steps.some((s: { op: string }) => s.op === "update"));
      const report = driftReport(input("prod", json, 1));
      assert.equal(report.state, "unpreviewable");
      assert.equal(report.reason, "credentials");
      assert.deepEqual(report.resources, []);
      assert.equal(
        report.body,
        "<!-- gitops-bootstrap drift-report stack=prod -->\n" +
          `Stack **prod** could not be previewed on ${AT} ([run](${RUN})): the job's credentials were refused or missing (AWS preview role, the stack's KMS key, Tailscale, or a provider's token). Not drift: this says nothing about its resources.`,
      );
      assert.doesNotMatch(report.body + report.summary, /Unauthorized|PULUMI_K8S_DELETE_UNREACHABLE/);
    });

    it("the program threw: an error, and the message (which may quote config) stays out", () => {
      const report = driftReport(input("prod", fixture("error-program.json"), 1));
      assert.deepEqual([report.state, report.reason], ["unpreviewable", "error"]);
      assert.equal(
        report.summary,
        "prod: could not preview (error): pulumi preview failed (see the run's log)",
      );
      assert.doesNotMatch(report.body, /repo\.url|unhandled exception/);
    });

    it("no JSON: the lock and KMS failures are told apart by stderr, anything else is an error", () => {
      const cases: Array<[string | undefined, string]> = [
        [fixture("lock.stderr"), "lock"],
        [fixture("kms-denied.stderr"), "credentials"],
        ["error: failed to load language plugin nodejs\n", "error"],
        [undefined, "error"],
      ];
      for (const [stderr, reason] of cases) {
        const report = driftReport(input("prod", "", 255, { stderr }));
        assert.deepEqual([report.state, report.reason], ["unpreviewable", reason], stderr);
        assert.doesNotMatch(report.body, /s3:\/\/|arn:aws|kms:Decrypt|runner@/);
      }
    });

    it("output that is not a preview digest (truncated, another tool's) is an error, not clean", () => {
      for (const json of ['{"steps": [', "[]", '{"steps": {}}', '"clean"', "null"]) {
        const report = driftReport(input("prod", json, 0));
        assert.deepEqual([report.state, report.reason], ["unpreviewable", "error"], json);
      }
    });

    it("no changes in the JSON but a nonzero exit code is not clean: it failed without saying why", () => {
      const report = driftReport(
        input("account", fixture("clean.json"), 1, { stderr: fixture("expect-no-changes.stderr") }),
      );
      assert.deepEqual([report.state, report.reason], ["unpreviewable", "error"]);
    });

    it("a failed credential step (the preview never ran) is a credentials failure whatever else it got", () => {
      const report = driftReport(input("prod", fixture("drifted-prod.json"), 7, { setupFailed: true }));
      assert.deepEqual([report.state, report.reason], ["unpreviewable", "credentials"]);
    });
  });

  it("lists at most MAX_LISTED_RESOURCES resources and MAX_LISTED_PROPERTIES paths each, saying how many more", () => {
    const properties = Object.fromEntries(
      Array.from({ length: MAX_LISTED_PROPERTIES + 5 }, (_, i) => [
        `p${String(i).padStart(2, "0")}`,
        { kind: "update" },
      ]),
    );
    const steps = Array.from({ length: MAX_LISTED_RESOURCES + 10 }, (_, i) => ({
      op: "update",
      urn: `urn:pulumi:prod::gitops-bootstrap::kubernetes:core/v1:ConfigMap::cm-${i}`,
      detailedDiff: properties,
    }));
    const report = driftReport(input("prod", JSON.stringify({ steps }), 7));
    assert.equal(report.resources.length, MAX_LISTED_RESOURCES + 10);
    const rows = report.body.split("\n").filter((l) => l.startsWith("| `"));
    assert.equal(rows.length, MAX_LISTED_RESOURCES);
    assert.match(rows[0] ?? "", /`p19` and 5 more \|$/);
    assert.ok(!(rows[0] ?? "").includes("`p20`"));
    assert.match(report.body, /\n…and 10 more resources\.\n/);
    assert.match(report.summary, /^prod: drifted: 60 resources \(cm-0, cm-1, cm-2, cm-3, cm-4, …\)$/);
  });

  it("keeps table cells and code spans intact whatever a name holds", () => {
    const steps = [
      {
        op: "update",
        urn: "urn:pulumi:prod::gitops-bootstrap::gitops:engine:Flux$kubernetes:helm.sh/v3:Release::flux|odd`name",
        diffReasons: ["values"],
        detailedDiff: null,
      },
    ];
    const report = driftReport(input("prod", JSON.stringify({ steps }), 7));
    // The type is the last of the parent chain; without detailedDiff the diffReasons name the property.
    assert.deepEqual(report.resources[0], {
      type: "kubernetes:helm.sh/v3:Release",
      name: "flux|odd`name",
      ops: ["update"],
      properties: ["values"],
    });
    assert.ok(
      report.body.includes("| `flux odd'name` | `kubernetes:helm.sh/v3:Release` | update | `values` |"),
    );
  });

  it("the title is exact and per stack: the workflow finds the open issue by label and title", () => {
    assert.equal(driftIssueTitle("prod"), "Drift: stack prod differs from its Pulumi program");
    assert.notEqual(driftIssueTitle("prod"), driftIssueTitle("prod-eu"));
  });
});

describe("drift-report (the command)", () => {
  let work: string;
  let out: string[];
  let err: string[];
  const originalLog = console.log;
  const originalError = console.error;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), "gitops-drift-cli-"));
    out = [];
    err = [];
    console.log = (...args: unknown[]) => void out.push(args.join(" "));
    console.error = (...args: unknown[]) => void err.push(args.join(" "));
  });
  afterEach(() => {
    console.log = originalLog;
    console.error = originalError;
    rmSync(work, { recursive: true, force: true });
  });

  it("writes the report as JSON and prints its summary", () => {
    const file = join(work, "prod.json");
    const code = driftReportCommand([
      "--stack",
      "prod",
      "--preview",
      join(FIXTURES, "drifted-prod.json"),
      "--exit-code",
      "7",
      "--run-url",
      RUN,
      "--checked-at",
      AT,
      "--out",
      file,
    ]);
    assert.equal(code, 0, err.join("\n"));
    assert.deepEqual(out, [
      "prod: drifted: 4 resources (prod-flux-read, flux-system-sops-age, cluster-settings, external-secrets-reader)",
    ]);
    const written = JSON.parse(readFileSync(file, "utf8"));
    assert.deepEqual(written, driftReport(input("prod", fixture("drifted-prod.json"), 7)));
  });

  it("reads stderr to classify and passes --setup-failed on", () => {
    const lock = join(work, "lock.json");
    assert.equal(
      driftReportCommand([
        "--stack",
        "prod",
        "--preview",
        join(work, "absent.json"),
        "--stderr",
        join(FIXTURES, "lock.stderr"),
        "--exit-code",
        "1",
        "--out",
        lock,
      ]),
      0,
    );
    assert.deepEqual(err, [
      `drift-report: ${join(work, "absent.json")} does not exist: counted as a preview that printed nothing`,
    ]);
    assert.equal(JSON.parse(readFileSync(lock, "utf8")).reason, "lock");
    const setup = join(work, "setup.json");
    err.length = 0;
    assert.equal(
      driftReportCommand([
        "--stack",
        "prod",
        "--preview",
        join(work, "absent.json"),
        "--exit-code",
        "255",
        "--setup-failed",
        "--out",
        setup,
      ]),
      0,
    );
    assert.deepEqual(err, [], "a skipped preview wrote no file; nothing to warn about");
    assert.equal(JSON.parse(readFileSync(setup, "utf8")).reason, "credentials");
  });

  it("exits 2 naming each missing option, and for an exit code that is not a number", () => {
    assert.equal(driftReportCommand(["--stack", "prod"]), 2);
    assert.match(
      err[0] ?? "",
      /^drift-report: --preview, --exit-code are required\n\nUsage: npx gitops-bootstrap drift-report /,
    );
    err.length = 0;
    assert.equal(driftReportCommand(["--stack", "prod", "--preview", "x.json", "--exit-code", "seven"]), 2);
    assert.equal(
      err[0],
      'drift-report: --exit-code must be pulumi preview\'s exit code, a number such as 0 or 1; got "seven"',
    );
    // main() turns parseArgs' throw into exit 2 with the message, as for every command.
    assert.throws(() => driftReportCommand(["--bogus"]), /Unknown option '--bogus'/);
  });

  it("--help shows its npx usage", () => {
    assert.equal(driftReportCommand(["--help"]), 0);
    assert.match(
      out[0] ?? "",
      /^Usage: npx gitops-bootstrap drift-report --stack <name> --preview <file> --exit-code <n>/,
    );
  });
});
