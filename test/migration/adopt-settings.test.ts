/**
 * The adopt settings `migrate` writes, as the stacks check them: each ID must be the name the
 * stack uses anyway (an error naming both keys and the fix otherwise), each part needs its whole,
 * and Pulumi.yaml describes every key.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { awsSettingsProblems, parseAwsSettings, type AwsSettings } from "../../core/aws/settings";
import { clusterAdoptSettingsSchema, helmOwnershipCommands } from "../../core/migration/settings";
import { parseStackConfig, PROJECT, SECRET_KEYS } from "../../stacks/config";
import { REPO_ROOT } from "../support/paths";

const account = {
  enabled: true,
  accountId: "123456789012",
  region: "eu-west-1",
  stateBucket: { name: "acme-tfstate" },
  ci: { repository: "acme/homelab", roleNames: { deploy: "github-actions" } },
};

describe("account stack: adopting the bucket's configuration, the key and the attachments", () => {
  it("carries each into the settings", () => {
    const arn = "arn:aws:iam::123456789012:policy/cluster-dns";
    const settings = parseAwsSettings({
      ...account,
      ci: { ...account.ci, deployPolicyArns: [arn] },
      adopt: {
        stateBucket: "acme-tfstate",
        stateBucketConfiguration: ["versioning", "encryption"],
        stateKey: "6f1d2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b",
        deployRole: "github-actions",
        deployRolePolicyAttachments: [arn],
      },
    }) as AwsSettings;
    assert.deepEqual(settings.adopt, {
      stateBucket: "acme-tfstate",
      deployRole: "github-actions",
      stateBucketConfiguration: ["versioning", "encryption"],
      stateKey: "6f1d2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b",
      deployRolePolicyAttachments: [arn],
    });
  });

  const refused: Array<[string, Record<string, unknown>, RegExp]> = [
    [
      "configuration without the bucket",
      { stateBucketConfiguration: ["versioning"] },
      /aws\.adopt\.stateBucketConfiguration: is set but adopt\.stateBucket is not: .*set adopt\.stateBucket to the bucket's name/,
    ],
    [
      "an unknown part",
      { stateBucket: "acme-tfstate", stateBucketConfiguration: ["logging"] },
      /aws\.adopt\.stateBucketConfiguration\.0: must list only ownershipControls, publicAccessBlock, versioning, encryption, lifecycle, policy/,
    ],
    [
      "a key ARN for its ID",
      {
        stateBucket: "acme-tfstate",
        stateKey: "arn:aws:kms:eu-west-1:123456789012:key/6f1d2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b",
      },
      /aws\.adopt\.stateKey: must be the KMS key ID \(not its ARN or alias\)/,
    ],
    [
      "a key without the bucket",
      { stateKey: "6f1d2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b" },
      /aws\.adopt\.stateKey: is set but adopt\.stateBucket is not/,
    ],
    [
      "an attachment the stack would detach",
      {
        deployRole: "github-actions",
        deployRolePolicyAttachments: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
      },
      /aws\.adopt\.deployRolePolicyAttachments\.0: is arn:aws:iam::aws:policy\/ReadOnlyAccess but ci\.deployPolicyArns does not list it: .*add it to ci\.deployPolicyArns to keep it/,
    ],
    [
      "attachments without the role",
      { deployRolePolicyAttachments: [] },
      /aws\.adopt\.deployRolePolicyAttachments: is set but adopt\.deployRole is not/,
    ],
  ];
  for (const [what, adopt, message] of refused) {
    it(`refuses ${what}, naming the key and the fix`, () => {
      const problems = awsSettingsProblems({ ...account, adopt });
      assert.ok(
        problems.some((p) => message.test(p)),
        problems.join("\n"),
      );
    });
  }
});

/** A cluster stack's raw config, with the deploy key set as a secret. */
function cluster(values: Record<string, unknown>) {
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries({
    engine: "argocd",
    repo: { url: "git@github.com:acme/homelab.git" },
    ...values,
  }))
    config[`${PROJECT}:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
  config[`${PROJECT}:${SECRET_KEYS.repoSshPrivateKey}`] = "k";
  return parseStackConfig(config, new Set([`${PROJECT}:${SECRET_KEYS.repoSshPrivateKey}`]));
}

describe("cluster stack: gitops-bootstrap:adopt", () => {
  it("accepts the IDs of the names the stack uses", () => {
    const result = cluster({
      adopt: {
        namespace: "argocd",
        release: "argocd/argocd",
        rootObjects: ["Application/bootstrap", "AppProject/apps"],
      },
    });
    assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
    assert.deepEqual(result.config.adopt?.rootObjects, ["Application/bootstrap", "AppProject/apps"]);
  });

  it("is absent by default: nothing is adopted", () => {
    const result = cluster({});
    assert.ok(result.ok);
    assert.equal(result.config.adopt, undefined);
  });

  const refused: Array<[string, Record<string, unknown>, RegExp]> = [
    [
      "a namespace under another name",
      { adopt: { namespace: "argo" } },
      /^gitops-bootstrap:adopt\.namespace: is argo but argocd\.namespace is argocd: .*set argocd\.namespace: argo/,
    ],
    [
      "a release in another namespace",
      { adopt: { release: "argo/argocd" } },
      /^gitops-bootstrap:adopt\.release: is argo\/argocd but the stack installs release argocd\/argocd .*set argocd\.namespace: argo/,
    ],
    [
      "a release under another name",
      { adopt: { release: "argocd/argo-cd" } },
      /^gitops-bootstrap:adopt\.release: is argocd\/argo-cd but the stack installs the release as argocd\/argocd: Helm cannot rename a release/,
    ],
    [
      "a root object the chart does not render",
      { adopt: { rootObjects: ["Application/root"] } },
      /^gitops-bootstrap:adopt\.rootObjects\.0: is Application\/root, which the root chart does not render \(it renders AppProject\/bootstrap, AppProject\/apps, Application\/bootstrap\): .*set argocd\.root\.name/,
    ],
    [
      "a release the stack does not declare",
      {
        adopt: { release: "argocd/argocd" },
        argocd: { selfManagement: { path: "argocd", releaseOwner: "engine" } },
      },
      /^gitops-bootstrap:adopt\.release: is set but argocd\.selfManagement\.releaseOwner is engine/,
    ],
    [
      "another engine",
      { engine: "flux", adopt: { namespace: "flux-system" } },
      /^gitops-bootstrap:adopt: is set but engine is flux: .*built for engine argocd/,
    ],
    ["an unknown key", { adopt: { secret: "x" } }, /^gitops-bootstrap:adopt\.secret: /],
  ];
  for (const [what, values, message] of refused) {
    it(`refuses ${what}`, () => {
      const result = cluster(values);
      assert.equal(result.ok, false);
      const errors = result.ok ? [] : result.errors;
      assert.ok(
        errors.some((e) => message.test(e)),
        errors.join("\n"),
      );
    });
  }

  it("prints Helm's ownership label and annotations for each root object", () => {
    assert.deepEqual(helmOwnershipCommands(["Application/bootstrap"], "argocd", "gitops-root"), [
      "kubectl -n argocd label application.argoproj.io/bootstrap app.kubernetes.io/managed-by=Helm",
      "kubectl -n argocd annotate application.argoproj.io/bootstrap meta.helm.sh/release-name=gitops-root meta.helm.sh/release-namespace=argocd",
    ]);
  });

  it("is described in Pulumi.yaml, every key named, and aws adopt's new keys too", () => {
    const config = (
      parse(readFileSync(join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as {
        config: Record<string, { description?: string }>;
      }
    ).config;
    const adopt = config["gitops-bootstrap:adopt"]?.description ?? "";
    for (const key of Object.keys((clusterAdoptSettingsSchema as z.ZodObject).shape))
      assert.match(adopt, new RegExp(`\`${key}\``));
    const aws = config["gitops-bootstrap:aws"]?.description ?? "";
    for (const key of ["stateBucketConfiguration", "stateKey", "deployRolePolicyAttachments"])
      assert.match(aws, new RegExp(`\\b${key}\\b`));
  });
});
