import { strict as assert } from "node:assert";
import { deployTrustPolicy, previewTrustPolicy, type CiTrust, type PolicyDocument } from "../../core/aws/iam";
import { parseAwsSettings } from "../../core/aws/settings";
import { ACCOUNT, PROVIDER_ARN, assumeWithToken, type Claims } from "./iam-simulator";

const REPO = "acme/homelab-infra";
const AUD = "sts.amazonaws.com";
const PREVIEW_ARN = `arn:aws:iam::${ACCOUNT}:role/gitops-bootstrap-ci-preview`;
const DEPLOY_ARN = `arn:aws:iam::${ACCOUNT}:role/gitops-bootstrap-ci-deploy`;

const withEnvironment: CiTrust = {
  model: "environments",
  repository: REPO,
  defaultBranch: "main",
  environment: "production",
  previewEnvironment: "preview",
  workflows: {},
};
/** The branches model (GitHub Free), unpinned: what the subjects alone decide. */
const branches: CiTrust = { model: "branches", repository: REPO, defaultBranch: "main", workflows: {} };

type Outcome = "allow" | "deny";
const decide = (trust: PolicyDocument, role: string, claims: Claims): Outcome =>
  assumeWithToken(trust, role, claims) === "Allowed" ? "allow" : "deny";

/** The token matrix: each token, and what each role answers in each model. */
interface Row {
  name: string;
  claims: Claims;
  environments: { preview: Outcome; deploy: Outcome };
  branches: { preview: Outcome; deploy: Outcome };
}

const no = { preview: "deny", deploy: "deny" } as const;
const rows: Row[] = [
  {
    name: "the preview environment",
    claims: { sub: `repo:${REPO}:environment:preview`, aud: AUD },
    environments: { preview: "allow", deploy: "deny" },
    branches: no,
  },
  {
    name: "the deploy environment (production)",
    claims: { sub: `repo:${REPO}:environment:production`, aud: AUD },
    environments: { preview: "deny", deploy: "allow" },
    branches: no,
  },
  {
    name: "push to the default branch (no environment)",
    claims: { sub: `repo:${REPO}:ref:refs/heads/main`, aud: AUD },
    environments: no,
    branches: { preview: "deny", deploy: "allow" },
  },
  {
    name: "pull request without an environment (any PR author's code)",
    claims: { sub: `repo:${REPO}:pull_request`, aud: AUD },
    environments: no,
    branches: { preview: "allow", deploy: "deny" },
  },
  ...(
    [
      ["push to another branch", { sub: `repo:${REPO}:ref:refs/heads/feature/x`, aud: AUD }],
      [
        "the preview environment in a fork",
        { sub: "repo:mallory/homelab-infra:environment:preview", aud: AUD },
      ],
      [
        "repo:<owner>/<repo>-evil, preview environment",
        { sub: `repo:${REPO}-evil:environment:preview`, aud: AUD },
      ],
      [
        "owner in another case, preview environment",
        { sub: "repo:ACME/homelab-infra:environment:preview", aud: AUD },
      ],
      ["the preview environment in another case", { sub: `repo:${REPO}:environment:Preview`, aud: AUD }],
      [
        "the preview environment, wrong audience",
        { sub: `repo:${REPO}:environment:preview`, aud: "https://github.com/acme" },
      ],
      ["the preview environment, missing audience", { sub: `repo:${REPO}:environment:preview` }],
      [
        "the deploy environment, wrong audience",
        { sub: `repo:${REPO}:environment:production`, aud: "https://github.com/acme" },
      ],
      ["the deploy environment, missing audience", { sub: `repo:${REPO}:environment:production` }],
      [
        "a fork's pull request (token minted in the fork)",
        { sub: "repo:mallory/homelab-infra:pull_request", aud: AUD },
      ],
      ["a fork's default branch", { sub: "repo:mallory/homelab-infra:ref:refs/heads/main", aud: AUD }],
      ["another repository of the owner", { sub: "repo:acme/website:ref:refs/heads/main", aud: AUD }],
      ["another repository's pull request", { sub: "repo:acme/website:pull_request", aud: AUD }],
      ["repo:<owner>/<repo>-evil, pushing", { sub: `repo:${REPO}-evil:ref:refs/heads/main`, aud: AUD }],
      ["repo:<owner>/<repo>-evil, pull request", { sub: `repo:${REPO}-evil:pull_request`, aud: AUD }],
      [
        "repo:<owner>/<repo>-evil, environment",
        { sub: `repo:${REPO}-evil:environment:production`, aud: AUD },
      ],
      ["owner in another case, pull request", { sub: "repo:ACME/homelab-infra:pull_request", aud: AUD }],
      ["owner in another case, pushing", { sub: "repo:ACME/homelab-infra:ref:refs/heads/main", aud: AUD }],
      [
        "owner in another case, environment",
        { sub: "repo:Acme/homelab-infra:environment:production", aud: AUD },
      ],
      ["another environment", { sub: `repo:${REPO}:environment:staging`, aud: AUD }],
      ["a tag", { sub: `repo:${REPO}:ref:refs/tags/v1.0.0`, aud: AUD }],
      [
        "wrong audience, default branch",
        { sub: `repo:${REPO}:ref:refs/heads/main`, aud: "https://github.com/acme" },
      ],
      ["wrong audience, pull request", { sub: `repo:${REPO}:pull_request`, aud: "https://github.com/acme" }],
      ["missing audience, default branch", { sub: `repo:${REPO}:ref:refs/heads/main` }],
      ["missing audience, pull request", { sub: `repo:${REPO}:pull_request` }],
      ["missing subject", { aud: AUD }],
    ] as Array<[string, Claims]>
  ).map(([name, claims]) => ({ name, claims, environments: no, branches: no })),
];

describe("IAM trust policies, evaluated by @cloud-copilot/iam-simulate", () => {
  it("the evaluator honours GitHub's condition keys: a known-good token is ALLOWED, the same token without sub is not", () => {
    const trust = previewTrustPolicy(withEnvironment, PROVIDER_ARN);
    assert.equal(
      assumeWithToken(trust, PREVIEW_ARN, { sub: `repo:${REPO}:environment:preview`, aud: AUD }),
      "Allowed",
    );
    assert.equal(assumeWithToken(trust, PREVIEW_ARN, { aud: AUD }), "ImplicitlyDenied");
  });

  it("the branches model's known-good tokens are ALLOWED: a pull request previews, main deploys", () => {
    const pr = { sub: `repo:${REPO}:pull_request`, aud: AUD };
    const main = { sub: `repo:${REPO}:ref:refs/heads/main`, aud: AUD };
    assert.equal(assumeWithToken(previewTrustPolicy(branches, PROVIDER_ARN), PREVIEW_ARN, pr), "Allowed");
    assert.equal(assumeWithToken(deployTrustPolicy(branches, PROVIDER_ARN), DEPLOY_ARN, main), "Allowed");
  });

  it("the Terragrunt trust (repo:<owner>/<repo>:*) let a pull request in, as the issue says; ours does not", () => {
    const terragrunt: PolicyDocument = {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "Terragrunt",
          Effect: "Allow",
          Principal: { Federated: PROVIDER_ARN },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: { "token.actions.githubusercontent.com:aud": AUD },
            StringLike: { "token.actions.githubusercontent.com:sub": `repo:${REPO}:*` },
          },
        },
      ],
    };
    const pr: Claims = { sub: `repo:${REPO}:pull_request`, aud: AUD };
    assert.equal(decide(terragrunt, DEPLOY_ARN, pr), "allow");
    assert.equal(decide(deployTrustPolicy(withEnvironment, PROVIDER_ARN), DEPLOY_ARN, pr), "deny");
    assert.equal(decide(previewTrustPolicy(withEnvironment, PROVIDER_ARN), PREVIEW_ARN, pr), "deny");
  });

  for (const [model, trust] of [
    ["environments", withEnvironment],
    ["branches", branches],
  ] as const) {
    describe(`${model} model: every token of the matrix`, () => {
      const preview = previewTrustPolicy(trust, PROVIDER_ARN);
      const deploy = deployTrustPolicy(trust, PROVIDER_ARN);
      for (const row of rows) {
        const expected = row[model];
        it(`${row.name}: preview ${expected.preview}, deploy ${expected.deploy}`, () => {
          assert.deepEqual(
            {
              preview: decide(preview, PREVIEW_ARN, row.claims),
              deploy: decide(deploy, DEPLOY_ARN, row.claims),
            },
            expected,
          );
        });
      }
    });
  }

  describe("environments model pinned to repository_id and workflow files", () => {
    const pinned: CiTrust = {
      ...withEnvironment,
      repositoryId: "424242",
      workflows: {
        preview: ".github/workflows/preview.yml",
        deploy: ".github/workflows/up.yml",
        drift: ".github/workflows/drift.yml",
      },
    };
    const preview = previewTrustPolicy(pinned, PROVIDER_ARN);
    const deploy = deployTrustPolicy(pinned, PROVIDER_ARN);
    const pr = (extra: Claims): Claims => ({ sub: `repo:${REPO}:environment:preview`, aud: AUD, ...extra });
    const env = (extra: Claims): Claims => ({
      sub: `repo:${REPO}:environment:production`,
      aud: AUD,
      ...extra,
    });
    const previewRef = `${REPO}/.github/workflows/preview.yml@refs/pull/17/merge`;
    const upRef = `${REPO}/.github/workflows/up.yml@refs/heads/main`;

    const cases: Array<[string, PolicyDocument, string, Claims, Outcome]> = [
      [
        // drift.yml's scheduled preview job declares the preview environment on the default branch.
        "preview: drift.yml on main in the preview environment",
        preview,
        PREVIEW_ARN,
        pr({ repositoryId: "424242", jobWorkflowRef: `${REPO}/.github/workflows/drift.yml@refs/heads/main` }),
        "allow",
      ],
      [
        "preview: drift.yml on another branch in the preview environment",
        preview,
        PREVIEW_ARN,
        pr({ repositoryId: "424242", jobWorkflowRef: `${REPO}/.github/workflows/drift.yml@refs/heads/x` }),
        "deny",
      ],
      [
        "preview: right id and workflow on a pull request",
        preview,
        PREVIEW_ARN,
        pr({ repositoryId: "424242", jobWorkflowRef: previewRef }),
        "allow",
      ],
      [
        // The pin's limit, stated as a test: GitHub reads the workflow file from the pull request's
        // merge ref, so a pull request that rewrote preview.yml presents exactly these claims. Only
        // the preview environment's reviewers stand between such a pull request and the role.
        "preview: a pull request that REWROTE preview.yml (same claims; the pin is no gate)",
        preview,
        PREVIEW_ARN,
        pr({
          repositoryId: "424242",
          jobWorkflowRef: `${REPO}/.github/workflows/preview.yml@refs/pull/99/merge`,
        }),
        "allow",
      ],
      [
        "preview: right workflow on the default branch, in the environment",
        preview,
        PREVIEW_ARN,
        pr({
          repositoryId: "424242",
          jobWorkflowRef: `${REPO}/.github/workflows/preview.yml@refs/heads/main`,
        }),
        "allow",
      ],
      [
        "preview: right workflow and id on a pull request WITHOUT the environment",
        preview,
        PREVIEW_ARN,
        {
          sub: `repo:${REPO}:pull_request`,
          aud: AUD,
          repositoryId: "424242",
          jobWorkflowRef: previewRef,
        },
        "deny",
      ],
      [
        "preview: right workflow run from a tag, in the environment",
        preview,
        PREVIEW_ARN,
        pr({ repositoryId: "424242", jobWorkflowRef: `${REPO}/.github/workflows/preview.yml@refs/tags/v1` }),
        "deny",
      ],
      [
        "preview: another repository id (name reused by a new repository)",
        preview,
        PREVIEW_ARN,
        pr({ repositoryId: "999", jobWorkflowRef: previewRef }),
        "deny",
      ],
      ["preview: repository_id missing", preview, PREVIEW_ARN, pr({ jobWorkflowRef: previewRef }), "deny"],
      [
        "preview: another workflow file declaring the preview environment",
        preview,
        PREVIEW_ARN,
        pr({
          repositoryId: "424242",
          jobWorkflowRef: `${REPO}/.github/workflows/evil.yml@refs/pull/17/merge`,
        }),
        "deny",
      ],
      [
        "deploy: right id and workflow on main",
        deploy,
        DEPLOY_ARN,
        env({ repositoryId: "424242", jobWorkflowRef: upRef }),
        "allow",
      ],
      [
        "deploy: the deploy workflow run from another branch",
        deploy,
        DEPLOY_ARN,
        env({
          repositoryId: "424242",
          jobWorkflowRef: `${REPO}/.github/workflows/up.yml@refs/heads/feature`,
        }),
        "deny",
      ],
      [
        "deploy: the deploy workflow as rewritten by a pull request, in the environment",
        deploy,
        DEPLOY_ARN,
        env({
          repositoryId: "424242",
          jobWorkflowRef: `${REPO}/.github/workflows/up.yml@refs/pull/99/merge`,
        }),
        "deny",
      ],
      [
        "deploy: the preview workflow in the preview environment",
        deploy,
        DEPLOY_ARN,
        pr({ repositoryId: "424242", jobWorkflowRef: previewRef }),
        "deny",
      ],
      [
        "deploy: another workflow declaring the environment",
        deploy,
        DEPLOY_ARN,
        env({
          repositoryId: "424242",
          jobWorkflowRef: `${REPO}/.github/workflows/other.yml@refs/heads/main`,
        }),
        "deny",
      ],
      ["deploy: job_workflow_ref missing", deploy, DEPLOY_ARN, env({ repositoryId: "424242" }), "deny"],
    ];
    for (const [name, trust, role, claims, expected] of cases) {
      it(`${name}: ${expected}`, () => {
        assert.equal(decide(trust, role, claims), expected);
      });
    }
  });

  describe("branches model as the account stack builds it (aws.ci.model: branches)", () => {
    const settings = parseAwsSettings({
      enabled: true,
      accountId: ACCOUNT,
      region: "eu-west-1",
      stateBucket: { name: "acme-pulumi-state" },
      ci: { repository: REPO, repositoryId: "424242", model: "branches" },
    });
    assert.ok(settings.enabled);
    const ci = settings.ci;
    const preview = previewTrustPolicy(ci, PROVIDER_ARN);
    const deploy = deployTrustPolicy(ci, PROVIDER_ARN);
    const pr = (jobWorkflowRef?: string): Claims => ({
      sub: `repo:${REPO}:pull_request`,
      aud: AUD,
      repositoryId: "424242",
      ...(jobWorkflowRef === undefined ? {} : { jobWorkflowRef }),
    });
    const push = (branch: string, jobWorkflowRef?: string): Claims => ({
      sub: `repo:${REPO}:ref:refs/heads/${branch}`,
      aud: AUD,
      repositoryId: "424242",
      ...(jobWorkflowRef === undefined ? {} : { jobWorkflowRef }),
    });
    const wf = (file: string, ref: string) => `${REPO}/.github/workflows/${file}@${ref}`;

    const cases: Array<[string, PolicyDocument, string, Claims, Outcome]> = [
      [
        "preview: preview.yml on a pull request",
        preview,
        PREVIEW_ARN,
        pr(wf("preview.yml", "refs/pull/17/merge")),
        "allow",
      ],
      [
        // The model's cost, stated as a test: nobody reviews, so a pull request that rewrote
        // preview.yml presents exactly these claims and gets the role.
        "preview: a pull request that REWROTE preview.yml (same claims; no reviewer in this model)",
        preview,
        PREVIEW_ARN,
        pr(wf("preview.yml", "refs/pull/99/merge")),
        "allow",
      ],
      [
        "preview: another workflow on a pull request",
        preview,
        PREVIEW_ARN,
        pr(wf("lint.yml", "refs/pull/17/merge")),
        "deny",
      ],
      [
        // pull_request_target carries the pull_request subject but runs the base branch's file.
        "preview: a pull_request_target run (preview.yml of main, pull_request subject)",
        preview,
        PREVIEW_ARN,
        pr(wf("preview.yml", "refs/heads/main")),
        "deny",
      ],
      ["preview: job_workflow_ref missing", preview, PREVIEW_ARN, pr(), "deny"],
      [
        // The scheduled drift check: the default branch's subject, admitted for drift.yml alone.
        "preview: drift.yml on main (the scheduled drift check)",
        preview,
        PREVIEW_ARN,
        push("main", wf("drift.yml", "refs/heads/main")),
        "allow",
      ],
      [
        "preview: drift.yml on another branch",
        preview,
        PREVIEW_ARN,
        push("feature", wf("drift.yml", "refs/heads/feature")),
        "deny",
      ],
      [
        "preview: drift.yml as a pull request rewrote it",
        preview,
        PREVIEW_ARN,
        pr(wf("drift.yml", "refs/pull/99/merge")),
        "deny",
      ],
      [
        "preview: drift.yml on main from another repository id",
        preview,
        PREVIEW_ARN,
        { ...push("main", wf("drift.yml", "refs/heads/main")), repositoryId: "999" },
        "deny",
      ],
      ["preview: the default branch without job_workflow_ref", preview, PREVIEW_ARN, push("main"), "deny"],
      [
        "deploy: drift.yml on main (it only previews)",
        deploy,
        DEPLOY_ARN,
        push("main", wf("drift.yml", "refs/heads/main")),
        "deny",
      ],
      [
        "preview: up.yml on main",
        preview,
        PREVIEW_ARN,
        push("main", wf("up.yml", "refs/heads/main")),
        "deny",
      ],
      ["deploy: up.yml on main", deploy, DEPLOY_ARN, push("main", wf("up.yml", "refs/heads/main")), "allow"],
      [
        "deploy: another workflow on main",
        deploy,
        DEPLOY_ARN,
        push("main", wf("other.yml", "refs/heads/main")),
        "deny",
      ],
      [
        "deploy: up.yml on another branch",
        deploy,
        DEPLOY_ARN,
        push("feature", wf("up.yml", "refs/heads/feature")),
        "deny",
      ],
      [
        "deploy: up.yml as a pull request rewrote it",
        deploy,
        DEPLOY_ARN,
        pr(wf("up.yml", "refs/pull/99/merge")),
        "deny",
      ],
      ["deploy: job_workflow_ref missing", deploy, DEPLOY_ARN, push("main"), "deny"],
      [
        "deploy: up.yml on main in an environment (no environment is trusted in this model)",
        deploy,
        DEPLOY_ARN,
        { ...push("main", wf("up.yml", "refs/heads/main")), sub: `repo:${REPO}:environment:production` },
        "deny",
      ],
      [
        "deploy: another repository id",
        deploy,
        DEPLOY_ARN,
        { ...push("main", wf("up.yml", "refs/heads/main")), repositoryId: "999" },
        "deny",
      ],
    ];
    for (const [name, trust, role, claims, expected] of cases) {
      it(`${name}: ${expected}`, () => {
        assert.equal(decide(trust, role, claims), expected);
      });
    }
  });

  it("the preview role trusts exactly the preview environment's subject, or (branches) pull requests", () => {
    const subjects = (ci: CiTrust) =>
      previewTrustPolicy(ci, PROVIDER_ARN).Statement[0]?.Condition?.StringEquals?.[
        "token.actions.githubusercontent.com:sub"
      ];
    assert.deepEqual(subjects(withEnvironment), [`repo:${REPO}:environment:preview`]);
    assert.deepEqual(subjects({ ...withEnvironment, previewEnvironment: "pr-review" }), [
      `repo:${REPO}:environment:pr-review`,
    ]);
    assert.deepEqual(subjects(branches), [`repo:${REPO}:pull_request`]);
  });

  it("uses exact subjects with StringEquals, never a wildcard subject", () => {
    for (const ci of [withEnvironment, branches]) {
      for (const doc of [previewTrustPolicy(ci, PROVIDER_ARN), deployTrustPolicy(ci, PROVIDER_ARN)]) {
        const condition = doc.Statement[0]?.Condition ?? {};
        const subjects = condition.StringEquals?.["token.actions.githubusercontent.com:sub"];
        assert.ok(Array.isArray(subjects) && subjects.length > 0);
        assert.ok(
          subjects.every((s) => !s.includes("*") && !s.includes("?")),
          JSON.stringify(subjects),
        );
        assert.equal(condition.StringEquals?.["token.actions.githubusercontent.com:aud"], AUD);
        assert.equal(condition.StringLike?.["token.actions.githubusercontent.com:sub"], undefined);
      }
    }
  });
});
