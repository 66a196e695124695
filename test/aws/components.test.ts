/**
 * The account stack under Pulumi's mock runtime (the shared recorder in cli/mock-runtime.ts): every
 * registration with its type, parent, provider, inputs and options (protect, retainOnDelete, import).
 */
import { strict as assert } from "node:assert";
import { resolve } from "node:path";
import { readStackFile } from "../../cli/synth";
import {
  resolveOutputs,
  startMockRuntime,
  type MockRuntime,
  type Registration,
} from "../../cli/mock-runtime";
import { bucketArn, roleArn } from "../../core/aws/state";
import type { AwsSettings } from "../../core/aws/settings";
import { stateBucketPolicy, stateKeyPolicy } from "../../core/aws/iam";
import {
  accountProviders,
  buildAccount,
  loadAccountConfig,
  parseAccountConfig,
  type AccountOutputs,
} from "../../stacks/account";

const PROJECT_DIR = resolve(__dirname, "..", "..");

function accountStackSettings(): AwsSettings {
  const file = readStackFile(PROJECT_DIR, "account");
  const parsed = parseAccountConfig(file.config);
  if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
  return parsed.settings;
}

interface Built {
  runtime: MockRuntime;
  outputs: Record<string, unknown>;
}

async function build(settings: AwsSettings): Promise<Built> {
  const runtime = await startMockRuntime({ project: "gitops-bootstrap", stack: "account" });
  const account: AccountOutputs = buildAccount(settings, accountProviders(settings));
  const outputs = (await resolveOutputs({ ...account })) as Record<string, unknown>;
  await runtime.settle();
  return { runtime, outputs };
}

const ofType = (built: Built, type: string): Registration[] =>
  built.runtime.registrations.filter((r) => r.type === type);

function one(built: Built, type: string, name?: string): Registration {
  const found = ofType(built, type).filter((r) => name === undefined || r.name === name);
  assert.equal(found.length, 1, `expected one ${type}${name === undefined ? "" : ` named ${name}`}`);
  return found[0] as Registration;
}

const json = (value: unknown): unknown => JSON.parse(String(value));

describe("account stack (StateBackend + CiIdentity) under mocks", () => {
  describe("Pulumi.account.yaml as committed", () => {
    const settings = accountStackSettings();
    let built: Built;
    before(async () => {
      built = await build(settings);
    });

    it("registers every AWS resource through the explicit provider, as a child of its component", () => {
      const components = built.runtime.registrations.filter((r) => r.type.startsWith("gitops:aws:"));
      assert.deepEqual(components.map((c) => c.type).sort(), [
        "gitops:aws:CiIdentity",
        "gitops:aws:StateBackend",
      ]);
      const componentUrns = new Set(components.map((c) => c.urn));
      const resources = built.runtime.registrations.filter((r) => r.type.startsWith("aws:"));
      assert.ok(resources.length >= 15, `only ${resources.length} resources`);
      for (const r of resources) {
        assert.ok(
          r.parent !== undefined && componentUrns.has(r.parent),
          `${r.type} ${r.name} escapes its component`,
        );
        assert.match(
          r.provider ?? "",
          /pulumi:providers:aws::aws::/,
          `${r.type} ${r.name} has no explicit provider`,
        );
      }
    });

    it("registers the same resources with the same inputs once the adopt keys are removed after the import", async () => {
      // As the stack file's comment says: delete the adopt keys from Pulumi.account.yaml.
      const file = readStackFile(PROJECT_DIR, "account");
      const aws = JSON.parse(file.config["gitops-bootstrap:aws"] ?? "{}") as Record<string, unknown>;
      assert.ok(aws.adopt !== undefined, "the committed stack adopts something");
      delete aws.adopt;
      const parsed = parseAccountConfig({ ...file.config, "gitops-bootstrap:aws": JSON.stringify(aws) });
      if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
      const afterImport = await build(parsed.settings);
      const shape = (b: Built) =>
        b.runtime.registrations.map((r) => ({ urn: r.urn, inputs: r.inputs, protect: r.options.protect }));
      assert.deepEqual(shape(afterImport), shape(built));
      assert.ok(built.runtime.registrations.some((r) => r.options.import !== undefined));
      assert.ok(afterImport.runtime.registrations.every((r) => r.options.import === undefined));
    });

    it("pins the provider to the configured region and account", () => {
      const provider = one(built, "pulumi:providers:aws");
      assert.equal(provider.inputs.region, "eu-west-1");
      assert.deepEqual(json(provider.inputs.allowedAccountIds), ["123456789012"]);
    });

    it("uses the v7 resource names, none of the deprecated V2 ones", () => {
      const types = built.runtime.registrations.map((r) => r.type);
      for (const type of [
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketVersioning:BucketVersioning",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "aws:s3/bucketPolicy:BucketPolicy",
      ]) {
        assert.ok(types.includes(type), `missing ${type}`);
      }
      assert.deepEqual(
        types.filter((t) => /V2$/.test(t)),
        [],
      );
    });

    it("protects and retains the bucket's protections and the OIDC provider, so destroy cannot strip them", () => {
      for (const type of [
        "aws:s3/bucketVersioning:BucketVersioning",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
      ]) {
        const r = one(built, type);
        assert.equal(r.options.protect, true, `${type} not protected`);
        assert.equal(r.options.retainOnDelete, true, `${type} not retained on delete`);
      }
    });

    it("protects the bucket and the key and retains them on delete; never force-destroys the bucket", () => {
      const bucket = one(built, "aws:s3/bucket:Bucket");
      const key = one(built, "aws:kms/key:Key");
      for (const r of [bucket, key]) {
        assert.equal(r.options.protect, true, `${r.type} not protected`);
        assert.equal(r.options.retainOnDelete, true, `${r.type} not retained on delete`);
      }
      assert.equal(bucket.inputs.bucket, "acme-homelab-pulumi-state");
      assert.equal(bucket.inputs.forceDestroy, false);
      assert.equal(bucket.options.import, undefined, "the committed stack creates a new bucket");
    });

    it("rotates the key and gives it the key policy that denies the CI roles tampering", () => {
      const key = one(built, "aws:kms/key:Key");
      assert.equal(key.inputs.enableKeyRotation, true);
      assert.equal(key.inputs.deletionWindowInDays, 30);
      const ci = [
        roleArn("aws", "123456789012", "gitops-bootstrap-ci-preview"),
        roleArn("aws", "123456789012", "github-actions-homelab"),
      ];
      assert.deepEqual(json(key.inputs.policy), stateKeyPolicy("aws", "123456789012", ci));
    });

    it("versions, encrypts with the key, blocks public access four ways and enforces bucket ownership", () => {
      assert.deepEqual(
        one(built, "aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration,
        {
          status: "Enabled",
        },
      );
      const sse = one(
        built,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      );
      const keyArn = "arn:aws:kms:mock-region:123456789012:key/mock-key-state-key";
      assert.deepEqual(sse.inputs.rules, [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn },
          bucketKeyEnabled: true,
        },
      ]);
      const block = one(built, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs;
      assert.deepEqual(
        [block.blockPublicAcls, block.blockPublicPolicy, block.ignorePublicAcls, block.restrictPublicBuckets],
        [true, true, true, true],
      );
      assert.deepEqual(one(built, "aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs.rule, {
        objectOwnership: "BucketOwnerEnforced",
      });
    });

    it("expires noncurrent versions after the configured days and aborts stale multipart uploads", () => {
      const lifecycle = one(built, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration");
      const versioning = one(built, "aws:s3/bucketVersioning:BucketVersioning");
      assert.deepEqual(lifecycle.inputs.rules, [
        {
          id: "expire-noncurrent-state-versions",
          status: "Enabled",
          filter: {},
          noncurrentVersionExpiration: { noncurrentDays: 90 },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
        },
      ]);
      assert.ok(lifecycle.dependsOn.includes(versioning.urn));
    });

    it("attaches the TLS-only bucket policy built by core/aws/iam", () => {
      const policy = one(built, "aws:s3/bucketPolicy:BucketPolicy");
      // The CI roles by ARN, and the running project and stack as the account stack CI may not write.
      assert.deepEqual(
        json(policy.inputs.policy),
        stateBucketPolicy(bucketArn("aws", "acme-homelab-pulumi-state"), {
          previewRoleArn: roleArn("aws", "123456789012", "gitops-bootstrap-ci-preview"),
          deployRoleArn: roleArn("aws", "123456789012", "github-actions-homelab"),
          project: "gitops-bootstrap",
          accountStack: "account",
        }),
      );
      const text = String(policy.inputs.policy);
      assert.ok(text.includes("/.pulumi/stacks/gitops-bootstrap/account.json*"), text);
      assert.equal(
        JSON.stringify(json(policy.inputs.policy)).includes('"aws:SecureTransport":"false"'),
        true,
      );
    });

    it("adopts the Terragrunt OIDC provider and CI role through the import option", () => {
      const provider = one(built, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
      assert.equal(
        provider.options.import,
        "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
      );
      assert.equal(provider.options.retainOnDelete, true);
      assert.deepEqual(provider.inputs.clientIdLists, ["sts.amazonaws.com"]);
      assert.equal(provider.inputs.url, "https://token.actions.githubusercontent.com");
      const deploy = one(built, "aws:iam/role:Role", "ci-deploy");
      assert.equal(deploy.options.import, "github-actions-homelab");
      assert.equal(deploy.inputs.name, "github-actions-homelab");
      const preview = one(built, "aws:iam/role:Role", "ci-preview");
      assert.equal(preview.options.import, undefined);
      assert.equal(preview.inputs.name, "gitops-bootstrap-ci-preview");
    });

    it("grants no AdministratorAccess and no managed policy by default, and strips any left behind", () => {
      assert.deepEqual(ofType(built, "aws:iam/rolePolicyAttachment:RolePolicyAttachment"), []);
      const exclusive = ofType(
        built,
        "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
      );
      assert.deepEqual(exclusive.map((r) => [r.inputs.roleName, r.inputs.policyArns]).sort(), [
        ["github-actions-homelab", []],
        ["gitops-bootstrap-ci-preview", []],
      ]);
      const inlineExclusive = ofType(built, "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive");
      assert.deepEqual(
        inlineExclusive.map((r) => r.inputs.policyNames),
        [["pulumi-state"], ["pulumi-state"]],
      );
      assert.ok(!JSON.stringify(built.runtime.registrations).includes("AdministratorAccess"));
    });

    it("gives each role its own trust and state policy, with exact subjects", () => {
      const trust = (name: string) =>
        JSON.stringify(json(one(built, "aws:iam/role:Role", name).inputs.assumeRolePolicy));
      assert.ok(trust("ci-preview").includes('"repo:acme/homelab-infra:environment:preview"'));
      assert.ok(!trust("ci-preview").includes("pull_request"));
      assert.ok(!trust("ci-preview").includes(":ref:refs/heads/"));
      assert.ok(!trust("ci-preview").includes("environment:production"));
      assert.ok(trust("ci-deploy").includes("repo:acme/homelab-infra:environment:production"));
      assert.ok(trust("ci-deploy").includes("acme/homelab-infra/.github/workflows/up.yml@refs/heads/main"));
      assert.ok(!trust("ci-deploy").includes("pull_request"));
      assert.ok(!trust("ci-deploy").includes("environment:preview"));
      assert.ok(!trust("ci-deploy").includes(":*"));
      const inline = ofType(built, "aws:iam/rolePolicy:RolePolicy").map((r) =>
        JSON.stringify(json(r.inputs.policy)),
      );
      assert.equal(inline.length, 2);
      assert.ok(
        inline.some(
          (p) => p.includes(".pulumi/locks/organization/gitops-bootstrap/*") && !p.includes("kms:Encrypt"),
        ),
      );
      assert.ok(inline.some((p) => p.includes("kms:Encrypt")));
    });

    it("outputs the backend URL and the secrets provider", () => {
      assert.equal(built.outputs.backendUrl, "s3://acme-homelab-pulumi-state?region=eu-west-1");
      assert.equal(built.outputs.secretsProvider, "awskms://mock-key-state-key?region=eu-west-1");
      assert.equal(
        built.outputs.previewRoleArn,
        "arn:aws:iam::123456789012:role/gitops-bootstrap-ci-preview",
      );
      assert.equal(built.outputs.deployRoleArn, "arn:aws:iam::123456789012:role/github-actions-homelab");
      assert.equal(built.outputs.region, "eu-west-1");
      assert.equal(built.outputs.deployEnvironment, "production");
      assert.equal(built.outputs.previewEnvironment, "preview");
    });
  });

  describe("the branches model (aws.ci.model: branches)", () => {
    let built: Built;
    before(async () => {
      const base = accountStackSettings();
      built = await build({
        ...base,
        ci: {
          repository: base.ci.repository,
          defaultBranch: base.ci.defaultBranch,
          model: "branches",
          workflows: { preview: ".github/workflows/preview.yml", deploy: ".github/workflows/up.yml" },
          roleNames: base.ci.roleNames,
          deployPolicyArns: [],
        },
      });
    });

    it("trusts pull requests' preview.yml and main's up.yml, and reports no environments", () => {
      const trust = (name: string) =>
        json(one(built, "aws:iam/role:Role", name).inputs.assumeRolePolicy) as {
          Statement: Array<{ Condition: Record<string, Record<string, unknown>> }>;
        };
      const sub = "token.actions.githubusercontent.com:sub";
      const ref = "token.actions.githubusercontent.com:job_workflow_ref";
      const preview = trust("ci-preview").Statement[0]?.Condition;
      const deploy = trust("ci-deploy").Statement[0]?.Condition;
      assert.deepEqual(
        [preview?.StringEquals?.[sub], preview?.StringLike?.[ref]],
        [
          ["repo:acme/homelab-infra:pull_request"],
          ["acme/homelab-infra/.github/workflows/preview.yml@refs/pull/*/merge"],
        ],
      );
      assert.deepEqual(
        [deploy?.StringEquals?.[sub], deploy?.StringEquals?.[ref]],
        [
          ["repo:acme/homelab-infra:ref:refs/heads/main"],
          "acme/homelab-infra/.github/workflows/up.yml@refs/heads/main",
        ],
      );
      assert.deepEqual([built.outputs.deployEnvironment, built.outputs.previewEnvironment], ["", ""]);
      assert.equal(
        one(built, "aws:iam/role:Role", "ci-preview").inputs.description,
        "GitHub Actions acme/homelab-infra: pulumi preview (pull requests)",
      );
    });
  });

  describe("adopting the Terragrunt bucket, with deploy policies asked for", () => {
    let built: Built;
    before(async () => {
      const base = accountStackSettings();
      built = await build({
        ...base,
        stateBucket: {
          ...base.stateBucket,
          name: "acme-terragrunt-state",
          noncurrentVersionExpirationDays: 30,
        },
        ci: {
          ...base.ci,
          roleNames: { preview: "gitops-bootstrap-ci-preview", deploy: "gitops-bootstrap-ci-deploy" },
          deployPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        },
        adopt: { stateBucket: "acme-terragrunt-state" },
      });
    });

    it("imports the bucket by name and still protects it", () => {
      const bucket = one(built, "aws:s3/bucket:Bucket");
      assert.equal(bucket.options.import, "acme-terragrunt-state");
      assert.equal(bucket.inputs.bucket, "acme-terragrunt-state");
      assert.equal(bucket.options.protect, true);
      const provider = one(built, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
      assert.equal(provider.options.import, undefined);
      // A newly created provider is protected too: other roles in the account may come to trust it.
      assert.equal(provider.options.protect, true);
      assert.equal(provider.options.retainOnDelete, true);
      assert.equal(one(built, "aws:iam/role:Role", "ci-deploy").options.import, undefined);
    });

    it("attaches exactly the listed policy to the deploy role and none to preview", () => {
      const attachments = ofType(built, "aws:iam/rolePolicyAttachment:RolePolicyAttachment");
      assert.deepEqual(
        attachments.map((r) => [r.name, r.inputs.role, r.inputs.policyArn]),
        [
          [
            "ci-deploy-ReadOnlyAccess",
            "gitops-bootstrap-ci-deploy",
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
          ],
        ],
      );
      const exclusive = ofType(
        built,
        "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
      );
      assert.deepEqual(exclusive.map((r) => [r.inputs.roleName, r.inputs.policyArns]).sort(), [
        ["gitops-bootstrap-ci-deploy", ["arn:aws:iam::aws:policy/ReadOnlyAccess"]],
        ["gitops-bootstrap-ci-preview", []],
      ]);
    });

    it("uses the configured noncurrent-version expiry", () => {
      const lifecycle = one(built, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration");
      assert.deepEqual(
        (lifecycle.inputs.rules as Array<Record<string, unknown>>)[0]?.noncurrentVersionExpiration,
        {
          noncurrentDays: 30,
        },
      );
    });
  });

  describe("bad config", () => {
    it("fails with every error named by key before any resource is registered", async () => {
      const runtime = await startMockRuntime({
        project: "gitops-bootstrap",
        stack: "account",
        config: {
          "gitops-bootstrap:stackKind": "account",
          "gitops-bootstrap:aws": JSON.stringify({
            enabled: true,
            accountId: "123456789012",
            region: "eu-west-1a",
            stateBucket: { name: "Acme_State" },
            ci: { repository: "acme", environment: "prod env" },
          }),
          "gitops-bootstrap:engine": "argocd",
        },
      });
      assert.throws(
        () => buildAccount(loadAccountConfig(), accountProviders(accountStackSettings())),
        (error: Error) => {
          for (const expected of [
            /5 config errors \(nothing was changed\)/,
            /gitops-bootstrap:aws\.region: "eu-west-1a" is an availability zone; use its region, eu-west-1/,
            /gitops-bootstrap:aws\.stateBucket\.name: "Acme_State" must use only lower-case letters/,
            /gitops-bootstrap:aws\.ci\.repository: "acme" must be owner\/repo/,
            /gitops-bootstrap:aws\.ci\.environment: "prod env" must be a GitHub environment name/,
            /gitops-bootstrap:engine: belongs to a cluster stack/,
          ]) {
            assert.match(error.message, expected);
          }
          return true;
        },
      );
      await runtime.settle();
      assert.deepEqual(runtime.registrations, []);
    });
  });
});
