/**
 * A thin wrapper around @cloud-copilot/iam-simulate (a real IAM policy evaluator; AGPL, dev only).
 *
 * `runSimulation` validates context keys against its own list and silently drops the
 * `token.actions.githubusercontent.com:*` keys, so every trust-policy request comes back denied and
 * a test built on it proves nothing. `runUnsafeSimulation` evaluates the keys as given, provided the
 * trust policy is passed pre-validated with `createValidatedPolicy(policy, validateTrustPolicy)`;
 * we check the validation errors ourselves and every suite starts from a case that must be ALLOWED.
 */
import { runUnsafeSimulation, type EvaluationResult } from "@cloud-copilot/iam-simulate";
import {
  createValidatedPolicy,
  validateIdentityPolicy,
  validateResourcePolicy,
  validateTrustPolicy,
} from "@cloud-copilot/iam-policy";
import { GITHUB_CLAIM, type PolicyDocument } from "../../core/aws/iam";

export const ACCOUNT = "123456789012";
export const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;

/** Throws unless the document passes the library's validator for its policy type. */
export function assertValid(
  kind: "trust" | "identity" | "resource",
  document: PolicyDocument,
): PolicyDocument {
  const validate = {
    trust: validateTrustPolicy,
    identity: validateIdentityPolicy,
    resource: validateResourcePolicy,
  }[kind];
  const errors = validate(document);
  if (errors.length > 0) throw new Error(`invalid ${kind} policy: ${JSON.stringify(errors)}`);
  return document;
}

/** Claims of a GitHub OIDC token, as STS exposes them to the trust policy (only those given). */
export interface Claims {
  sub?: string;
  aud?: string;
  repositoryId?: string;
  jobWorkflowRef?: string;
}

/** Evaluates `sts:AssumeRoleWithWebIdentity` of `roleArn` by a GitHub token with `claims`. */
export function assumeWithToken(trust: PolicyDocument, roleArn: string, claims: Claims): EvaluationResult {
  const context: Record<string, string> = {};
  if (claims.sub !== undefined) context[GITHUB_CLAIM.sub] = claims.sub;
  if (claims.aud !== undefined) context[GITHUB_CLAIM.aud] = claims.aud;
  if (claims.repositoryId !== undefined) context[GITHUB_CLAIM.repositoryId] = claims.repositoryId;
  if (claims.jobWorkflowRef !== undefined) context[GITHUB_CLAIM.jobWorkflowRef] = claims.jobWorkflowRef;
  return runUnsafeSimulation(
    {
      request: {
        principal: PROVIDER_ARN,
        action: "sts:AssumeRoleWithWebIdentity",
        resource: { resource: roleArn, accountId: ACCOUNT },
        contextVariables: context,
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: createValidatedPolicy(assertValid("trust", trust), validateTrustPolicy, {
        name: "trust",
      }),
    },
    {},
  );
}

/** A request by a role session (or user), evaluated against identity and optional resource policies. */
export interface Call {
  /** The caller's ARN: an assumed-role session or a user. */
  principal: string;
  /** The caller's `aws:PrincipalArn` (the role ARN for a role session). */
  principalArn: string;
  identity: PolicyDocument[];
  action: string;
  resource: string;
  resourcePolicy?: PolicyDocument;
  context?: Record<string, string>;
}

export function evaluate(call: Call): EvaluationResult {
  return runUnsafeSimulation(
    {
      request: {
        principal: call.principal,
        action: call.action,
        resource: { resource: call.resource, accountId: ACCOUNT },
        contextVariables: { "aws:PrincipalArn": call.principalArn, ...call.context },
      },
      identityPolicies: call.identity.map((policy, i) => ({
        name: `identity-${i}`,
        policy: assertValid("identity", policy),
      })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(call.resourcePolicy === undefined
        ? {}
        : {
            resourcePolicy: createValidatedPolicy(
              assertValid("resource", call.resourcePolicy),
              validateResourcePolicy,
              {
                name: "resource",
              },
            ),
          }),
    },
    {},
  );
}

/** What AdministratorAccess grants, for showing that explicit denies still hold. */
export const ADMINISTRATOR_ACCESS: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [{ Sid: "Admin", Effect: "Allow", Action: "*", Resource: "*" }],
};
