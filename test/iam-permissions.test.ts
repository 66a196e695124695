import { strict as assert } from "node:assert";
import {
  deployPermissionPolicy,
  previewPermissionPolicy,
  stateBucketPolicy,
  stateKeyPolicy,
  type PolicyDocument,
} from "../gitops/iam";
import { ACCOUNT, ADMINISTRATOR_ACCESS, evaluate, type Call } from "./iam-simulator";

const BUCKET = "arn:aws:s3:::acme-pulumi-state";
const KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const REGION = "eu-west-1";
const access = { bucketArn: BUCKET, keyArn: KEY, region: REGION };

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

const STACK = `${BUCKET}/.pulumi/stacks/gitops-bootstrap/prod.json`;
const LOCK = `${BUCKET}/.pulumi/locks/organization/gitops-bootstrap/prod/0b7c.json`;
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
      // KMS consults the key policy on every call, so the key's requests carry it.
      const resourcePolicy =
        resource === KEY ? { resourcePolicy: stateKeyPolicy("aws", ACCOUNT, CI_ROLES) } : {};
      const call = (who: typeof PREVIEW, policy: PolicyDocument) =>
        decide({ ...who, identity: [policy], action, resource, context, ...resourcePolicy });
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
  const bucketPolicy = stateBucketPolicy(BUCKET, CI_ROLES);
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

  for (const action of ["s3:DeleteBucket", "s3:PutBucketPolicy", "s3:PutBucketVersioning"]) {
    it(`${action}: denied to a CI role even with AdministratorAccess, allowed to the human administrator`, () => {
      const call = (who: typeof ADMIN): Call => ({
        ...who,
        identity: [ADMINISTRATOR_ACCESS],
        action,
        resource: BUCKET,
        resourcePolicy: bucketPolicy,
        context: { "aws:SecureTransport": "true" },
      });
      assert.equal(evaluate(call(DEPLOY)), "ExplicitlyDenied");
      assert.equal(evaluate(call(ADMIN)), "Allowed");
    });
  }
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

  for (const action of ["kms:ScheduleKeyDeletion", "kms:PutKeyPolicy", "kms:DisableKey"]) {
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
