/** `aws.secretsReader` in the account stack: off unless set, its defaults, and its errors. */
import { strict as assert } from "node:assert";
import { awsSettingsProblems, parseAwsSettings, type AwsSettings } from "../../core/aws/settings";

const ACCOUNT = {
  enabled: true,
  accountId: "123456789012",
  region: "eu-west-1",
  stateBucket: { name: "acme-homelab-pulumi-state" },
  ci: { repository: "acme/homelab-infra" },
};

describe("aws.secretsReader (account stack)", () => {
  it("is off unless set", () => {
    const settings = parseAwsSettings(ACCOUNT) as AwsSettings;
    assert.equal("secretsReader" in settings, false);
  });

  it("defaults the user's name and no KMS keys", () => {
    const settings = parseAwsSettings({
      ...ACCOUNT,
      secretsReader: { pathPrefix: "/homelab/" },
    }) as AwsSettings;
    assert.deepEqual(settings.secretsReader, {
      pathPrefix: "/homelab/",
      userName: "gitops-bootstrap-secrets-reader",
      kmsKeyArns: [],
    });
  });

  it("accepts single- and multi-Region key ARNs", () => {
    const kmsKeyArns = [
      "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      "arn:aws:kms:eu-west-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab",
    ];
    const settings = parseAwsSettings({
      ...ACCOUNT,
      secretsReader: { pathPrefix: "/homelab/", kmsKeyArns },
    }) as AwsSettings;
    assert.deepEqual(settings.secretsReader?.kmsKeyArns, kmsKeyArns);
  });

  it("reports every problem at once, naming the key", () => {
    const problems = awsSettingsProblems({
      ...ACCOUNT,
      secretsReader: { pathPrefix: "/", kmsKeyArns: ["alias/mine"], extra: true },
    });
    assert.deepEqual(problems.map((p) => p.split(": ")[0]).sort(), [
      "gitops-bootstrap:aws.secretsReader.extra",
      "gitops-bootstrap:aws.secretsReader.kmsKeyArns.0",
      "gitops-bootstrap:aws.secretsReader.pathPrefix",
    ]);
    assert.ok(problems.some((p) => /the root \/ alone would grant every secret/.test(p)));
  });
});
