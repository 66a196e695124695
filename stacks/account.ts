/**
 * The account stack: the AWS resources every cluster stack depends on but none may delete — the
 * state bucket and its KMS key, the GitHub OIDC provider and the two CI roles.
 *
 * It is a stack of this same program (`Pulumi.account.yaml`, `gitops-bootstrap:stackKind: account`)
 * run by a human administrator. Cluster stacks keep their state in its bucket but never hold its
 * resources in their state, so no cluster `pulumi up` or `destroy` can touch them; the CI roles are
 * also denied deleting or loosening the bucket and key by the resources' own policies.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CiIdentity } from "../components/aws/ci-identity";
import { StateBackend } from "../components/aws/state-backend";
import { PulumiDeploymentsRole } from "../components/cloud/pulumi-deployments-role";
import { SecretsReader } from "../components/secrets/aws-reader";
import { trustedEnvironments } from "../core/aws/iam";
import { roleArn } from "../core/aws/state";
import type { CiValues } from "../core/github/github";
import { formatConfigErrors } from "./config";
import { parseAccountConfig, CI_OUTPUT_NAMES } from "./account-config";
import { providerArgs, providerUseProblems, type ProviderPackage, type ProviderUse } from "./provider-config";
import { AWS_CONFIG_KEY, type AwsSettings } from "../core/aws/settings";

export {
  CI_OUTPUT_NAMES,
  isAccountStackConfig,
  parseAccountConfig,
  STACK_KIND_KEY,
  type AccountParseResult,
} from "./account-config";

export interface AccountProviders {
  aws: aws.Provider;
}

export interface AccountOutputs {
  /** `pulumi login` URL of the state bucket: `s3://<bucket>?region=<region>`. */
  backendUrl: pulumi.Output<string>;
  /** `--secrets-provider` for every stack: `awskms://<keyId>?region=<region>`. */
  secretsProvider: pulumi.Output<string>;
  stateBucket: pulumi.Output<string>;
  stateKeyArn: pulumi.Output<string>;
  oidcProviderArn: pulumi.Output<string>;
  /** For `aws-actions/configure-aws-credentials` in the preview workflow. */
  previewRoleArn: pulumi.Output<string>;
  /** For `aws-actions/configure-aws-credentials` in the deploy workflow. */
  deployRoleArn: pulumi.Output<string>;
  /** The bucket's region (`AWS_REGION` in the workflows). */
  region: string;
  /** The GitHub environment the deploy role trusts (`production` unless configured; "" in the branches model). */
  deployEnvironment: string;
  /** The GitHub environment the preview role trusts (the preview job must declare it; "" in the branches model). */
  previewEnvironment: string;
  /** The role Pulumi Deployments assumes for Pulumi Cloud stacks (pulumiCloud.deployments.aws.roleArn); only with aws.pulumiDeployments. */
  pulumiDeploymentsRoleArn?: pulumi.Output<string>;
  /** With `aws.secretsReader`: the reader's access key ID (secret), for the cluster stack's External Secrets Secret. */
  secretsReaderAccessKeyId?: pulumi.Output<string>;
  /** With `aws.secretsReader`: the reader's secret access key (secret). */
  secretsReaderSecretAccessKey?: pulumi.Output<string>;
  /** With `aws.secretsReader`: the one path prefix it may read. */
  secretsReaderPathPrefix?: string;
}

// The account outputs a cluster stack hands to CI are exactly outputs of this stack.
const _ciNamesAreOutputs: ReadonlyArray<keyof AccountOutputs> = CI_OUTPUT_NAMES;
void _ciNamesAreOutputs;

// Compile-time proof: the account outputs are exactly what the GitHub part writes as CI variables
// (AWS_REGION, AWS_*_ROLE_ARN, PULUMI_BACKEND_URL, PULUMI_SECRETS_PROVIDER) and checks against
// the environment names the workflows declare.
const _ciVariablesFit = (outputs: AccountOutputs): NonNullable<CiValues<pulumi.Input<string>>["aws"]> =>
  outputs;
void _ciVariablesFit;

/**
 * Reads and validates the running stack's config; throws one error listing every problem,
 * `otherErrors` (the provider namespaces' problems) included.
 */
export function loadAccountConfig(otherErrors: readonly string[] = []): AwsSettings {
  const result = parseAccountConfig(pulumi.runtime.allConfig());
  const errors = [...(result.ok ? [] : result.errors), ...otherErrors];
  if (!result.ok || errors.length > 0)
    throw new pulumi.RunError(formatConfigErrors(pulumi.getStack(), errors));
  return result.settings;
}

/** The tags every AWS resource of the account stack carries (`aws:defaultTags` adds to them). */
export const ACCOUNT_DEFAULT_TAGS = { "managed-by": "gitops-bootstrap", "gitops-bootstrap-stack": "account" };

/**
 * How the account stack uses each provider package: only aws, whose region, allowed account and
 * default tags come from `gitops-bootstrap:aws`; every other `aws:*` key the user set is passed on.
 */
export function accountProviderUses(settings: AwsSettings): Record<ProviderPackage, ProviderUse> {
  const elsewhere = "the account stack only creates AWS resources; it belongs in a cluster stack";
  return {
    aws: {
      owned: {
        region: { setting: `${AWS_CONFIG_KEY}.region`, value: settings.region },
        allowedAccountIds: { setting: `${AWS_CONFIG_KEY}.accountId`, value: [settings.accountId] },
        defaultTags: {
          setting: "the account stack's own tags",
          value: { tags: ACCOUNT_DEFAULT_TAGS },
          merge: true,
        },
      },
    },
    github: { off: elsewhere },
    kubernetes: { off: elsewhere },
    tailscale: { off: elsewhere },
    tls: { off: elsewhere },
    pulumiservice: { off: elsewhere },
  };
}

/**
 * The explicit AWS provider: the configured region, and `allowedAccountIds` so that credentials
 * for any other account fail before anything is read or changed, with every other `aws:*` key the
 * stack sets (`aws:profile`, `aws:assumeRoles`, …; secrets stay secret). A key that would be lost
 * or contradicts `gitops-bootstrap:aws` stops the run before anything is registered.
 */
export function accountProviders(settings: AwsSettings): AccountProviders {
  const uses = accountProviderUses(settings);
  const problems = providerUseProblems(pulumi.runtime.allConfig(), uses);
  if (problems.length > 0) throw new pulumi.RunError(formatConfigErrors(pulumi.getStack(), problems));
  const use = uses.aws;
  return {
    aws: new aws.Provider("aws", providerArgs("aws", "owned" in use ? use.owned : {}) as aws.ProviderArgs),
  };
}

/** Registers the account stack's resources with the given providers. */
export function buildAccount(settings: AwsSettings, providers: AccountProviders): AccountOutputs {
  const { ci } = settings;
  // Role ARNs are known from their names, so the bucket and key policies can deny the CI roles
  // without waiting for (or depending on) the roles themselves.
  const arn = (name: string) => roleArn(settings.partition, settings.accountId, name);
  // The account stack is the running stack of this project; CI may read its state, never write it.
  const project = pulumi.getProject();

  const state = new StateBackend("state", {
    provider: providers.aws,
    bucketName: settings.stateBucket.name,
    region: settings.region,
    accountId: settings.accountId,
    partition: settings.partition,
    noncurrentVersionExpirationDays: settings.stateBucket.noncurrentVersionExpirationDays,
    abortIncompleteMultipartUploadDays: settings.stateBucket.abortIncompleteMultipartUploadDays,
    keyDeletionWindowDays: settings.stateBucket.keyDeletionWindowDays,
    ciGuard: {
      previewRoleArn: arn(ci.roleNames.preview),
      deployRoleArn: arn(ci.roleNames.deploy),
      project,
      accountStack: pulumi.getStack(),
    },
    ...(settings.adopt.stateBucket === undefined ? {} : { importBucket: settings.adopt.stateBucket }),
    ...(settings.adopt.stateBucketConfiguration === undefined
      ? {}
      : { importConfiguration: settings.adopt.stateBucketConfiguration }),
    ...(settings.adopt.stateKey === undefined ? {} : { importKey: settings.adopt.stateKey }),
  });

  const identity = new CiIdentity("ci", {
    provider: providers.aws,
    trust: ci,
    bucketArn: state.bucketArn,
    keyArn: state.keyArn,
    region: settings.region,
    project,
    roleNames: ci.roleNames,
    deployPolicyArns: ci.deployPolicyArns,
    ...(settings.adopt.oidcProvider === undefined ? {} : { importOidcProvider: settings.adopt.oidcProvider }),
    ...(settings.adopt.deployRole === undefined ? {} : { importDeployRole: settings.adopt.deployRole }),
    ...(settings.adopt.deployRolePolicyAttachments === undefined
      ? {}
      : { importDeployRolePolicyAttachments: settings.adopt.deployRolePolicyAttachments }),
  });

  const pulumiDeployments =
    settings.pulumiDeployments === undefined
      ? undefined
      : // A fixed resource name: renaming the role must not move the protected OIDC provider.
        new PulumiDeploymentsRole("pulumi-deployments", {
          provider: providers.aws,
          settings: settings.pulumiDeployments,
          project,
        });

  const reader =
    settings.secretsReader === undefined
      ? undefined
      : new SecretsReader("secrets-reader", {
          provider: providers.aws,
          userName: settings.secretsReader.userName,
          access: {
            partition: settings.partition,
            accountId: settings.accountId,
            region: settings.region,
            pathPrefix: settings.secretsReader.pathPrefix,
            kmsKeyArns: settings.secretsReader.kmsKeyArns,
          },
        });

  return {
    ...(reader === undefined || settings.secretsReader === undefined
      ? {}
      : {
          secretsReaderAccessKeyId: reader.accessKeyId,
          secretsReaderSecretAccessKey: reader.secretAccessKey,
          secretsReaderPathPrefix: settings.secretsReader.pathPrefix,
        }),
    backendUrl: state.backendUrl,
    secretsProvider: state.secretsProvider,
    stateBucket: state.bucketName,
    stateKeyArn: state.keyArn,
    oidcProviderArn: identity.oidcProviderArn,
    previewRoleArn: identity.previewRoleArn,
    deployRoleArn: identity.deployRoleArn,
    region: settings.region,
    // "" in the branches model: the roles trust the default branch and pull requests, no environment.
    ...trustedEnvironments(ci),
    ...(pulumiDeployments === undefined ? {} : { pulumiDeploymentsRoleArn: pulumiDeployments.roleArn }),
  };
}
