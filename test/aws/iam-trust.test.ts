import { strict as assert } from "node:assert";
import { deployTrustPolicy, previewTrustPolicy, type CiTrust, type PolicyDocument } from "../../core/aws/iam";
import { ACCOUNT, PROVIDER_ARN, assumeWithToken, type Claims } from "./iam-simulator";

const REPO = "acme/homelab-infra";
const AUD = "sts.amazonaws.com";
const PREVIEW_ARN = `arn:aws:iam::${ACCOUNT}:role/gitops-bootstrap-ci-preview`;
const DEPLOY_ARN = `arn:aws:iam::${ACCOUNT}:role/gitops-bootstrap-ci-deploy`;

const withEnvironment: CiTrust = {
  repository: REPO,
  defaultBranch: "main",
  environment: "production",
  previewEnvironment: "preview",
  workflows: {},
};
const withoutEnvironment: CiTrust = {
  repository: REPO,
  defaultBranch: "main",
  previewEnvironment: "preview",
  workflows: {},
};

type Outcome = "allow" | "deny";
const decide = (trust: PolicyDocument, role: string, claims: Claims): Outcome =>
  assumeWithToken(trust, role, claims) === "Allowed" ? "allow" : "deny";

/** The matrix of the issue: each token, and what each role must answer. */
interface Row {
  name: string;
  claims: Claims;
  preview: Outcome;
  deploy: Outcome;
}

const matrix = (deployOnPush: Outcome): Row[] => [
  {
    name: "the preview environment",
    claims: { sub: `repo:${REPO}:environment:preview`, aud: AUD },
    preview: "allow",
    deploy: "deny",
  },
  {
    name: "push to the default branch (no environment)",
    claims: { sub: `repo:${REPO}:ref:refs/heads/main`, aud: AUD },
    preview: "deny",
    deploy: deployOnPush,
  },
  {
    name: "push to another branch",
    claims: { sub: `repo:${REPO}:ref:refs/heads/feature/x`, aud: AUD },
    preview: "deny",
    deploy: "deny",
  },
  {
    name: "pull request without an environment (any PR author's code)",
    claims: { sub: `repo:${REPO}:pull_request`, aud: AUD },
    preview: "deny",
    deploy: "deny",
  },
  {
    name: "the preview environment in a fork",
    claims: { sub: "repo:mallory/homelab-infra:environment:preview", aud: AUD },
    preview: "deny",
    deploy: "deny",
  },
  {
    name: "repo:<owner>/<repo>-evil, preview environment",
    claims: { sub: `repo:${REPO}-evil:environment:preview`, aud: AUD },
    preview: "deny",
    deploy: "deny",
  },
  {
    name: "owner in another case, preview environment",
    claims: { sub: "repo:ACME/homelab-infra:environment:preview", aud: AUD },
    preview: "deny",
    deploy: "deny",
  },
  {
    name: "the preview environment in another case",
    claims: { sub: `repo:${REPO}:environment:Preview`, aud: AUD },
    preview: "deny",
    deploy: "deny",
  },
  {
    name: "the preview environment, wrong audience",
    claims: { sub: `repo:${REPO}:environment:preview`, aud: "https://github.com/acme" },
    preview: "deny",
    deploy: "deny",
  },
  {
    name: "the preview environment, missing audience",
    claims: { sub: `repo:${REPO}:environment:preview` },
    preview: "deny",
    deploy: "deny",
  },
  {
    name: "a fork's pull request (token minted in the fork)",
    claims: { sub: "repo:mallory/homelab-infra:pull_request", aud: AUD },
    preview: "deny",
    deploy: "deny",
  },
  {
    name: "a fork's default branch",
    claims: { sub: "repo:mallory/homelab-infra:ref:refs/heads/main", aud: AUD },
    preview: "deny",
    deploy: "deny",
  },
  {
    name: "another repository of the owner",
    claims: { sub: "repo:acme/website:ref:refs/heads/main", aud: AUD },
    preview: "deny",
    deploy: "deny",
  },
  {
    name: "repo:<owner>/<repo>-evil, pushing",
    claims: { sub: `repo:${REPO}-evil:ref:refs/heads/main`, aud: AUD },
    preview: "deny",
    deploy: "deny",
  },
  {
    name: "repo:<owner>/<repo>-evil, environment",
    claims: { sub: `repo:${REPO}-evil:environment:production`, aud: AUD },
    preview: "deny",
    deploy: "deny",
  },
  {
    name: "owner in another case, pull request",
    claims: { sub: "repo:ACME/homelab-infra:pull_request", aud: AUD },
    preview: "deny",
    deploy: "deny",
  },
  {
    name: "owner in another case, environment",
    claims: { sub: "repo:Acme/homelab-infra:environment:production", aud: AUD },
    preview: "deny",
    deploy: "deny",
  },
  {
    name: "another environment",
    claims: { sub: `repo:${REPO}:environment:staging`, aud: AUD },
    preview: "deny",
    deploy: "deny",
  },
  {
    name: "a tag",
    claims: { sub: `repo:${REPO}:ref:refs/tags/v1.0.0`, aud: AUD },
    preview: "deny",
    deploy: "deny",
  },
  {
    name: "wrong audience, default branch",
    claims: { sub: `repo:${REPO}:ref:refs/heads/main`, aud: "https://github.com/acme" },
    preview: "deny",
    deploy: "deny",
  },
  {
    name: "wrong audience, pull request",
    claims: { sub: `repo:${REPO}:pull_request`, aud: "https://github.com/acme" },
    preview: "deny",
    deploy: "deny",
  },
  {
    name: "missing audience, default branch",
    claims: { sub: `repo:${REPO}:ref:refs/heads/main` },
    preview: "deny",
    deploy: "deny",
  },
  {
    name: "missing subject",
    claims: { aud: AUD },
    preview: "deny",
    deploy: "deny",
  },
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

  describe("with a deploy environment (production)", () => {
    const preview = previewTrustPolicy(withEnvironment, PROVIDER_ARN);
    const deploy = deployTrustPolicy(withEnvironment, PROVIDER_ARN);
    const rows: Row[] = [
      ...matrix("deny"),
      {
        name: "the deploy environment (production): never the preview role",
        claims: { sub: `repo:${REPO}:environment:production`, aud: AUD },
        preview: "deny",
        deploy: "allow",
      },
      {
        name: "the environment, wrong audience",
        claims: { sub: `repo:${REPO}:environment:production`, aud: "https://github.com/acme" },
        preview: "deny",
        deploy: "deny",
      },
      {
        name: "the environment, missing audience",
        claims: { sub: `repo:${REPO}:environment:production` },
        preview: "deny",
        deploy: "deny",
      },
    ];
    for (const row of rows) {
      it(`${row.name}: preview ${row.preview}, deploy ${row.deploy}`, () => {
        assert.deepEqual(
          {
            preview: decide(preview, PREVIEW_ARN, row.claims),
            deploy: decide(deploy, DEPLOY_ARN, row.claims),
          },
          { preview: row.preview, deploy: row.deploy },
        );
      });
    }
  });

  describe("without an environment (deploy from default-branch pushes)", () => {
    const preview = previewTrustPolicy(withoutEnvironment, PROVIDER_ARN);
    const deploy = deployTrustPolicy(withoutEnvironment, PROVIDER_ARN);
    const rows: Row[] = [
      ...matrix("allow"),
      {
        name: "an environment job (any environment but preview)",
        claims: { sub: `repo:${REPO}:environment:production`, aud: AUD },
        preview: "deny",
        deploy: "deny",
      },
    ];
    for (const row of rows) {
      it(`${row.name}: preview ${row.preview}, deploy ${row.deploy}`, () => {
        assert.deepEqual(
          {
            preview: decide(preview, PREVIEW_ARN, row.claims),
            deploy: decide(deploy, DEPLOY_ARN, row.claims),
          },
          { preview: row.preview, deploy: row.deploy },
        );
      });
    }
  });

  describe("pinned to repository_id and workflow files", () => {
    const pinned: CiTrust = {
      ...withEnvironment,
      repositoryId: "424242",
      workflows: { preview: ".github/workflows/preview.yml", deploy: ".github/workflows/up.yml" },
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

  it("the preview role trusts exactly the preview environment's subject", () => {
    for (const ci of [
      withEnvironment,
      withoutEnvironment,
      { ...withEnvironment, previewEnvironment: "pr-review" },
    ]) {
      const condition = previewTrustPolicy(ci, PROVIDER_ARN).Statement[0]?.Condition ?? {};
      assert.deepEqual(condition.StringEquals?.["token.actions.githubusercontent.com:sub"], [
        `repo:${REPO}:environment:${ci.previewEnvironment}`,
      ]);
    }
  });

  it("uses exact subjects with StringEquals, never a wildcard subject", () => {
    for (const ci of [withEnvironment, withoutEnvironment]) {
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
