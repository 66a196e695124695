import { strict as assert } from "node:assert";
import {
  deployPermissionPolicy,
  previewPermissionPolicy,
  stateBucketPolicy,
  stateKeyPolicy,
  type CiStateGuard,
  type PolicyDocument,
} from "../../core/aws/iam";
import { ACCOUNT, ADMINISTRATOR_ACCESS, evaluate, type Call } from "./iam-simulator";

const BUCKET = "arn:aws:s3:::acme-pulumi-state";
const KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const REGION = "eu-west-1";
const PROJECT = "gitops-bootstrap";
const access = { bucketArn: BUCKET, keyArn: KEY, region: REGION, project: PROJECT };

const role = (name: string) => ({
  principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/GitHubActions`,
  principalArn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
});
const PREVIEW = role("gitops-bootstrap-ci-preview");
const DEPLOY = role("gitops-bootstrap-ci-deploy");
const ADMIN = {
  principal: `arn:aws:iam::${ACCOUNT}:user/admin`,
  principalArn: `arn:aws:iam::${ACCOUNT}:user/admin`,
};
const CI_ROLES = [PREVIEW.principalArn, DEPLOY.principalArn];
const GUARD: CiStateGuard = {
  previewRoleArn: PREVIEW.principalArn,
  deployRoleArn: DEPLOY.principalArn,
  project: PROJECT,
  accountStack: "account",
};

// Keys as Pulumi's DIY backend writes them (project-scoped layout; locks under the fully
// qualified stack name organization/<project>/<stack>).
const STACK = `${BUCKET}/.pulumi/stacks/gitops-bootstrap/prod.json`;
const LOCK = `${BUCKET}/.pulumi/locks/organization/gitops-bootstrap/prod/0b7c.json`;
const OTHER_PROJECT_LOCK = `${BUCKET}/.pulumi/locks/organization/other-project/prod/0b7c.json`;
const ACCOUNT_STATE = `${BUCKET}/.pulumi/stacks/gitops-bootstrap/account.json`;
const ACCOUNT_LOCK = `${BUCKET}/.pulumi/locks/organization/gitops-bootstrap/account/0b7c.json`;
const TERRAFORM_STATE = `${BUCKET}/homelab/terraform.tfstate`;
const VIA_S3 = { "kms:ViaService": `s3.${REGION}.amazonaws.com` };

type Outcome = "allow" | "deny";
const decide = (call: Call): Outcome => (evaluate(call) === "Allowed" ? "allow" : "deny");

/** [action, resource, extra context, preview, deploy] */
type Row = [string, string, Record<string, string>, Outcome, Outcome];

describe("IAM permission policies, evaluated by @cloud-copilot/iam-simulate", () => {
  const previewPolicy = previewPermissionPolicy(access);
  const deployPolicy = deployPermissionPolicy(access);

  const rows: Row[] = [
    ["s3:ListBucket", BUCKET, {}, "allow", "allow"],
    ["s3:GetObject", STACK, {}, "allow", "allow"],
    ["s3:PutObject", STACK, {}, "deny", "allow"],
    ["s3:DeleteObject", STACK, {}, "deny", "allow"],
    ["s3:PutObject", LOCK, {}, "allow", "allow"],
    ["s3:DeleteObject", LOCK, {}, "allow", "allow"],
    ["s3:PutObject", OTHER_PROJECT_LOCK, {}, "deny", "allow"],
    ["s3:DeleteObject", OTHER_PROJECT_LOCK, {}, "deny", "allow"],
    ["s3:GetObject", ACCOUNT_STATE, {}, "allow", "allow"],
    ["s3:PutObject", ACCOUNT_STATE, {}, "deny", "deny"],
    ["s3:PutObject", ACCOUNT_LOCK, {}, "deny", "deny"],
    ["s3:GetObject", TERRAFORM_STATE, {}, "deny", "deny"],
    ["s3:PutObject", TERRAFORM_STATE, {}, "deny", "deny"],
    ["s3:DeleteObjectVersion", STACK, {}, "deny", "deny"],
    ["s3:DeleteBucket", BUCKET, {}, "deny", "deny"],
    ["s3:PutBucketPolicy", BUCKET, {}, "deny", "deny"],
    ["kms:Decrypt", KEY, {}, "allow", "allow"],
    ["kms:Encrypt", KEY, {}, "deny", "allow"],
    ["kms:GenerateDataKey", KEY, VIA_S3, "allow", "allow"],
    ["kms:GenerateDataKey", KEY, {}, "deny", "allow"],
    ["kms:ScheduleKeyDeletion", KEY, {}, "deny", "deny"],
    ["iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/anything`, {}, "deny", "deny"],
  ];
  for (const [action, resource, context, preview, deploy] of rows) {
    const short = resource.replace(BUCKET, "bucket").replace(KEY, "key");
    const via = Object.keys(context).length > 0 ? " via S3" : "";
    it(`${action} on ${short}${via}: preview ${preview}, deploy ${deploy}`, () => {
      // Each request carries the resource's own policy, as S3 and KMS evaluate it.
      const resourcePolicy =
        resource === KEY
          ? { resourcePolicy: stateKeyPolicy("aws", ACCOUNT, CI_ROLES) }
          : resource.startsWith(BUCKET)
            ? { resourcePolicy: stateBucketPolicy(BUCKET, GUARD) }
            : {};
      const tls: Record<string, string> = resource.startsWith(BUCKET)
        ? { "aws:SecureTransport": "true" }
        : {};
      const call = (who: typeof PREVIEW, policy: PolicyDocument) =>
        decide({
          ...who,
          identity: [policy],
          action,
          resource,
          context: { ...tls, ...context },
          ...resourcePolicy,
        });
      assert.deepEqual(
        { preview: call(PREVIEW, previewPolicy), deploy: call(DEPLOY, deployPolicy) },
        { preview, deploy },
      );
    });
  }

  it("grants s3:ListBucket on the bucket ARN; the Terragrunt grant on bucket/* never applied", () => {
    for (const doc of [previewPolicy, deployPolicy]) {
      const list = doc.Statement.filter((s) => [s.Action].flat().includes("s3:ListBucket"));
      assert.deepEqual(
        list.map((s) => s.Resource),
        [BUCKET],
      );
    }
    const terragrunt: PolicyDocument = {
      Version: "2012-10-17",
      Statement: [{ Sid: "List", Effect: "Allow", Action: "s3:ListBucket", Resource: `${BUCKET}/*` }],
    };
    assert.equal(
      decide({ ...DEPLOY, identity: [terragrunt], action: "s3:ListBucket", resource: BUCKET }),
      "deny",
    );
  });
});

describe("state bucket policy", () => {
  const bucketPolicy = stateBucketPolicy(BUCKET, GUARD);
  const read = (secure: string): Call => ({
    ...DEPLOY,
    identity: [deployPermissionPolicy(access)],
    action: "s3:GetObject",
    resource: STACK,
    resourcePolicy: bucketPolicy,
    context: { "aws:SecureTransport": secure },
  });

  it("allows the deploy role to read state over TLS (known-good case)", () => {
    assert.equal(evaluate(read("true")), "Allowed");
  });

  it("denies the same request without TLS (aws:SecureTransport false), explicitly", () => {
    assert.equal(evaluate(read("false")), "ExplicitlyDenied");
  });

  it("denies a non-TLS request even to an administrator", () => {
    const call: Call = {
      ...ADMIN,
      identity: [ADMINISTRATOR_ACCESS],
      action: "s3:PutObject",
      resource: STACK,
      resourcePolicy: bucketPolicy,
      context: { "aws:SecureTransport": "false" },
    };
    assert.equal(evaluate(call), "ExplicitlyDenied");
  });

  /** `who`, holding AdministratorAccess, calls `action` on `resource` over TLS. */
  const asAdmin = (who: typeof ADMIN, action: string, resource: string): Call => ({
    ...who,
    identity: [ADMINISTRATOR_ACCESS],
    action,
    resource,
    resourcePolicy: bucketPolicy,
    context: { "aws:SecureTransport": "true" },
  });

  it("leaves the CI roles' own work alone even with AdministratorAccess (known-good cases)", () => {
    assert.equal(evaluate(asAdmin(DEPLOY, "s3:PutObject", STACK)), "Allowed");
    assert.equal(evaluate(asAdmin(DEPLOY, "s3:ListBucket", BUCKET)), "Allowed");
    assert.equal(evaluate(asAdmin(PREVIEW, "s3:PutObject", LOCK)), "Allowed");
    assert.equal(evaluate(asAdmin(PREVIEW, "s3:DeleteObject", LOCK)), "Allowed");
    assert.equal(evaluate(asAdmin(PREVIEW, "s3:GetObject", ACCOUNT_STATE)), "Allowed");
  });

  // Bucket-level actions that delete, loosen, copy out or lock up the bucket.
  const bucketTamper = [
    "s3:DeleteBucket",
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketVersioning",
    "s3:PutLifecycleConfiguration",
    "s3:PutEncryptionConfiguration",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketOwnershipControls",
    "s3:PutBucketAcl",
    "s3:PutReplicationConfiguration",
    "s3:PutBucketObjectLockConfiguration",
    "s3:PutIntelligentTieringConfiguration",
    "s3:PutInventoryConfiguration",
    "s3:PutBucketLogging",
    "s3:PutBucketNotification",
    "s3:PutBucketRequestPayment",
    "s3:PutBucketTagging",
  ];
  for (const action of bucketTamper) {
    it(`${action}: denied to both CI roles even with AdministratorAccess, allowed to the human administrator`, () => {
      assert.equal(evaluate(asAdmin(ADMIN, action, BUCKET)), "Allowed");
      assert.equal(evaluate(asAdmin(DEPLOY, action, BUCKET)), "ExplicitlyDenied");
      assert.equal(evaluate(asAdmin(PREVIEW, action, BUCKET)), "ExplicitlyDenied");
    });
  }

  // Object-level actions beyond read/write/delete of the current version.
  const objectTamper = [
    "s3:DeleteObjectVersion",
    "s3:PutObjectAcl",
    "s3:PutObjectRetention",
    "s3:PutObjectLegalHold",
    "s3:BypassGovernanceRetention",
    "s3:RestoreObject",
  ];
  for (const action of objectTamper) {
    it(`${action} on a state object: denied to the deploy role even with AdministratorAccess, allowed to the administrator`, () => {
      assert.equal(evaluate(asAdmin(ADMIN, action, STACK)), "Allowed");
      assert.equal(evaluate(asAdmin(DEPLOY, action, STACK)), "ExplicitlyDenied");
    });
  }

  // Everything the DIY backend writes for the account stack, and the layout file.
  const accountKeys = [
    ".pulumi/meta.yaml",
    ".pulumi/stacks/gitops-bootstrap/account.json",
    ".pulumi/stacks/gitops-bootstrap/account.json.gz",
    ".pulumi/stacks/gitops-bootstrap/account.json.bak",
    ".pulumi/history/gitops-bootstrap/account/account-1700000000000000000.checkpoint.json",
    ".pulumi/history/gitops-bootstrap/account/account-1700000000000000000.history.json",
    ".pulumi/backups/gitops-bootstrap/account/account.1700000000000000000.json",
    ".pulumi/journal/gitops-bootstrap/account/0001.json",
    ".pulumi/locks/organization/gitops-bootstrap/account/0b7c.json",
    ".pulumi/stacks/account.json",
    ".pulumi/history/account/account-1700000000000000000.checkpoint.json",
    ".pulumi/locks/account/0b7c.json",
  ];
  for (const key of accountKeys) {
    it(`${key}: neither CI role may write or delete it (even with AdministratorAccess); the administrator may`, () => {
      const object = `${BUCKET}/${key}`;
      assert.equal(evaluate(asAdmin(ADMIN, "s3:PutObject", object)), "Allowed");
      for (const who of [DEPLOY, PREVIEW]) {
        for (const action of ["s3:PutObject", "s3:DeleteObject"]) {
          assert.equal(evaluate(asAdmin(who, action, object)), "ExplicitlyDenied", `${action}`);
        }
      }
    });
  }

  it("the deploy role still writes the cluster stacks' state, history and backups (only the account stack is fenced)", () => {
    for (const key of [
      ".pulumi/stacks/gitops-bootstrap/prod.json",
      ".pulumi/stacks/gitops-bootstrap/accounting.json",
      ".pulumi/history/gitops-bootstrap/prod/prod-1700000000000000000.checkpoint.json",
      ".pulumi/backups/gitops-bootstrap/prod/prod.1700000000000000000.json",
    ]) {
      const call: Call = {
        ...DEPLOY,
        identity: [deployPermissionPolicy(access)],
        action: "s3:PutObject",
        resource: `${BUCKET}/${key}`,
        resourcePolicy: bucketPolicy,
        context: { "aws:SecureTransport": "true" },
      };
      assert.equal(evaluate(call), "Allowed", key);
    }
  });

  it("the preview role, even with AdministratorAccess, writes and deletes nothing but the project's locks", () => {
    for (const resource of [STACK, OTHER_PROJECT_LOCK, `${BUCKET}/homelab/terraform.tfstate`]) {
      for (const action of ["s3:PutObject", "s3:DeleteObject"]) {
        assert.equal(
          evaluate(asAdmin(PREVIEW, action, resource)),
          "ExplicitlyDenied",
          `${action} ${resource}`,
        );
      }
    }
  });
});

describe("state key policy", () => {
  const keyPolicy = stateKeyPolicy("aws", ACCOUNT, CI_ROLES);

  it("lets IAM policies grant the key: the preview role may decrypt (known-good case)", () => {
    const call: Call = {
      ...PREVIEW,
      identity: [previewPermissionPolicy(access)],
      action: "kms:Decrypt",
      resource: KEY,
      resourcePolicy: keyPolicy,
    };
    assert.equal(evaluate(call), "Allowed");
  });

  it("without the account-root statement no identity policy could use the key", () => {
    const denyOnly: PolicyDocument = { ...keyPolicy, Statement: keyPolicy.Statement.slice(1) };
    const call: Call = {
      ...PREVIEW,
      identity: [previewPermissionPolicy(access)],
      action: "kms:Decrypt",
      resource: KEY,
      resourcePolicy: denyOnly,
    };
    assert.notEqual(evaluate(call), "Allowed");
  });

  it("leaves the CI roles' use of the key alone even with AdministratorAccess (known-good case)", () => {
    for (const action of ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]) {
      const call: Call = {
        ...DEPLOY,
        identity: [ADMINISTRATOR_ACCESS],
        action,
        resource: KEY,
        resourcePolicy: keyPolicy,
      };
      assert.equal(evaluate(call), "Allowed", action);
    }
  });

  for (const action of [
    "kms:ScheduleKeyDeletion",
    "kms:PutKeyPolicy",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:CreateGrant",
    "kms:RetireGrant",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:UpdateAlias",
    "kms:CreateAlias",
    "kms:TagResource",
    "kms:UpdateKeyDescription",
    "kms:ImportKeyMaterial",
  ]) {
    it(`${action}: denied to a CI role even with AdministratorAccess, allowed to the human administrator`, () => {
      const call = (who: typeof ADMIN): Call => ({
        ...who,
        identity: [ADMINISTRATOR_ACCESS],
        action,
        resource: KEY,
        resourcePolicy: keyPolicy,
      });
      assert.equal(evaluate(call(DEPLOY)), "ExplicitlyDenied");
      assert.equal(evaluate(call(ADMIN)), "Allowed");
    });
  }
});
