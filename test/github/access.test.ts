/**
 * stacks/github-access.ts: the GitHub and Tailscale part as a stack registers it, with a prod-like
 * configuration (every part on) and a homelab-like one (everything off).
 */
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import * as tailscale from "@pulumi/tailscale";
import * as tls from "@pulumi/tls";
import { strict as assert } from "node:assert";
import { parseGithubSettings } from "../../core/github/settings";
import { parseTailscaleSettings } from "../../core/tailscale/settings";
import { type GithubAccessArgs, buildGithubAccess, checkedRoleArn } from "../../stacks/github-access";
import { type MockRuntime, SecretInput, mockRuntime, resourcesOfType, unwrap } from "../support/harness";
import { OPERATOR_SECRETS } from "../../core/github/github";
import { workflowReferences } from "./workflow-refs";

const PROD_GITHUB = parseGithubSettings({
  enabled: true,
  owner: "acme",
  sourceRepository: "homelab",
  manifestRepository: { name: "homelab-manifests" },
  ci: { catalog: "manifests/catalog.yaml", reviewers: { users: [1001], teams: [2002] } },
});
const PROD_TAILSCALE = parseTailscaleSettings({ enabled: true });
const AWS = {
  region: "eu-west-1",
  previewRoleArn: "arn:aws:iam::123456789012:role/gitops-preview",
  deployRoleArn: "arn:aws:iam::123456789012:role/gitops-deploy",
  deployEnvironment: "production",
  backendUrl: "s3://acme-pulumi-state?region=eu-west-1",
  secretsProvider: "awskms://alias/pulumi-state?region=eu-west-1",
};
const REPO = { url: "git@github.com:acme/homelab-manifests.git" };

describe("stacks/github-access (mock runtime)", () => {
  let runtime: MockRuntime;
  let providers: GithubAccessArgs["providers"];

  beforeEach(async () => {
    runtime = await mockRuntime({ stack: "prod" });
    providers = {
      github: new github.Provider("github", { owner: "acme" }),
      tls: new tls.Provider("tls"),
      tailscale: new tailscale.Provider("tailscale", { tailnet: "example.com" }),
    };
  });

  const prod = (): GithubAccessArgs => ({
    stack: "prod",
    github: PROD_GITHUB,
    tailscale: PROD_TAILSCALE,
    repo: REPO,
    aws: AWS,
    providers,
  });

  it("prod: registers the repository, keys, tailnet credential and CI wiring", async () => {
    const access = buildGithubAccess(prod());
    await runtime.settle();
    const components = runtime.registrations.filter((r) => r.type.startsWith("gitops:")).map((r) => r.type);
    assert.deepEqual(components.sort(), [
      "gitops:github:CiSecrets",
      "gitops:github:DeployKeys",
      "gitops:github:ManifestRepo",
      "gitops:github:SourceRuleset",
      "gitops:tailscale:TailscaleAccess",
    ]);
    assert.ok(access.repoSshPrivateKey !== undefined);
    assert.equal(await pulumi.isSecret(access.repoSshPrivateKey), true);
    assert.equal(await unwrap(access.repoSshPrivateKey), "MOCK-PRIVATE-KEY-deploy-keys-cluster-readonly-r0");
  });

  it("prod: the names created are exactly the names the workflows read, but for the other Tailscale mode", async () => {
    buildGithubAccess(prod());
    await runtime.settle();
    const created = {
      secrets: [
        ...new Set(
          resourcesOfType(runtime, "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret").map(
            (r) => String(r.inputs.secretName),
          ),
        ),
      ],
      variables: resourcesOfType(runtime, "github:index/actionsVariable:ActionsVariable").map((r) =>
        String(r.inputs.variableName),
      ),
    };
    const read = workflowReferences();
    // mode oauth: the auth keys are the only names read and not created, besides the operator's own.
    assert.deepEqual(
      [...read.secrets].filter((s) => !created.secrets.includes(s)).sort(),
      ["TS_DEPLOY_AUTHKEY", "TS_PREVIEW_AUTHKEY", ...OPERATOR_SECRETS.map((s) => s.name)].sort(),
    );
    assert.deepEqual(
      [...read.variables].filter((v) => !created.variables.includes(v)),
      [],
    );
    assert.deepEqual(
      created.secrets.filter((s) => !read.secrets.has(s)),
      [],
    );
    assert.deepEqual(
      created.variables.filter((v) => !read.variables.has(v)),
      [],
    );
    const variables = Object.fromEntries(
      resourcesOfType(runtime, "github:index/actionsVariable:ActionsVariable").map((r) => [
        r.inputs.variableName,
        r.inputs.value,
      ]),
    );
    assert.equal(variables.MANIFEST_REPOSITORY, "acme/homelab-manifests");
    assert.equal(variables.GITOPS_CATALOG, "manifests/catalog.yaml");
    assert.equal(variables.PULUMI_STACKS, '["prod"]');
    assert.equal(variables.CI_MODEL, "environments");
    assert.equal(variables.AWS_DEPLOY_ROLE_ARN, AWS.deployRoleArn);
  });

  it("prod: no private key or credential appears in clear in any registration", async () => {
    buildGithubAccess(prod());
    await runtime.settle();
    assert.equal(resourcesOfType(runtime, "github:index/actionsSecret:ActionsSecret").length, 0);
    for (const secret of resourcesOfType(
      runtime,
      "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret",
    )) {
      assert.ok(secret.inputs.value instanceof SecretInput, String(secret.inputs.secretName));
    }
    assert.doesNotMatch(JSON.stringify(runtime.registrations), /MOCK-PRIVATE-KEY/);
  });

  it("the auth-key mode wires one auth key per identity instead of the OAuth clients", async () => {
    buildGithubAccess({ ...prod(), tailscale: parseTailscaleSettings({ enabled: true, mode: "authkey" }) });
    await runtime.settle();
    const secrets = resourcesOfType(
      runtime,
      "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret",
    ).map((r) => `${String(r.inputs.environment)}:${String(r.inputs.secretName)}`);
    assert.deepEqual(secrets.sort(), [
      "preview:TS_PREVIEW_AUTHKEY",
      "production:MANIFEST_DEPLOY_KEY",
      "production:TS_DEPLOY_AUTHKEY",
    ]);
  });

  it("homelab: with GitHub and Tailscale off nothing is registered and the engine keeps its configured key", async () => {
    const access = buildGithubAccess({
      stack: "homelab",
      github: parseGithubSettings({ enabled: false }),
      tailscale: parseTailscaleSettings({ enabled: false }),
      repo: REPO,
      providers: {},
    });
    await runtime.settle();
    assert.deepEqual(access, {});
    assert.deepEqual(
      runtime.registrations.filter((r) => !r.type.startsWith("pulumi:providers:")),
      [],
    );
  });

  it("the source repository gets a ruleset: approved pull requests, no force push, no deletion; off on request", async () => {
    const access = buildGithubAccess(prod());
    await runtime.settle();
    const [ruleset] = resourcesOfType(runtime, "github:index/repositoryRuleset:RepositoryRuleset").filter(
      (r) => r.inputs.repository === "homelab",
    );
    assert.equal(ruleset?.name, "source-ruleset");
    assert.equal(ruleset?.inputs.name, "prod-source-default-branch");
    assert.deepEqual(ruleset?.inputs.rules, {
      deletion: true,
      nonFastForward: true,
      pullRequest: {
        requiredApprovingReviewCount: 1,
        dismissStaleReviewsOnPush: true,
        requireLastPushApproval: true,
      },
    });
    assert.ok(access.sourceRuleset !== undefined);
  });

  it("sourceRepositoryRuleset.enabled false registers no ruleset on the source repository", async () => {
    const gh = parseGithubSettings({ ...PROD_GITHUB, sourceRepositoryRuleset: { enabled: false } });
    const access = buildGithubAccess({ ...prod(), github: gh });
    await runtime.settle();
    assert.equal(access.sourceRuleset, undefined);
    assert.deepEqual(
      resourcesOfType(runtime, "github:index/repositoryRuleset:RepositoryRuleset").map(
        (r) => r.inputs.repository,
      ),
      ["homelab-manifests"],
    );
  });

  it("the environments carry the configured reviewers; production is limited to ci.defaultBranch", async () => {
    const gh = parseGithubSettings({
      ...PROD_GITHUB,
      ci: {
        catalog: "manifests/catalog.yaml",
        reviewers: { users: [1001], teams: [2002] },
        preventSelfReview: true,
        defaultBranch: "trunk",
      },
    });
    buildGithubAccess({ ...prod(), github: gh });
    await runtime.settle();
    const envs = resourcesOfType(runtime, "github:index/repositoryEnvironment:RepositoryEnvironment");
    assert.deepEqual(
      envs.map((e) => [e.inputs.environment, e.inputs.reviewers, e.inputs.preventSelfReview]),
      [
        ["preview", [{ users: [1001], teams: [2002] }], true],
        ["production", [{ users: [1001], teams: [2002] }], true],
      ],
    );
    const [policy] = resourcesOfType(
      runtime,
      "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy",
    );
    assert.equal(policy?.inputs.branchPattern, "trunk");
  });

  it("an AWS environment name the workflows do not use fails naming it, before anything is registered", async () => {
    await runtime.settle();
    const before = runtime.registrations.length;
    assert.throws(
      () => buildGithubAccess({ ...prod(), aws: { ...AWS, deployEnvironment: "prod" } }),
      /gitops-bootstrap:aws: the AWS deploy role trusts the GitHub environment "prod", but the workflows run in "production"/,
    );
    await runtime.settle();
    assert.equal(runtime.registrations.length, before);
  });

  describe("the branches model (GitHub Free: no environments)", () => {
    const branches = () =>
      parseGithubSettings({
        ...PROD_GITHUB,
        ci: { catalog: "manifests/catalog.yaml", model: "branches" },
      });
    const branchesAws = { ...AWS, deployEnvironment: "", previewEnvironment: "" };

    it("creates no environment; every secret is a repository secret; CI_MODEL says branches", async () => {
      buildGithubAccess({ ...prod(), github: branches(), aws: branchesAws });
      await runtime.settle();
      assert.deepEqual(
        [
          "github:index/repositoryEnvironment:RepositoryEnvironment",
          "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy",
          "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret",
        ].map((type) => resourcesOfType(runtime, type).length),
        [0, 0, 0],
      );
      const secrets = resourcesOfType(runtime, "github:index/actionsSecret:ActionsSecret");
      assert.deepEqual(secrets.map((r) => [r.inputs.repository, r.inputs.secretName]).sort(), [
        ["homelab", "MANIFEST_DEPLOY_KEY"],
        ["homelab", "TS_DEPLOY_OAUTH_CLIENT_ID"],
        ["homelab", "TS_DEPLOY_OAUTH_SECRET"],
        ["homelab", "TS_PREVIEW_OAUTH_CLIENT_ID"],
        ["homelab", "TS_PREVIEW_OAUTH_SECRET"],
      ]);
      for (const secret of secrets) assert.ok(secret.inputs.value instanceof SecretInput);
      const model = resourcesOfType(runtime, "github:index/actionsVariable:ActionsVariable").find(
        (r) => r.inputs.variableName === "CI_MODEL",
      );
      assert.equal(model?.inputs.value, "branches");
    });

    it("refuses an account stack whose roles trust environments, before anything is registered", async () => {
      await runtime.settle();
      const before = runtime.registrations.length;
      assert.throws(
        () =>
          buildGithubAccess({
            ...prod(),
            github: branches(),
            aws: { ...AWS, previewEnvironment: "preview" },
          }),
        /gitops-bootstrap:aws: the AWS deploy role trusts the GitHub environment "production" \(the account stack's aws\.ci\.model is environments\), but gitops-bootstrap:github\.ci\.model is branches/,
      );
      await runtime.settle();
      assert.equal(runtime.registrations.length, before);
    });
  });

  it("an account stack on the branches model fails an environments stack, before anything is registered", async () => {
    await runtime.settle();
    const before = runtime.registrations.length;
    assert.throws(
      () => buildGithubAccess({ ...prod(), aws: { ...AWS, deployEnvironment: "", previewEnvironment: "" } }),
      (e: Error) =>
        e.message.includes(
          "gitops-bootstrap:aws: the AWS deploy role trusts branches and pull requests (the account stack's aws.ci.model is branches), but gitops-bootstrap:github.ci.model is environments: set both to the same model",
        ) && e.message.includes("the AWS preview role trusts branches and pull requests"),
    );
    await runtime.settle();
    assert.equal(runtime.registrations.length, before);
  });

  it("the account stack's environments, read at run time, gate the role ARNs CI is given", async () => {
    // `unwrap` waits for a value; a rejected Output has none, so read its promise.
    const settled = (output: pulumi.Output<string>) =>
      (output as unknown as { promise(): Promise<string> }).promise();
    const account = {
      ...AWS,
      deployEnvironment: pulumi.output(""),
      previewEnvironment: pulumi.output(""),
    };
    await assert.rejects(
      settled(checkedRoleArn("environments", account, AWS.deployRoleArn)),
      /gitops-bootstrap:aws\.accountStack: the AWS deploy role trusts branches and pull requests/,
    );
    assert.equal(await unwrap(checkedRoleArn("branches", account, AWS.deployRoleArn)), AWS.deployRoleArn);
    // synth's StackReference stand-ins are not environment names: nothing to compare.
    const standIn = pulumi.output("[organization/gitops-bootstrap/account output deployEnvironment]");
    assert.equal(
      await unwrap(
        checkedRoleArn(
          "environments",
          { ...AWS, deployEnvironment: standIn, previewEnvironment: standIn },
          "arn",
        ),
      ),
      "arn",
    );
  });

  it("manifestRepository.manage false: no repository resources, the deploy keys go on the repository by name", async () => {
    const gh = parseGithubSettings({
      ...PROD_GITHUB,
      manifestRepository: { name: "homelab-manifests", manage: false },
      deployKeys: { ciWriteKey: false },
      ci: { enabled: false },
      sourceRepositoryRuleset: { enabled: false },
    });
    const access = buildGithubAccess({ ...prod(), stack: "edge", github: gh });
    await runtime.settle();
    assert.equal(access.manifestRepo, undefined);
    assert.deepEqual(
      runtime.registrations
        .filter((r) => r.type.startsWith("github:index/"))
        .map((r) => [r.type, r.inputs.repository, r.inputs.title]),
      [
        [
          "github:index/repositoryDeployKey:RepositoryDeployKey",
          "homelab-manifests",
          "edge-cluster-readonly",
        ],
      ],
    );
  });

  it("ci.enabled false writes no Actions settings; the repository and keys remain", async () => {
    const gh = parseGithubSettings({ ...PROD_GITHUB, ci: { enabled: false } });
    const access = buildGithubAccess({ ...prod(), github: gh });
    await runtime.settle();
    assert.equal(access.ciSecrets, undefined);
    assert.ok(access.deployKeys !== undefined);
    assert.equal(resourcesOfType(runtime, "github:index/actionsVariable:ActionsVariable").length, 0);
  });

  it("a repo.url that is not the managed repository fails naming the key, before anything is registered", async () => {
    await runtime.settle();
    const before = runtime.registrations.length;
    assert.throws(
      () => buildGithubAccess({ ...prod(), repo: { ...REPO, url: "git@github.com:acme/other.git" } }),
      /gitops-bootstrap:repo\.url: is git@github\.com:acme\/other\.git, but gitops-bootstrap:github manages acme\/homelab-manifests: set it to git@github\.com:acme\/homelab-manifests\.git/,
    );
    await runtime.settle();
    assert.equal(runtime.registrations.length, before);
  });

  it("accepts the ssh:// form of the managed repository's URL (Flux)", async () => {
    const access = buildGithubAccess({
      ...prod(),
      repo: { ...REPO, url: "ssh://git@github.com/acme/homelab-manifests.git" },
    });
    assert.ok(access.repoSshPrivateKey !== undefined);
  });

  it("an enabled part without its provider is an error, not a silent default provider", () => {
    assert.throws(
      () => buildGithubAccess({ ...prod(), providers: {} }),
      (e: Error) =>
        /gitops-bootstrap:github: is enabled but no github provider was passed/.test(e.message) &&
        /gitops-bootstrap:tailscale: is enabled but no tailscale provider was passed/.test(e.message),
    );
  });
});
