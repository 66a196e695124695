/**
 * The workflows users run (.github/workflows): schema-valid per a real validator, wired to exactly
 * the Actions secrets and variables the stack creates, least privilege, actions pinned by SHA.
 */
import { validateWorkflow } from "@action-validator/core";
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import {
  CI_ENVIRONMENTS,
  CI_MODEL_CONDITION,
  CI_SETTINGS,
  OPERATOR_SECRETS,
  allCiNames,
  secretEnvironments,
  workflowEnvironmentExpression,
} from "../../core/github/github";
import {
  WORKFLOW_DIR as DIR,
  WORKFLOW_FILES as FILES,
  references,
  workflowReferences,
} from "./workflow-refs";

interface Step {
  name?: string;
  uses?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
  run?: string;
}
interface Job {
  if?: string;
  permissions?: Record<string, string> | string;
  concurrency?: { group?: string };
  environment?: unknown;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string> | string;
  concurrency?: { group?: string; "cancel-in-progress"?: boolean };
  jobs: Record<string, Job>;
}

const text = (file: string): string => readFileSync(join(DIR, file), "utf8");
const workflow = (file: string): Workflow => parse(text(file)) as Workflow;

const sorted = (set: Iterable<string>): string[] => [...set].sort();

describe("workflows", () => {
  it("are exactly the documented files", () => {
    assert.deepEqual(readdirSync(DIR).sort(), [...FILES].sort());
  });

  describe("the validator (@action-validator/core)", () => {
    it("rejects a broken workflow, so a pass means something", () => {
      const broken = [
        "on: push",
        "jobs:",
        "  build:",
        "    runs-on: ubuntu-24.04",
        "    permissions:",
        "      id-token: maybe",
        "    steps:",
        "      - uses: actions/checkout@v4",
        "        bogus: 1",
      ].join("\n");
      const errors = validateWorkflow(broken).errors;
      const paths = JSON.stringify(errors);
      assert.ok(errors.length > 0);
      assert.match(paths, /\/jobs\/build\/permissions\/id-token/);
      assert.match(paths, /Additional property 'bogus'/);
    });

    it("rejects a workflow without jobs", () => {
      assert.deepEqual(
        validateWorkflow("name: x\non: push\n").errors.map((e) => ("path" in e ? e.path : e.title)),
        ["/jobs"],
      );
    });
  });

  for (const file of FILES) {
    describe(file, () => {
      it("passes the GitHub workflow schema", () => {
        assert.deepEqual(validateWorkflow(text(file)).errors, []);
      });

      it("starts with a $schema line", () => {
        assert.match(
          text(file).split("\n")[0] ?? "",
          /^# yaml-language-server: \$schema=https:\/\/json\.schemastore\.org\/github-workflow\.json$/,
        );
      });

      it("defaults to contents: read and widens only per job", () => {
        assert.deepEqual(workflow(file).permissions, { contents: "read" });
      });

      it("has a concurrency group", () => {
        assert.match(workflow(file).concurrency?.group ?? "", /\S/);
      });

      it("pins every action to a full commit SHA with the tag in a comment", () => {
        const uses = text(file)
          .split("\n")
          .filter((line) => /^\s*(- )?uses:/.test(line));
        assert.ok(uses.length > 0);
        for (const line of uses) {
          assert.match(line, /uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/, line);
        }
      });

      it("does not splice expressions into run scripts", () => {
        for (const job of Object.values(workflow(file).jobs)) {
          for (const step of job.steps) {
            if (step.run !== undefined) assert.doesNotMatch(step.run, /\$\{\{/, step.run);
          }
        }
      });
    });
  }

  it("asks for id-token: write exactly in the jobs that assume an AWS role", () => {
    for (const file of FILES) {
      for (const [name, job] of Object.entries(workflow(file).jobs)) {
        const usesOidc = job.steps.some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
        const permissions = job.permissions as Record<string, string>;
        assert.equal(permissions["id-token"] === "write", usesOidc, `${file} ${name}`);
        assert.equal(permissions.contents, "read", `${file} ${name}`);
      }
    }
  });

  it("grants pull-requests: write only to the preview job, which comments", () => {
    const grants = FILES.flatMap((file) =>
      Object.entries(workflow(file).jobs)
        .filter(([, job]) => (job.permissions as Record<string, string>)["pull-requests"] !== undefined)
        .map(
          ([name, job]) => `${file}:${name}:${(job.permissions as Record<string, string>)["pull-requests"]}`,
        ),
    );
    assert.deepEqual(grants, ["preview.yml:preview:write"]);
  });

  it("never widens a permission beyond read except id-token, pull-requests and the drift issues", () => {
    const issues: string[] = [];
    for (const file of FILES) {
      for (const [name, job] of Object.entries(workflow(file).jobs)) {
        for (const [scope, level] of Object.entries(job.permissions as Record<string, string>)) {
          if (level !== "write") continue;
          if (scope === "issues") issues.push(`${file}:${name}`);
          else assert.ok(["id-token", "pull-requests"].includes(scope), `${file} ${scope}`);
        }
      }
    }
    assert.deepEqual(issues, ["drift.yml:issues"]);
  });

  it("preview uses the preview role on pull requests, up the deploy role in an environment", () => {
    const preview = workflow("preview.yml");
    const up = workflow("up.yml");
    assert.ok("pull_request" in preview.on);
    assert.ok(!("pull_request_target" in preview.on));
    assert.deepEqual(Object.keys((up.on.push ?? {}) as object), ["branches"]);
    const role = (wf: Workflow) =>
      Object.values(wf.jobs)
        .flatMap((j) => j.steps)
        .find((s) => s.uses?.startsWith("aws-actions/"))?.with?.["role-to-assume"];
    assert.equal(role(preview), "${{ vars.AWS_PREVIEW_ROLE_ARN }}");
    assert.equal(role(up), "${{ vars.AWS_DEPLOY_ROLE_ARN }}");
    assert.equal(up.jobs.up?.environment, workflowEnvironmentExpression("production"));
    assert.equal(preview.jobs.preview?.environment, workflowEnvironmentExpression("preview"));
    const pulumiStep = (wf: Workflow) =>
      Object.values(wf.jobs)
        .flatMap((j) => j.steps)
        .find((s) => s.uses?.startsWith("pulumi/actions@"))?.with;
    assert.equal(pulumiStep(preview)?.command, "preview");
    assert.equal(pulumiStep(preview)?.["comment-on-pr"], true);
    assert.equal(pulumiStep(up)?.command, "up");
  });

  it("publish-manifests generates each CI stack's own catalog and pushes with the CI deploy key", () => {
    const steps = Object.values(workflow("publish-manifests.yml").jobs).flatMap((j) => j.steps);
    const generate = steps.find((s) => /npx gitops-bootstrap generate\b/.test(s.run ?? ""))?.run ?? "";
    assert.match(generate, /for stack in \$\(jq -r '\.\[\]' <<< "\$STACKS"\); do/);
    for (const read of ["repo.path", "repo.catalog", "engine"])
      assert.ok(generate.includes(`npx gitops-bootstrap config --stack "$stack" --get ${read}`), read);
    assert.ok(generate.includes('npx gitops-bootstrap generate --catalog "$catalog" --engine "$engine"'));
    // The engines' own installs, for stacks with selfManagement, into the same published tree.
    const handoff = steps.find((s) => /npx gitops-bootstrap handoff\b/.test(s.run ?? ""))?.run ?? "";
    assert.ok(handoff.includes('--get "$engine.selfManagement.path"'), handoff);
    assert.ok(
      handoff.includes('npx gitops-bootstrap handoff --stack "$stack" --root "$catalog_dir"'),
      handoff,
    );
    const checkout = steps.find((s) => s.with?.["ssh-key"] !== undefined);
    assert.equal(checkout?.with?.["ssh-key"], "${{ secrets.MANIFEST_DEPLOY_KEY }}");
    assert.equal(checkout?.with?.repository, "${{ vars.MANIFEST_REPOSITORY }}");
    assert.ok(steps.some((s) => s.run?.includes('git push origin "HEAD:$MANIFEST_BRANCH"')));
  });

  it("every secret lives in at least one environment (environments model), never repository-wide there", () => {
    for (const setting of CI_SETTINGS) {
      if (setting.kind === "secret") assert.ok(setting.environments.length > 0, setting.name);
    }
  });

  /** The environment a job declares in the environments model, from the one expression allowed. */
  const environmentOf = (job: Job): string | undefined =>
    CI_ENVIRONMENTS.find((role) => job.environment === workflowEnvironmentExpression(role));

  it("a job reads a secret only when, in the environments model, it declares an environment that holds it", () => {
    const reads: string[] = [];
    for (const file of FILES) {
      for (const [name, job] of Object.entries(workflow(file).jobs)) {
        const secrets = [...references(job).secrets];
        if (secrets.length === 0) continue;
        // Exactly the model expression: any other expression could evaluate to '' in the
        // environments model and run the job with no environment at all.
        const environment = environmentOf(job);
        assert.ok(environment !== undefined, `${file} ${name} reads secrets without a model environment`);
        for (const secret of secrets) {
          assert.ok(
            (secretEnvironments(secret) as readonly string[]).includes(environment),
            `${file} ${name} reads ${secret}, which does not live in ${environment}`,
          );
          reads.push(`${file}:${environment}:${secret}`);
        }
      }
    }
    // The write key only where it is needed; the Tailscale credentials in preview and up.
    assert.deepEqual(
      reads.filter((r) => r.endsWith("MANIFEST_DEPLOY_KEY")),
      ["publish-manifests.yml:production:MANIFEST_DEPLOY_KEY"],
    );
  });

  it("every job that declares an environment names one the stack creates, through the model expression", () => {
    const declared = FILES.flatMap((file) =>
      Object.entries(workflow(file).jobs)
        .filter(([, job]) => job.environment !== undefined)
        .map(([name, job]) => `${file}:${name}:${String(environmentOf(job))}`),
    );
    assert.deepEqual(declared.sort(), [
      "drift.yml:preview:preview",
      "preview.yml:preview:preview",
      "publish-manifests.yml:publish:production",
      "up.yml:up:production",
    ]);
  });

  it("every job with an environment expression is skipped unless CI_MODEL is one of the two models", () => {
    // A missing or misspelt CI_MODEL would otherwise make the expression '' in an environments repository.
    for (const file of FILES) {
      for (const [name, job] of Object.entries(workflow(file).jobs)) {
        if (job.environment === undefined) continue;
        assert.ok((job.if ?? "").includes(CI_MODEL_CONDITION), `${file} ${name}: ${job.if ?? "(no if)"}`);
      }
    }
  });

  it("a manually dispatched job runs only on the default branch", () => {
    for (const file of FILES) {
      const wf = workflow(file);
      if (!("workflow_dispatch" in wf.on)) continue;
      for (const [name, job] of Object.entries(wf.jobs)) {
        assert.match(
          job.if ?? "",
          /github\.ref == format\('refs\/heads\/\{0\}', github\.event\.repository\.default_branch\)/,
          `${file} ${name}`,
        );
      }
    }
  });

  it("installs dependencies without install scripts, everywhere", () => {
    let installs = 0;
    for (const file of FILES) {
      for (const job of Object.values(workflow(file).jobs)) {
        for (const step of job.steps) {
          if (step.run === undefined) continue;
          assert.doesNotMatch(step.run, /\bnpm (install|i|add)\b/, `${file}: ${step.run}`);
          for (const line of step.run.split("\n").filter((l) => /\bnpm ci\b/.test(l))) {
            assert.match(line, /\bnpm ci --ignore-scripts\b/, `${file}: ${line}`);
            installs += 1;
          }
        }
      }
    }
    assert.equal(installs, FILES.length);
  });

  it("publish-manifests generates before the write key is checked out", () => {
    const steps = Object.values(workflow("publish-manifests.yml").jobs).flatMap((j) => j.steps);
    const generate = steps.findIndex((s) => /npx gitops-bootstrap generate\b/.test(s.run ?? ""));
    const keyed = steps.findIndex((s) => s.with?.["ssh-key"] !== undefined);
    assert.ok(generate >= 0 && keyed >= 0);
    assert.ok(generate < keyed, "generate runs after the deploy key is on disk");
    // Nothing after the key runs project code (npx, npm, node).
    for (const step of steps.slice(keyed))
      assert.doesNotMatch(step.run ?? "", /\b(npx|npm|node)\b/, step.run);
  });

  it("publish-manifests refuses a root catalog, excludes .git, node_modules and its checkout, and stops a mass deletion", () => {
    const steps = Object.values(workflow("publish-manifests.yml").jobs).flatMap((j) => j.steps);
    const generate = steps.find((s) => /npx gitops-bootstrap generate\b/.test(s.run ?? ""))?.run ?? "";
    assert.match(generate, /case "\$catalog_dir" in\s+\. \| \.\/ \| "" \| \/\*\)[\s\S]*exit 1/);
    const mirror = steps.find((s) => /rsync /.test(s.run ?? ""))?.run ?? "";
    assert.match(mirror, /--delete/);
    for (const excluded of ["--exclude .git ", "--exclude node_modules ", '--exclude "/$MANIFEST_DIR"'])
      assert.ok(mirror.includes(excluded), excluded);
    assert.match(
      mirror,
      /while read -r path; do\s+if \[ ! -d "\$MANIFEST_DIR\/\$path" \]; then[\s\S]*exit 1[\s\S]*done < "\$RUNNER_TEMP\/manifest-paths"/,
    );
    const commit = steps.find((s) => /git push/.test(s.run ?? ""))?.run ?? "";
    const guard = commit.indexOf('if [ "$deleted" -gt "$MAX_DELETIONS" ]');
    assert.ok(guard > 0 && guard < commit.indexOf("git commit"), "the deletion guard runs before the commit");
    const job = Object.values(workflow("publish-manifests.yml").jobs)[0] as Job & {
      env?: Record<string, string>;
    };
    assert.match(job.env?.MAX_DELETIONS ?? "", /^\d+$/);
  });

  it("read exactly the secrets and variables the stack creates, plus the operator's admin credentials", () => {
    const read = workflowReferences();
    const created = allCiNames();
    assert.deepEqual(
      sorted(read.secrets),
      [...created.secrets, ...OPERATOR_SECRETS.map((s) => s.name)].sort(),
    );
    assert.deepEqual(sorted(read.variables), created.variables);
  });

  it("hands the providers their admin credentials on every pulumi step, and skips the type check", () => {
    for (const file of ["preview.yml", "up.yml"]) {
      for (const job of Object.values(workflow(file).jobs)) {
        const step = (job.steps ?? []).find((s) => s.uses?.startsWith("pulumi/actions@"));
        assert.ok(step, `${file} has a pulumi step`);
        assert.deepEqual(step.env, {
          GITHUB_TOKEN: "${{ secrets.PULUMI_GITHUB_TOKEN }}",
          TAILSCALE_OAUTH_CLIENT_ID: "${{ secrets.TAILSCALE_ADMIN_CLIENT_ID }}",
          TAILSCALE_OAUTH_CLIENT_SECRET: "${{ secrets.TAILSCALE_ADMIN_CLIENT_SECRET }}",
          PULUMI_NODEJS_TRANSPILE_ONLY: "true",
        });
      }
    }
  });

  describe("the stack's secrets provider (CI has no passphrase)", () => {
    const pulumiSteps = (file: string) =>
      Object.values(workflow(file).jobs)
        .flatMap((j) => j.steps)
        .filter((s) => s.uses?.startsWith("pulumi/actions@"));

    it("no pulumi step passes secrets-provider or upsert: they act only in `pulumi stack init`", () => {
      // pulumi/actions hands secrets-provider to the automation API's LocalWorkspace, whose
      // createStack alone passes it on (`pulumi stack init --secrets-provider`); selectStack ignores
      // it. A stack created that way rewrites Pulumi.<stack>.yaml in the job's checkout, which dies
      // with the job, and the next run falls back to a passphrase.
      for (const file of ["preview.yml", "up.yml", "drift.yml"]) {
        for (const step of pulumiSteps(file)) {
          assert.deepEqual(
            ["secrets-provider", "upsert"].filter((key) => step.with?.[key] !== undefined),
            [],
            file,
          );
        }
      }
    });

    /** The check step of a workflow: the one that reads the stack file before pulumi runs. */
    const checkStep = (file: string): Step => {
      const steps = Object.values(workflow(file).jobs).flatMap((j) => j.steps);
      const at = steps.findIndex((s) => /encryptedkey/.test(s.run ?? ""));
      const pulumi = steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@"));
      assert.ok(at >= 0 && at < pulumi, `${file}: the check runs before pulumi`);
      return steps[at] as Step;
    };

    /** Runs the check step with bash in a directory holding `files`, as the job would. */
    const runCheck = (file: string, files: Record<string, string>) => {
      const dir = mkdtempSync(join(tmpdir(), "gitops-secrets-check-"));
      try {
        for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
        // As GitHub runs a `run:` step on Linux: bash --noprofile --norc -eo pipefail.
        return spawnSync(
          "bash",
          ["--noprofile", "--norc", "-eo", "pipefail", "-c", checkStep(file).run ?? ""],
          {
            cwd: dir,
            encoding: "utf8",
            env: { PATH: process.env.PATH, STACK: "edge", SECRETS_PROVIDER: "awskms://k1?region=eu-west-1" },
          },
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };

    for (const file of ["preview.yml", "up.yml", "drift.yml"]) {
      it(`${file} reads STACK and the account's provider from env, never spliced`, () => {
        assert.deepEqual(checkStep(file).env, {
          STACK: "${{ matrix.stack }}",
          SECRETS_PROVIDER: "${{ vars.PULUMI_SECRETS_PROVIDER }}",
        });
      });

      it(`${file} stops a stack file without secretsprovider and encryptedkey, with the command that fixes it`, () => {
        const missing = runCheck(file, {
          "Pulumi.edge.yaml": "config:\n  gitops-bootstrap:engine: argocd\n",
        });
        assert.equal(missing.status, 1);
        assert.equal(
          missing.stdout.trim(),
          "::error file=Pulumi.edge.yaml::Pulumi.edge.yaml has no secretsprovider and encryptedkey, so Pulumi would ask for a passphrase: run pulumi stack change-secrets-provider --stack edge 'awskms://k1?region=eu-west-1' (or pulumi stack init edge --secrets-provider 'awskms://k1?region=eu-west-1' for a new stack) and commit Pulumi.edge.yaml",
        );
        const keyOnly = runCheck(file, { "Pulumi.edge.yaml": "encryptedkey: abc\nconfig: {}\n" });
        assert.equal(keyOnly.status, 1);
        assert.equal(runCheck(file, {}).status, 1);
      });

      it(`${file} lets a stack file with both keys through`, () => {
        const ok = runCheck(file, {
          "Pulumi.edge.yaml":
            "secretsprovider: awskms://k1?region=eu-west-1\nencryptedkey: AQID\nconfig: {}\n",
        });
        assert.deepEqual([ok.status, ok.stdout, ok.stderr], [0, "", ""]);
      });
    }
  });

  it("find references in if: conditions too (the parser sees them)", () => {
    assert.ok(references(workflow("preview.yml")).variables.has("TAILSCALE_MODE"));
  });
});
