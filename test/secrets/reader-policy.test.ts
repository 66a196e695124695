/**
 * The External Secrets reader's identity policy (core/aws/secrets-reader.ts), evaluated by
 * @cloud-copilot/iam-simulate: read only, under one path prefix, KMS decrypt only through SSM and
 * Secrets Manager.
 */
import { strict as assert } from "node:assert";
import { secretsReaderPolicy } from "../../core/aws/secrets-reader";
import type { PolicyDocument } from "../../core/aws/iam";
import { secretsPathPrefixProblem } from "../../core/aws/settings";
import { ACCOUNT, evaluate } from "../aws/iam-simulator";

const REGION = "eu-west-1";
const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const OTHER_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/99999999-12ab-34cd-56ef-1234567890ab`;
const USER = `arn:aws:iam::${ACCOUNT}:user/gitops-bootstrap/gitops-bootstrap-secrets-reader`;
const parameter = (name: string) => `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name}`;
const secret = (name: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`;
const VIA_SSM = { "kms:ViaService": `ssm.${REGION}.amazonaws.com` };
const VIA_SECRETS_MANAGER = { "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com` };

/** KMS's default key policy: the account's IAM policies decide (what a customer managed key has unless changed). */
const DEFAULT_KEY_POLICY: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "EnableIamUserPermissions",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: "kms:*",
      Resource: "*",
    },
  ],
};

type Row = [action: string, resource: string, context: Record<string, string>, allowed: boolean];

describe("External Secrets reader policy, evaluated by @cloud-copilot/iam-simulate", () => {
  const policy = secretsReaderPolicy({
    partition: "aws",
    accountId: ACCOUNT,
    region: REGION,
    pathPrefix: "/homelab/",
    kmsKeyArns: [KEY],
  });
  const rows: Row[] = [
    ["ssm:GetParameter", parameter("/homelab/db/password"), {}, true],
    ["ssm:GetParameters", parameter("/homelab/db/password"), {}, true],
    ["ssm:GetParametersByPath", parameter("/homelab"), {}, true],
    ["ssm:GetParametersByPath", parameter("/homelab/db"), {}, true],
    ["ssm:GetParameter", parameter("/homelab-other/x"), {}, false],
    ["ssm:GetParameter", parameter("/production/db/password"), {}, false],
    ["ssm:GetParametersByPath", parameter("/production"), {}, false],
    ["ssm:PutParameter", parameter("/homelab/db/password"), {}, false],
    ["ssm:DeleteParameter", parameter("/homelab/db/password"), {}, false],
    ["ssm:DescribeParameters", "*", {}, false],
    ["secretsmanager:GetSecretValue", secret("/homelab/db"), {}, true],
    ["secretsmanager:DescribeSecret", secret("/homelab/db"), {}, true],
    ["secretsmanager:GetSecretValue", secret("/homelab-other/db"), {}, false],
    ["secretsmanager:GetSecretValue", secret("homelab/db"), {}, false],
    ["secretsmanager:PutSecretValue", secret("/homelab/db"), {}, false],
    ["secretsmanager:DeleteSecret", secret("/homelab/db"), {}, false],
    ["secretsmanager:ListSecrets", "*", {}, false],
    ["kms:Decrypt", KEY, VIA_SSM, true],
    ["kms:Decrypt", KEY, VIA_SECRETS_MANAGER, true],
    ["kms:Decrypt", KEY, {}, false],
    ["kms:Decrypt", KEY, { "kms:ViaService": `s3.${REGION}.amazonaws.com` }, false],
    ["kms:Decrypt", OTHER_KEY, VIA_SSM, false],
    ["kms:Encrypt", KEY, VIA_SSM, false],
  ];
  for (const [action, resource, context, allowed] of rows) {
    const via = context["kms:ViaService"] === undefined ? "" : ` via ${context["kms:ViaService"]}`;
    it(`${allowed ? "allows" : "denies"} ${action} on ${resource.split(":").slice(5).join(":")}${via}`, () => {
      const result = evaluate({
        principal: USER,
        principalArn: USER,
        identity: [policy],
        action,
        resource,
        context,
        // KMS evaluates the key's own policy too.
        ...(resource.includes(":kms:") ? { resourcePolicy: DEFAULT_KEY_POLICY } : {}),
      });
      assert.equal(result === "Allowed", allowed, `got ${String(result)}`);
    });
  }

  it("grants no KMS at all without customer managed keys (AWS managed keys need none)", () => {
    const plain = secretsReaderPolicy({
      partition: "aws",
      accountId: ACCOUNT,
      region: REGION,
      pathPrefix: "/homelab/",
      kmsKeyArns: [],
    });
    assert.deepEqual(
      plain.Statement.map((s) => s.Sid),
      ["ReadParametersUnderPrefix", "ReadSecretsUnderPrefix"],
    );
  });

  it("refuses a prefix that is the root, or does not end in /", () => {
    assert.equal(secretsPathPrefixProblem("/homelab/"), undefined);
    assert.equal(secretsPathPrefixProblem("/homelab/apps/"), undefined);
    for (const bad of ["/", "/homelab", "homelab/", "/home lab/", "//"])
      assert.match(secretsPathPrefixProblem(bad) ?? "", /must be a path such as \/homelab\//, bad);
  });
});
