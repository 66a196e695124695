/**
 * The pure part of `migrate`: reading `terraform show -json` output (one module, or run-all's
 * concatenation), refusing what is not a usable state, and mapping the recorded Terragrunt homelab
 * (test/migration/fixtures, shaped like seed 000's bootstrap, argocd-install and argocd-configure
 * modules, with made-up IDs) to the adopt settings.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SENSITIVE, rootDiff, valuesDiff } from "../../core/migration/diff";
import { migrationPlan, PartialStateError, releaseValues } from "../../core/migration/plan";
import {
  isSensitive,
  readTerraformShow,
  StateFileError,
  type TerraformResource,
} from "../../core/migration/terraform-state";

const FIXTURES = join(__dirname, "fixtures");
const text = (name: string) => readFileSync(join(FIXTURES, name), "utf8");
const read = (name: string) => readTerraformShow(text(name), name);
const modules = () => [
  ...read("bootstrap.json"),
  ...read("argocd-install.json"),
  ...read("argocd-configure.json"),
];
const both = { account: true, cluster: true, deployPolicyArns: [] };

describe("reading terraform show -json", () => {
  it("reads every managed resource of a module, with its address and attributes", () => {
    const resources = read("bootstrap.json");
    assert.equal(resources.length, 10);
    const bucket = resources.find((r) => r.address === "aws_s3_bucket.state");
    assert.equal(bucket?.values.bucket, "acme-homelab-tfstate");
    assert.equal(bucket?.file, "bootstrap.json");
  });

  it("reads terragrunt run-all show -json (one document per module) as the three files together", () => {
    const all = readTerraformShow(text("run-all.out"), "run-all.out");
    assert.deepEqual(
      all.map((r) => r.address),
      modules().map((r) => r.address),
    );
    assert.match(all[all.length - 1]?.file ?? "", /^run-all\.out \(document 3 of 3\)$/);
  });

  it("reads child modules, and skips data sources", () => {
    const doc = {
      format_version: "1.0",
      values: {
        root_module: {
          resources: [
            {
              address: "data.aws_caller_identity.me",
              mode: "data",
              type: "aws_caller_identity",
              name: "me",
              values: {},
            },
          ],
          child_modules: [
            {
              address: "module.bootstrap",
              resources: [
                {
                  address: "module.bootstrap.aws_s3_bucket.state",
                  mode: "managed",
                  type: "aws_s3_bucket",
                  name: "state",
                  values: { bucket: "b1" },
                },
              ],
            },
          ],
        },
      },
    };
    assert.deepEqual(
      readTerraformShow(JSON.stringify(doc), "x.json").map((r) => r.address),
      ["module.bootstrap.aws_s3_bucket.state"],
    );
  });

  const refused: Array<[string, string, RegExp]> = [
    ["empty", "", /^f\.json: is empty; save each module's state with `terraform show -json/],
    ["cut short", text("bootstrap.json").slice(0, 500), /^f\.json:1: is not JSON output of terraform show/],
    [
      "log lines first",
      `time=2026 level=info msg=Running\n${text("bootstrap.json")}`,
      /^f\.json:1: is not JSON output .*do not redirect 2>&1/,
    ],
    [
      "not Terraform's JSON",
      JSON.stringify({ apiVersion: "v1", kind: "ConfigMap" }),
      /^f\.json: is JSON but not Terraform's \(no format_version\)/,
    ],
    [
      "a raw .tfstate",
      JSON.stringify({ version: 4, terraform_version: "1.9.8", resources: [] }),
      /not a raw \.tfstate/,
    ],
    [
      "a plan",
      JSON.stringify({ format_version: "1.2", planned_values: {}, resource_changes: [] }),
      /^f\.json: is a plan \(planned_values\), not a state/,
    ],
    ["an empty state", JSON.stringify({ format_version: "1.0" }), /^f\.json: holds no managed resources/],
  ];
  for (const [what, input, message] of refused) {
    it(`refuses ${what}, naming the file and the fix, quoting none of it`, () => {
      assert.throws(
        () => readTerraformShow(input, "f.json"),
        (error: Error) => {
          assert.ok(error instanceof StateFileError);
          assert.match(error.message, message);
          assert.doesNotMatch(error.message, /acme-homelab|ConfigMap|level=info/);
          return true;
        },
      );
    });
  }

  it("knows what Terraform marks sensitive, at the attribute or inside it", () => {
    const release = read("argocd-install.json").find((r) => r.type === "helm_release") as TerraformResource;
    assert.equal(isSensitive(release.sensitiveValues, ["set_sensitive", 0, "value"]), true);
    assert.equal(isSensitive(release.sensitiveValues, ["values", 0]), false);
    assert.equal(isSensitive({ data: { key: true } }, ["data"]), true);
    assert.equal(isSensitive({ data: { key: false } }, ["data"]), false);
  });
});

describe("the migration plan of the Terragrunt homelab", () => {
  const plan = migrationPlan(modules(), both);
  const writes = (part: "account" | "cluster") =>
    Object.fromEntries(plan[part].map((w) => [w.path.join("."), w.value]));

  it("adopts the bucket, its configuration, its key, the OIDC provider and the CI role, with their import IDs", () => {
    assert.deepEqual(writes("account"), {
      "gitops-bootstrap:aws.stateBucket.name": "acme-homelab-tfstate",
      "gitops-bootstrap:aws.adopt.stateBucket": "acme-homelab-tfstate",
      "gitops-bootstrap:aws.adopt.stateBucketConfiguration": [
        "encryption",
        "publicAccessBlock",
        "versioning",
      ],
      "gitops-bootstrap:aws.adopt.stateKey": "6f1d2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b",
      "gitops-bootstrap:aws.adopt.oidcProvider":
        "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
      "gitops-bootstrap:aws.ci.roleNames.deploy": "github-actions-homelab",
      "gitops-bootstrap:aws.adopt.deployRole": "github-actions-homelab",
    });
  });

  it("adopts the argo-cd release, its namespace and the root Application, and names them as Terraform did", () => {
    assert.deepEqual(writes("cluster"), {
      "gitops-bootstrap:argocd.namespace": "argocd",
      "gitops-bootstrap:adopt.release": "argocd/argocd",
      "gitops-bootstrap:adopt.namespace": "argocd",
      "gitops-bootstrap:argocd.root.name": "bootstrap",
      "gitops-bootstrap:adopt.rootObjects": ["Application/bootstrap"],
    });
    // The namespace is adopted even when the release made it (create_namespace, no kubernetes_namespace).
    const withoutNamespace = migrationPlan(
      modules().filter((r) => r.type !== "kubernetes_namespace"),
      both,
    );
    assert.deepEqual(
      withoutNamespace.cluster.find((w) => w.path.join(".") === "gitops-bootstrap:adopt.namespace"),
      {
        path: ["gitops-bootstrap:adopt", "namespace"],
        value: "argocd",
        from: "helm_release.argocd (the namespace it runs in)",
      },
    );
    // argocd is the default namespace, bootstrap the default root name: written only if they differ.
    assert.deepEqual(
      plan.cluster.filter((w) => w.default !== undefined).map((w) => [w.path.join("."), w.default]),
      [
        ["gitops-bootstrap:argocd.namespace", "argocd"],
        ["gitops-bootstrap:argocd.root.name", "bootstrap"],
      ],
    );
  });

  it("lists what it cannot adopt, each with the reason and terragrunt state rm, never destroy", () => {
    assert.deepEqual(plan.cannotAdopt.map((c) => c.address).sort(), [
      "aws_dynamodb_table.lock",
      "aws_iam_role_policy.ci_state",
      "aws_iam_role_policy_attachment.ci_admin",
      "kubernetes_secret.repo",
    ]);
    for (const c of plan.cannotAdopt) {
      assert.match(c.action, new RegExp(`^terragrunt state rm '${c.address.replace(/\./g, "\\.")}'`));
      assert.doesNotMatch(c.action, /destroy(?!\))/);
    }
    const admin = plan.cannotAdopt.find((c) => c.address === "aws_iam_role_policy_attachment.ci_admin");
    assert.match(admin?.reason ?? "", /AdministratorAccess is refused for the deploy role .*detaches it/);
  });

  it("adopts an attachment the account stack keeps (in ci.deployPolicyArns) as <role>/<arn>", () => {
    const arn = "arn:aws:iam::aws:policy/AdministratorAccess";
    const kept = migrationPlan(modules(), { ...both, deployPolicyArns: [arn] });
    assert.deepEqual(kept.account.find((w) => w.path.at(-1) === "deployRolePolicyAttachments")?.value, [arn]);
    assert.ok(kept.adopted.some((a) => a.id === `github-actions-homelab/${arn}`));
  });

  it("refuses partial input: each module the stack files need, named with the fix", () => {
    const cases: Array<[TerraformResource[], RegExp]> = [
      [
        [...read("argocd-install.json"), ...read("argocd-configure.json")],
        /no aws_s3_bucket .*bootstrap module's state .* is missing; add its file with --state/,
      ],
      [
        [...read("bootstrap.json"), ...read("argocd-configure.json")],
        /no helm_release of the argo-cd chart .*argocd-install module's state is missing/,
      ],
      [
        [...read("bootstrap.json"), ...read("argocd-install.json")],
        /argocd-configure module's state \(the root Application\) is missing/,
      ],
    ];
    for (const [resources, message] of cases)
      assert.throws(
        () => migrationPlan(resources, both),
        (e: Error) => e instanceof PartialStateError && message.test(e.message),
      );
    // Only the cluster stack: the bootstrap module is not needed, and is left in Terragrunt's state.
    const clusterOnly = migrationPlan([...read("argocd-install.json"), ...read("argocd-configure.json")], {
      ...both,
      account: false,
    });
    assert.deepEqual(clusterOnly.account, []);
  });

  it("asks which bucket is the state bucket when there are several", () => {
    const two = [...read("bootstrap.json")];
    const bucket = two.find((r) => r.type === "aws_s3_bucket") as TerraformResource;
    two.push({ ...bucket, address: "aws_s3_bucket.logs", values: { ...bucket.values, bucket: "acme-logs" } });
    assert.throws(
      () => migrationPlan(two, { ...both, cluster: false }),
      /2 aws_s3_bucket \(acme-homelab-tfstate, acme-logs\); say which is the state bucket with --state-bucket <name>/,
    );
    const chosen = migrationPlan(two, { ...both, cluster: false, stateBucket: "acme-homelab-tfstate" });
    assert.ok(chosen.cannotAdopt.some((c) => c.address === "aws_s3_bucket.logs"));
  });
});

describe("the release's values and the root Application, today against the stack's", () => {
  const release = read("argocd-install.json").find((r) => r.type === "helm_release") as TerraformResource;

  it("merges the values documents, then set (typed as helm --set types it), then set_sensitive as sensitive", () => {
    const { values } = releaseValues(release);
    assert.equal((values.controller as Record<string, unknown>).replicas, 1);
    assert.equal(
      ((values.configs as Record<string, Record<string, unknown>>).cm ?? {})["admin.enabled"],
      true,
    );
    assert.equal(
      ((values.configs as Record<string, Record<string, unknown>>).secret ?? {}).argocdServerAdminPassword,
      SENSITIVE,
    );
  });

  it("marks every leaf of a values document Terraform marks sensitive, keeping its keys", () => {
    const secret = { ...release, sensitiveValues: { values: [true] } };
    const { values } = releaseValues(secret);
    assert.equal((values.global as Record<string, unknown>).domain, SENSITIVE);
  });

  it("gives each difference the setting that keeps today's value, or the config error that refuses it", () => {
    const diff = valuesDiff(
      { a: { b: 1, c: SENSITIVE }, d: "x" },
      { a: { b: 2 }, e: true },
      "argocd.values",
      (path) => (path[0] === "e" ? "e is written from gitops-bootstrap:argocd.e" : undefined),
    );
    assert.deepEqual(
      diff.map((d) => [d.path, d.keep]),
      [
        ["a.b", "argocd.values.a.b: 1"],
        [
          "a.c",
          "argocd.values.a.c (today's value is a secret, so it is not shown: put it in a Secret the chart reads, or set it with pulumi config set --secret --path)",
        ],
        ["d", 'argocd.values.d: "x"'],
        ["e", "no argocd.values entry: e is written from gitops-bootstrap:argocd.e"],
      ],
    );
  });

  it("hides a value whose key names a secret even when Terraform did not mark it", () => {
    const diff = valuesDiff(
      { dex: { config: { clientSecret: "MADEUP-unmarked" } }, redis: { password: "MADEUP-2" } },
      {},
      "argocd.values",
      () => undefined,
    );
    assert.deepEqual(
      diff.map((d) => [d.path, d.current]),
      [
        ["dex.config.clientSecret", SENSITIVE],
        ["redis.password", SENSITIVE],
      ],
    );
  });

  it("names the root's settings for the live root Application's differences", () => {
    const live = {
      metadata: { name: "bootstrap", finalizers: ["resources-finalizer.argocd.argoproj.io"] },
      spec: { project: "default", source: { path: "a" }, syncPolicy: { syncOptions: ["Validate=false"] } },
    };
    const ours = {
      metadata: { name: "bootstrap" },
      spec: {
        project: "bootstrap",
        source: { path: "a" },
        syncPolicy: { syncOptions: ["CreateNamespace=true", "ServerSideApply=true"] },
      },
    };
    assert.deepEqual(
      rootDiff(live, ours, "argocd.root").map((d) => [d.path, d.keep]),
      [
        [
          "metadata.finalizers",
          "argocd.root.resourcesFinalizer: true keeps the finalizer (a cascading delete); the migration removes it from the old object first, on purpose",
        ],
        ["spec.project", 'argocd.root.project: "default"'],
        [
          "spec.syncPolicy.syncOptions",
          'argocd.root.syncOptions: ["Validate=false"] (a list you write replaces the default)',
        ],
      ],
    );
  });
});
