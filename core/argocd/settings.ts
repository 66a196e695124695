/** `gitops-bootstrap:argocd`: how Argo CD is installed and how the root app of apps behaves. */
import { z } from "zod";
import { HOSTNAME } from "../shared/names";
import { annotations, bool, count, label } from "../shared/schema";
import type { ArgoCdSettings } from "./argocd";

const oidcSchema = z
  .object({
    name: z.string().min(1).default("SSO"),
    issuer: z.url({ protocol: /^https$/, error: "must be an https URL such as https://auth.example.com" }),
    clientId: z.string({ error: "is required: the OIDC client ID registered for Argo CD" }).min(1),
    requestedScopes: z
      .array(z.string().min(1))
      .min(1, { error: "must list at least openid" })
      .default(["openid", "profile", "email", "groups"]),
  })
  .strict();

export const argoCdSettingsSchema = z
  .object({
    namespace: label().default("argocd"),
    hostname: z
      .string()
      .regex(HOSTNAME, { error: "must be a DNS name such as argocd.home.example.com (no scheme, no path)" })
      .optional(),
    tlsTermination: z
      .enum(["ingress", "server"], {
        error: 'must be "ingress" (the ingress terminates TLS) or "server" (argocd-server serves TLS itself)',
      })
      .default("ingress"),
    ingress: z
      .object({
        enabled: bool().default(true),
        className: z.string().min(1).optional(),
        annotations: annotations().default({}),
      })
      .strict()
      .prefault({}),
    oidc: oidcSchema.optional(),
    rbac: z
      .object({
        defaultRole: z.string().min(1).default("role:readonly"),
        adminGroups: z.array(z.string().min(1)).default([]),
        adminUsers: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .prefault({}),
    replicas: z
      .object({
        server: count(1, 10).default(1),
        repoServer: count(1, 10).default(1),
        controller: count(1, 10).default(1),
        applicationSet: count(1, 10).default(1),
      })
      .strict()
      .prefault({}),
    root: z
      .object({
        name: label().default("bootstrap"),
        project: label().default("bootstrap"),
        selfHeal: bool().default(false),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((argocd, ctx) => {
    if (argocd.oidc !== undefined && argocd.hostname === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["hostname"],
        message:
          "is required when argocd.oidc is set: the identity provider redirects back to https://<hostname>/auth/callback",
      });
    }
    const ingressUp = argocd.ingress.enabled && argocd.hostname !== undefined;
    if (
      ingressUp &&
      argocd.tlsTermination === "server" &&
      Object.keys(argocd.ingress.annotations).length === 0
    ) {
      ctx.addIssue({
        code: "custom",
        path: ["ingress", "annotations"],
        message:
          'are empty, but tlsTermination is "server": the ingress must pass TLS through or speak HTTPS to argocd-server (e.g. nginx.ingress.kubernetes.io/ssl-passthrough: "true", or your controller\'s backend-protocol HTTPS annotation); add it, or use tlsTermination: ingress',
      });
    }
    if (argocd.root.project === "default") {
      ctx.addIssue({
        code: "custom",
        path: ["root", "project"],
        message:
          'must not be "default": the root app gets its own narrowly scoped AppProject; choose another name such as bootstrap',
      });
    }
  });

// Compile-time proof that the schema produces what the pure builders take.
const _argocdFits = (c: z.output<typeof argoCdSettingsSchema>): Omit<ArgoCdSettings, "oidc"> => c;
void _argocdFits;
