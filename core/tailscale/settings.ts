/**
 * The `gitops-bootstrap:tailscale` stack setting: zod schema and its parsed type. The lead composes
 * {@link tailscaleSettingsSchema} into the stack schema.
 */
import { z } from "zod";
import { plainIssueText } from "../shared/schema";
import { bool, checkedString, onOff } from "../shared/settings-schema";
import { formatIssues } from "../github/settings";
import { MAX_AUTH_KEY_EXPIRY_DAYS, tailscaleTagProblem } from "./tailscale";
import { kubernetesGroupProblem, rbacNameProblem } from "./ci-access";

/** The stack config key this schema validates. */
export const TAILSCALE_CONFIG_KEY = "gitops-bootstrap:tailscale";

const tag = checkedString(tailscaleTagProblem);
const tags = (example: string) =>
  z.array(tag).min(1, { error: `must list at least one tag (e.g. "${example}")` });

const apiServerSchema = z.strictObject({
  /** Tags of the node serving the cluster API (the Tailscale operator's API proxy by default). */
  tags: tags("tag:k8s-operator").default(["tag:k8s-operator"]),
  /** TCP ports CI reaches the API server on. */
  ports: z
    .array(z.int().min(1).max(65535, { error: "must be a TCP port from 1 to 65535" }))
    .min(1, { error: "must list at least one port (e.g. 443)" })
    .default([443]),
});

/** The defaults of both identities, stated once (the docs and tests read them from here). */
export const CI_IDENTITY_DEFAULTS = {
  preview: {
    tags: ["tag:ci-preview"],
    group: "gitops-bootstrap:ci-preview",
    name: "gitops-bootstrap-ci-preview",
  },
  deploy: {
    tags: ["tag:ci-deploy"],
    group: "gitops-bootstrap:ci-deploy",
    name: "gitops-bootstrap-ci-deploy",
    clusterRole: "cluster-admin",
  },
} as const;

const identity = <R extends "preview" | "deploy">(role: R) => ({
  /** Tags the CI node of this identity joins with; every one must start with `tag:`. */
  tags: tags(CI_IDENTITY_DEFAULTS[role].tags[0]).default([...CI_IDENTITY_DEFAULTS[role].tags]),
  /** The Kubernetes group its grant impersonates and its bindings name. */
  group: checkedString(kubernetesGroupProblem).default(CI_IDENTITY_DEFAULTS[role].group),
  /** metadata.name of its RBAC objects. */
  name: checkedString(rbacNameProblem).default(CI_IDENTITY_DEFAULTS[role].name),
});

const ciSchema = z
  .strictObject({
    /** Create the RBAC for the two groups when CI reaches this cluster over Tailscale. */
    rbac: bool().default(true),
    preview: z
      .strictObject({
        ...identity("preview"),
        /** Let the preview identity read the engine namespace's Secrets (`pulumi preview --refresh`). */
        readSecrets: bool().default(false),
      })
      .prefault({}),
    deploy: z
      .strictObject({
        ...identity("deploy"),
        /** The existing ClusterRole bound to the deploy group. */
        clusterRole: checkedString(rbacNameProblem).default(CI_IDENTITY_DEFAULTS.deploy.clusterRole),
      })
      .prefault({}),
  })
  .superRefine((ci, ctx) => {
    // One node with both identities' tags would get both grants: the identities must not overlap.
    for (const shared of ci.preview.tags.filter((t) => ci.deploy.tags.includes(t))) {
      ctx.addIssue({
        code: "custom",
        path: ["deploy", "tags"],
        message: `${JSON.stringify(shared)} is also a preview tag: a node with it would get both identities' grants; give each identity its own tags`,
      });
    }
    if (ci.preview.group === ci.deploy.group) {
      ctx.addIssue({
        code: "custom",
        path: ["deploy", "group"],
        message: `is the preview group too (${JSON.stringify(ci.preview.group)}): the preview identity would get the deploy rights; give each identity its own group`,
      });
    }
    if (ci.preview.name === ci.deploy.name) {
      ctx.addIssue({
        code: "custom",
        path: ["deploy", "name"],
        message: `is the preview name too (${JSON.stringify(ci.preview.name)}): both ClusterRoleBindings would be one object; give each identity its own name`,
      });
    }
  });

/** A key of the credentials, which exist only with `enabled: true`. */
function credentialsOnly() {
  return z
    .never({
      error:
        "applies only with enabled: true (this stack creating CI's tailnet credentials); remove it, or set enabled: true",
    })
    .optional();
}

/** Settings of both branches: what CI's identities are, on the tailnet and in the cluster. */
const shared = {
  /** Where CI connects to: the destination of the grants. */
  apiServer: apiServerSchema.prefault({}),
  /** Who may own the CI tags in the tailnet policy. */
  tagOwners: z.array(z.string().min(1)).default(["autogroup:admin"]),
  /** CI's two identities (preview and deploy): tags, Kubernetes groups and RBAC. */
  ci: ciSchema.prefault({}),
  /** Replaced by ci.preview.tags and ci.deploy.tags; refused with the way out. */
  tags: z
    .never({
      error:
        "was replaced by ci.preview.tags and ci.deploy.tags: CI previews and deploys as two tailnet identities (defaults tag:ci-preview and tag:ci-deploy); move the tags there (docs/github-tailscale.md)",
    })
    .optional(),
};

/** `gitops-bootstrap:tailscale` when the stack creates CI's tailnet credentials. */
export const tailscaleEnabledSchema = z.strictObject({
  enabled: z.literal(true),
  /**
   * `oauth`: an OAuth client per identity with the `auth_keys` scope; tailscale/github-action mints
   * a key per run (recommended, nothing expires). `authkey`: one reusable, ephemeral,
   * pre-authorized auth key per identity.
   */
  mode: z.enum(["oauth", "authkey"], { error: "must be oauth or authkey" }).default("oauth"),
  /** Days until the auth keys expire (mode authkey); `pulumi up` makes new ones once they have. */
  authKeyExpiryDays: z
    .int({ error: `must be a whole number of days from 1 to ${MAX_AUTH_KEY_EXPIRY_DAYS}` })
    .min(1, { error: `must be a whole number of days from 1 to ${MAX_AUTH_KEY_EXPIRY_DAYS}` })
    .max(MAX_AUTH_KEY_EXPIRY_DAYS, {
      error: `must be at most ${MAX_AUTH_KEY_EXPIRY_DAYS} days, Tailscale's limit`,
    })
    .default(30),
  ...shared,
});

/**
 * `gitops-bootstrap:tailscale` when another stack (or a human) creates the credentials. The
 * identities still matter here: a cluster reached through `kubernetes.tailscaleHost` gets the RBAC
 * for their groups either way.
 */
export const tailscaleDisabledSchema = z.strictObject({
  enabled: z.literal(false),
  ...shared,
  mode: credentialsOnly(),
  authKeyExpiryDays: credentialsOnly(),
});

/** `gitops-bootstrap:tailscale`: `{ enabled: false }` or the full settings. */
export const tailscaleSettingsSchema = onOff(tailscaleEnabledSchema, tailscaleDisabledSchema);

export type TailscaleSettings = z.output<typeof tailscaleSettingsSchema>;
export type TailscaleEnabledSettings = z.output<typeof tailscaleEnabledSchema>;
export type CiIdentitiesSettings = z.output<typeof ciSchema>;

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
