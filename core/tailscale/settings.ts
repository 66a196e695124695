/**
 * The `gitops-bootstrap:tailscale` stack setting: zod schema and its parsed type. The lead composes
 * {@link tailscaleSettingsSchema} into the stack schema.
 */
import { z } from "zod";
import { checkedString, onOff, plainIssueText } from "../shared/schema";
import { formatIssues } from "../github/settings";
import { MAX_AUTH_KEY_EXPIRY_DAYS, tailscaleTagProblem } from "./tailscale";

/** The stack config key this schema validates. */
export const TAILSCALE_CONFIG_KEY = "gitops-bootstrap:tailscale";

const tag = checkedString(tailscaleTagProblem);

const apiServerSchema = z.strictObject({
  /** Tags of the node serving the cluster API (the Tailscale operator's API proxy by default). */
  tags: z
    .array(tag)
    .min(1, { error: 'must list at least one tag (e.g. "tag:k8s-operator")' })
    .default(["tag:k8s-operator"]),
  /** TCP ports CI reaches the API server on. */
  ports: z
    .array(z.int().min(1).max(65535, { error: "must be a TCP port from 1 to 65535" }))
    .min(1, { error: "must list at least one port (e.g. 443)" })
    .default([443]),
});

/** `gitops-bootstrap:tailscale` when it is on. */
export const tailscaleEnabledSchema = z.strictObject({
  enabled: z.literal(true),
  /**
   * `oauth`: an OAuth client with the `auth_keys` scope; tailscale/github-action mints a key per run
   * (recommended, nothing expires). `authkey`: one reusable, ephemeral, pre-authorized auth key.
   */
  mode: z.enum(["oauth", "authkey"], { error: "must be oauth or authkey" }).default("oauth"),
  /** Tags the CI node joins with; every one must start with `tag:`. */
  tags: z.array(tag).min(1, { error: 'must list at least one tag (e.g. "tag:ci")' }).default(["tag:ci"]),
  /** Days until the auth key expires (mode authkey); `pulumi up` makes a new one once it has. */
  authKeyExpiryDays: z
    .int({ error: `must be a whole number of days from 1 to ${MAX_AUTH_KEY_EXPIRY_DAYS}` })
    .min(1, { error: `must be a whole number of days from 1 to ${MAX_AUTH_KEY_EXPIRY_DAYS}` })
    .max(MAX_AUTH_KEY_EXPIRY_DAYS, {
      error: `must be at most ${MAX_AUTH_KEY_EXPIRY_DAYS} days, Tailscale's limit`,
    })
    .default(30),
  /** Where CI connects to; only used for the documented ACL fragment (`aclFragment`). */
  apiServer: apiServerSchema.prefault({}),
  /** Who may own the CI tags in the tailnet policy. */
  tagOwners: z.array(z.string().min(1)).default(["autogroup:admin"]),
});

/** `gitops-bootstrap:tailscale`: `{ enabled: false }` or the full settings. */
export const tailscaleSettingsSchema = onOff(tailscaleEnabledSchema);

export type TailscaleSettings = z.output<typeof tailscaleSettingsSchema>;
export type TailscaleEnabledSettings = z.output<typeof tailscaleEnabledSchema>;

/** Parses `gitops-bootstrap:tailscale`, throwing one error that lists every problem. */
export function parseTailscaleSettings(raw: unknown): TailscaleSettings {
  const result = tailscaleSettingsSchema.safeParse(raw, { error: plainIssueText });
  if (!result.success) {
    throw new Error(
      `invalid stack config:\n  ${formatIssues(TAILSCALE_CONFIG_KEY, result.error.issues, tailscaleSettingsSchema).join("\n  ")}`,
    );
  }
  return result.data;
}
