/**
 * Pulumi Deployments' identity in AWS: the account's OIDC provider for Pulumi Cloud's issuer and
 * one role, whose trust names exact `sub` values (organization, project, stack, operation).
 *
 * Pulumi's docs ("OpenID Connect integration", Pulumi Deployments): the token's `iss` is
 * https://api.pulumi.com/oidc, `aud` the organization's name, and `sub`
 * `pulumi:deploy:org:<org>:project:<project>:stack:<stack>:operation:<operation>:scope:write`, the
 * operation one of preview, update, refresh and destroy; Deployments names drift runs detect-drift
 * and remediate-drift (its PULUMI_CI_OPERATION), which the role may trust too. A stack's
 * DeploymentSettings names one role for every operation, so least privilege is which operations the
 * role trusts: by default update, refresh and detect-drift, not preview (a pull request's code would
 * run with the role) nor destroy.
 */
import { z } from "zod";
import { checkedString } from "../shared/settings-schema";
import type { PolicyDocument } from "./iam";
import type { Partition } from "./state";

/** Pulumi Cloud's OIDC issuer, without the scheme: the prefix of the condition keys STS exposes. */
export const PULUMI_OIDC_HOST = "api.pulumi.com/oidc";
export const PULUMI_OIDC_URL = `https://${PULUMI_OIDC_HOST}`;

/** The condition keys STS exposes for Pulumi's OIDC tokens. */
export const PULUMI_CLAIM = { aud: `${PULUMI_OIDC_HOST}:aud`, sub: `${PULUMI_OIDC_HOST}:sub` } as const;

/** The operations a Deployments token names. */
export const DEPLOYMENT_OPERATIONS = [
  "preview",
  "update",
  "refresh",
  "destroy",
  "detect-drift",
  "remediate-drift",
] as const;
export type DeploymentOperation = (typeof DEPLOYMENT_OPERATIONS)[number];

/** Operations the role trusts unless configured: what `pulumi up` on push and drift detection run. */
export const DEFAULT_TRUSTED_OPERATIONS: readonly DeploymentOperation[] = [
  "update",
  "refresh",
  "detect-drift",
];

/** The role's name unless configured. */
export const DEFAULT_PULUMI_DEPLOYMENTS_ROLE = "pulumi-deployments";

/** The account's Pulumi OIDC provider ARN. */
export function pulumiOidcProviderArn(partition: Partition, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:oidc-provider/${PULUMI_OIDC_HOST}`;
}

/** The `sub` of a Deployments token for one stack and operation. */
export function pulumiDeploySubject(
  organization: string,
  project: string,
  stack: string,
  operation: DeploymentOperation,
): string {
  return `pulumi:deploy:org:${organization}:project:${project}:stack:${stack}:operation:${operation}:scope:write`;
}

const NAME = /^[A-Za-z0-9_.-]+$/;
const nameProblem = (what: string) => (value: string) =>
  NAME.test(value) ? undefined : `must be a Pulumi ${what} name (letters, digits, '_', '.', '-')`;

/** `aws.pulumiDeployments` in the account stack: absent, no Pulumi OIDC provider or role exists. */
export const pulumiDeploymentsSettingsSchema = z.strictObject({
  /** The Pulumi organization: the token's audience and the first part of its subject. Required. */
  organization: checkedString(nameProblem("organization")),
  /** The project of the trusted stacks; default: this project (gitops-bootstrap). */
  project: checkedString(nameProblem("project")).optional(),
  /** The stacks (names, in Pulumi Cloud) whose deployments may assume the role. Required, at least one. */
  stacks: z
    .array(checkedString(nameProblem("stack")))
    .min(1, { error: "must list at least one stack, such as homelab-cloud" }),
  /** Which operations may assume it. */
  operations: z
    .array(z.enum(DEPLOYMENT_OPERATIONS, { error: `must be one of ${DEPLOYMENT_OPERATIONS.join(", ")}` }))
    .min(1, { error: "must list at least one operation; remove pulumiDeployments for none" })
    .default([...DEFAULT_TRUSTED_OPERATIONS]),
  /** The role's name. */
  roleName: z
    .string()
    .regex(/^[\w+=,.@-]{1,64}$/, { error: "must be an IAM role name (up to 64 of letters, digits, +=,.@_-)" })
    .default(DEFAULT_PULUMI_DEPLOYMENTS_ROLE),
  /** Managed policies the role gets: the stacks' own AWS needs. None by default. */
  policyArns: z
    .array(
      z.string().regex(/^arn:aws(-cn|-us-gov)?:iam::(aws|\d{12}):policy\/.+$/, {
        error: "must be an IAM policy ARN",
      }),
    )
    .default([]),
  /** The account's existing Pulumi OIDC provider (one per URL and account, e.g. made for ESC); default: create one. */
  oidcProviderArn: z
    .string()
    .regex(/^arn:aws(-cn|-us-gov)?:iam::\d{12}:oidc-provider\/api\.pulumi\.com\/oidc$/, {
      error:
        "must be the ARN of the account's api.pulumi.com/oidc provider (aws iam list-open-id-connect-providers)",
    })
    .optional(),
});

export type PulumiDeploymentsSettings = z.output<typeof pulumiDeploymentsSettingsSchema>;

/**
 * The role's trust: Pulumi's provider, the organization as audience and the exact subjects of the
 * trusted stacks and operations, all with StringEquals (no wildcard lets another stack in).
 */
export function pulumiDeploymentsTrustPolicy(
  settings: Pick<PulumiDeploymentsSettings, "organization" | "stacks" | "operations">,
  project: string,
  providerArn: string,
): PolicyDocument {
  const subjects = settings.stacks.flatMap((stack) =>
    settings.operations.map((operation) =>
      pulumiDeploySubject(settings.organization, project, stack, operation),
    ),
  );
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "PulumiDeployments",
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: { [PULUMI_CLAIM.aud]: settings.organization, [PULUMI_CLAIM.sub]: subjects },
        },
      },
    ],
  };
}
