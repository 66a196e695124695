/** `migrate-state` into Pulumi Cloud (docs/pulumi-cloud.md): the exact commands, and its option checks. */
import { strict as assert } from "node:assert";
import {
  migrateStateCommand,
  migrationSteps,
  planProblems,
  type MigrationPlan,
} from "../../cli/migrate-state";

const BUCKET = "s3://acme-homelab-pulumi-state?region=eu-west-1";
const SECRETS = "awskms://1234abcd-12ab-34cd-56ef-1234567890ab?region=eu-west-1";
/** The plan without one of its keys. */
function without(key: "from" | "organization"): MigrationPlan {
  const plan = { ...toCloud };
  delete plan[key];
  return plan;
}

const toCloud: MigrationPlan = {
  stacks: ["prod"],
  backendUrl: "https://api.pulumi.com",
  organization: "acme",
  from: BUCKET,
  secretsProvider: SECRETS,
  checkpointDir: ".cache/migrate-state",
};

describe("migrate-state into Pulumi Cloud", () => {
  it("plans exactly these commands: KMS export from the bucket, init and import in the organization, then the service's key", () => {
    assert.deepEqual(planProblems(toCloud), []);
    assert.deepEqual(
      migrationSteps(toCloud).map((s) => s.args.join(" ")),
      [
        `login ${BUCKET}`,
        `stack change-secrets-provider --stack prod ${SECRETS}`,
        "stack export --stack prod --file .cache/migrate-state/prod.checkpoint.json",
        "login https://api.pulumi.com",
        `stack init acme/prod --secrets-provider ${SECRETS}`,
        "stack import --stack acme/prod --file .cache/migrate-state/prod.checkpoint.json",
        "stack change-secrets-provider --stack acme/prod default",
        "preview --stack acme/prod --expect-no-changes",
      ],
    );
  });

  it("starts from the local backend without --from, and never exports plain-text secrets", () => {
    const steps = migrationSteps(without("from"));
    assert.deepEqual(steps[0]?.args, ["login", "--local"]);
    for (const step of steps) assert.ok(!step.args.includes("--show-secrets"), step.args.join(" "));
  });

  it("needs --organization with Pulumi Cloud, refuses it with a bucket, and checks --from", () => {
    assert.deepEqual(planProblems(without("organization")), [
      "--organization: is required with a Pulumi Cloud --backend-url: the organization the stacks go to, such as acme",
    ]);
    assert.deepEqual(planProblems({ ...without("from"), backendUrl: BUCKET }), [
      "--organization: only with a Pulumi Cloud --backend-url (https://…); remove it",
    ]);
    assert.deepEqual(planProblems({ ...toCloud, from: "file://~" }), [
      '--from: "file://~" must be s3://<bucket>?region=<region>, the bucket the stacks are in now',
    ]);
  });

  it("takes --organization and --from on the command line and prints the plan", () => {
    const lines: string[] = [];
    const code = migrateStateCommand(
      [
        "--stack",
        "prod",
        "--backend-url",
        "https://api.pulumi.com",
        "--organization",
        "acme",
        "--from",
        BUCKET,
        "--secrets-provider",
        SECRETS,
      ],
      () => assert.fail("nothing runs without --execute"),
      (line) => lines.push(line),
    );
    assert.equal(code, 0);
    assert.ok(
      lines.includes(
        "# prod: re-encrypt with Pulumi Cloud's own key, so the stack no longer needs the KMS key (rewrites Pulumi.prod.yaml: commit it)\npulumi stack change-secrets-provider --stack acme/prod default",
      ),
      lines.join("\n"),
    );
  });
});
