/**
 * Facts about Pulumi's self-managed ("DIY") S3 backend and GitHub's OIDC issuer, in one place.
 *
 * The IAM policies, the StateBackend component, the account stack's outputs and `migrate-state`
 * all read these constants and builders, so the prefix a policy grants is the prefix Pulumi writes.
 */

/** Every object the DIY backend writes lives under this prefix (`.pulumi/stacks/...`, `history/`, ...). */
export const PULUMI_STATE_PREFIX = ".pulumi/";

/**
 * Where the DIY backend writes its stack locks. With the project-scoped layout (meta.yaml version 1,
 * what a new bucket gets) a lock is `.pulumi/locks/organization/<project>/<stack>/<id>.json`: the
 * directory is the stack's fully qualified name, and the DIY organization is always `organization`.
 */
export const PULUMI_LOCKS_PREFIX = `${PULUMI_STATE_PREFIX}locks/`;

/**
 * The DIY backend's layout version file. Pulumi writes it once, into an empty bucket; rewritten to
 * version 0 (or deleted, in a non-empty bucket) it switches every reader to the legacy layout.
 */
export const PULUMI_META_KEY = `${PULUMI_STATE_PREFIX}meta.yaml`;

/** The DIY backend's fixed organization name (part of every lock path). */
export const DIY_ORGANIZATION = "organization";

/** The prefix of every lock of `project`'s stacks: a preview takes and releases its lock here. */
export function projectLocksPrefix(project: string): string {
  return `${PULUMI_LOCKS_PREFIX}${DIY_ORGANIZATION}/${project}/`;
}

/**
 * Object key patterns (IAM wildcards) of everything the DIY backend writes for one stack: its
 * checkpoint (`.json`, `.json.gz`, `.json.zst`, `.json.bak`), history, backups, update journal and
 * locks, in the project-scoped layout and in the legacy layout (which Pulumi falls back to if
 * `.pulumi/meta.yaml` is missing or says version 0). Source: pulumi/pulumi pkg/backend/diy
 * (store.go, lock.go).
 */
export function stackStateKeyPatterns(project: string, stack: string): string[] {
  const p = PULUMI_STATE_PREFIX;
  return [
    `${p}stacks/${project}/${stack}.json*`,
    `${p}history/${project}/${stack}/*`,
    `${p}backups/${project}/${stack}/*`,
    `${p}journal/${project}/${stack}/*`,
    `${projectLocksPrefix(project)}${stack}/*`,
    // Legacy layout (no project directory).
    `${p}stacks/${stack}.json*`,
    `${p}history/${stack}/*`,
    `${p}backups/${stack}/*`,
    `${p}journal/${stack}/*`,
    `${PULUMI_LOCKS_PREFIX}${stack}/*`,
  ];
}

/** GitHub Actions' OIDC issuer host; IAM condition keys are named after it. */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";

/** The issuer URL the IAM OIDC provider is registered for (an account holds one provider per URL). */
export const GITHUB_OIDC_URL = `https://${GITHUB_OIDC_HOST}`;

/** The audience `aws-actions/configure-aws-credentials` requests; the trust policies require exactly it. */
export const STS_AUDIENCE = "sts.amazonaws.com";

/** AWS partitions by region prefix: ARNs differ in China and GovCloud. */
export type Partition = "aws" | "aws-cn" | "aws-us-gov";

/** The partition a region belongs to. */
export function partitionOf(region: string): Partition {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/** `arn:<partition>:s3:::<bucket>`: S3 bucket ARNs carry neither region nor account. */
export function bucketArn(partition: Partition, bucket: string): string {
  return `arn:${partition}:s3:::${bucket}`;
}

/** The ARN of an IAM role, known before the role exists (used to deny CI roles in resource policies). */
export function roleArn(partition: Partition, accountId: string, roleName: string): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

/** The ARN of the account's GitHub OIDC provider (AWS names it after the issuer host). */
export function githubOidcProviderArn(partition: Partition, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:oidc-provider/${GITHUB_OIDC_HOST}`;
}

/** The `pulumi login` URL of the S3 backend: `s3://<bucket>?region=<region>`. */
export function stateBackendUrl(bucket: string, region: string): string {
  return `s3://${bucket}?region=${region}`;
}

/** The `--secrets-provider` URL for a KMS key: `awskms://<keyId>?region=<region>`. */
export function kmsSecretsProviderUrl(keyId: string, region: string): string {
  return `awskms://${keyId}?region=${region}`;
}
