/**
 * Tailscale facts for CI access to the cluster's API server. Pure: no Pulumi import.
 *
 * CI joins the tailnet as an ephemeral node of one of two identities, `tag:ci-preview` for
 * `pulumi preview` and `tag:ci-deploy` for `pulumi up` (by default), each through its own OAuth
 * client (recommended: nothing expires) or its own reusable, ephemeral, pre-authorized auth key
 * with an expiry. The tailnet policy and the cluster's RBAC for them: ./ci-access.ts.
 */

/** A Tailscale ACL tag: `tag:` then a letter, then letters, digits or '-'. */
export const TAILSCALE_TAG = /^tag:[A-Za-z][A-Za-z0-9-]*$/;

/** Why `value` is not a Tailscale tag, or undefined when it is one. */
export function tailscaleTagProblem(value: string): string | undefined {
  if (!value.startsWith("tag:")) {
    return `"${value}" must start with "tag:" (e.g. "tag:${value.replace(/[^A-Za-z0-9-]/g, "") || "ci"}")`;
  }
  if (!TAILSCALE_TAG.test(value)) {
    return `"${value}" is not a Tailscale tag: after "tag:" use a letter, then letters, digits or '-'`;
  }
  return undefined;
}

/** The OAuth scope tailscale/github-action needs: it mints an auth key for the runner. */
export const CI_OAUTH_SCOPES: readonly string[] = ["auth_keys"];

/** The longest expiry Tailscale allows for an auth key: 90 days. */
export const MAX_AUTH_KEY_EXPIRY_DAYS = 90;

/** Auth key expiry in seconds, the unit `tailscale.TailnetKey.expiry` takes. */
export function authKeyExpirySeconds(days: number): number {
  if (!Number.isInteger(days) || days < 1 || days > MAX_AUTH_KEY_EXPIRY_DAYS) {
    throw new Error(
      `auth key expiry must be a whole number of days from 1 to ${MAX_AUTH_KEY_EXPIRY_DAYS}, got ${days}`,
    );
  }
  return days * 24 * 60 * 60;
}

/**
 * A description naming the identity and the stack, so the admin console shows which cluster and
 * which CI job a credential belongs to. Tailscale documents descriptions as alphanumeric (at most
 * 50 characters): everything else becomes a space; the role comes first so truncation keeps it.
 */
export function credentialDescription(stack: string, role: "preview" | "deploy"): string {
  return `ci ${role} gitops bootstrap ${stack}`.replace(/[^A-Za-z0-9 ]/g, " ").slice(0, 50);
}

/**
 * CI's tailnet credentials as the GitHub part writes them: one per identity, so the preview job
 * (which runs a pull request's code) can never join the tailnet as the deploy identity. Generic
 * over the value type: the component passes Pulumi outputs, tests pass strings.
 */
export type TailscaleCiCredentials<T> =
  | {
      readonly mode: "oauth";
      readonly preview: { readonly clientId: T; readonly clientSecret: T; readonly tags: readonly string[] };
      readonly deploy: { readonly clientId: T; readonly clientSecret: T; readonly tags: readonly string[] };
    }
  | {
      readonly mode: "authkey";
      readonly preview: { readonly authKey: T };
      readonly deploy: { readonly authKey: T };
    };
