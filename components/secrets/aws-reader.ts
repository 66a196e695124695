/**
 * The account stack's read-only identity for External Secrets (core/aws/secrets-reader.ts): an IAM
 * user with one inline policy and one access key, whose secret is a Pulumi secret output.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { secretsReaderPolicy, type SecretsReaderAccess } from "../../core/aws/secrets-reader";

export interface SecretsReaderArgs {
  /** The AWS provider (region and allowed account). Required. */
  provider: aws.Provider;
  /** Account, region, path prefix and KMS keys the policy is built from. Required. */
  access: SecretsReaderAccess;
  /** The IAM user's name. Required (the settings default it to gitops-bootstrap-secrets-reader). */
  userName: string;
}

/** The inline policy's name on the reader. */
export const SECRETS_READER_POLICY_NAME = "read-secrets-under-prefix";

export class SecretsReader extends pulumi.ComponentResource {
  public readonly user: aws.iam.User;
  /** The access key's ID, a secret output (it names the user's credential). */
  public readonly accessKeyId: pulumi.Output<string>;
  /** The access key's secret, a secret output. */
  public readonly secretAccessKey: pulumi.Output<string>;

  constructor(name: string, args: SecretsReaderArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gitops:aws:SecretsReader", name, {}, opts);
    const child = { parent: this, provider: args.provider };
    // The path keeps the program's users apart from people's in the console and in IAM listings.
    this.user = new aws.iam.User(name, { name: args.userName, path: "/gitops-bootstrap/" }, child);
    const inline = new aws.iam.UserPolicy(
      `${name}-policy`,
      {
        user: this.user.name,
        name: SECRETS_READER_POLICY_NAME,
        policy: JSON.stringify(secretsReaderPolicy(args.access)),
      },
      child,
    );
    // Exactly this policy, and no managed one: what someone adds in the console is removed (and
    // shows as drift), so the reader stays read-only on one prefix.
    new aws.iam.UserPoliciesExclusive(
      `${name}-inline-exclusive`,
      { userName: this.user.name, policyNames: [SECRETS_READER_POLICY_NAME] },
      { ...child, dependsOn: [inline] },
    );
    new aws.iam.UserPolicyAttachmentsExclusive(
      `${name}-attachments-exclusive`,
      { userName: this.user.name, policyArns: [] },
      child,
    );
    // Replacing the key (`pulumi up --replace`) creates the new one first: a user may hold two.
    const key = new aws.iam.AccessKey(`${name}-key`, { user: this.user.name }, child);
    // The provider marks `secret` a secret output; the ID is made one too: it names the credential.
    this.accessKeyId = pulumi.secret(key.id);
    this.secretAccessKey = pulumi.secret(key.secret);
    this.registerOutputs({});
  }
}
