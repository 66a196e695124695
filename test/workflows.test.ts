/**
 * The workflows users run (.github/workflows): schema-valid per a real validator, wired to exactly
 * the Actions secrets and variables the stack creates, least privilege, actions pinned by SHA.
 */
import { validateWorkflow } from "@action-validator/core";
import { strict as assert } from "node:assert";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { allCiNames } from "../gitops/github";
import {
  WORKFLOW_DIR as DIR,
  WORKFLOW_FILES as FILES,
  references,
  workflowReferences,
} from "./workflow-refs";

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
  run?: string;
}
interface Job {
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
  it("are exactly the three documented files", () => {
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

  it("never widens a permission beyond read except id-token and pull-requests", () => {
    for (const file of FILES) {
      for (const job of Object.values(workflow(file).jobs)) {
        for (const [scope, level] of Object.entries(job.permissions as Record<string, string>)) {
          if (level === "write") assert.ok(["id-token", "pull-requests"].includes(scope), `${file} ${scope}`);
        }
      }
    }
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
    assert.equal(up.jobs.up?.environment, "${{ vars.DEPLOY_ENVIRONMENT }}");
    const pulumiStep = (wf: Workflow) =>
      Object.values(wf.jobs)
        .flatMap((j) => j.steps)
        .find((s) => s.uses?.startsWith("pulumi/actions@"))?.with;
    assert.equal(pulumiStep(preview)?.command, "preview");
    assert.equal(pulumiStep(preview)?.["comment-on-pr"], true);
    assert.equal(pulumiStep(up)?.command, "up");
  });

  it("publish-manifests runs generate and pushes with the CI deploy key", () => {
    const steps = Object.values(workflow("publish-manifests.yml").jobs).flatMap((j) => j.steps);
    assert.ok(steps.some((s) => s.run?.startsWith("npx gitops-bootstrap generate --catalog")));
    const checkout = steps.find((s) => s.with?.["ssh-key"] !== undefined);
    assert.equal(checkout?.with?.["ssh-key"], "${{ secrets.MANIFEST_DEPLOY_KEY }}");
    assert.equal(checkout?.with?.repository, "${{ vars.MANIFEST_REPOSITORY }}");
    assert.ok(steps.some((s) => s.run?.includes('git push origin "HEAD:$MANIFEST_BRANCH"')));
  });

  it("read exactly the secrets and variables the stack can create (gitops/github.ts CI_SETTINGS)", () => {
    const read = workflowReferences();
    const created = allCiNames();
    assert.deepEqual(sorted(read.secrets), created.secrets);
    assert.deepEqual(sorted(read.variables), created.variables);
  });

  it("find references in if: conditions too (the parser sees them)", () => {
    assert.ok(references(workflow("preview.yml")).variables.has("TAILSCALE_MODE"));
  });
});
