import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  ACTIONS_SETTING_NAME,
  CI_SETTINGS,
  type CiValues,
  CI_ENVIRONMENTS,
  CI_MODEL_CONDITION,
  workflowEnvironmentExpression,
  allCiNames,
  catalogPathProblem,
  ciEntries,
  ciEnvironmentSpecs,
  defaultBranchRuleset,
  environmentNameProblem,
  secretEnvironments,
  sourceBranchRuleset,
  deployKeyReadOnly,
  deployKeyTitle,
  githubOwnerProblem,
  githubRepositoryNameProblem,
  repoUrlProblem,
  repositoryUrls,
} from "../../core/github/github";
import { parseGithubSettings } from "../../core/github/settings";

const FULL: CiValues<string> = {
  stacks: ["prod", "staging"],
  aws: {
    region: "eu-west-1",
    previewRoleArn: "arn:aws:iam::123456789012:role/preview",
    deployRoleArn: "arn:aws:iam::123456789012:role/deploy",
    deployEnvironment: "production",
    backendUrl: "s3://state?region=eu-west-1",
    secretsProvider: "awskms://alias/state?region=eu-west-1",
  },
  manifests: {
    repository: "acme/homelab-manifests",
    branch: "main",
    catalog: "catalog.yaml",
    deployKey: "PRIVATE",
  },
  tailscale: {
    mode: "oauth",
    preview: { clientId: "P-CLIENT", clientSecret: "P-SECRET", tags: ["tag:ci-preview", "tag:pr"] },
    deploy: { clientId: "D-CLIENT", clientSecret: "D-SECRET", tags: ["tag:ci-deploy"] },
  },
};

const names = (values: CiValues<string>) =>
  ciEntries(values).map((e) => `${e.setting.kind}:${e.setting.name}`);

describe("core/github/github", () => {
  describe("owner and repository names", () => {
    for (const good of ["acme", "a", "acme-corp", "A1-b2", "x".repeat(39)]) {
      it(`accepts owner ${good.slice(0, 12)}`, () => assert.equal(githubOwnerProblem(good), undefined));
    }
    const badOwners: Array<[string, RegExp]> = [
      ["", /must not be empty/],
      ["-acme", /not a GitHub login/],
      ["acme-", /not a GitHub login/],
      ["ac--me", /single hyphens/],
      ["acme_corp", /not a GitHub login/],
      ["x".repeat(40), /40 characters long; a GitHub login has at most 39/],
    ];
    for (const [value, why] of badOwners) {
      it(`rejects owner ${JSON.stringify(value.slice(0, 12))}`, () =>
        assert.match(githubOwnerProblem(value) ?? "", why));
    }
    for (const good of ["homelab-manifests", "a", "x.y_z", "Repo.Name"]) {
      it(`accepts repository ${good}`, () => assert.equal(githubRepositoryNameProblem(good), undefined));
    }
    const badRepos: Array<[string, RegExp]> = [
      ["", /must not be empty/],
      ["acme/manifests", /contains '\/': give the repository name only/],
      ["has space", /not a GitHub repository name/],
      [".", /not a GitHub repository name/],
      ["..", /not a GitHub repository name/],
      ["manifests.git", /ends in '\.git'/],
      ["x".repeat(101), /101 characters long/],
    ];
    for (const [value, why] of badRepos) {
      it(`rejects repository ${JSON.stringify(value.slice(0, 14))}`, () =>
        assert.match(githubRepositoryNameProblem(value) ?? "", why));
    }
  });

  it("builds the URLs Argo CD and Flux take", () => {
    assert.deepEqual(repositoryUrls("acme", "homelab-manifests"), {
      slug: "acme/homelab-manifests",
      scp: "git@github.com:acme/homelab-manifests.git",
      ssh: "ssh://git@github.com/acme/homelab-manifests.git",
      https: "https://github.com/acme/homelab-manifests",
    });
  });

  it("the engine's repo URL must name the managed repository, in either SSH form", () => {
    assert.equal(repoUrlProblem("git@github.com:acme/m.git", "acme", "m"), undefined);
    assert.equal(repoUrlProblem("ssh://git@github.com/Acme/m.git", "acme", "m"), undefined);
    assert.equal(
      repoUrlProblem("git@gitlab.com:acme/m.git", "acme", "m"),
      "is git@gitlab.com:acme/m.git, but gitops-bootstrap:github manages acme/m: set it to git@github.com:acme/m.git",
    );
    assert.match(repoUrlProblem("git@github.com:acme/other.git", "acme", "m") ?? "", /manages acme\/m/);
  });

  describe("deploy keys", () => {
    it("titles name the stack and the role", () => {
      assert.equal(deployKeyTitle("prod", "cluster-readonly", 0), "prod-cluster-readonly");
      assert.equal(deployKeyTitle("prod", "ci-write", 0), "prod-ci-write");
    });
    it("titles carry the rotation generation once rotated, so old and new differ", () => {
      assert.equal(deployKeyTitle("prod", "cluster-readonly", 1), "prod-cluster-readonly-r1");
      assert.notEqual(deployKeyTitle("prod", "ci-write", 2), deployKeyTitle("prod", "ci-write", 3));
    });
    it("two stacks sharing a repository never share a title", () => {
      assert.notEqual(
        deployKeyTitle("prod", "cluster-readonly", 0),
        deployKeyTitle("lab", "cluster-readonly", 0),
      );
    });
    it("rejects a negative or fractional rotation", () => {
      assert.throws(() => deployKeyTitle("prod", "ci-write", -1), /whole number >= 0, got -1/);
      assert.throws(() => deployKeyTitle("prod", "ci-write", 1.5), /got 1.5/);
    });
    it("only the cluster key is read-only", () => {
      assert.equal(deployKeyReadOnly("cluster-readonly"), true);
      assert.equal(deployKeyReadOnly("ci-write"), false);
    });
  });

  it("the default-branch ruleset forbids deletion and force pushes on ~DEFAULT_BRANCH", () => {
    assert.deepEqual(defaultBranchRuleset("prod"), {
      name: "prod-default-branch",
      target: "branch",
      enforcement: "active",
      conditions: { refName: { includes: ["~DEFAULT_BRANCH"], excludes: [] } },
      rules: { deletion: true, nonFastForward: true },
    });
  });

  describe("CI secrets and variables", () => {
    it("every name is a valid Actions secret/variable name", () => {
      for (const s of CI_SETTINGS) assert.match(s.name, ACTIONS_SETTING_NAME, s.name);
    });

    it("a name is a secret or a variable, never both", () => {
      const { secrets, variables } = allCiNames();
      assert.deepEqual(
        secrets.filter((s) => variables.includes(s)),
        [],
      );
    });

    it("keys, tokens and OAuth secrets are secrets; ARNs and URLs are variables", () => {
      const { secrets } = allCiNames();
      assert.deepEqual(secrets, [
        "MANIFEST_DEPLOY_KEY",
        "TS_DEPLOY_AUTHKEY",
        "TS_DEPLOY_OAUTH_CLIENT_ID",
        "TS_DEPLOY_OAUTH_SECRET",
        "TS_PREVIEW_AUTHKEY",
        "TS_PREVIEW_OAUTH_CLIENT_ID",
        "TS_PREVIEW_OAUTH_SECRET",
      ]);
    });

    it("with every part on, writes everything but the other Tailscale mode", () => {
      assert.deepEqual(names(FULL), [
        "variable:PULUMI_STACKS",
        "variable:CI_MODEL",
        "variable:AWS_REGION",
        "variable:AWS_PREVIEW_ROLE_ARN",
        "variable:AWS_DEPLOY_ROLE_ARN",
        "variable:PULUMI_BACKEND_URL",
        "variable:PULUMI_SECRETS_PROVIDER",
        "variable:MANIFEST_REPOSITORY",
        "variable:MANIFEST_BRANCH",
        "variable:GITOPS_CATALOG",
        "secret:MANIFEST_DEPLOY_KEY",
        "variable:TAILSCALE_MODE",
        "variable:TS_PREVIEW_TAGS",
        "variable:TS_DEPLOY_TAGS",
        "secret:TS_PREVIEW_OAUTH_CLIENT_ID",
        "secret:TS_PREVIEW_OAUTH_SECRET",
        "secret:TS_DEPLOY_OAUTH_CLIENT_ID",
        "secret:TS_DEPLOY_OAUTH_SECRET",
      ]);
    });

    it("carries the values through, with the stacks as a JSON list and tags comma-separated", () => {
      const byName = Object.fromEntries(ciEntries(FULL).map((e) => [e.setting.name, e.value]));
      assert.equal(byName.PULUMI_STACKS, '["prod","staging"]');
      assert.equal(byName.TS_PREVIEW_TAGS, "tag:ci-preview,tag:pr");
      assert.equal(byName.TS_DEPLOY_TAGS, "tag:ci-deploy");
      assert.equal(byName.TS_PREVIEW_OAUTH_SECRET, "P-SECRET");
      assert.equal(byName.TS_DEPLOY_OAUTH_SECRET, "D-SECRET");
      assert.equal(byName.TAILSCALE_MODE, "oauth");
      assert.equal(byName.MANIFEST_DEPLOY_KEY, "PRIVATE");
    });

    it("a switched-off part leaves no secret and no variable", () => {
      assert.deepEqual(names({ stacks: ["prod"] }), ["variable:PULUMI_STACKS", "variable:CI_MODEL"]);
      const noAws = names({ ...FULL, aws: undefined });
      assert.equal(noAws.length, names(FULL).length - 5);
      assert.ok(!noAws.some((n) => /:(AWS_|PULUMI_BACKEND|PULUMI_SECRETS|DEPLOY_ENV)/.test(n)));
      const noTailscale = names({ ...FULL, tailscale: undefined });
      assert.equal(noTailscale.length, names(FULL).length - 7);
      assert.ok(!noTailscale.some((n) => /:(TS_|TAILSCALE_)/.test(n)));
    });

    it("the auth-key mode writes one auth key per identity and no OAuth client", () => {
      const authkey = names({
        stacks: ["prod"],
        tailscale: { mode: "authkey", preview: { authKey: "P-KEY" }, deploy: { authKey: "D-KEY" } },
      });
      assert.deepEqual(authkey, [
        "variable:PULUMI_STACKS",
        "variable:CI_MODEL",
        "variable:TAILSCALE_MODE",
        "secret:TS_PREVIEW_AUTHKEY",
        "secret:TS_DEPLOY_AUTHKEY",
      ]);
    });

    it("CI_MODEL carries the model, environments unless told otherwise", () => {
      const model = (values: CiValues<string>) =>
        ciEntries(values).find((e) => e.setting.name === "CI_MODEL")?.value;
      assert.deepEqual(
        [model({ stacks: ["prod"] }), model({ stacks: ["prod"], model: "branches" })],
        ["environments", "branches"],
      );
    });

    it("each job's environment expression yields the literal name only in the environments model", () => {
      assert.equal(
        workflowEnvironmentExpression("production"),
        "${{ vars.CI_MODEL == 'environments' && 'production' || '' }}",
      );
      assert.equal(CI_MODEL_CONDITION, "(vars.CI_MODEL == 'environments' || vars.CI_MODEL == 'branches')");
    });

    it("never writes the environment names as variables: the workflows name them literally", () => {
      assert.ok(!names(FULL).some((n) => /ENVIRONMENT/.test(n)));
    });

    it("secrets live in environments: the write key and the deploy identity in production, the preview identity in preview", () => {
      const where = Object.fromEntries(
        CI_SETTINGS.filter((s) => s.kind === "secret").map((s) => [s.name, secretEnvironments(s.name)]),
      );
      assert.deepEqual(where, {
        MANIFEST_DEPLOY_KEY: ["production"],
        TS_PREVIEW_OAUTH_CLIENT_ID: ["preview"],
        TS_PREVIEW_OAUTH_SECRET: ["preview"],
        TS_DEPLOY_OAUTH_CLIENT_ID: ["production"],
        TS_DEPLOY_OAUTH_SECRET: ["production"],
        TS_PREVIEW_AUTHKEY: ["preview"],
        TS_DEPLOY_AUTHKEY: ["production"],
      });
      assert.deepEqual(secretEnvironments("AWS_REGION"), []);
    });
  });

  describe("environments, rulesets and the catalog path", () => {
    it("preview: reviewers, any ref; production: the same reviewers, the default branch only", () => {
      const specs = ciEnvironmentSpecs({
        reviewers: { users: [1], teams: [2] },
        preventSelfReview: true,
        defaultBranch: "trunk",
      });
      assert.deepEqual(specs, [
        {
          environment: "preview",
          reviewers: { users: [1], teams: [2] },
          preventSelfReview: true,
          canAdminsBypass: false,
          branchPatterns: [],
        },
        {
          environment: "production",
          reviewers: { users: [1], teams: [2] },
          preventSelfReview: true,
          canAdminsBypass: false,
          deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
          branchPatterns: ["trunk"],
        },
      ]);
      assert.deepEqual(
        specs.map((s) => s.environment),
        [...CI_ENVIRONMENTS],
      );
    });

    it("an AWS environment name other than the workflow's is a problem naming both", () => {
      assert.equal(environmentNameProblem("environments", "production", "production"), undefined);
      assert.equal(environmentNameProblem("environments", "preview", undefined), undefined);
      assert.match(
        environmentNameProblem("environments", "production", "prod") ?? "",
        /deploy role trusts the GitHub environment "prod", but the workflows run in "production"/,
      );
      assert.match(
        environmentNameProblem("environments", "preview", "pr") ?? "",
        /preview role trusts .*"pr".*"preview"/,
      );
    });

    it("the account stack's model must be this stack's: '' (branches) against environments and back", () => {
      assert.equal(environmentNameProblem("branches", "production", ""), undefined);
      assert.equal(
        environmentNameProblem("environments", "production", ""),
        "the AWS deploy role trusts branches and pull requests (the account stack's aws.ci.model is branches), but gitops-bootstrap:github.ci.model is environments: set both to the same model",
      );
      assert.equal(
        environmentNameProblem("branches", "preview", "preview"),
        `the AWS preview role trusts the GitHub environment "preview" (the account stack's aws.ci.model is environments), but gitops-bootstrap:github.ci.model is branches, where no job declares an environment: set both to the same model`,
      );
      // Not an environment name: not from an account stack of this program (synth's stand-ins).
      assert.equal(
        environmentNameProblem("branches", "production", "[organization/x/account output deployEnvironment]"),
        undefined,
      );
    });

    it("the source ruleset requires approved pull requests and blocks force pushes and deletion", () => {
      assert.deepEqual(sourceBranchRuleset("prod", 1), {
        name: "prod-source-default-branch",
        target: "branch",
        enforcement: "active",
        conditions: { refName: { includes: ["~DEFAULT_BRANCH"], excludes: [] } },
        rules: {
          deletion: true,
          nonFastForward: true,
          pullRequest: {
            requiredApprovingReviewCount: 1,
            dismissStaleReviewsOnPush: true,
            requireLastPushApproval: true,
          },
        },
      });
      assert.equal(sourceBranchRuleset("prod", 0).rules.pullRequest.requireLastPushApproval, false);
      assert.throws(() => sourceBranchRuleset("prod", -1), /whole number from 0 to 10/);
    });

    for (const good of [
      "manifests/catalog.yaml",
      "examples/homelab/catalog.yaml",
      "./gitops-catalog/apps.yaml",
    ]) {
      it(`accepts catalog ${good}`, () => assert.equal(catalogPathProblem(good), undefined));
    }
    const badCatalogs: Array<[string, RegExp]> = [
      ["catalog.yaml", /at the repository root: .*would publish the whole source checkout/],
      ["./catalog.yaml", /at the repository root/],
      ["/abs/catalog.yaml", /relative to the source repository/],
      ["../elsewhere/catalog.yaml", /must not contain '\.\.'/],
      ["a//catalog.yaml", /empty segments/],
      ["node_modules/x/catalog.yaml", /inside node_modules\//],
      [".github/catalog.yaml", /inside \.github\//],
    ];
    for (const [value, why] of badCatalogs) {
      it(`rejects catalog ${value}`, () => assert.match(catalogPathProblem(value) ?? "", why));
    }
  });

  describe("settings (gitops-bootstrap:github)", () => {
    const base = {
      enabled: true,
      owner: "acme",
      sourceRepository: "homelab",
      manifestRepository: { name: "m" },
      ci: { catalog: "manifests/catalog.yaml", reviewers: { users: [1234567] } },
    };
    const errorOf = (raw: unknown): string => {
      try {
        parseGithubSettings(raw);
      } catch (e) {
        return (e as Error).message;
      }
      return assert.fail("expected an error");
    };

    it("fills the defaults", () => {
      assert.deepEqual(parseGithubSettings(base), {
        ...base,
        manifestRepository: {
          name: "m",
          manage: true,
          adopt: false,
          defaultBranch: "main",
          description: "GitOps manifests published by gitops-bootstrap",
          protectDefaultBranch: true,
        },
        deployKeys: { rotation: 0, ciWriteKey: true },
        ci: {
          enabled: true,
          model: "environments",
          catalog: "manifests/catalog.yaml",
          reviewers: { users: [1234567], teams: [] },
          preventSelfReview: false,
          defaultBranch: "main",
        },
        sourceRepositoryRuleset: { enabled: true, requiredApprovals: 1 },
      });
    });

    it("accepts enabled: false alone", () => {
      assert.deepEqual(parseGithubSettings({ enabled: false }), { enabled: false });
    });

    it("keeps an explicit rotation 0 and ciWriteKey false", () => {
      const parsed = parseGithubSettings({ ...base, deployKeys: { rotation: 0, ciWriteKey: false } });
      assert.ok(parsed.enabled);
      assert.deepEqual(parsed.deployKeys, { rotation: 0, ciWriteKey: false });
    });

    it("makes the CI write key exactly when this stack runs CI, unless ciWriteKey is written", () => {
      const keys = (ci: Record<string, unknown>, deployKeys: Record<string, unknown> = {}) => {
        const parsed = parseGithubSettings({ ...base, ci: { ...base.ci, ...ci }, deployKeys });
        assert.ok(parsed.enabled);
        return parsed.deployKeys.ciWriteKey;
      };
      assert.equal(keys({}), true);
      // Only the CI stack hands the key to the workflows: elsewhere it would be a credential for no one.
      assert.equal(keys({ enabled: false }), false);
      assert.equal(keys({ enabled: false }, { ciWriteKey: true }), true, "a written value is kept");
      assert.equal(
        keys({ enabled: false }, { ciWriteKey: "true" }),
        true,
        "pulumi config set --path writes a string",
      );
      assert.match(errorOf({ ...base, deployKeys: { ciWritKey: false } }), /deployKeys\.ciWritKey/);
    });

    it("a bad owner names the key and the fix", () => {
      assert.match(
        errorOf({ ...base, owner: "-acme" }),
        /gitops-bootstrap:github\.owner: "-acme" is not a GitHub login: use letters, digits and single hyphens/,
      );
    });

    it("a bad repository name names the key and the fix", () => {
      assert.match(
        errorOf({ ...base, manifestRepository: { name: "acme/m" } }),
        /gitops-bootstrap:github\.manifestRepository\.name: "acme\/m" contains '\/': give the repository name only; the owner is the separate 'owner' key/,
      );
      assert.match(
        errorOf({ ...base, sourceRepository: "homelab.git" }),
        /gitops-bootstrap:github\.sourceRepository: "homelab\.git" ends in '\.git'/,
      );
    });

    it("reports every problem at once", () => {
      const message = errorOf({
        ...base,
        owner: "a_b",
        sourceRepository: "",
        deployKeys: { rotation: -1 },
        extra: 1,
      });
      assert.match(message, /github\.owner:/);
      assert.match(message, /github\.sourceRepository: must not be empty/);
      assert.match(message, /github\.deployKeys\.rotation: must be 0 or more: raise it by one to rotate/);
      assert.match(message, /github\.extra: unknown key "extra": remove it, or use one of enabled, owner,/);
    });

    it("a missing or non-boolean enabled says what to set", () => {
      assert.match(errorOf({ owner: "acme" }), /gitops-bootstrap:github\.enabled: must be true or false/);
    });

    it("requires the repositories when enabled", () => {
      const message = errorOf({ enabled: true, owner: "acme" });
      assert.match(message, /github\.sourceRepository:/);
      assert.match(message, /github\.manifestRepository:/);
    });

    it("CI needs a catalog outside the repository root and at least one reviewer, each error naming its key", () => {
      const message = errorOf({ ...base, ci: {} });
      assert.match(message, /gitops-bootstrap:github\.ci\.catalog: is required when CI publishes manifests/);
      assert.match(message, /gitops-bootstrap:github\.ci\.reviewers: must list at least one user or team ID/);
      assert.match(
        errorOf({ ...base, ci: { ...base.ci, catalog: "catalog.yaml" } }),
        /gitops-bootstrap:github\.ci\.catalog: "catalog\.yaml" is at the repository root/,
      );
      // Without CI, neither is needed; without the write key, no catalog.
      assert.ok(parseGithubSettings({ ...base, ci: { enabled: false } }).enabled);
      const noKey = parseGithubSettings({
        ...base,
        deployKeys: { ciWriteKey: false },
        ci: { reviewers: { teams: [7] } },
      });
      assert.ok(noKey.enabled && noKey.ci.catalog === undefined);
    });

    it("reviewers are numeric IDs, at most six; a login gets the command that finds the ID", () => {
      assert.match(
        errorOf({ ...base, ci: { ...base.ci, reviewers: { users: ["octocat"] } } }),
        /github\.ci\.reviewers\.users\[0\]: must be a numeric GitHub user ID, not a login: find it with `gh api users\/<login> --jq \.id`/,
      );
      assert.match(
        errorOf({ ...base, ci: { ...base.ci, reviewers: { teams: ["platform"] } } }),
        /github\.ci\.reviewers\.teams\[0\]: must be a numeric GitHub team ID/,
      );
      assert.match(
        errorOf({ ...base, ci: { ...base.ci, reviewers: { users: [1, 2, 3, 4], teams: [5, 6, 7] } } }),
        /github\.ci\.reviewers: lists 7 reviewers; GitHub allows at most 6/,
      );
      const parsed = parseGithubSettings({ ...base, ci: { ...base.ci, reviewers: { users: ["42"] } } });
      assert.ok(parsed.enabled);
      assert.deepEqual(parsed.ci.reviewers, { users: [42], teams: [] });
    });

    it("the source ruleset can be switched off (GitHub Free, private) and its approvals set", () => {
      const parsed = parseGithubSettings({
        ...base,
        sourceRepositoryRuleset: { enabled: false, requiredApprovals: 0 },
      });
      assert.ok(parsed.enabled);
      assert.deepEqual(parsed.sourceRepositoryRuleset, { enabled: false, requiredApprovals: 0 });
      assert.match(
        errorOf({ ...base, sourceRepositoryRuleset: { requiredApprovals: 11 } }),
        /github\.sourceRepositoryRuleset\.requiredApprovals: must be at most 10/,
      );
    });

    it("the branches model needs no reviewers and refuses them, and preventSelfReview", () => {
      const parsed = parseGithubSettings({
        ...base,
        ci: { catalog: "manifests/catalog.yaml", model: "branches" },
      });
      assert.ok(parsed.enabled && parsed.ci.model === "branches");
      const message = errorOf({ ...base, ci: { ...base.ci, model: "branches", preventSelfReview: true } });
      assert.match(
        message,
        /gitops-bootstrap:github\.ci\.reviewers: lists reviewers, but ci\.model is branches, which creates no environments/,
      );
      assert.match(
        message,
        /gitops-bootstrap:github\.ci\.preventSelfReview: is true, but ci\.model is branches/,
      );
    });

    it("without reviewers the environments model points to the branches model", () => {
      assert.match(
        errorOf({ ...base, ci: { catalog: "manifests/catalog.yaml" } }),
        /github\.ci\.reviewers: must list at least one user or team ID.*set ci\.model: branches, or ci\.enabled: false/,
      );
      assert.match(
        errorOf({ ...base, ci: { ...base.ci, model: "free" } }),
        /github\.ci\.model: must be "environments" \(GitHub environments with required reviewers: public repositories, or GitHub Enterprise\) or "branches"/,
      );
    });

    it("manage: false takes the repository by name and refuses what only its manager decides", () => {
      const parsed = parseGithubSettings({ ...base, manifestRepository: { name: "m", manage: false } });
      assert.ok(parsed.enabled && !parsed.manifestRepository.manage);
      const message = errorOf({
        ...base,
        manifestRepository: {
          name: "m",
          manage: false,
          adopt: true,
          description: "x",
          protectDefaultBranch: false,
        },
      });
      for (const key of ["adopt", "description", "protectDefaultBranch"]) {
        assert.match(
          message,
          new RegExp(
            `gitops-bootstrap:github\\.manifestRepository\\.${key}: is set, but manage is false: the stack that manages m decides it`,
          ),
        );
      }
    });

    it("rejects a stack name CI could not select", () => {
      assert.match(
        errorOf({ ...base, ci: { ...base.ci, stacks: ["prod stack"] } }),
        /github\.ci\.stacks\[0\]: must be a Pulumi stack name/,
      );
    });
  });
});

describe("docs/github-tailscale.md", () => {
  it("its secrets-and-variables table lists exactly CI_SETTINGS, with each secret's environments", () => {
    const doc = readFileSync(join(__dirname, "..", "..", "docs", "github-tailscale.md"), "utf8");
    const section = doc.split("## Environments, secrets and variables")[1]?.split("\n## ")[0] ?? "";
    const rows = [...section.matchAll(/^\| `([A-Z_]+)`\s*\| (secret|variable)\s*\| ([^|]+)\|/gm)].map(
      (m) => `${m[2]}:${m[1]}:${(m[3] ?? "").trim()}`,
    );
    const expected = [
      ...new Set(
        CI_SETTINGS.map(
          (s) => `${s.kind}:${s.name}:${s.kind === "secret" ? s.environments.join(", ") : "(repository)"}`,
        ),
      ),
    ];
    assert.deepEqual(rows.sort(), expected.sort());
  });
});
