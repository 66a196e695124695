/**
 * IAM policy documents for the state backend and the CI roles, as typed plain objects.
 *
 * Pure functions: settings and ARNs in, policy documents out. The components serialise them with
 * `JSON.stringify`; the tests evaluate the very same objects with an IAM policy simulator.
 *
 * What the Terragrunt `bootstrap` module did, and what we do instead:
 * - it trusted `repo:<owner>/<repo>:*` (every branch, pull request and environment): we trust exact
 *   `sub` values only, with `StringEquals`, and the audience `sts.amazonaws.com` with `StringEquals`;
 * - it attached AdministratorAccess: the roles get only the state they need; the deploy role gets
 *   further managed policies only when the stack config lists them;
 * - it granted `s3:ListBucket` on `bucket/*`, where it never applies: we grant it on the bucket ARN.
 */
import {
  GITHUB_OIDC_HOST,
  PULUMI_LOCKS_PREFIX,
  PULUMI_STATE_PREFIX,
  STS_AUDIENCE,
  type Partition,
} from "./aws-state";

export type Effect = "Allow" | "Deny";

/** Condition operators we use; keys are condition keys, values match as IAM documents them. */
export type ConditionOperator = "StringEquals" | "StringLike" | "Bool" | "ArnEquals";
export type Condition = Partial<Record<ConditionOperator, Record<string, string | string[]>>>;

export type Principal = "*" | { AWS: string | string[] } | { Federated: string } | { Service: string };

export interface PolicyStatement {
  Sid: string;
  Effect: Effect;
  Principal?: Principal;
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Condition;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

const policy = (...statements: PolicyStatement[]): PolicyDocument => ({
  Version: "2012-10-17",
  Statement: statements,
});

// ---- GitHub OIDC subjects ----------------------------------------------------------------------

/** The condition keys STS exposes for GitHub's OIDC tokens. */
export const GITHUB_CLAIM = {
  aud: `${GITHUB_OIDC_HOST}:aud`,
  sub: `${GITHUB_OIDC_HOST}:sub`,
  repositoryId: `${GITHUB_OIDC_HOST}:repository_id`,
  jobWorkflowRef: `${GITHUB_OIDC_HOST}:job_workflow_ref`,
} as const;

/** `sub` of a job run for a `pull_request` event (GitHub's default subject template). */
export function pullRequestSubject(repository: string): string {
  return `repo:${repository}:pull_request`;
}

/** `sub` of a job without an environment, run on a branch (push, workflow_dispatch, ...). */
export function branchSubject(repository: string, branch: string): string {
  return `repo:${repository}:ref:refs/heads/${branch}`;
}

/** `sub` of a job that declares `environment:`; GitHub then puts the environment, not the ref, in `sub`. */
export function environmentSubject(repository: string, environment: string): string {
  return `repo:${repository}:environment:${environment}`;
}

/** What the CI trust policies are built from (the `ci` part of the AWS settings). */
export interface CiTrust {
  /** `owner/repo` of the repository whose workflows run `pulumi preview` and `pulumi up`. */
  repository: string;
  /** Branch whose pushes may preview and, without an environment, deploy. */
  defaultBranch: string;
  /** GitHub environment the deploy job declares; when set, only that environment may deploy. */
  environment?: string;
  /** Numeric repository ID: pins the roles to this repository even if its name is reused later. */
  repositoryId?: string;
  /** Workflow files (`.github/workflows/x.yml`) that alone may assume each role. */
  workflows: { preview?: string; deploy?: string };
}

/** The exact subjects the preview role trusts: pull requests and pushes to the default branch. */
export function previewSubjects(ci: CiTrust): string[] {
  return [pullRequestSubject(ci.repository), branchSubject(ci.repository, ci.defaultBranch)];
}

/** The exact subject the deploy role trusts: the environment if configured, else the default branch. */
export function deploySubjects(ci: CiTrust): string[] {
  return ci.environment === undefined
    ? [branchSubject(ci.repository, ci.defaultBranch)]
    : [environmentSubject(ci.repository, ci.environment)];
}

/** `job_workflow_ref` of a workflow file of `repository` run at `ref`. */
export function jobWorkflowRef(repository: string, workflow: string, ref: string): string {
  return `${repository}/${workflow}@${ref}`;
}

function webIdentityStatement(
  sid: string,
  providerArn: string,
  stringEquals: Record<string, string | string[]>,
  stringLike?: Record<string, string[]>,
): PolicyStatement {
  return {
    Sid: sid,
    Effect: "Allow",
    Principal: { Federated: providerArn },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: {
      StringEquals: { [GITHUB_CLAIM.aud]: STS_AUDIENCE, ...stringEquals },
      ...(stringLike === undefined ? {} : { StringLike: stringLike }),
    },
  };
}

const repositoryIdPin = (ci: CiTrust): Record<string, string> =>
  ci.repositoryId === undefined ? {} : { [GITHUB_CLAIM.repositoryId]: ci.repositoryId };

/**
 * Trust policy of the preview role. With `workflows.preview`, only that workflow file may assume it,
 * run on the default branch or on a pull request's merge ref (`refs/pull/<n>/merge`, hence StringLike).
 */
export function previewTrustPolicy(ci: CiTrust, providerArn: string): PolicyDocument {
  const workflow = ci.workflows.preview;
  return policy(
    webIdentityStatement(
      "GitHubActionsPreview",
      providerArn,
      { [GITHUB_CLAIM.sub]: previewSubjects(ci), ...repositoryIdPin(ci) },
      workflow === undefined
        ? undefined
        : {
            [GITHUB_CLAIM.jobWorkflowRef]: [
              jobWorkflowRef(ci.repository, workflow, `refs/heads/${ci.defaultBranch}`),
              jobWorkflowRef(ci.repository, workflow, "refs/pull/*/merge"),
            ],
          },
    ),
  );
}

/**
 * Trust policy of the deploy role. With `workflows.deploy`, only that workflow file, run on the
 * default branch, may assume it (so an environment cannot be borrowed by another workflow or branch).
 */
export function deployTrustPolicy(ci: CiTrust, providerArn: string): PolicyDocument {
  const workflow = ci.workflows.deploy;
  const workflowPin: Record<string, string> =
    workflow === undefined
      ? {}
      : {
          [GITHUB_CLAIM.jobWorkflowRef]: jobWorkflowRef(
            ci.repository,
            workflow,
            `refs/heads/${ci.defaultBranch}`,
          ),
        };
  return policy(
    webIdentityStatement("GitHubActionsDeploy", providerArn, {
      [GITHUB_CLAIM.sub]: deploySubjects(ci),
      ...repositoryIdPin(ci),
      ...workflowPin,
    }),
  );
}

// ---- permission policies -----------------------------------------------------------------------

/** The state bucket and key a CI role works with. */
export interface StateAccess {
  bucketArn: string;
  keyArn: string;
  /** Region of the bucket: S3 asks KMS for data keys through `s3.<region>.amazonaws.com`. */
  region: string;
}

const listBucket = (bucketArn: string): PolicyStatement => ({
  Sid: "ListStateBucket",
  Effect: "Allow",
  Action: "s3:ListBucket",
  // ListBucket applies to the bucket, never to `bucket/*`.
  Resource: bucketArn,
});

/**
 * The preview role: reads state and decrypts its secrets; writes and deletes only lock objects,
 * which a preview takes and releases. Writing an object under SSE-KMS needs a data key, which it
 * may request only through S3.
 */
export function previewPermissionPolicy(access: StateAccess): PolicyDocument {
  return policy(
    listBucket(access.bucketArn),
    {
      Sid: "ReadState",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: `${access.bucketArn}/${PULUMI_STATE_PREFIX}*`,
    },
    {
      Sid: "TakeAndReleaseLocks",
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:DeleteObject"],
      Resource: `${access.bucketArn}/${PULUMI_LOCKS_PREFIX}*`,
    },
    {
      Sid: "DecryptStateAndSecrets",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: access.keyArn,
    },
    {
      Sid: "EncryptLocksThroughS3",
      Effect: "Allow",
      Action: "kms:GenerateDataKey",
      Resource: access.keyArn,
      Condition: { StringEquals: { "kms:ViaService": `s3.${access.region}.amazonaws.com` } },
    },
  );
}

/** The deploy role: reads and writes everything under `.pulumi/`, encrypts and decrypts with the key. */
export function deployPermissionPolicy(access: StateAccess): PolicyDocument {
  return policy(
    listBucket(access.bucketArn),
    {
      Sid: "ReadWriteState",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
      Resource: `${access.bucketArn}/${PULUMI_STATE_PREFIX}*`,
    },
    {
      Sid: "EncryptAndDecryptStateAndSecrets",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
      Resource: access.keyArn,
    },
  );
}

/** A stable name for a managed policy ARN (its path and name after `:policy/`, '/' as '-'). */
export function managedPolicyName(policyArn: string): string {
  return (policyArn.split(":policy/")[1] ?? policyArn).replace(/[^A-Za-z0-9-]+/g, "-");
}

// ---- resource policies -------------------------------------------------------------------------

/** Bucket actions that would weaken or destroy the state bucket; CI roles may never call them. */
export const BUCKET_TAMPER_ACTIONS = [
  "s3:DeleteBucket",
  "s3:DeleteBucketPolicy",
  "s3:PutBucketPolicy",
  "s3:PutBucketVersioning",
  "s3:PutLifecycleConfiguration",
  "s3:PutEncryptionConfiguration",
  "s3:PutBucketPublicAccessBlock",
  "s3:PutBucketOwnershipControls",
  "s3:PutBucketAcl",
  "s3:DeleteObjectVersion",
] as const;

/** Key actions that would lose or lock away every encrypted state object and secret. */
export const KEY_TAMPER_ACTIONS = [
  "kms:ScheduleKeyDeletion",
  "kms:DisableKey",
  "kms:DisableKeyRotation",
  "kms:PutKeyPolicy",
] as const;

/**
 * Bucket policy: no request without TLS, from anyone. And the CI roles (`denyPrincipalArns`) may
 * not delete the bucket or loosen its settings, even if the deploy role is later given broad
 * managed policies: an explicit deny in the bucket policy wins over any identity policy.
 */
export function stateBucketPolicy(bucketArn: string, denyPrincipalArns: readonly string[]): PolicyDocument {
  const resources = [bucketArn, `${bucketArn}/*`];
  const statements: PolicyStatement[] = [
    {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: resources,
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
  ];
  if (denyPrincipalArns.length > 0) {
    statements.push({
      Sid: "DenyCiRolesTamperingWithTheBucket",
      Effect: "Deny",
      Principal: "*",
      Action: [...BUCKET_TAMPER_ACTIONS],
      Resource: resources,
      Condition: { ArnEquals: { "aws:PrincipalArn": [...denyPrincipalArns] } },
    });
  }
  return policy(...statements);
}

/**
 * Key policy: the account's IAM policies decide who may use the key (without this statement no
 * identity policy can grant anything on it), and the CI roles may never delete, disable or re-police it.
 */
export function stateKeyPolicy(
  partition: Partition,
  accountId: string,
  denyPrincipalArns: readonly string[],
): PolicyDocument {
  const statements: PolicyStatement[] = [
    {
      Sid: "EnableIamPolicies",
      Effect: "Allow",
      Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
      Action: "kms:*",
      Resource: "*",
    },
  ];
  if (denyPrincipalArns.length > 0) {
    statements.push({
      Sid: "DenyCiRolesTamperingWithTheKey",
      Effect: "Deny",
      Principal: "*",
      Action: [...KEY_TAMPER_ACTIONS],
      Resource: "*",
      Condition: { ArnEquals: { "aws:PrincipalArn": [...denyPrincipalArns] } },
    });
  }
  return policy(...statements);
}
