/**
 * `gitops-bootstrap:hub`: hub and spoke (the GitOps Bridge pattern). A spoke cluster stack makes
 * the identity a hub's Argo CD uses on it (`spoke`); a hub cluster stack registers its spokes with
 * its Argo CD, one cluster Secret each, from the spokes' stack outputs (`spokes`). docs/hub-and-spoke.md.
 */
import { z } from "zod";
import { excerpt } from "../shared/messages";
import { annotations, labels } from "../shared/schema";
import { checkedString, label } from "../shared/settings-schema";
import { labelKeyProblem } from "../shared/names";
import { tailscaleTagProblem } from "../tailscale/tailscale";
import { kubernetesGroupProblem, rbacNameProblem } from "../tailscale/ci-access";

/** The stack config key of these settings. */
export const HUB_CONFIG_KEY = "gitops-bootstrap:hub";

/**
 * The defaults, stated once. The ServiceAccount is the one `argocd cluster add` makes (argo-cd
 * util/clusterauth/clusterauth.go ArgoCDManagerServiceAccount, in kube-system), so a spoke looks
 * the same whichever way it was registered; cluster-admin is what that command's ClusterRole
 * amounts to (`*` on every resource and non-resource URL): Argo CD applies whatever the apps hold.
 */
export const SPOKE_DEFAULTS = {
  access: "token",
  serviceAccount: { name: "argocd-manager", namespace: "kube-system" },
  clusterRole: "cluster-admin",
  tailscale: { group: "gitops-bootstrap:argocd-hub", hubTags: ["tag:argocd-hub"] },
} as const;

/** Label keys the hub writes itself on every cluster Secret (GitOps Bridge's, and Argo CD's). */
export const COMPUTED_LABELS = ["argocd.argoproj.io/secret-type", "cluster_name", "environment"] as const;

/** Annotation keys the hub writes itself (GitOps Bridge's names). */
export const COMPUTED_ANNOTATIONS = [
  "cluster_name",
  "environment",
  "addons_repo_url",
  "addons_repo_basepath",
  "addons_repo_path",
  "addons_repo_revision",
] as const;

/** An add-on name: `enable_<name>` must be a label key, as GitOps Bridge's selectors read it. */
function addonProblem(name: string): string | undefined {
  if (name.startsWith("enable_"))
    return `${excerpt(name)} starts with enable_, which the label gets anyway; write ${excerpt(name.slice(7))}`;
  const problem = labelKeyProblem(`enable_${name}`);
  return problem === undefined ? undefined : `enable_${name} is not a label key: it ${problem}`;
}

const httpsUrl = z.url({
  protocol: /^https$/,
  error: "must be the API server's https URL as the hub reaches it, such as https://spoke-a.example.com:6443",
});

const spokeSchema = z
  .strictObject({
    /** Argo CD's name for this cluster (the cluster generator's `.name`). Defaults to the stack name. */
    name: label().optional(),
    /**
     * How the hub's Argo CD signs in: `token` (a ServiceAccount's bound token; the hub needs the
     * API server's URL and CA) or `tailscale` (the spoke's Tailscale API server proxy, which
     * impersonates the hub's tailnet identity: no token leaves the spoke).
     */
    access: z
      .enum(["token", "tailscale"], { error: "must be token or tailscale" })
      .default(SPOKE_DEFAULTS.access),
    /** The API server's URL as the hub reaches it. Defaults (tailscale) to https://<kubernetes.tailscaleHost>. */
    server: httpsUrl.optional(),
    /** The `environment` label and annotation. Defaults to none (no environment is invented). */
    environment: label().optional(),
    /** Add-ons enabled on this cluster: each becomes the label `enable_<name>: "true"`. Defaults to []. */
    addons: z.array(checkedString(addonProblem)).default([]),
    /** More labels on the cluster Secret (ApplicationSet cluster generators select on them). Defaults to {}. */
    labels: z._default(labels(), {}),
    /** More annotations on the cluster Secret (`{{.metadata.annotations.<key>}}` in templates). Defaults to {}. */
    annotations: z._default(annotations(), {}),
    /** token: the ServiceAccount the token belongs to. */
    serviceAccount: z
      .strictObject({
        name: label().default(SPOKE_DEFAULTS.serviceAccount.name),
        namespace: label().default(SPOKE_DEFAULTS.serviceAccount.namespace),
      })
      .prefault({}),
    /** The existing ClusterRole bound to the hub's identity. Defaults to cluster-admin. */
    clusterRole: checkedString(rbacNameProblem).default(SPOKE_DEFAULTS.clusterRole),
    /** tailscale: the Kubernetes group the proxy impersonates and the hub's tailnet tags. */
    tailscale: z
      .strictObject({
        group: checkedString(kubernetesGroupProblem).default(SPOKE_DEFAULTS.tailscale.group),
        hubTags: z
          .array(checkedString(tailscaleTagProblem))
          .min(1, { error: 'must list at least one tag (e.g. "tag:argocd-hub")' })
          .default([...SPOKE_DEFAULTS.tailscale.hubTags]),
      })
      .prefault({}),
  })
  .superRefine((spoke, ctx) => {
    for (const key of Object.keys(spoke.labels)) {
      if ((COMPUTED_LABELS as readonly string[]).includes(key) || key.startsWith("enable_")) {
        ctx.addIssue({
          code: "custom",
          path: ["labels", key],
          message: `is written by the hub (${key.startsWith("enable_") ? "from addons" : "from name and environment"}); set it there instead`,
        });
      }
    }
    for (const key of Object.keys(spoke.annotations)) {
      if ((COMPUTED_ANNOTATIONS as readonly string[]).includes(key)) {
        ctx.addIssue({
          code: "custom",
          path: ["annotations", key],
          message: key.startsWith("addons_repo_")
            ? "is written by the hub from its hub.addonsRepo; set it in the hub stack"
            : "is written by the hub from name and environment; set it there instead",
        });
      }
    }
    if (spoke.access === "token" && spoke.server === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["server"],
        message:
          "is required with access: token: the API server's https URL as the hub reaches it (the kubeconfig's address is often one only this machine can reach)",
      });
    }
  });

/** `org/project/stack` (or `stack`), the name `pulumi.StackReference` takes. */
const STACK_NAME = /^(?:[A-Za-z0-9_.-]+\/){0,2}[A-Za-z0-9_.-]+$/;

const hubSpokeSchema = z.strictObject({
  /** The spoke's stack, as StackReference names it: org/project/stack (or the stack alone on a DIY backend). */
  stack: z
    .string({ error: "is required: the spoke's stack, such as acme/gitops-bootstrap/spoke-a" })
    .regex(STACK_NAME, { error: "must be a stack name such as acme/gitops-bootstrap/spoke-a" }),
  /** metadata.name of the cluster Secret. Defaults to cluster-<the stack's last segment>. */
  secretName: label().optional(),
});

const addonsRepoSchema = z
  .strictObject({
    /** `addons_repo_url`. Defaults to repo.url. */
    url: z.string().min(1).optional(),
    /** `addons_repo_basepath`. Defaults to "" (GitOps Bridge's default). */
    basepath: z.string().default(""),
    /** `addons_repo_path`. Defaults to repo.path. */
    path: z.string().min(1).optional(),
    /** `addons_repo_revision`. Defaults to repo.revision. */
    revision: z.string().min(1).optional(),
  })
  .prefault({});

/** Settings of the other access mode would be ignored: refused instead, naming the key. */
const spokeWithAccess = z.preprocess((value, ctx) => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const raw = value as Record<string, unknown>;
  const tailscale = raw.access === "tailscale";
  const unused = tailscale ? "serviceAccount" : "tailscale";
  if (raw[unused] !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: [unused],
      input: raw[unused],
      message: tailscale
        ? "applies only with access: token (with tailscale no ServiceAccount exists); remove it"
        : "applies only with access: tailscale; remove it, or set access: tailscale",
    });
  }
  return value;
}, spokeSchema);

export const hubSettingsSchema = z
  .strictObject({
    /** This cluster is a spoke: make the identity the hub's Argo CD uses here. Defaults to off. */
    spoke: spokeWithAccess.optional(),
    /** This cluster is a hub: one Argo CD cluster Secret per spoke stack. Defaults to []. */
    spokes: z.array(hubSpokeSchema).default([]),
    /** The GitOps Bridge `addons_repo_*` annotations the hub writes on every cluster Secret. */
    addonsRepo: addonsRepoSchema,
  })
  .superRefine((hub, ctx) => {
    const names = new Map<string, number>();
    hub.spokes.forEach((spoke, index) => {
      const name = spokeSecretName(spoke);
      const first = names.get(name);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["spokes", index, "secretName"],
          message: `is ${name}, the same Secret as spokes.${first}; give one of them its own secretName`,
        });
      } else names.set(name, index);
    });
    const stacks = hub.spokes.map((s) => s.stack);
    stacks.forEach((stack, index) => {
      if (stacks.indexOf(stack) !== index) {
        ctx.addIssue({
          code: "custom",
          path: ["spokes", index, "stack"],
          message: `names ${stack} a second time; list each spoke once`,
        });
      }
    });
  });

export type HubSettings = z.output<typeof hubSettingsSchema>;
export type SpokeSettings = z.output<typeof spokeSchema>;
export type HubSpokeEntry = z.output<typeof hubSpokeSchema>;

/** The last segment of a stack name, made an RFC 1123 label (lower case, `_` and `.` as `-`). */
export function stackSlug(stack: string): string {
  const last = stack.split("/").pop() ?? stack;
  return (
    last
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 55) || "spoke"
  );
}

/** The cluster Secret's name: the one written, else cluster-<stack slug>. */
export function spokeSecretName(entry: Pick<HubSpokeEntry, "stack" | "secretName">): string {
  return entry.secretName ?? `cluster-${stackSlug(entry.stack)}`;
}
