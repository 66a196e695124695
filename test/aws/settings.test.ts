import { strict as assert } from "node:assert";
import { awsSettingsProblems, parseAwsSettings, type AwsSettings } from "../../core/aws/settings";
import { parseAccountConfig } from "../../stacks/account";

const good = {
  enabled: true,
  accountId: "123456789012",
  region: "eu-west-1",
  stateBucket: { name: "acme-pulumi-state" },
  ci: {
    repository: "acme/homelab-infra",
    environment: "production",
    workflows: { deploy: ".github/workflows/up.yml" },
  },
};

/** The CI trust of settings in the environments model (fails the test otherwise). */
function environmentsCi(settings: AwsSettings) {
  const { ci } = settings;
  if (ci.model !== "environments") assert.fail(`expected the environments model, got ${ci.model}`);
  return ci;
}

/** `good` with `patch` applied at a dotted path. */
function withValue(path: string, value: unknown): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(good)) as Record<string, unknown>;
  const keys = path.split(".");
  let node = copy;
  for (const key of keys.slice(0, -1)) {
    node[key] = (node[key] as Record<string, unknown> | undefined) ?? {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1] as string] = value;
  return copy;
}

describe("core/aws/settings", () => {
  it("is off by default and then needs nothing else", () => {
    assert.deepEqual(parseAwsSettings({}), { enabled: false });
    assert.deepEqual(parseAwsSettings({ enabled: "false" }), { enabled: false });
  });

  it("resolves defaults: two role names, main, 90 days, no managed policies, the provider ARN", () => {
    const settings = parseAwsSettings(good) as AwsSettings;
    assert.equal(settings.partition, "aws");
    assert.deepEqual(settings.ci.roleNames, {
      preview: "gitops-bootstrap-ci-preview",
      deploy: "gitops-bootstrap-ci-deploy",
    });
    assert.equal(settings.ci.defaultBranch, "main");
    assert.deepEqual(settings.ci.deployPolicyArns, []);
    assert.equal(environmentsCi(settings).previewEnvironment, "preview");
    assert.equal(settings.stateBucket.noncurrentVersionExpirationDays, 90);
    assert.equal(settings.stateBucket.abortIncompleteMultipartUploadDays, 7);
    assert.equal(
      settings.oidcProviderArn,
      "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
    );
  });

  it("takes every name from the naming keys, never from adopt: removing adopt after the import renames nothing", () => {
    const named = {
      ...good,
      stateBucket: { name: "acme-tf-state" },
      ci: { ...good.ci, roleNames: { deploy: "github-actions" } },
    };
    const adopting = parseAwsSettings({
      ...named,
      adopt: { stateBucket: "acme-tf-state", deployRole: "github-actions" },
    }) as AwsSettings;
    const afterImport = parseAwsSettings(named) as AwsSettings;
    assert.deepEqual(adopting.adopt, { stateBucket: "acme-tf-state", deployRole: "github-actions" });
    assert.deepEqual(afterImport.adopt, {});
    assert.equal(adopting.stateBucket.name, "acme-tf-state");
    assert.deepEqual(adopting.ci.roleNames, afterImport.ci.roleNames);
    assert.equal(adopting.stateBucket.name, afterImport.stateBucket.name);
  });

  it("refuses adopt.deployRole without ci.roleNames.deploy: the name would change when adopt is removed", () => {
    assert.deepEqual(awsSettingsProblems({ ...good, adopt: { deployRole: "github-actions" } }), [
      "gitops-bootstrap:aws.adopt.deployRole: is github-actions but ci.roleNames.deploy is unset (default gitops-bootstrap-ci-deploy): set ci.roleNames.deploy: github-actions, so the role keeps its name when adopt is removed after the import",
    ]);
  });

  it("refuses adopt.stateBucket without stateBucket.name, for the same reason", () => {
    assert.deepEqual(
      awsSettingsProblems({ ...good, stateBucket: {}, adopt: { stateBucket: "acme-tf-state" } }),
      [
        "gitops-bootstrap:aws.stateBucket.name: is required: set it to acme-tf-state, the bucket adopt.stateBucket imports, so the name stays when adopt is removed after the import",
      ],
    );
  });

  it("accepts numbers written as strings and IDs written as numbers", () => {
    const settings = parseAwsSettings({
      ...withValue("stateBucket.noncurrentVersionExpirationDays", "30"),
      ci: { ...good.ci, repositoryId: 424242 },
    }) as AwsSettings;
    assert.equal(settings.stateBucket.noncurrentVersionExpirationDays, 30);
    assert.equal(settings.ci.repositoryId, "424242");
  });

  const bad: Array<[string, string, unknown, RegExp]> = [
    [
      "bucket name: upper case",
      "stateBucket.name",
      "Acme-State",
      /aws\.stateBucket\.name: "Acme-State" must use only lower-case letters/,
    ],
    [
      "bucket name: too short",
      "stateBucket.name",
      "ab",
      /aws\.stateBucket\.name: "ab" is 2 characters long; S3 bucket names have 3 to 63/,
    ],
    [
      "bucket name: dotted",
      "stateBucket.name",
      "acme.state",
      /aws\.stateBucket\.name: "acme\.state" must not contain '\.': a dotted bucket name breaks TLS/,
    ],
    [
      "bucket name: reserved prefix",
      "stateBucket.name",
      "xn--state",
      /aws\.stateBucket\.name: "xn--state" must not start with xn--/,
    ],
    [
      "bucket name: reserved suffix",
      "stateBucket.name",
      "acme-s3alias",
      /aws\.stateBucket\.name: "acme-s3alias" must not end with -s3alias/,
    ],
    [
      "region: an availability zone",
      "region",
      "eu-west-1a",
      /aws\.region: "eu-west-1a" is an availability zone; use its region, eu-west-1/,
    ],
    [
      "region: a name",
      "region",
      "Frankfurt",
      /aws\.region: "Frankfurt" must be an AWS region code such as eu-west-1/,
    ],
    [
      "repository: a URL",
      "ci.repository",
      "https://github.com/acme/infra",
      /aws\.ci\.repository: "https:\/\/github\.com\/acme\/infra" must be owner\/repo/,
    ],
    ["repository: no owner", "ci.repository", "infra", /aws\.ci\.repository: "infra" must be owner\/repo/],
    [
      "repository: bad owner",
      "ci.repository",
      "-acme/infra",
      /aws\.ci\.repository: "-acme\/infra": owner "-acme" must be a GitHub user or organisation name/,
    ],
    [
      "repository: .git suffix",
      "ci.repository",
      "acme/infra.git",
      /aws\.ci\.repository: "acme\/infra\.git": repository "infra\.git" must be a GitHub repository name/,
    ],
    [
      "repository: a wildcard",
      "ci.repository",
      "acme/*",
      /aws\.ci\.repository: "acme\/\*": repository "\*" must be a GitHub repository name/,
    ],
    [
      "environment: a colon",
      "ci.environment",
      "prod:eu",
      /aws\.ci\.environment: "prod:eu" must be a GitHub environment name/,
    ],
    [
      "environment: a wildcard",
      "ci.environment",
      "*",
      /aws\.ci\.environment: "\*" must be a GitHub environment name/,
    ],
    [
      "environment: empty",
      "ci.environment",
      "",
      /aws\.ci\.environment: "" must be a GitHub environment name/,
    ],
    [
      "preview environment: a wildcard",
      "ci.previewEnvironment",
      "pr-*",
      /aws\.ci\.previewEnvironment: "pr-\*" must be a GitHub environment name/,
    ],
    [
      "branch: a full ref",
      "ci.defaultBranch",
      "refs/heads/main",
      /aws\.ci\.defaultBranch: "refs\/heads\/main" must be a branch name such as main/,
    ],
    [
      "workflow: not under .github/workflows",
      "ci.workflows.deploy",
      "up.yml",
      /aws\.ci\.workflows\.deploy: "up\.yml" must be a workflow file path/,
    ],
    ["account ID: too short", "accountId", "12345", /aws\.accountId: must be the 12-digit AWS account ID/],
    [
      "expiry: zero days",
      "stateBucket.noncurrentVersionExpirationDays",
      0,
      /aws\.stateBucket\.noncurrentVersionExpirationDays: must be at least 1/,
    ],
    [
      "policy ARN: a name",
      "ci.deployPolicyArns",
      ["AdministratorAccess"],
      /aws\.ci\.deployPolicyArns\.0: must be an IAM managed policy ARN/,
    ],
    [
      "role name: an ARN",
      "ci.roleNames.deploy",
      "arn:aws:iam::123456789012:role/x",
      /aws\.ci\.roleNames\.deploy: must be an IAM role name/,
    ],
    [
      "unknown key",
      "stateBucket.versioning",
      false,
      /aws\.stateBucket\.versioning: unknown key "versioning": remove it, or use one of name, /,
    ],
  ];
  for (const [name, path, value, expected] of bad) {
    it(`rejects ${name}, naming the key`, () => {
      const problems = awsSettingsProblems(withValue(path, value));
      assert.equal(problems.length, 1, problems.join("\n"));
      assert.match(problems[0] ?? "", new RegExp(`^gitops-bootstrap:${expected.source}`));
    });
  }

  const conflicts: Array<[string, Record<string, unknown>, RegExp]> = [
    [
      "an adopted bucket under another name",
      { ...good, adopt: { stateBucket: "acme-tf-state" } },
      /aws\.adopt\.stateBucket: is acme-tf-state but stateBucket\.name is acme-pulumi-state: importing one bucket under another name would replace it/,
    ],
    [
      "an adopted role under another name",
      {
        ...good,
        ci: { ...good.ci, roleNames: { deploy: "ci-deploy" } },
        adopt: { deployRole: "github-actions" },
      },
      /aws\.adopt\.deployRole: is github-actions but ci\.roleNames\.deploy is ci-deploy/,
    ],
    [
      "an OIDC provider of another account",
      {
        ...good,
        adopt: {
          oidcProvider: "arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com",
        },
      },
      /aws\.adopt\.oidcProvider: is arn:aws:iam::999999999999:.* but the provider of account 123456789012/,
    ],
    [
      "one name for both roles",
      { ...good, ci: { ...good.ci, roleNames: { preview: "ci", deploy: "ci" } } },
      /aws\.ci\.roleNames\.preview: must differ from the deploy role's name ci/,
    ],
    [
      "the same managed policy twice",
      {
        ...good,
        ci: {
          ...good.ci,
          deployPolicyArns: [
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
          ],
        },
      },
      /aws\.ci\.deployPolicyArns: must not list the same policy name twice/,
    ],
    [
      "the deploy environment as the preview environment",
      { ...good, ci: { ...good.ci, previewEnvironment: "production" } },
      /^gitops-bootstrap:aws\.ci\.previewEnvironment: must differ from ci\.environment \(production\)/,
    ],
    [
      "AdministratorAccess for the deploy role",
      {
        ...good,
        ci: {
          ...good.ci,
          deployPolicyArns: [
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
            "arn:aws:iam::aws:policy/AdministratorAccess",
          ],
        },
      },
      /^gitops-bootstrap:aws\.ci\.deployPolicyArns\.1: arn:aws:iam::aws:policy\/AdministratorAccess lets the deploy role create or assume another principal.*set ci\.allowAdministrator: true/,
    ],
    [
      "PowerUserAccess in GovCloud",
      { ...good, ci: { ...good.ci, deployPolicyArns: ["arn:aws-us-gov:iam::aws:policy/PowerUserAccess"] } },
      /^gitops-bootstrap:aws\.ci\.deployPolicyArns\.0: arn:aws-us-gov:iam::aws:policy\/PowerUserAccess lets/,
    ],
    [
      "IAMFullAccess",
      { ...good, ci: { ...good.ci, deployPolicyArns: ["arn:aws:iam::aws:policy/IAMFullAccess"] } },
      /^gitops-bootstrap:aws\.ci\.deployPolicyArns\.0: arn:aws:iam::aws:policy\/IAMFullAccess lets/,
    ],
    [
      "the SystemAdministrator job function",
      {
        ...good,
        ci: { ...good.ci, deployPolicyArns: ["arn:aws:iam::aws:policy/job-function/SystemAdministrator"] },
      },
      /^gitops-bootstrap:aws\.ci\.deployPolicyArns\.0: arn:aws:iam::aws:policy\/job-function\/SystemAdministrator lets/,
    ],
  ];
  for (const [name, input, expected] of conflicts) {
    it(`rejects ${name}`, () => {
      const problems = awsSettingsProblems(input);
      assert.equal(problems.length, 1, problems.join("\n"));
      assert.match(problems[0] ?? "", expected);
    });
  }

  it("takes AdministratorAccess only with allowAdministrator: true", () => {
    const admin = "arn:aws:iam::aws:policy/AdministratorAccess";
    const settings = parseAwsSettings({
      ...good,
      ci: { ...good.ci, deployPolicyArns: [admin], allowAdministrator: true },
    }) as AwsSettings;
    assert.deepEqual(settings.ci.deployPolicyArns, [admin]);
    assert.equal(awsSettingsProblems({ ...good, ci: { ...good.ci, deployPolicyArns: [admin] } }).length, 1);
  });

  it("deploys through the production environment pinned to up.yml unless told otherwise", () => {
    // The GitHub part creates the preview and production environments with reviewers.
    const settings = parseAwsSettings({ ...good, ci: { repository: "acme/homelab-infra" } }) as AwsSettings;
    assert.equal(settings.ci.model, "environments");
    assert.equal(environmentsCi(settings).environment, "production");
    assert.deepEqual(settings.ci.workflows, {
      deploy: ".github/workflows/up.yml",
      drift: ".github/workflows/drift.yml",
    });
    assert.equal(environmentsCi(settings).previewEnvironment, "preview");
    assert.equal(awsSettingsProblems({ ...good, ci: { ...good.ci, workflows: {} } }).length, 0);
  });

  it("admits drift.yml by default, another drift workflow when named, none with drift: false", () => {
    const workflows = (drift: unknown) =>
      (parseAwsSettings({ ...good, ci: { ...good.ci, workflows: { drift } } }) as AwsSettings).ci.workflows;
    assert.equal(workflows(".github/workflows/nightly.yml").drift, ".github/workflows/nightly.yml");
    assert.equal("drift" in workflows(false), false);
    // `pulumi config set --path ...drift false` stores the string.
    assert.equal("drift" in workflows("false"), false);
    const problems = awsSettingsProblems({ ...good, ci: { ...good.ci, workflows: { drift: "drift.yml" } } });
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? "", /ci\.workflows\.drift/);
  });

  it("takes a preview environment name", () => {
    const settings = parseAwsSettings({
      ...good,
      ci: { ...good.ci, previewEnvironment: "pr-review" },
    }) as AwsSettings;
    assert.equal(environmentsCi(settings).previewEnvironment, "pr-review");
  });

  it("the branches model (GitHub Free): no environments, preview pinned to preview.yml, deploy to up.yml", () => {
    const settings = parseAwsSettings({
      ...good,
      ci: { repository: "acme/homelab-infra", model: "branches" },
    }) as AwsSettings;
    assert.deepEqual(
      { model: settings.ci.model, workflows: settings.ci.workflows },
      {
        model: "branches",
        workflows: {
          preview: ".github/workflows/preview.yml",
          deploy: ".github/workflows/up.yml",
          drift: ".github/workflows/drift.yml",
        },
      },
    );
    assert.ok(!("environment" in settings.ci) && !("previewEnvironment" in settings.ci));
  });

  it("the branches model refuses the environment names it would ignore, naming each key", () => {
    assert.deepEqual(
      awsSettingsProblems({
        ...good,
        ci: { ...good.ci, model: "branches", previewEnvironment: "preview" },
      }),
      [
        "gitops-bootstrap:aws.ci.environment: is set, but ci.model is branches, where no job declares an environment and the roles trust the default branch and pull requests: remove it, or set ci.model: environments",
        "gitops-bootstrap:aws.ci.previewEnvironment: is set, but ci.model is branches, where no job declares an environment and the roles trust the default branch and pull requests: remove it, or set ci.model: environments",
      ],
    );
  });

  it("an unknown model lists the two and the plans they are for", () => {
    assert.deepEqual(awsSettingsProblems({ ...good, ci: { ...good.ci, model: "free" } }), [
      'gitops-bootstrap:aws.ci.model: must be "environments" (GitHub environments with required reviewers: public repositories, or GitHub Enterprise) or "branches" (no environments: GitHub Free private repositories)',
    ]);
  });

  it("reports every missing required key at once when enabled", () => {
    assert.deepEqual(
      awsSettingsProblems({ enabled: true }).map((p) => p.split(":").slice(0, 2).join(":")),
      [
        "gitops-bootstrap:aws.accountId",
        "gitops-bootstrap:aws.region",
        "gitops-bootstrap:aws.ci.repository",
        "gitops-bootstrap:aws.stateBucket.name",
      ],
    );
  });
});

describe("stacks/account config", () => {
  const raw = (aws: unknown, extra: Record<string, string> = {}) => ({
    "gitops-bootstrap:stackKind": "account",
    "gitops-bootstrap:aws": JSON.stringify(aws),
    "aws:region": "eu-west-1",
    ...extra,
  });

  it("accepts the account stack's keys and ignores other namespaces", () => {
    const result = parseAccountConfig(raw(good));
    assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
  });

  it("rejects a disabled aws object, a missing stackKind and cluster keys, all at once", () => {
    const result = parseAccountConfig({
      // `{}` is Pulumi.yaml's injected default (unset); a set value is what belongs elsewhere.
      ...raw(
        { enabled: false },
        { "gitops-bootstrap:repo": '{"url":"git@github.com:acme/m.git"}', "gitops-bootstrap:flux": "{}" },
      ),
      "gitops-bootstrap:stackKind": "cluster",
    });
    assert.ok(!result.ok);
    assert.deepEqual(result.errors, [
      "gitops-bootstrap:repo: belongs to a cluster stack; the account stack (gitops-bootstrap:stackKind: account) holds only gitops-bootstrap:aws; move it to Pulumi.<cluster>.yaml",
      'gitops-bootstrap:stackKind: must be "account" in the account stack',
      "gitops-bootstrap:aws.enabled: must be true in the account stack; it exists to create the AWS resources",
    ]);
  });
});
