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
  PULUMI_META_KEY,
  PULUMI_STATE_PREFIX,
  STS_AUDIENCE,
  projectLocksPrefix,
  stackStateKeyPatterns,
  type Partition,
} from "./state";

export type Effect = "Allow" | "Deny";

/** Condition operators we use; keys are condition keys, values match as IAM documents them. */
export type ConditionOperator = "StringEquals" | "StringLike" | "Bool" | "ArnEquals";
export type Condition = Partial<Record<ConditionOperator, Record<string, string | string[]>>>;

export type Principal = "*" | { AWS: string | string[] } | { Federated: string } | { Service: string };

/** A statement names its actions with `Action` or (deny by exclusion) `NotAction`, likewise resources. */
export interface PolicyStatement {
  Sid: string;
  Effect: Effect;
  Principal?: Principal;
  Action?: string | string[];
  NotAction?: string[];
  Resource?: string | string[];
  NotResource?: string[];
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

/**
 * `sub` of a job run for a `pull_request` event without an environment (GitHub's default subject
 * template). Only the branches model's preview role trusts it: whoever opens the pull request
 * controls the code such a job runs.
 */
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
export type CiTrust = CiTrustCommon & (CiTrustEnvironments | CiTrustBranches);

export interface CiTrustCommon {
  /** `owner/repo` of the repository whose workflows run `pulumi preview` and `pulumi up`. */
  repository: string;
  /** The default branch: the only branch whose `up.yml` may deploy. */
  defaultBranch: string;
  /** Numeric repository ID: pins the roles to this repository even if its name is reused later. */
  repositoryId?: string;
  /**
   * Workflow files (`.github/workflows/x.yml`) that alone may assume each role. `deploy` is a real
   * gate (pinned to the default branch, which a pull request cannot change); `preview` is not (a
   * pull request may edit the pinned file itself): see {@link previewTrustPolicy}.
   */
  workflows: {
    preview?: string;
    deploy?: string;
    /**
     * The drift workflow (`drift.yml`), run on the default branch on a schedule, which previews
     * with the preview role: in the branches model its own statement (the default branch's subject,
     * pinned to this file), in the environments model one more pinned file when `preview` is pinned.
     */
    drift?: string;
  };
}

/** The environments model (`CiModel` in core/github/github.ts): each role trusts one environment. */
export interface CiTrustEnvironments {
  model: "environments";
  /** GitHub environment the deploy job declares; only it may deploy. */
  environment: string;
  /**
   * GitHub environment the preview job declares; the preview role trusts only it. Protected by
   * required reviewers, it is the gate between a pull request's code and the role.
   */
  previewEnvironment: string;
}

/**
 * The branches model, for plans without environments: the deploy role trusts the default branch
 * (pinned to its `up.yml`), the preview role pull requests (pinned to `preview.yml` on their merge
 * refs). No reviewer stands between a pull request's code and the preview role.
 */
export interface CiTrustBranches {
  model: "branches";
}

/**
 * The exact subject the preview role trusts.
 *
 * Environments model: jobs that declare the preview environment. Not `pull_request` (any pull
 * request author would run their own code with the role, and its `kms:Decrypt` opens every stack's
 * secrets) and not the default branch (no workflow previews on push; a job that needs the role
 * declares the environment and passes its reviewers like any other).
 *
 * Branches model: `repo:<owner>/<repo>:pull_request`, the subject of every job of a `pull_request`
 * run without an environment. Whoever can push a branch to the repository (write access) can open
 * such a pull request and run their own code with the role; pull requests from forks get no OIDC
 * token, and a token minted in a fork names the fork.
 */
export function previewSubjects(ci: CiTrust): string[] {
  return ci.model === "environments"
    ? [environmentSubject(ci.repository, ci.previewEnvironment)]
    : [pullRequestSubject(ci.repository)];
}

/** The exact subject the deploy role trusts: the deploy environment, or (branches model) the default branch. */
export function deploySubjects(ci: CiTrust): string[] {
  return ci.model === "environments"
    ? [environmentSubject(ci.repository, ci.environment)]
    : [branchSubject(ci.repository, ci.defaultBranch)];
}

/**
 * The GitHub environments the roles trust, as the account stack outputs them for cluster stacks to
 * check (`deployEnvironment`, `previewEnvironment`): "" for both in the branches model.
 */
export function trustedEnvironments(ci: CiTrust): { deployEnvironment: string; previewEnvironment: string } {
  return ci.model === "environments"
    ? { deployEnvironment: ci.environment, previewEnvironment: ci.previewEnvironment }
    : { deployEnvironment: "", previewEnvironment: "" };
}

/** What each role trusts, in words: the role descriptions in IAM. */
export function ciTrustDescription(ci: CiTrust, role: "preview" | "deploy"): string {
  if (ci.model === "environments")
    return `environment ${role === "preview" ? ci.previewEnvironment : ci.environment}`;
  return role === "preview" ? "pull requests" : `branch ${ci.defaultBranch}`;
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
 * Trust policy of the preview role: see {@link previewSubjects}.
 *
 * With `workflows.preview`, the token's `job_workflow_ref` must also name that workflow file, run on
 * a pull request's merge ref (`refs/pull/<n>/merge`, hence StringLike) or, in the environments
 * model, on the default branch. What that pin does NOT do: stop a pull request. The file is read
 * from the pull request's merge ref, so a pull request that rewrites `preview.yml` (or `index.ts`,
 * which it runs) still presents `<repo>/.github/workflows/preview.yml@refs/pull/<n>/merge`. What it
 * does: keep every other workflow file (a new one, or one added by a pull request) from getting this
 * role, and keep tags and other branches' runs out; in the branches model it also keeps out
 * `pull_request_target` runs, which carry the `pull_request` subject but run the base branch's file
 * with a fork's pull request in reach. The gate against a hostile pull request is the preview
 * environment's required reviewers (environments model), or nothing but who has write access
 * (branches model).
 */
export function previewTrustPolicy(ci: CiTrust, providerArn: string): PolicyDocument {
  const workflow = ci.workflows.preview;
  const defaultRef = `refs/heads/${ci.defaultBranch}`;
  const drift = ci.workflows.drift;
  const refs =
    workflow === undefined
      ? []
      : [
          ...(ci.model === "environments"
            ? [
                jobWorkflowRef(ci.repository, workflow, defaultRef),
                // drift.yml's preview job declares the preview environment too.
                ...(drift === undefined ? [] : [jobWorkflowRef(ci.repository, drift, defaultRef)]),
              ]
            : []),
          jobWorkflowRef(ci.repository, workflow, "refs/pull/*/merge"),
        ];
  const previewStatement = webIdentityStatement(
    "GitHubActionsPreview",
    providerArn,
    { [GITHUB_CLAIM.sub]: previewSubjects(ci), ...repositoryIdPin(ci) },
    refs.length === 0 ? undefined : { [GITHUB_CLAIM.jobWorkflowRef]: refs },
  );
  if (ci.model === "environments" || drift === undefined) return policy(previewStatement);
  // Branches model: the scheduled drift run has the default branch's subject, which only the deploy
  // role trusts otherwise; this statement lets exactly that file, on that branch, preview. Whoever
  // can change it there can already deploy.
  return policy(
    previewStatement,
    webIdentityStatement("GitHubActionsDrift", providerArn, {
      [GITHUB_CLAIM.sub]: [branchSubject(ci.repository, ci.defaultBranch)],
      ...repositoryIdPin(ci),
      [GITHUB_CLAIM.jobWorkflowRef]: jobWorkflowRef(ci.repository, drift, defaultRef),
    }),
  );
}

/**
 * Trust policy of the deploy role. With `workflows.deploy`, only that workflow file, run on the
 * default branch, may assume it (so an environment cannot be borrowed by another workflow or branch,
 * and, in the branches model, no other workflow on the default branch gets the role).
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
  /** The Pulumi project whose stacks CI previews: the preview role takes locks of its stacks only. */
  project: string;
}

const listBucket = (bucketArn: string): PolicyStatement => ({
  Sid: "ListStateBucket",
  Effect: "Allow",
  Action: "s3:ListBucket",
  // ListBucket applies to the bucket, never to `bucket/*`.
  Resource: bucketArn,
});

/**
 * The preview role: reads state and decrypts its secrets; writes and deletes only lock objects of
 * the project's stacks (`.pulumi/locks/organization/<project>/`), which a preview takes and
 * releases. Writing an object under SSE-KMS needs a data key, which it may request only through S3.
 *
 * S3 cannot tell whose lock an object is: the role can still delete (or plant) a lock of any stack of
 * the project, e.g. one a running `pulumi up` holds. The bucket policy keeps it off the account
 * stack's locks; `concurrency` in the workflows, not IAM, keeps two CI runs of one stack apart.
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
      Resource: `${access.bucketArn}/${projectLocksPrefix(access.project)}*`,
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

/**
 * Everything a CI role may do on the state bucket (and its objects), whatever its identity policies
 * grant: list, read, write and delete current objects (multipart uploads included). Every other S3
 * action on the bucket, present or future (DeleteBucket, PutBucketPolicy, PutBucketVersioning,
 * PutLifecycleConfiguration, PutReplicationConfiguration, PutBucketObjectLockConfiguration,
 * PutBucketAcl, PutBucketOwnershipControls, DeleteObjectVersion, ...), is denied by the bucket policy.
 */
export const CI_BUCKET_ACTIONS = [
  "s3:ListBucket",
  "s3:GetBucketLocation",
  "s3:GetObject",
  "s3:PutObject",
  "s3:DeleteObject",
  "s3:AbortMultipartUpload",
  "s3:ListMultipartUploadParts",
  "s3:ListBucketMultipartUploads",
] as const;

/**
 * Everything a CI role may do with the state key, whatever its identity policies grant: what the
 * awskms secrets provider and SSE-KMS need. Every other KMS action (ScheduleKeyDeletion, DisableKey,
 * PutKeyPolicy, CreateGrant, ReEncrypt*, aliases, tags, ...) is denied by the key policy.
 */
export const CI_KEY_ACTIONS = [
  "kms:Decrypt",
  "kms:Encrypt",
  "kms:GenerateDataKey",
  "kms:DescribeKey",
] as const;

/** The CI roles and the account stack, as the bucket policy guards them. */
export interface CiStateGuard {
  previewRoleArn: string;
  deployRoleArn: string;
  /** The Pulumi project (`Pulumi.yaml` name) all stacks share. */
  project: string;
  /** The account stack's name: its state is written by the administrator only. */
  accountStack: string;
}

/** Object-write actions: overwriting or deleting a current object (versions stay, and stay denied). */
const OBJECT_WRITE_ACTIONS = ["s3:PutObject", "s3:DeleteObject"];

const principalIs = (arns: readonly string[]): Condition => ({
  ArnEquals: { "aws:PrincipalArn": [...arns] },
});

/**
 * Bucket policy: no request without TLS, from anyone. And, for the CI roles (`guard`), explicit
 * denies that hold even if an identity policy later grants them more (an explicit deny in the
 * bucket policy wins over any allow):
 * - nothing but {@link CI_BUCKET_ACTIONS}: no deleting the bucket, loosening or replicating it, or
 *   deleting object versions;
 * - no writing or deleting the account stack's state, history, backups, journal or locks, or the
 *   layout file `.pulumi/meta.yaml` (reading stays allowed: cluster stacks read the account stack's
 *   outputs through a StackReference) — else CI could plant resources in the account stack's
 *   checkpoint for the administrator's next `pulumi up --stack account` to act on;
 * - the preview role writes and deletes nothing but the project's locks.
 *
 * The denies match the CI roles by `aws:PrincipalArn`; they do not reach another principal a CI role
 * might create or assume, which is why `deployPolicyArns` refuses administrator policies.
 */
export function stateBucketPolicy(bucketArn: string, guard?: CiStateGuard): PolicyDocument {
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
  if (guard !== undefined) {
    const ci = [guard.previewRoleArn, guard.deployRoleArn];
    statements.push(
      {
        Sid: "DenyCiRolesAnythingButStateObjects",
        Effect: "Deny",
        Principal: "*",
        NotAction: [...CI_BUCKET_ACTIONS],
        Resource: resources,
        Condition: principalIs(ci),
      },
      {
        Sid: "DenyCiRolesWritingTheAccountStack",
        Effect: "Deny",
        Principal: "*",
        Action: OBJECT_WRITE_ACTIONS,
        Resource: [PULUMI_META_KEY, ...stackStateKeyPatterns(guard.project, guard.accountStack)].map(
          (key) => `${bucketArn}/${key}`,
        ),
        Condition: principalIs(ci),
      },
      {
        Sid: "DenyPreviewWritingAnythingButLocks",
        Effect: "Deny",
        Principal: "*",
        Action: OBJECT_WRITE_ACTIONS,
        NotResource: [`${bucketArn}/${projectLocksPrefix(guard.project)}*`],
        Condition: principalIs([guard.previewRoleArn]),
      },
    );
  }
  return policy(...statements);
}

/**
 * Key policy: the account's IAM policies decide who may use the key (without this statement no
 * identity policy can grant anything on it), and the CI roles may do nothing with it but
 * {@link CI_KEY_ACTIONS}: never delete, disable, re-police or grant it, whatever IAM later gives them.
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
      Sid: "DenyCiRolesAnythingButUsingTheKey",
      Effect: "Deny",
      Principal: "*",
      NotAction: [...CI_KEY_ACTIONS],
      Resource: "*",
      Condition: principalIs(denyPrincipalArns),
    });
  }
  return policy(...statements);
}
