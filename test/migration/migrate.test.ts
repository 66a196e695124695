/**
 * `gitops-bootstrap migrate` end to end on the recorded Terragrunt homelab: it writes the adopt
 * settings into copies of the two stack files (comments and every other key kept), synth of the
 * resulting stacks imports every adopted resource under the right ID and creates none that
 * existed, names do not depend on adopt, and every unusable input writes nothing and prints no
 * secret.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { migrateCommand } from "../../cli/migrate";
import { parseAccountConfig } from "../../stacks/account-config";
import { parseStackConfig } from "../../stacks/config";
import { readStackFile } from "../../cli/stack-file";
import { REPO_ROOT } from "../support/paths";

const FIXTURES = join(__dirname, "fixtures");
const STATES = ["bootstrap.json", "argocd-install.json", "argocd-configure.json"].map((f) =>
  join(FIXTURES, f),
);
/** The made-up secrets of the fixture: migrate must never print them. */
const SECRETS = ["MADEUPbcryptHASHforTESTSonly", "MADEUPKEYFORTESTS"];

const work = mkdtempSync(join(tmpdir(), "gitops-migrate-"));
after(() => rmSync(work, { recursive: true, force: true }));

let n = 0;
/** Fresh copies of the two stack files. */
function stackFiles(): { dir: string; account: string; cluster: string } {
  const dir = join(work, String(n++));
  spawnSync("mkdir", ["-p", dir]);
  const account = join(dir, "Pulumi.tg-account.yaml");
  const cluster = join(dir, "Pulumi.tg-cluster.yaml");
  copyFileSync(join(FIXTURES, "Pulumi.tg-account.yaml"), account);
  copyFileSync(join(FIXTURES, "Pulumi.tg-cluster.yaml"), cluster);
  return { dir, account, cluster };
}

function migrate(args: string[]): { code: number; output: string } {
  const lines: string[] = [];
  const code = migrateCommand(args, (line) => lines.push(line));
  return { code, output: lines.join("\n") };
}

/** Runs synth from the TypeScript sources (cli/dist is rebuilt only after merging). */
function synth(
  stack: string,
  file: string,
  out: string,
): Array<{ urn: string; type: string; name: string; options: { import?: string } }> {
  const run = spawnSync(
    process.execPath,
    [
      join(REPO_ROOT, "node_modules", ".bin", "tsx"),
      join(REPO_ROOT, "cli", "main.ts"),
      "synth",
      "--stack",
      stack,
      "--config-file",
      file,
      "--out",
      out,
    ],
    { cwd: REPO_ROOT, encoding: "utf8" },
  );
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(readFileSync(join(out, "resources.json"), "utf8")) as never;
}

describe("migrate on the Terragrunt homelab", () => {
  const files = stackFiles();
  let run: { code: number; output: string };
  let account: ReturnType<typeof synth> = [];
  let cluster: ReturnType<typeof synth> = [];
  let accountBefore: ReturnType<typeof synth> = [];
  let clusterBefore: ReturnType<typeof synth> = [];

  before(function () {
    this.timeout(240_000);
    run = migrate([
      "--state",
      ...STATES.flatMap((s, i) => (i === 0 ? [s] : ["--state", s])),
      "--account-stack-file",
      files.account,
      "--cluster-stack-file",
      files.cluster,
    ]);
    assert.equal(run.code, 0, run.output);
    account = synth("tg-account", files.account, join(files.dir, "out-account"));
    cluster = synth("tg-cluster", files.cluster, join(files.dir, "out-cluster"));
    // The same stacks after the import, with adopt removed as the docs say.
    const removed = stackFiles();
    for (const [from, to] of [
      [files.account, removed.account],
      [files.cluster, removed.cluster],
    ] as const) {
      const doc = parse(readFileSync(from, "utf8")) as { config: Record<string, Record<string, unknown>> };
      delete doc.config["gitops-bootstrap:adopt"];
      delete (doc.config["gitops-bootstrap:aws"] ?? {}).adopt;
      writeFileSync(to, JSON.stringify(doc));
    }
    accountBefore = synth("tg-account", removed.account, join(removed.dir, "out-account"));
    clusterBefore = synth("tg-cluster", removed.cluster, join(removed.dir, "out-cluster"));
  });

  it("writes the adopt settings and keeps every comment and key of the stack files", () => {
    const text = readFileSync(files.account, "utf8");
    assert.match(text, /^# The account stack of the Terragrunt homelab before `migrate`/);
    assert.match(text, /# The same model as the cluster stack\.\n {6}model: environments/);
    const cluster = readFileSync(files.cluster, "utf8");
    const original = readFileSync(join(FIXTURES, "Pulumi.tg-cluster.yaml"), "utf8");
    // Only lines added: the adopt section.
    assert.ok(cluster.startsWith(original), "the cluster stack file's own text changed");
    assert.equal(
      cluster.slice(original.length),
      "  gitops-bootstrap:adopt:\n    release: argocd/argocd\n    namespace: argocd\n    rootObjects: [ Application/bootstrap ]\n",
    );
  });

  it("leaves stack files the program accepts", () => {
    const a = readStackFile(REPO_ROOT, "tg-account", files.account);
    const parsed = parseAccountConfig(a.config);
    assert.ok(parsed.ok, parsed.ok ? "" : parsed.errors.join("\n"));
    assert.equal(parsed.settings.stateBucket.name, "acme-homelab-tfstate");
    const c = readStackFile(REPO_ROOT, "tg-cluster", files.cluster);
    const cp = parseStackConfig(c.config, new Set(c.secretKeys), { projectDir: REPO_ROOT });
    assert.ok(cp.ok, cp.ok ? "" : cp.errors.join("\n"));
  });

  it("synth imports every adopted resource under the ID Terraform knows it by", () => {
    const imported = [...account, ...cluster]
      .filter((r) => r.options.import !== undefined)
      .map((r) => `${r.type} ${r.name} = ${String(r.options.import)}`)
      .sort();
    assert.deepEqual(imported, [
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider ci-github-oidc = arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
      "aws:iam/role:Role ci-deploy = github-actions-homelab",
      "aws:kms/key:Key state-key = 6f1d2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b",
      "aws:s3/bucket:Bucket state-bucket = acme-homelab-tfstate",
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock state-public-access = acme-homelab-tfstate",
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration state-encryption = acme-homelab-tfstate",
      "aws:s3/bucketVersioning:BucketVersioning state-versioning = acme-homelab-tfstate",
      "kubernetes:core/v1:Namespace argocd-namespace = argocd",
      "kubernetes:helm.sh/v3:Release argocd = argocd/argocd",
    ]);
  });

  it("creates nothing new that existed: what synth creates is what the Terragrunt layer never made", () => {
    const created = [...account, ...cluster]
      .filter(
        (r) =>
          r.options.import === undefined &&
          !r.type.startsWith("pulumi:providers:") &&
          !r.type.startsWith("gitops:"),
      )
      .map((r) => `${r.type} ${r.name}`)
      .sort();
    assert.deepEqual(created, [
      // The preview role and the pulumi-state inline policies are new; the exclusive resources
      // hold no cloud object of their own.
      "aws:iam/role:Role ci-preview",
      "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive ci-deploy-inline-exclusive",
      "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive ci-preview-inline-exclusive",
      "aws:iam/rolePolicy:RolePolicy ci-deploy-state",
      "aws:iam/rolePolicy:RolePolicy ci-preview-state",
      "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive ci-deploy-managed-exclusive",
      "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive ci-preview-managed-exclusive",
      // The Terragrunt bucket had no lifecycle, ownership or policy configuration.
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration state-lifecycle",
      "aws:s3/bucketOwnershipControls:BucketOwnershipControls state-ownership",
      "aws:s3/bucketPolicy:BucketPolicy state-policy",
      // The repository Secret under the stack's name (Terraform's homelab-repo is left alone),
      // and the root chart's release, which Helm lets take over Application/bootstrap.
      "kubernetes:core/v1:Secret argocd-repository",
      "kubernetes:helm.sh/v3:Release root",
    ]);
  });

  it("names nothing after adopt: removing it after the import keeps every URN", () => {
    assert.deepEqual(
      accountBefore.map((r) => r.urn),
      account.map((r) => r.urn),
    );
    assert.deepEqual(
      clusterBefore.map((r) => r.urn),
      cluster.map((r) => r.urn),
    );
    assert.equal(accountBefore.filter((r) => r.options.import !== undefined).length, 0);
    assert.equal(clusterBefore.filter((r) => r.options.import !== undefined).length, 0);
  });

  it("shows the values diff and the root Application diff, with the setting that keeps today's", () => {
    assert.match(run.output, /Helm values of argocd\/argocd: \d+ differences/);
    assert.match(
      run.output,
      /configs\.rbac\["policy\.default"\]: "role:admin" -> "role:readonly"\n {4}to keep today's: no argocd\.values entry: .*set argocd\.rbac\.defaultRole instead/,
    );
    assert.match(
      run.output,
      /server\.ingress\.tls: \(unset\) -> true\n {4}to keep today's: argocd\.values\.server\.ingress\.tls: null/,
    );
    assert.match(run.output, /configs\.secret\.argocdServerAdminPassword: \(sensitive\) -> \(unset\)/);
    assert.match(run.output, /root Application argocd\/bootstrap: 3 differences/);
    assert.match(
      run.output,
      /spec\.project: "default" -> "bootstrap"\n {4}to keep today's: argocd\.root\.project: "default"/,
    );
  });

  it("prints the kubectl commands for the old root Application, and what it cannot adopt", () => {
    assert.match(
      run.output,
      /kubectl -n argocd patch application\.argoproj\.io\/bootstrap --type json -p '\[\{"op":"remove","path":"\/metadata\/finalizers"\}\]'\n {2}kubectl -n argocd label application\.argoproj\.io\/bootstrap app\.kubernetes\.io\/managed-by=Helm\n {2}kubectl -n argocd annotate application\.argoproj\.io\/bootstrap meta\.helm\.sh\/release-name=gitops-root meta\.helm\.sh\/release-namespace=argocd/,
    );
    assert.match(run.output, /Cannot adopt \(4\):/);
    assert.match(
      run.output,
      /aws_dynamodb_table\.lock .*\n {4}do: terragrunt state rm 'aws_dynamodb_table\.lock'/,
    );
  });

  it("prints no secret of the state", () => {
    for (const secret of SECRETS) assert.ok(!run.output.includes(secret), secret);
  });

  it("is idempotent: a second run finds every setting in place and changes nothing", () => {
    const before = [readFileSync(files.account, "utf8"), readFileSync(files.cluster, "utf8")];
    const again = migrate([
      "--state",
      join(FIXTURES, "run-all.out"),
      "--account-stack-file",
      files.account,
      "--cluster-stack-file",
      files.cluster,
    ]);
    assert.equal(again.code, 0, again.output);
    assert.match(again.output, /Pulumi\.tg-account\.yaml: already has every setting/);
    assert.deepEqual([readFileSync(files.account, "utf8"), readFileSync(files.cluster, "utf8")], before);
  });
});

describe("migrate: unusable inputs write nothing; dry run; entries the user added", () => {
  const cases: Array<[string, (dir: string) => string[], RegExp]> = [
    [
      "a malformed state (cut short)",
      (dir) => {
        const file = join(dir, "cut.json");
        writeFileSync(file, readFileSync(STATES[0] ?? "", "utf8").slice(0, 700));
        return ["--state", file];
      },
      /cut\.json:1: is not JSON output of terraform show/,
    ],
    [
      "a foreign JSON file",
      (dir) => {
        const file = join(dir, "package.json");
        writeFileSync(file, JSON.stringify({ name: "acme", secret: "MADEUPKEYFORTESTS" }));
        return ["--state", file];
      },
      /package\.json: is JSON but not Terraform's \(no format_version\)/,
    ],
    [
      "a YAML file",
      (dir) => {
        const file = join(dir, "values.yaml");
        writeFileSync(file, "password: MADEUPbcryptHASHforTESTSonly\n");
        return ["--state", file];
      },
      /values\.yaml:1: is not JSON output of terraform show \(it does not start with a JSON object\)/,
    ],
    [
      "a missing module (argocd-configure)",
      () => ["--state", STATES[0] ?? "", "--state", STATES[1] ?? ""],
      /argocd-configure module's state \(the root Application\) is missing; add its file with --state/,
    ],
    [
      "a Terraform state of something else",
      (dir) => {
        const file = join(dir, "vpc.json");
        writeFileSync(
          file,
          JSON.stringify({
            format_version: "1.0",
            values: {
              root_module: {
                resources: [
                  {
                    address: "aws_vpc.main",
                    mode: "managed",
                    type: "aws_vpc",
                    name: "main",
                    values: { id: "vpc-1" },
                  },
                ],
              },
            },
          }),
        );
        return ["--state", file];
      },
      /no aws_s3_bucket in the state files: the bootstrap module's state .* is missing/,
    ],
    ["a missing state file", (dir) => ["--state", join(dir, "nope.json")], /nope\.json: /],
  ];
  for (const [what, args, message] of cases) {
    it(what, () => {
      const files = stackFiles();
      const before = [readFileSync(files.account, "utf8"), readFileSync(files.cluster, "utf8")];
      const run = migrate([
        ...args(files.dir),
        "--account-stack-file",
        files.account,
        "--cluster-stack-file",
        files.cluster,
      ]);
      assert.equal(run.code, 1, run.output);
      assert.match(run.output, /^migrate: nothing was written:/);
      assert.match(run.output, message);
      for (const secret of SECRETS) assert.ok(!run.output.includes(secret), secret);
      assert.deepEqual([readFileSync(files.account, "utf8"), readFileSync(files.cluster, "utf8")], before);
    });
  }

  it("a stack file that names the bucket otherwise: an error naming the key and both values", () => {
    const files = stackFiles();
    const text = readFileSync(files.account, "utf8").replace(
      "    region: eu-west-1\n",
      "    region: eu-west-1\n    stateBucket:\n      name: acme-other-state\n",
    );
    writeFileSync(files.account, text);
    const run = migrate([
      "--state",
      join(FIXTURES, "run-all.out"),
      "--account-stack-file",
      files.account,
      "--cluster-stack-file",
      files.cluster,
    ]);
    assert.equal(run.code, 1);
    assert.match(
      run.output,
      /gitops-bootstrap:aws\.stateBucket\.name is "acme-other-state" but the Terragrunt state has "acme-homelab-tfstate" \(aws_s3_bucket\.state\): adopting under another name would replace the resource/,
    );
    assert.equal(readFileSync(files.account, "utf8"), text);
  });

  it("keeps root objects the user added, and prints their commands too", () => {
    const files = stackFiles();
    writeFileSync(
      files.cluster,
      `${readFileSync(files.cluster, "utf8")}  gitops-bootstrap:adopt:\n    rootObjects: [AppProject/apps]\n`,
    );
    const run = migrate(["--state", join(FIXTURES, "run-all.out"), "--cluster-stack-file", files.cluster]);
    assert.equal(run.code, 0, run.output);
    const adopt = (
      parse(readFileSync(files.cluster, "utf8")) as { config: Record<string, { rootObjects?: string[] }> }
    ).config["gitops-bootstrap:adopt"];
    assert.deepEqual(adopt?.rootObjects, ["AppProject/apps", "Application/bootstrap"]);
    assert.match(
      run.output,
      /kubectl -n argocd label appproject\.argoproj\.io\/apps app\.kubernetes\.io\/managed-by=Helm/,
    );
  });

  it("--dry-run prints everything and writes nothing", () => {
    const files = stackFiles();
    const before = [readFileSync(files.account, "utf8"), readFileSync(files.cluster, "utf8")];
    const run = migrate([
      "--state",
      join(FIXTURES, "run-all.out"),
      "--account-stack-file",
      files.account,
      "--cluster-stack-file",
      files.cluster,
      "--dry-run",
    ]);
    assert.equal(run.code, 0, run.output);
    assert.match(
      run.output,
      /would set:\n {2}gitops-bootstrap:aws\.stateBucket\.name: "acme-homelab-tfstate"/,
    );
    assert.match(run.output, /migrate: --dry-run: nothing was written$/);
    assert.deepEqual([readFileSync(files.account, "utf8"), readFileSync(files.cluster, "utf8")], before);
  });

  it("bad arguments: exit 2 with the usage", () => {
    const run = migrate(["--state", STATES[0] ?? ""]);
    assert.equal(run.code, 2);
    assert.match(run.output, /give --account-stack-file, --cluster-stack-file or both/);
  });
});
