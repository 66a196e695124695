/**
 * home: pulumi-cloud (docs/pulumi-cloud.md): the settings' rules, the Deployments resources the
 * stack makes of itself (under mocks, from the committed example), the pulumiservice provider's
 * config, and the account stack's trust for Pulumi's OIDC tokens, evaluated by an IAM evaluator.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import * as aws from "@pulumi/aws";
import { runUnsafeSimulation, type EvaluationResult } from "@cloud-copilot/iam-simulate";
import { createValidatedPolicy, validateTrustPolicy } from "@cloud-copilot/iam-policy";
import { readStackFile } from "../../cli/stack-file";
import { PulumiDeploymentsRole } from "../../components/cloud/pulumi-deployments-role";
import {
  PULUMI_CLAIM,
  pulumiDeploySubject,
  pulumiDeploymentsSettingsSchema,
  pulumiDeploymentsTrustPolicy,
  type DeploymentOperation,
} from "../../core/aws/pulumi-oidc";
import { parseAwsSettings } from "../../core/aws/settings";
import { deploymentSettingsInputs, driftScheduleInputs } from "../../core/cloud/deployments";
import { pulumiCloudSettingsSchema } from "../../core/cloud/settings";
import { buildAccount } from "../../stacks/account";
import { buildCluster } from "../../stacks/cluster";
import { parseStackConfig, type StackConfig } from "../../stacks/config";
import { providerKeyProblems } from "../../stacks/provider-config";
import { assertValid } from "../aws/iam-simulator";
import {
  findResource,
  mockRuntime,
  REPO_ROOT,
  resourcesOfType,
  unwrap,
  type MockRuntime,
} from "../support/harness";

const EXAMPLE_DIR = join(REPO_ROOT, "examples", "pulumi-cloud");
const EXAMPLE = join(EXAMPLE_DIR, "Pulumi.cloud.yaml");
const ROLE_ARN = "arn:aws:iam::123456789012:role/pulumi-deployments";

/** The example's raw config with `edit` applied (undefined removes a key). */
function exampleConfig(edit: Record<string, unknown> = {}): {
  raw: Record<string, string>;
  secretKeys: string[];
} {
  const file = readStackFile(REPO_ROOT, "cloud", EXAMPLE);
  const raw = { ...file.config };
  for (const [key, value] of Object.entries(edit)) {
    if (value === undefined) delete raw[key];
    else raw[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return { raw, secretKeys: file.secretKeys };
}

function errorsOf(edit: Record<string, unknown>): string[] {
  const { raw, secretKeys } = exampleConfig(edit);
  const result = parseStackConfig(raw, new Set(secretKeys), { projectDir: REPO_ROOT });
  return result.ok ? [] : result.errors;
}

const exampleRaw = () =>
  parse(readFileSync(EXAMPLE, "utf8")) as { config: Record<string, unknown>; environment: string[] };
const pulumiCloud = () => exampleRaw().config["gitops-bootstrap:pulumiCloud"] as Record<string, unknown>;
const github = () => exampleRaw().config["gitops-bootstrap:github"] as Record<string, unknown>;

describe("home: pulumi-cloud settings", () => {
  it("the example parses, and an unset home is s3 with pulumiCloud's defaults", () => {
    assert.deepEqual(errorsOf({}), []);
    const homelab = readStackFile(REPO_ROOT, "homelab");
    const parsed = parseStackConfig(homelab.config, new Set(homelab.secretKeys), { projectDir: REPO_ROOT });
    assert.ok(parsed.ok);
    assert.equal(parsed.config.home, "s3");
    assert.equal(parsed.config.pulumiCloud.driftSchedule.cron, "0 6 * * *");
    assert.equal(parsed.config.pulumiCloud.driftSchedule.autoRemediate, false);
    assert.equal(parsed.config.pulumiCloud.apiUrl, "https://api.pulumi.com");
  });

  it("refuses pulumiCloud under home s3, naming both keys and the fix", () => {
    assert.deepEqual(errorsOf({ "gitops-bootstrap:home": "s3" }), [
      "gitops-bootstrap:pulumiCloud: is set but home is s3 (the default), which never reads it; set gitops-bootstrap:home: pulumi-cloud, or remove pulumiCloud",
    ]);
  });

  it("refuses GitHub Actions CI settings on a stack Deployments runs", () => {
    const errors = errorsOf({
      "gitops-bootstrap:github": {
        ...github(),
        ci: { enabled: true, model: "branches", stacks: ["prod"], catalog: "examples/homelab/catalog.yaml" },
      },
    });
    assert.ok(
      errors.some((e) =>
        e.startsWith(
          "gitops-bootstrap:github.ci.enabled: is true (the default), which writes GitHub Actions' S3 backend",
        ),
      ),
      errors.join("\n"),
    );
  });

  it("refuses aws.accountStack, whose outputs only GitHub Actions CI reads", () => {
    assert.deepEqual(
      errorsOf({ "gitops-bootstrap:aws": { accountStack: "organization/gitops-bootstrap/account" } }),
      [
        "gitops-bootstrap:aws.accountStack: is set, but its outputs (backend URL, KMS key, CI roles) go only to GitHub Actions' CI settings, which a stack Deployments runs does not write, and a StackReference reaches only stacks of the same backend; remove it (the account stack's pulumiDeploymentsRoleArn goes into pulumiCloud.deployments.aws.roleArn)",
      ],
    );
  });

  it("needs a repository when the GitHub part does not name one", () => {
    const errors = errorsOf({
      "gitops-bootstrap:github": undefined,
      "gitops-bootstrap:repoSshPrivateKey": { secure: "x" },
    });
    assert.ok(
      errors.some((e) => e.startsWith("gitops-bootstrap:pulumiCloud.deployments.repository: is required")),
      errors.join("\n"),
    );
  });

  it("names the key of a bad cron, role ARN or unknown key", () => {
    const errors = errorsOf({
      "gitops-bootstrap:pulumiCloud": {
        ...pulumiCloud(),
        driftSchedule: { cron: "daily" },
        deployments: { aws: { roleArn: "pulumi-deployments" }, paths: [], preview: true },
      },
    });
    assert.ok(
      errors.some((e) =>
        e.startsWith("gitops-bootstrap:pulumiCloud.driftSchedule.cron: must be a five-field cron"),
      ),
      errors.join("\n"),
    );
    assert.ok(
      errors.some((e) =>
        e.startsWith("gitops-bootstrap:pulumiCloud.deployments.aws.roleArn: must be an IAM role ARN"),
      ),
      errors.join("\n"),
    );
    assert.ok(
      errors.some((e) =>
        e.startsWith('gitops-bootstrap:pulumiCloud.deployments.preview: unknown key "preview"'),
      ),
      errors.join("\n"),
    );
  });
});

describe("the Deployments inputs (core/cloud/deployments.ts)", () => {
  const stack = { organization: "acme", project: "gitops-bootstrap", stack: "cloud" };

  it("defaults: preview pull requests, deploy pushes to main, no filter, no AWS, no operation context", () => {
    const settings = pulumiCloudSettingsSchema.parse({});
    assert.deepEqual(deploymentSettingsInputs(stack, "acme/homelab-infra", settings.deployments), {
      ...stack,
      sourceContext: { git: { branch: "refs/heads/main" } },
      vcs: {
        provider: "github",
        repository: "acme/homelab-infra",
        previewPullRequests: true,
        deployCommits: true,
      },
    });
    assert.deepEqual(driftScheduleInputs(stack, settings.driftSchedule), {
      ...stack,
      scheduleCron: "0 6 * * *",
      autoRemediate: false,
    });
  });

  it("every setting reaches its field", () => {
    const { deployments } = pulumiCloudSettingsSchema.parse({
      deployments: {
        branch: "release",
        repoDir: "infra",
        paths: ["infra/**"],
        previewPullRequests: false,
        deployCommits: false,
        preRunCommands: ["tailscale up --authkey=$TS_AUTHKEY"],
        executorImage: "pulumi/pulumi-nodejs:latest",
        aws: { roleArn: ROLE_ARN, sessionName: "s", duration: "30m" },
      },
    });
    assert.deepEqual(deploymentSettingsInputs(stack, "acme/infra", deployments), {
      ...stack,
      sourceContext: { git: { branch: "refs/heads/release", repoDir: "infra" } },
      vcs: {
        provider: "github",
        repository: "acme/infra",
        previewPullRequests: false,
        deployCommits: false,
        paths: ["infra/**"],
      },
      operationContext: {
        preRunCommands: ["tailscale up --authkey=$TS_AUTHKEY"],
        oidc: { aws: { roleARN: ROLE_ARN, sessionName: "s", duration: "30m" } },
      },
      executorContext: { executorImage: "pulumi/pulumi-nodejs:latest" },
    });
  });
});

describe("buildCluster with home: pulumi-cloud (mock runtime, the committed example)", () => {
  let runtime: MockRuntime;

  async function build(edit: Record<string, unknown> = {}, secretKeys: string[] = []): Promise<void> {
    const { raw, secretKeys: fileSecrets } = exampleConfig(edit);
    const parsed = parseStackConfig(raw, new Set([...fileSecrets, ...secretKeys]), { projectDir: REPO_ROOT });
    assert.ok(parsed.ok, parsed.ok ? "" : parsed.errors.join("\n"));
    runtime = await mockRuntime({ stack: "cloud", config: raw, secretKeys: [...fileSecrets, ...secretKeys] });
    const config: StackConfig = parsed.config;
    const outputs = buildCluster(config, {});
    await unwrap(outputs.namespace);
    await runtime.settle();
  }

  it("makes the stack's DeploymentSettings and DriftSchedule through an explicit pulumiservice provider", async function () {
    this.timeout(60_000);
    await build();
    const settings = findResource(runtime, "pulumiservice:index:DeploymentSettings", "pulumi-cloud-settings");
    assert.deepEqual(settings.inputs, {
      organization: "acme",
      project: "gitops-bootstrap",
      stack: "cloud",
      sourceContext: { git: { branch: "refs/heads/main" } },
      vcs: {
        provider: "github",
        repository: "acme/homelab-infra",
        previewPullRequests: true,
        deployCommits: true,
        // The SDK's own default for a field we leave unset.
        pullRequestTemplate: false,
        paths: [
          "Pulumi.yaml",
          "Pulumi.cloud.yaml",
          "index.ts",
          "stacks/**",
          "components/**",
          "core/**",
          "charts/**",
        ],
      },
      operationContext: {
        oidc: { aws: { roleARN: ROLE_ARN, sessionName: "gitops-bootstrap-${deployment.version}" } },
      },
    });
    const drift = findResource(runtime, "pulumiservice:index:DriftSchedule", "pulumi-cloud-drift");
    assert.deepEqual(drift.inputs, {
      organization: "acme",
      project: "gitops-bootstrap",
      stack: "cloud",
      scheduleCron: "0 6 * * *",
      autoRemediate: false,
    });
    assert.deepEqual(drift.dependsOn, [settings.urn]);
    const [provider, ...others] = resourcesOfType(runtime, "pulumi:providers:pulumiservice");
    assert.equal(others.length, 0);
    assert.equal(settings.provider?.split("::").slice(0, 4).join("::"), provider?.urn);
    // The setting's URL, never the SDK's PULUMI_BACKEND_URL fallback; no token in the inputs.
    assert.deepEqual(provider?.inputs, { apiUrl: "https://api.pulumi.com" });
  });

  it("deployments and drift schedule can each be switched off", async function () {
    this.timeout(60_000);
    await build({
      "gitops-bootstrap:pulumiCloud": {
        organization: "acme",
        deployments: { enabled: false },
        driftSchedule: { enabled: false },
      },
    });
    assert.equal(resourcesOfType(runtime, "pulumiservice:index:DeploymentSettings").length, 0);
    assert.equal(resourcesOfType(runtime, "pulumiservice:index:DriftSchedule").length, 0);
  });

  it("pulumiservice:accessToken set as a secret reaches the provider as a secret", async function () {
    this.timeout(60_000);
    await build({ "pulumiservice:accessToken": "pul-TOKEN" }, ["pulumiservice:accessToken"]);
    const provider = findResource(runtime, "pulumi:providers:pulumiservice", "pulumiservice");
    assert.equal(JSON.stringify(provider.inputs.accessToken), '"[secret]"');
  });
});

describe("pulumiservice provider config (stacks/provider-config.ts)", () => {
  it("a plain-text access token and a misspelt key are refused, naming the key", () => {
    assert.deepEqual(
      providerKeyProblems({ "pulumiservice:accessToken": "pul-x", "pulumiservice:apiURL": "x" }, new Set()),
      [
        "pulumiservice:accessToken: is a credential stored in plain text; remove it with `pulumi config rm pulumiservice:accessToken` and set it again with `pulumi config set --secret pulumiservice:accessToken`",
        'pulumiservice:apiURL: unknown key "apiURL" for the pulumiservice provider: did you mean "apiUrl"? remove it, or use one of accessToken, apiUrl',
      ],
    );
  });

  it("the example's ESC environment sets only keys a provider knows, as secrets, and the stack file imports an environment", () => {
    const esc = parse(readFileSync(join(EXAMPLE_DIR, "esc-environment.yaml"), "utf8")) as {
      values: { pulumiConfig: Record<string, unknown>; files: Record<string, unknown> };
    };
    const keys = Object.keys(esc.values.pulumiConfig);
    assert.deepEqual(keys, ["github:token"]);
    const raw = Object.fromEntries(keys.map((k) => [k, "x"]));
    assert.deepEqual(providerKeyProblems(raw, new Set(keys)), []);
    assert.deepEqual(Object.keys(esc.values.files), ["KUBECONFIG"]);
    assert.deepEqual(exampleRaw().environment, ["homelab/cloud"]);
  });
});

/** Evaluates `sts:AssumeRoleWithWebIdentity` by a Pulumi Deployments token with these claims. */
function assume(
  trust: unknown,
  claims: { aud?: string; sub?: string },
  providerArn: string,
): EvaluationResult {
  const context: Record<string, string> = {};
  if (claims.aud !== undefined) context[PULUMI_CLAIM.aud] = claims.aud;
  if (claims.sub !== undefined) context[PULUMI_CLAIM.sub] = claims.sub;
  return runUnsafeSimulation(
    {
      request: {
        principal: providerArn,
        action: "sts:AssumeRoleWithWebIdentity",
        resource: { resource: ROLE_ARN, accountId: "123456789012" },
        contextVariables: context,
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: createValidatedPolicy(assertValid("trust", trust as never), validateTrustPolicy, {
        name: "trust",
      }),
    },
    {},
  );
}

/** An account stack's aws settings, enabled, without pulumiDeployments. */
const ACCOUNT_AWS = {
  enabled: true,
  accountId: "123456789012",
  region: "eu-west-1",
  stateBucket: { name: "acme-state" },
  ci: { repository: "acme/homelab-infra", workflows: { deploy: ".github/workflows/up.yml" } },
};

describe("Pulumi Deployments' role trust (IAM policy evaluator)", () => {
  const PROVIDER = "arn:aws:iam::123456789012:oidc-provider/api.pulumi.com/oidc";
  const settings = pulumiDeploymentsSettingsSchema.parse({ organization: "acme", stacks: ["cloud"] });
  const trust = pulumiDeploymentsTrustPolicy(settings, "gitops-bootstrap", PROVIDER);
  const sub = (operation: DeploymentOperation, stack = "cloud", org = "acme", project = "gitops-bootstrap") =>
    pulumiDeploySubject(org, project, stack, operation);

  it("defaults to update, refresh and detect-drift", () => {
    assert.deepEqual(settings.operations, ["update", "refresh", "detect-drift"]);
    assert.equal(settings.roleName, "pulumi-deployments");
  });

  it("allows the trusted stack's update, refresh and drift detection", () => {
    for (const op of ["update", "refresh", "detect-drift"] as const)
      assert.equal(assume(trust, { aud: "acme", sub: sub(op) }, PROVIDER), "Allowed", op);
  });

  it("denies previews (pull request code), destroy, other stacks, projects and organizations", () => {
    const denied: Array<[string, { aud: string; sub: string }]> = [
      ["preview", { aud: "acme", sub: sub("preview") }],
      ["destroy", { aud: "acme", sub: sub("destroy") }],
      ["another stack", { aud: "acme", sub: sub("update", "prod") }],
      ["another project", { aud: "acme", sub: sub("update", "cloud", "acme", "other") }],
      ["another organization's token", { aud: "evil", sub: sub("update", "cloud", "evil") }],
      ["another audience", { aud: "evil", sub: sub("update") }],
      ["a subject pattern", { aud: "acme", sub: "pulumi:deploy:org:acme:project:gitops-bootstrap:stack:*" }],
    ];
    for (const [name, claims] of denied)
      assert.equal(assume(trust, claims, PROVIDER), "ImplicitlyDenied", name);
    assert.equal(
      assume(
        trust,
        { aud: "acme", sub: sub("update") },
        "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
      ),
      "ImplicitlyDenied",
    );
  });

  it("the account stack's aws.pulumiDeployments parses, and refuses an unknown operation naming its path", () => {
    const parsed = parseAwsSettings({
      ...ACCOUNT_AWS,
      pulumiDeployments: { organization: "acme", stacks: ["cloud"] },
    });
    assert.ok(parsed.enabled && parsed.pulumiDeployments?.stacks[0] === "cloud");
    assert.throws(
      () =>
        parseAwsSettings({
          ...ACCOUNT_AWS,
          pulumiDeployments: { organization: "acme", stacks: ["cloud"], operations: ["up"] },
        }),
      /gitops-bootstrap:aws\.pulumiDeployments\.operations\.0: must be one of preview, update/,
    );
  });

  it("the component makes a protected provider and a role with exactly the listed policies (mock runtime)", async function () {
    this.timeout(60_000);
    const runtime = await mockRuntime({ stack: "account" });
    const provider = new aws.Provider("aws", { region: "eu-west-1" });
    const role = new PulumiDeploymentsRole("pulumi-deployments", {
      provider,
      project: "gitops-bootstrap",
      settings: pulumiDeploymentsSettingsSchema.parse({
        organization: "acme",
        stacks: ["cloud"],
        policyArns: ["arn:aws:iam::aws:policy/AmazonRoute53FullAccess"],
      }),
    });
    await unwrap(role.roleArn);
    await runtime.settle();
    const oidc = findResource(
      runtime,
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
      "pulumi-deployments-oidc",
    );
    assert.deepEqual(oidc.inputs, { url: "https://api.pulumi.com/oidc", clientIdLists: ["acme"] });
    assert.equal(oidc.options.protect, true);
    assert.equal(oidc.options.retainOnDelete, true);
    const created = findResource(runtime, "aws:iam/role:Role", "pulumi-deployments");
    const policy = JSON.parse(String(created.inputs.assumeRolePolicy)) as unknown;
    assert.equal(assume(policy, { aud: "acme", sub: sub("update") }, PROVIDER), "Allowed");
    const exclusive = findResource(
      runtime,
      "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
      "pulumi-deployments-managed-exclusive",
    );
    assert.deepEqual(exclusive.inputs.policyArns, ["arn:aws:iam::aws:policy/AmazonRoute53FullAccess"]);
  });

  it("the account stack makes the role only with aws.pulumiDeployments, and outputs its ARN (mock runtime)", async function () {
    this.timeout(60_000);
    const provider = () => ({ aws: new aws.Provider("aws", { region: "eu-west-1" }) });
    let runtime = await mockRuntime({ stack: "account" });
    const without = parseAwsSettings(ACCOUNT_AWS);
    assert.ok(without.enabled);
    assert.equal(buildAccount(without, provider()).pulumiDeploymentsRoleArn, undefined);
    await runtime.settle();
    assert.equal(resourcesOfType(runtime, "gitops:cloud:PulumiDeploymentsRole").length, 0);

    runtime = await mockRuntime({ stack: "account" });
    const withRole = parseAwsSettings({
      ...ACCOUNT_AWS,
      pulumiDeployments: { organization: "acme", stacks: ["cloud"] },
    });
    assert.ok(withRole.enabled);
    const outputs = buildAccount(withRole, provider());
    assert.ok(outputs.pulumiDeploymentsRoleArn !== undefined);
    assert.equal(await unwrap(outputs.pulumiDeploymentsRoleArn), ROLE_ARN);
    await runtime.settle();
    findResource(runtime, "gitops:cloud:PulumiDeploymentsRole", "pulumi-deployments");
  });
});
