import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  migrateStateCommand,
  migrationSteps,
  planProblems,
  shellLine,
  type MigrationPlan,
} from "../../cli/migrate-state";

const BACKEND = "s3://acme-homelab-pulumi-state?region=eu-west-1";
const SECRETS = "awskms://1234abcd-12ab-34cd-56ef-1234567890ab?region=eu-west-1";
const plan: MigrationPlan = {
  stacks: ["account", "prod"],
  backendUrl: BACKEND,
  secretsProvider: SECRETS,
  checkpointDir: ".cache/migrate-state",
};

describe("cli/migrate-state", () => {
  it("plans exactly these pulumi commands: KMS secrets and export on the local backend, then init, import and a no-change preview in S3", () => {
    assert.deepEqual(
      migrationSteps(plan).map((s) => s.args.join(" ")),
      [
        "login --local",
        `stack change-secrets-provider --stack account ${SECRETS}`,
        "stack export --stack account --file .cache/migrate-state/account.checkpoint.json",
        `stack change-secrets-provider --stack prod ${SECRETS}`,
        "stack export --stack prod --file .cache/migrate-state/prod.checkpoint.json",
        `login ${BACKEND}`,
        `stack init account --secrets-provider ${SECRETS}`,
        "stack import --stack account --file .cache/migrate-state/account.checkpoint.json",
        "preview --stack account --expect-no-changes",
        `stack init prod --secrets-provider ${SECRETS}`,
        "stack import --stack prod --file .cache/migrate-state/prod.checkpoint.json",
        "preview --stack prod --expect-no-changes",
      ],
    );
  });

  it("never exports secrets in plain text", () => {
    for (const step of migrationSteps(plan))
      assert.ok(!step.args.includes("--show-secrets"), step.args.join(" "));
  });

  it("quotes the URLs for the shell (their '?' would glob)", () => {
    assert.equal(shellLine(["login", BACKEND]), `pulumi login '${BACKEND}'`);
    assert.equal(shellLine(["stack", "export", "--stack", "prod"]), "pulumi stack export --stack prod");
  });

  it("prints the commands and runs nothing without --execute", () => {
    const lines: string[] = [];
    const ran: string[][] = [];
    const code = migrateStateCommand(
      ["--stack", "account", "--backend-url", BACKEND, "--secrets-provider", SECRETS],
      (args) => {
        ran.push([...args]);
        return 0;
      },
      (line) => lines.push(line),
    );
    assert.equal(code, 0);
    assert.deepEqual(ran, []);
    const text = lines.join("\n");
    assert.match(text, /^# 7 commands; run them yourself, or again with --execute/);
    assert.ok(text.includes(`pulumi login '${BACKEND}'`));
    assert.ok(text.includes("pulumi preview --stack account --expect-no-changes"));
  });

  it("with --execute runs the steps in order and stops at the first failure", () => {
    const dir = mkdtempSync(join(tmpdir(), "migrate-state-"));
    try {
      const ran: string[] = [];
      const lines: string[] = [];
      const code = migrateStateCommand(
        [
          "--stack",
          "account",
          "--backend-url",
          BACKEND,
          "--secrets-provider",
          SECRETS,
          "--checkpoint-dir",
          dir,
          "--execute",
        ],
        (args) => {
          ran.push(args.join(" "));
          return args[0] === "login" && args[1] !== "--local" ? 255 : 0;
        },
        (line) => lines.push(line),
      );
      assert.equal(code, 1);
      assert.deepEqual(ran, [
        "login --local",
        `stack change-secrets-provider --stack account ${SECRETS}`,
        `stack export --stack account --file ${dir}/account.checkpoint.json`,
        `login ${BACKEND}`,
      ]);
      assert.match(lines.join("\n"), /step 4 failed \(exit 255\); later steps were not run/);
      assert.ok(existsSync(dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const bad: Array<[string, Partial<MigrationPlan>, RegExp]> = [
    ["no stack", { stacks: [] }, /--stack: at least one stack is required/],
    ["a stack name with a space", { stacks: ["my stack"] }, /--stack: "my stack" must be a stack name/],
    [
      "a backend that is not s3",
      { backendUrl: "file://~" },
      /--backend-url: "file:\/\/~" must be s3:\/\/<bucket>\?region=<region>/,
    ],
    [
      "a backend without region",
      { backendUrl: "s3://acme-state" },
      /--backend-url: .* must be s3:\/\/<bucket>\?region=<region>/,
    ],
    [
      "a backend with a bad bucket",
      { backendUrl: "s3://Acme_State?region=eu-west-1" },
      /--backend-url: bucket "Acme_State" must use only lower-case/,
    ],
    [
      "a backend with a bad region",
      { backendUrl: "s3://acme-state?region=europe" },
      /--backend-url: region "europe" must be an AWS region code/,
    ],
    [
      "a passphrase secrets provider",
      { secretsProvider: "passphrase" },
      /--secrets-provider: "passphrase" must be awskms:\/\/<keyId>\?region=<region>/,
    ],
  ];
  for (const [name, change, expected] of bad) {
    it(`rejects ${name}, naming the option`, () => {
      const problems = planProblems({ ...plan, ...change });
      assert.equal(problems.length, 1, problems.join("\n"));
      assert.match(problems[0] ?? "", expected);
    });
  }

  it("exits 2 with every problem and runs nothing on bad options", () => {
    const lines: string[] = [];
    const code = migrateStateCommand(
      ["--backend-url", "file://~"],
      () => assert.fail("must not run"),
      (l) => lines.push(l),
    );
    assert.equal(code, 2);
    assert.match(
      lines.join("\n"),
      /nothing was run:\n {2}- --stack: .*\n {2}- --backend-url: .*\n {2}- --secrets-provider: /,
    );
  });
});
