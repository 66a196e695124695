/** The GitHub and Tailscale part in the prod stack's synth output (`cli/main.ts synth`). */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { runCli } from "../support/harness";
import { workflowReferences } from "./workflow-refs";

interface Resource {
  type: string;
  name: string;
  options: Record<string, unknown>;
  inputs: Record<string, unknown>;
}

describe("synth --stack prod: GitHub and Tailscale", () => {
  let work = "";
  let out = "";
  let resources: Resource[] = [];

  before(function () {
    this.timeout(120_000);
    work = mkdtempSync(join(tmpdir(), "gitops-github-synth-"));
    out = join(work, "prod");
    const run = runCli(["synth", "--stack", "prod", "--out", out]);
    assert.equal(run.status, 0, run.stderr);
    resources = JSON.parse(readFileSync(join(out, "resources.json"), "utf8")) as Resource[];
  });
  after(() => {
    if (work !== "") rmSync(work, { recursive: true, force: true });
  });

  const ofType = (type: string) => resources.filter((r) => r.type === type);

  it("has the protected, retained manifest repository and both deploy keys", () => {
    const [repo] = ofType("github:index/repository:Repository");
    assert.equal(repo?.options.protect, true);
    assert.equal(repo?.options.retainOnDelete, true);
    const titles = ofType("github:index/repositoryDeployKey:RepositoryDeployKey").map((k) => k.inputs.title);
    assert.deepEqual(titles.sort(), ["prod-ci-write", "prod-cluster-readonly"]);
  });

  it("creates the preview and production environments: reviewers, no admin bypass, production on main only", () => {
    const envs = ofType("github:index/repositoryEnvironment:RepositoryEnvironment");
    assert.deepEqual(
      envs.map((e) => [e.inputs.repository, e.inputs.environment]),
      [
        ["homelab-infra", "preview"],
        ["homelab-infra", "production"],
      ],
    );
    for (const env of envs) {
      assert.deepEqual(env.inputs.reviewers, [{ users: [1234567], teams: [] }]);
      assert.equal(env.inputs.canAdminsBypass, false);
    }
    assert.deepEqual(envs[1]?.inputs.deploymentBranchPolicy, {
      protectedBranches: false,
      customBranchPolicies: true,
    });
    const policies = ofType(
      "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy",
    );
    assert.deepEqual(
      policies.map((p) => [p.inputs.environment, p.inputs.branchPattern]),
      [["production", "main"]],
    );
  });

  it("protects the source repository's default branch with a pull-request ruleset", () => {
    const rulesets = ofType("github:index/repositoryRuleset:RepositoryRuleset").filter(
      (r) => r.inputs.repository === "homelab-infra",
    );
    assert.equal(rulesets.length, 1);
    const rules = rulesets[0]?.inputs.rules as Record<string, unknown>;
    assert.equal(rules.nonFastForward, true);
    assert.equal(rules.deletion, true);
    assert.equal((rules.pullRequest as Record<string, unknown>).requiredApprovingReviewCount, 1);
  });

  it("puts secrets only in environments, each where the workflows read it, every one as [secret]", () => {
    assert.deepEqual(ofType("github:index/actionsSecret:ActionsSecret"), []);
    const read = workflowReferences();
    const placed = ofType("github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret").map((s) => {
      assert.ok(read.secrets.has(String(s.inputs.secretName)), String(s.inputs.secretName));
      assert.equal(s.inputs.value, "[secret]");
      return `${String(s.inputs.environment)}:${String(s.inputs.secretName)}`;
    });
    assert.deepEqual(placed.sort(), [
      "preview:TS_PREVIEW_OAUTH_CLIENT_ID",
      "preview:TS_PREVIEW_OAUTH_SECRET",
      "production:MANIFEST_DEPLOY_KEY",
      "production:TS_DEPLOY_OAUTH_CLIENT_ID",
      "production:TS_DEPLOY_OAUTH_SECRET",
    ]);
  });

  it("creates only Actions variables the workflows read", () => {
    const read = workflowReferences();
    for (const v of ofType("github:index/actionsVariable:ActionsVariable")) {
      assert.ok(read.variables.has(String(v.inputs.variableName)), String(v.inputs.variableName));
    }
  });

  it("the engine's repository Secret holds the read-only deploy key, as [secret]", () => {
    const secrets = ofType("kubernetes:core/v1:Secret");
    assert.ok(secrets.length >= 1);
    for (const s of secrets) {
      for (const value of Object.values(s.inputs.stringData as Record<string, string>))
        assert.equal(value, "[secret]");
    }
  });

  it("writes no private key, token or OAuth secret in clear", () => {
    const files = readdirSync(out, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name));
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      assert.doesNotMatch(text, /MOCK-PRIVATE-KEY|PRIVATE KEY|tskey-/, relative(out, file));
    }
  });
});
