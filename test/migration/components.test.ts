/**
 * The import options the adopt settings become, under Pulumi's mock runtime: the deploy role's kept
 * attachments as `<role>/<policy ARN>`, each adopted bucket configuration under the bucket's name,
 * and nothing adopted without its whole.
 */
import { strict as assert } from "node:assert";
import { resolve } from "node:path";
import { readStackFile } from "../../cli/stack-file";
import { resolveOutputs, startMockRuntime, type Registration } from "../../cli/mock-runtime";
import type { AwsSettings } from "../../core/aws/settings";
import { accountProviders, buildAccount, parseAccountConfig } from "../../stacks/account";
import { StateBackend } from "../../components/aws/state-backend";

const PROJECT_DIR = resolve(__dirname, "..", "..");

function accountStackSettings(): AwsSettings {
  const parsed = parseAccountConfig(readStackFile(PROJECT_DIR, "account").config);
  if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
  return parsed.settings;
}

describe("adopt settings become import options", () => {
  let registrations: Registration[] = [];
  const arn = "arn:aws:iam::aws:policy/ReadOnlyAccess";

  before(async () => {
    const base = accountStackSettings();
    const settings: AwsSettings = {
      ...base,
      stateBucket: { ...base.stateBucket, name: "acme-tfstate" },
      ci: { ...base.ci, deployPolicyArns: [arn] },
      adopt: {
        ...base.adopt,
        stateBucket: "acme-tfstate",
        stateBucketConfiguration: ["versioning", "lifecycle"],
        deployRolePolicyAttachments: [arn],
      },
    };
    const runtime = await startMockRuntime({ project: "gitops-bootstrap", stack: "account" });
    await resolveOutputs({ ...buildAccount(settings, accountProviders(settings)) });
    await runtime.settle();
    registrations = runtime.registrations;
  });

  it("imports the kept attachment of the adopted deploy role as <role>/<policy ARN>", () => {
    const attachment = registrations.find((r) => r.name === "ci-deploy-ReadOnlyAccess");
    assert.equal(attachment?.options.import, `github-actions-homelab/${arn}`);
  });

  it("imports exactly the listed bucket configuration, under the bucket's name", () => {
    const imported = registrations
      .filter((r) => r.type.startsWith("aws:s3/bucket") && r.type !== "aws:s3/bucket:Bucket")
      .map((r) => [r.name, r.options.import ?? null])
      .sort();
    assert.deepEqual(imported, [
      ["state-encryption", null],
      ["state-lifecycle", "acme-tfstate"],
      ["state-ownership", null],
      ["state-policy", null],
      ["state-public-access", null],
      ["state-versioning", "acme-tfstate"],
    ]);
    // Still protected and retained: adopting changes nothing about destroy.
    const versioning = registrations.find((r) => r.name === "state-versioning");
    assert.equal(versioning?.options.protect, true);
    assert.equal(versioning?.options.retainOnDelete, true);
  });

  it("refuses bucket configuration to adopt without the bucket (StateBackend used directly)", async () => {
    const base = accountStackSettings();
    const runtime = await startMockRuntime({ project: "gitops-bootstrap", stack: "account" });
    const { aws } = accountProviders(base);
    await assert.rejects(async () => {
      new StateBackend("state", {
        provider: aws,
        bucketName: "acme-tfstate",
        region: "eu-west-1",
        accountId: "123456789012",
        importConfiguration: ["versioning"],
      });
      await runtime.settle();
    }, /importConfiguration is set but importBucket is not/);
  });
});
