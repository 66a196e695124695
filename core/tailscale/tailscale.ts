/**
 * Tailscale facts for CI access to the cluster's API server. Pure: no Pulumi import.
 *
 * CI joins the tailnet as an ephemeral node tagged `tag:ci` (by default), either through an OAuth
 * client (recommended: nothing expires) or through a reusable, ephemeral, pre-authorized auth key
 * with an expiry. The tailnet policy must let `tag:ci` reach the API server: {@link aclFragment}.
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
 * A description naming the stack, so the admin console shows which cluster a credential belongs to.
 * Tailscale documents descriptions as alphanumeric (at most 50 characters): everything else becomes
 * a space.
 */
export function credentialDescription(stack: string): string {
  return `gitops bootstrap ${stack} ci`.replace(/[^A-Za-z0-9 ]/g, " ").slice(0, 50);
}

/** The part of the tailnet policy file (HuJSON) that CI access needs. */
export interface AclFragment {
  readonly tagOwners: Record<string, string[]>;
  readonly grants: Array<{ src: string[]; dst: string[]; ip: string[] }>;
}

/**
 * The policy fragment to merge into the tailnet policy file: who may own the CI tags, and a grant
 * from the CI tags to the API server's tags on the API ports. The stack does not manage the policy
 * file (it is tailnet-wide and usually hand-edited); docs/github-tailscale.md shows this fragment.
 */
export function aclFragment(settings: {
  ciTags: readonly string[];
  apiServerTags: readonly string[];
  apiServerPorts: readonly number[];
  tagOwners?: readonly string[];
}): AclFragment {
  const owners = [...(settings.tagOwners ?? ["autogroup:admin"])];
  const tagOwners: Record<string, string[]> = {};
  for (const tag of settings.ciTags) tagOwners[tag] = owners;
  return {
    tagOwners,
    grants: [
      {
        src: [...settings.ciTags],
        dst: [...settings.apiServerTags],
        ip: settings.apiServerPorts.map((port) => `tcp:${port}`),
      },
    ],
  };
}
