/**
 * Pulumi Deployments' identity in the account (the account stack makes it when
 * `aws.pulumiDeployments` is set): the api.pulumi.com/oidc provider, created or named, and one role
 * trusting exact stacks and operations (core/aws/pulumi-oidc.ts), with only the managed policies
 * listed. The role gets no access to the S3 state bucket: Pulumi Cloud stacks keep their state there.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { managedPolicyName } from "../../core/aws/iam";
import {
  PULUMI_OIDC_URL,
  pulumiDeploymentsTrustPolicy,
  type PulumiDeploymentsSettings,
} from "../../core/aws/pulumi-oidc";

export interface PulumiDeploymentsRoleArgs {
  /** The account stack's AWS provider. Required. */
  provider: aws.Provider;
  /** Organization, project, stacks, operations, role name, policies and an existing provider. Required. */
  settings: PulumiDeploymentsSettings;
  /** The project of the trusted stacks when the settings name none. Required. */
  project: string;
}

export class PulumiDeploymentsRole extends pulumi.ComponentResource {
  public readonly roleArn: pulumi.Output<string>;
  public readonly oidcProviderArn: pulumi.Output<string>;

  constructor(name: string, args: PulumiDeploymentsRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gitops:cloud:PulumiDeploymentsRole", name, {}, opts);
    const child = { parent: this, provider: args.provider };
    const { settings } = args;
    const providerArn =
      settings.oidcProviderArn === undefined
        ? new aws.iam.OpenIdConnectProvider(
            `${name}-oidc`,
            // No thumbprints: IAM verifies the issuer's certificate through its own trusted CA library.
            { url: PULUMI_OIDC_URL, clientIdLists: [settings.organization] },
            // One provider per URL and account, which ESC may come to use too: never deleted with the stack.
            { ...child, protect: true, retainOnDelete: true },
          ).arn
        : pulumi.output(settings.oidcProviderArn);
    const project = settings.project ?? args.project;
    const role = new aws.iam.Role(
      name,
      {
        name: settings.roleName,
        description: `Pulumi Deployments ${settings.organization}/${project}: ${settings.operations.join(", ")} of ${settings.stacks.join(", ")}`,
        assumeRolePolicy: providerArn.apply((arn) =>
          JSON.stringify(pulumiDeploymentsTrustPolicy(settings, project, arn)),
        ),
        maxSessionDuration: 3600,
      },
      child,
    );
    const attachments = settings.policyArns.map(
      (policyArn) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-${managedPolicyName(policyArn)}`,
          { role: role.name, policyArn },
          child,
        ),
    );
    // Exclusive: the role holds exactly the listed policies and no inline one.
    new aws.iam.RolePolicyAttachmentsExclusive(
      `${name}-managed-exclusive`,
      { roleName: role.name, policyArns: settings.policyArns },
      { ...child, dependsOn: attachments },
    );
    new aws.iam.RolePoliciesExclusive(
      `${name}-inline-exclusive`,
      { roleName: role.name, policyNames: [] },
      child,
    );
    this.roleArn = role.arn;
    this.oidcProviderArn = providerArn;
    this.registerOutputs({ roleArn: this.roleArn, oidcProviderArn: this.oidcProviderArn });
  }
}
