/**
 * GitHub Actions' identity in AWS: the account's GitHub OIDC provider (created, or adopted by ARN)
 * and two roles. `preview` serves the preview environment (pull request previews, each approved by
 * a reviewer) and can only read state and take locks; `deploy` serves the deploy environment (or
 * the default branch) and can write state. Neither gets
 * AdministratorAccess: the deploy role gets exactly the managed policies listed, none by default.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { GITHUB_OIDC_URL, STS_AUDIENCE } from "../../core/aws/state";
import {
  ciTrustDescription,
  deployPermissionPolicy,
  deployTrustPolicy,
  previewPermissionPolicy,
  previewTrustPolicy,
  managedPolicyName,
  type CiTrust,
  type PolicyDocument,
  type StateAccess,
} from "../../core/aws/iam";

export interface CiIdentityArgs {
  /** The AWS provider (region and allowed account). Required: no ambient default provider is used. */
  provider: aws.Provider;
  /** Repository, default branch, environment and optional pins the trust policies are built from. Required. */
  trust: CiTrust;
  /** The state bucket's ARN (from StateBackend). Required. */
  bucketArn: pulumi.Input<string>;
  /** The state key's ARN (from StateBackend). Required. */
  keyArn: pulumi.Input<string>;
  /** The state bucket's region (S3 requests data keys through `s3.<region>.amazonaws.com`). Required. */
  region: string;
  /** The Pulumi project whose stack locks the preview role may take. Defaults to the running project. */
  project?: string;
  /** Role names. Defaults to `<name>-preview` and `<name>-deploy`. */
  roleNames?: { preview?: string; deploy?: string };
  /** Managed policy ARNs for the deploy role: the cluster's own AWS needs. Defaults to [] (none). */
  deployPolicyArns?: string[];
  /** ARN of the account's existing GitHub OIDC provider to adopt with `import`. Defaults to creating one. */
  importOidcProvider?: string;
  /** Name of an existing role (the Terragrunt CI role) to adopt as the deploy role. Defaults to creating it. */
  importDeployRole?: string;
  /**
   * Managed policies attached to the adopted deploy role that stay (each in `deployPolicyArns`),
   * imported as `<role name>/<policy ARN>`. Defaults to none.
   */
  importDeployRolePolicyAttachments?: readonly string[];
  /** Maximum session length in seconds for both roles. Defaults to 3600 (one hour, the minimum). */
  maxSessionDuration?: number;
}

/** The inline policy every CI role carries: its access to the state bucket and key. */
export const STATE_POLICY_NAME = "pulumi-state";

export class CiIdentity extends pulumi.ComponentResource {
  public readonly oidcProvider: aws.iam.OpenIdConnectProvider;
  public readonly oidcProviderArn: pulumi.Output<string>;
  public readonly previewRole: aws.iam.Role;
  public readonly deployRole: aws.iam.Role;
  public readonly previewRoleArn: pulumi.Output<string>;
  public readonly deployRoleArn: pulumi.Output<string>;

  constructor(name: string, args: CiIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gitops:aws:CiIdentity", name, {}, opts);
    const child = { parent: this, provider: args.provider };
    const deployPolicyArns = args.deployPolicyArns ?? [];
    const maxSessionDuration = args.maxSessionDuration ?? 3600;
    const project = args.project ?? pulumi.getProject();

    this.oidcProvider = new aws.iam.OpenIdConnectProvider(
      `${name}-github-oidc`,
      // No thumbprints: IAM verifies GitHub's issuer through its own trusted CA library.
      { url: GITHUB_OIDC_URL, clientIdLists: [STS_AUDIENCE] },
      {
        ...child,
        // An account holds one provider per URL and other roles may come to trust it (adopted, it
        // predates this stack): never delete it with the stack.
        protect: true,
        retainOnDelete: true,
        ...(args.importOidcProvider === undefined ? {} : { import: args.importOidcProvider }),
      },
    );
    const providerArn = this.oidcProvider.arn;
    const access: pulumi.Output<StateAccess> = pulumi
      .all([args.bucketArn, args.keyArn])
      .apply(([bucketArn, keyArn]) => ({ bucketArn, keyArn, region: args.region, project }));

    // The name never comes from the import: dropping `importDeployRole` after the import must not
    // rename (and so replace) the adopted role.
    const deployRoleName = args.roleNames?.deploy ?? `${name}-deploy`;
    if (args.importDeployRole !== undefined && args.importDeployRole !== deployRoleName) {
      throw new pulumi.ResourceError(
        `importDeployRole ${args.importDeployRole} differs from the deploy role's name ${deployRoleName}: set roleNames.deploy to ${args.importDeployRole}`,
        this,
      );
    }
    const preview = this.role(`${name}-preview`, {
      roleName: args.roleNames?.preview ?? `${name}-preview`,
      description: `GitHub Actions ${args.trust.repository}: pulumi preview (${ciTrustDescription(args.trust, "preview")})`,
      trust: providerArn.apply((arn) => previewTrustPolicy(args.trust, arn)),
      permissions: access.apply(previewPermissionPolicy),
      managedPolicyArns: [],
      maxSessionDuration,
      child,
    });
    const deploy = this.role(`${name}-deploy`, {
      roleName: deployRoleName,
      description: `GitHub Actions ${args.trust.repository}: pulumi up (${ciTrustDescription(args.trust, "deploy")})`,
      trust: providerArn.apply((arn) => deployTrustPolicy(args.trust, arn)),
      permissions: access.apply(deployPermissionPolicy),
      managedPolicyArns: deployPolicyArns,
      maxSessionDuration,
      child,
      ...(args.importDeployRole === undefined ? {} : { importId: args.importDeployRole }),
      ...(args.importDeployRolePolicyAttachments === undefined
        ? {}
        : { importAttachments: args.importDeployRolePolicyAttachments }),
    });

    this.previewRole = preview;
    this.deployRole = deploy;
    this.oidcProviderArn = providerArn;
    this.previewRoleArn = preview.arn;
    this.deployRoleArn = deploy.arn;
    this.registerOutputs({
      oidcProviderArn: this.oidcProviderArn,
      previewRoleArn: this.previewRoleArn,
      deployRoleArn: this.deployRoleArn,
    });
  }

  private role(
    resourceName: string,
    spec: {
      roleName: string;
      description: string;
      trust: pulumi.Output<PolicyDocument>;
      permissions: pulumi.Output<PolicyDocument>;
      managedPolicyArns: string[];
      maxSessionDuration: number;
      child: { parent: pulumi.Resource; provider: aws.Provider };
      importId?: string;
      importAttachments?: readonly string[];
    },
  ): aws.iam.Role {
    const { child } = spec;
    const role = new aws.iam.Role(
      resourceName,
      {
        name: spec.roleName,
        description: spec.description,
        assumeRolePolicy: spec.trust.apply((doc) => JSON.stringify(doc)),
        maxSessionDuration: spec.maxSessionDuration,
      },
      spec.importId === undefined ? child : { ...child, import: spec.importId },
    );
    const policyName = STATE_POLICY_NAME;
    const inline = new aws.iam.RolePolicy(
      `${resourceName}-state`,
      { role: role.name, name: policyName, policy: spec.permissions.apply((doc) => JSON.stringify(doc)) },
      child,
    );
    // Named after the policy, not its position: reordering the list replaces nothing.
    const attachments = spec.managedPolicyArns.map(
      (policyArn) =>
        new aws.iam.RolePolicyAttachment(
          `${resourceName}-${managedPolicyName(policyArn)}`,
          { role: role.name, policyArn },
          spec.importAttachments?.includes(policyArn) === true
            ? { ...child, import: `${spec.roleName}/${policyArn}` }
            : child,
        ),
    );
    // Exclusive: whatever else is attached or inlined (AdministratorAccess left by the Terragrunt
    // layer on an adopted role) is removed, so the role holds exactly what is declared here.
    new aws.iam.RolePolicyAttachmentsExclusive(
      `${resourceName}-managed-exclusive`,
      { roleName: role.name, policyArns: spec.managedPolicyArns },
      { ...child, dependsOn: attachments },
    );
    new aws.iam.RolePoliciesExclusive(
      `${resourceName}-inline-exclusive`,
      { roleName: role.name, policyNames: [policyName] },
      { ...child, dependsOn: [inline] },
    );
    return role;
  }
}
