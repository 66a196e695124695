/**
 * The IAM identity External Secrets reads with (`aws.secretsReader` in the account stack): read
 * only, one path prefix, both AWS stores external-secrets' aws provider supports.
 *
 * A homelab cluster cannot assume a role without long-lived credentials (IRSA and EKS Pod Identity
 * need EKS; IAM Roles Anywhere needs a private CA on the cluster), so the identity is an IAM user
 * with one access key, handed to the cluster stack as a Pulumi secret through a StackReference
 * (docs/operations.md, "Secret zero", says how to rotate it).
 *
 * What is left out on purpose: `ssm:DescribeParameters` and `secretsmanager:ListSecrets` apply to
 * the whole account (they list every name), so ESO's `find` by name regex is not available; fetch
 * by key, or by path (`find.path` with ParameterStore uses GetParametersByPath, which is granted).
 */
import type { PolicyDocument, PolicyStatement } from "./iam";
import type { Partition } from "./state";

export interface SecretsReaderAccess {
  partition: Partition;
  accountId: string;
  region: string;
  /** Such as /homelab/: parameters /homelab/..., secrets named /homelab/... */
  pathPrefix: string;
  /** Customer managed keys the values are encrypted with; decrypt only through SSM and Secrets Manager. */
  kmsKeyArns: readonly string[];
}

/** ESO's reads of Parameter Store (GetParameter, and GetParametersByPath for `find.path`). */
export const PARAMETER_READ_ACTIONS = [
  "ssm:GetParameter",
  "ssm:GetParameters",
  "ssm:GetParametersByPath",
  "ssm:ListTagsForResource",
] as const;

/** ESO's reads of Secrets Manager. */
export const SECRET_READ_ACTIONS = [
  "secretsmanager:GetSecretValue",
  "secretsmanager:DescribeSecret",
  "secretsmanager:ListSecretVersionIds",
] as const;

/** The identity policy of the reader: read one prefix, decrypt only through the two services. */
export function secretsReaderPolicy(access: SecretsReaderAccess): PolicyDocument {
  const { partition, accountId, region, pathPrefix } = access;
  // A parameter's ARN drops the name's leading "/": /homelab/db is parameter/homelab/db. The path
  // itself (parameter/homelab) is the resource of GetParametersByPath.
  const path = pathPrefix.slice(1, -1);
  const parameters = `arn:${partition}:ssm:${region}:${accountId}:parameter/${path}`;
  // A secret's ARN keeps its name as written, then "-" and six random characters.
  const secrets = `arn:${partition}:secretsmanager:${region}:${accountId}:secret:${pathPrefix}*`;
  const statements: PolicyStatement[] = [
    {
      Sid: "ReadParametersUnderPrefix",
      Effect: "Allow",
      Action: [...PARAMETER_READ_ACTIONS],
      Resource: [parameters, `${parameters}/*`],
    },
    {
      Sid: "ReadSecretsUnderPrefix",
      Effect: "Allow",
      Action: [...SECRET_READ_ACTIONS],
      Resource: secrets,
    },
  ];
  if (access.kmsKeyArns.length > 0) {
    statements.push({
      Sid: "DecryptThroughSsmAndSecretsManager",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: [...access.kmsKeyArns],
      Condition: {
        StringEquals: {
          "kms:ViaService": [`ssm.${region}.amazonaws.com`, `secretsmanager.${region}.amazonaws.com`],
        },
      },
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}
