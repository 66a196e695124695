/**
 * The S3 bucket that holds Pulumi state, encrypted with a customer-managed KMS key that is also the
 * stacks' secrets provider. Bucket and key are protected and retained on delete: losing either
 * loses every stack's state or every stack's secrets. So are the bucket's protections (versioning,
 * encryption, public access block, ownership, lifecycle, policy): otherwise `pulumi destroy` would
 * strip them before stopping at the protected bucket.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { bucketArn, kmsSecretsProviderUrl, stateBackendUrl, type Partition } from "../../core/aws/state";
import { stateBucketPolicy, stateKeyPolicy, type CiStateGuard } from "../../core/aws/iam";
import type { StateBucketPart } from "../../core/aws/settings";

export interface StateBackendArgs {
  /** The AWS provider (region and allowed account). Required: no ambient default provider is used. */
  provider: aws.Provider;
  /** Globally unique bucket name. Required; no default (a generated name could not be found again). */
  bucketName: string;
  /** The bucket's region, written into the backend and secrets-provider URLs. Required. */
  region: string;
  /** The account that owns the key; its IAM policies govern use of the key. Required. */
  accountId: string;
  /** ARN partition. Defaults to `aws`. */
  partition?: Partition;
  /** Days a replaced or deleted state version is kept before S3 expires it. Defaults to 90. */
  noncurrentVersionExpirationDays?: number;
  /** Days after which an unfinished multipart upload is aborted. Defaults to 7. */
  abortIncompleteMultipartUploadDays?: number;
  /** Waiting period before a scheduled key deletion takes effect. Defaults to 30 (the maximum). */
  keyDeletionWindowDays?: number;
  /**
   * The CI roles and the account stack: the roles may use the state but never manage the bucket or
   * key, never write the account stack's state, and preview writes only locks — explicit denies in
   * the bucket and key policies (core/aws/iam `stateBucketPolicy`). Defaults to none (TLS deny only).
   */
  ciGuard?: CiStateGuard;
  /** Name of an existing bucket to adopt with the `import` option (must equal `bucketName`). Defaults to none. */
  importBucket?: string;
  /**
   * The adopted bucket's configuration resources that exist (versioning, encryption, …), each
   * imported under the bucket's name, which is the import ID of every one of them. Defaults to none
   * (each is created, which overwrites that part of the bucket's configuration).
   */
  importConfiguration?: readonly StateBucketPart[];
  /** ID of an existing KMS key to adopt as the state key with `import`. Defaults to creating one. */
  importKey?: string;
}

/** The defaults, in one place. */
export const STATE_BACKEND_DEFAULTS: {
  partition: Partition;
  noncurrentVersionExpirationDays: number;
  abortIncompleteMultipartUploadDays: number;
  keyDeletionWindowDays: number;
} = {
  partition: "aws",
  noncurrentVersionExpirationDays: 90,
  abortIncompleteMultipartUploadDays: 7,
  keyDeletionWindowDays: 30,
};

export class StateBackend extends pulumi.ComponentResource {
  public readonly bucket: aws.s3.Bucket;
  public readonly key: aws.kms.Key;
  public readonly bucketName: pulumi.Output<string>;
  public readonly bucketArn: pulumi.Output<string>;
  public readonly keyArn: pulumi.Output<string>;
  public readonly keyId: pulumi.Output<string>;
  /** `s3://<bucket>?region=<region>`: the `pulumi login` URL. */
  public readonly backendUrl: pulumi.Output<string>;
  /** `awskms://<keyId>?region=<region>`: the `--secrets-provider` of every stack. */
  public readonly secretsProvider: pulumi.Output<string>;

  constructor(name: string, args: StateBackendArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gitops:aws:StateBackend", name, {}, opts);
    if (args.importBucket !== undefined && args.importBucket !== args.bucketName) {
      throw new pulumi.ResourceError(
        `importBucket ${args.importBucket} differs from bucketName ${args.bucketName}: importing a bucket under another name would replace it; make them equal`,
        this,
      );
    }
    const partition = args.partition ?? STATE_BACKEND_DEFAULTS.partition;
    const noncurrentDays =
      args.noncurrentVersionExpirationDays ?? STATE_BACKEND_DEFAULTS.noncurrentVersionExpirationDays;
    const abortDays =
      args.abortIncompleteMultipartUploadDays ?? STATE_BACKEND_DEFAULTS.abortIncompleteMultipartUploadDays;
    const deletionWindowDays = args.keyDeletionWindowDays ?? STATE_BACKEND_DEFAULTS.keyDeletionWindowDays;
    const child = { parent: this, provider: args.provider };
    // Losing the bucket or the key loses every stack: neither may be deleted by Pulumi, even on destroy.
    const precious = { ...child, protect: true, retainOnDelete: true };
    // What protects the bucket: deleting one of these (destroy, or dropping it from the program)
    // would weaken the bucket while it stays; protect stops destroy, retainOnDelete keeps the setting.
    const guarded = precious;
    // An adopted part is imported under the bucket's name, the import ID of each of these types
    // (their Import sections in @pulumi/aws); names never depend on the import.
    const adoptedPart = (part: StateBucketPart) =>
      args.importConfiguration?.includes(part) === true ? { import: args.bucketName } : {};
    if (args.importConfiguration !== undefined && args.importBucket === undefined) {
      throw new pulumi.ResourceError(
        "importConfiguration is set but importBucket is not: only an adopted bucket has configuration to adopt",
        this,
      );
    }
    const guard = args.ciGuard;
    const denied = guard === undefined ? [] : [guard.previewRoleArn, guard.deployRoleArn];

    this.key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `Encrypts the Pulumi state in s3://${args.bucketName} and is the stacks' secrets provider`,
        enableKeyRotation: true,
        deletionWindowInDays: deletionWindowDays,
        policy: JSON.stringify(stateKeyPolicy(partition, args.accountId, denied)),
      },
      args.importKey === undefined ? precious : { ...precious, import: args.importKey },
    );

    this.bucket = new aws.s3.Bucket(
      `${name}-bucket`,
      // forceDestroy stays false: a non-empty state bucket must never be deleted with its contents.
      { bucket: args.bucketName, forceDestroy: false },
      { ...precious, ...(args.importBucket === undefined ? {} : { import: args.importBucket }) },
    );
    const bucket = this.bucket.bucket;

    const ownership = new aws.s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } },
      { ...guarded, ...adoptedPart("ownershipControls") },
    );
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      {
        bucket,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      { ...guarded, ...adoptedPart("publicAccessBlock") },
    );
    const versioning = new aws.s3.BucketVersioning(
      `${name}-versioning`,
      { bucket, versioningConfiguration: { status: "Enabled" } },
      { ...guarded, ...adoptedPart("versioning") },
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket,
        rules: [
          {
            applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: this.key.arn },
            // One data key per bucket instead of per object: fewer KMS calls, same key.
            bucketKeyEnabled: true,
          },
        ],
      },
      { ...guarded, ...adoptedPart("encryption") },
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket,
        rules: [
          {
            id: "expire-noncurrent-state-versions",
            status: "Enabled",
            filter: {},
            noncurrentVersionExpiration: { noncurrentDays },
            abortIncompleteMultipartUpload: {
              daysAfterInitiation: abortDays,
            },
          },
        ],
      },
      // S3 rejects a noncurrent-version rule on a bucket whose versioning was never enabled.
      { ...guarded, dependsOn: [versioning], ...adoptedPart("lifecycle") },
    );
    const arn = bucketArn(partition, args.bucketName);
    new aws.s3.BucketPolicy(
      `${name}-policy`,
      { bucket, policy: JSON.stringify(stateBucketPolicy(arn, guard)) },
      // S3 answers OperationAborted to concurrent configuration changes of one bucket: serialise.
      { ...guarded, dependsOn: [publicAccess, ownership], ...adoptedPart("policy") },
    );

    this.bucketName = bucket;
    this.bucketArn = this.bucket.arn;
    this.keyArn = this.key.arn;
    this.keyId = this.key.keyId;
    this.backendUrl = bucket.apply((b) => stateBackendUrl(b, args.region));
    this.secretsProvider = this.key.keyId.apply((id) => kmsSecretsProviderUrl(id, args.region));
    this.registerOutputs({
      bucketName: this.bucketName,
      bucketArn: this.bucketArn,
      keyArn: this.keyArn,
      keyId: this.keyId,
      backendUrl: this.backendUrl,
      secretsProvider: this.secretsProvider,
    });
  }
}
