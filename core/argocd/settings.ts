/** `gitops-bootstrap:argocd`: how Argo CD is installed and how the root app of apps behaves. */
import { z } from "zod";
import { HOSTNAME } from "../shared/names";
import { releaseSettingsSchema } from "../shared/release";
import { selfManagementSchema } from "../shared/self-management";
import { annotations } from "../shared/schema";
import { bool, count, label } from "../shared/settings-schema";
import { ACCOUNT_CAPABILITIES, TLS_TERMINATIONS, type ArgoCdSettings } from "./argocd";
import { IN_CLUSTER_SERVER } from "./sync";
import { retry } from "../catalog/argocd-application";
import { ignoreDifference } from "../catalog/catalog";

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
      .enum(TLS_TERMINATIONS, {
        error:
          'must be "ingress" (what serves the UI ends TLS and speaks HTTP to argocd-server), "reencrypt" (it ends TLS and speaks HTTPS to argocd-server) or "server" (TLS passes through to argocd-server)',
      })
      .default("ingress"),
    ingress: z
      .object({
        enabled: bool().default(true),
        className: z.string().min(1).optional(),
        annotations: z._default(annotations(), {}),
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
    admin: z.object({ enabled: bool().optional() }).strict().prefault({}),
    exec: z
      .object({ enabled: bool().default(false) })
      .strict()
      .prefault({}),
    accounts: z
      .record(
        label().refine((name) => name !== "admin", {
          error: "is Argo CD's built-in admin user, not a local account: use argocd.admin.enabled",
        }),
        z
          .object({
            capabilities: z
              .array(z.enum(ACCOUNT_CAPABILITIES, { error: 'each must be "apiKey" or "login"' }))
              .min(1, { error: 'must list "apiKey", "login" or both' })
              .default(["login"]),
            enabled: bool().default(true),
          })
          .strict(),
        // zod reports a bad key as "Invalid key in record"; say what is wrong with it instead.
        { error: (issue) => (issue.code === "invalid_key" ? issue.issues[0]?.message : undefined) },
      )
      .default({}),
    values: z
      .record(z.string(), z.unknown(), { error: "must be a map of the argo-cd chart's values" })
      .default({}),
    release: releaseSettingsSchema,
    selfManagement: selfManagementSchema("argocd").optional(),
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
        // Issue #11: what seed 004's and seed 001's roots set.
        resourcesFinalizer: bool().default(false),
        retry: z.optional(retry),
        ignoreDifferences: z.array(ignoreDifference).default([]),
        // Unset: the server-side three (core/argocd/sync.ts); a list you write replaces them.
        syncOptions: z
          .array(
            z.string().regex(/^[A-Za-z]+=\S+$/, {
              error: "must be an Argo CD sync option such as ServerSideApply=true",
            }),
          )
          .optional(),
      })
      .strict()
      .prefault({}),
    appsProject: z
      .object({
        enabled: bool().default(true),
        name: label().default("apps"),
        sourceRepos: z.array(z.string().min(1, { error: "entries must not be empty" })).default([]),
        destinations: z
          .array(
            z
              .object({
                server: z.string().min(1).default(IN_CLUSTER_SERVER),
                namespace: z
                  .string({ error: 'is required: a namespace, a glob such as "*", or "!name" to deny one' })
                  .min(1),
              })
              .strict(),
          )
          .min(1, {
            error: "must list at least one destination; set argocd.appsProject.enabled: false to make none",
          })
          .default([{ server: IN_CLUSTER_SERVER, namespace: "*" }]),
        clusterResources: bool().default(true),
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
    // The chart's own Ingress talks plain HTTP to its backend unless an annotation says otherwise;
    // an ingress made elsewhere (IngressRoute, HTTPRoute, a tunnel) is the user's to configure.
    const chartIngress = argocd.ingress.enabled && argocd.hostname !== undefined;
    if (
      chartIngress &&
      argocd.tlsTermination !== "ingress" &&
      Object.keys(argocd.ingress.annotations).length === 0
    ) {
      const needs =
        argocd.tlsTermination === "server"
          ? 'pass TLS through to argocd-server (e.g. nginx.ingress.kubernetes.io/ssl-passthrough: "true")'
          : 'speak HTTPS to argocd-server (e.g. nginx.ingress.kubernetes.io/backend-protocol: "HTTPS", or your controller\'s backend-protocol annotation)';
      ctx.addIssue({
        code: "custom",
        path: ["ingress", "annotations"],
        message: `are empty, but tlsTermination is "${argocd.tlsTermination}": the chart's ingress must ${needs}; add it, or use tlsTermination: ingress`,
      });
    }
    if (argocd.appsProject.enabled && argocd.appsProject.name === "default") {
      ctx.addIssue({
        code: "custom",
        path: ["appsProject", "name"],
        message:
          'must not be "default": that is Argo CD\'s own project, which Argo CD creates; choose another name such as apps, or set appsProject.enabled: false',
      });
    }
    if (argocd.appsProject.enabled && argocd.appsProject.name === argocd.root.project) {
      ctx.addIssue({
        code: "custom",
        path: ["appsProject", "name"],
        message: `is ${argocd.appsProject.name}, the same as argocd.root.project: the root app's project may create only Argo CD objects in Argo CD's namespace, the apps' project what the apps need; give them different names`,
      });
    }
  });

// Compile-time proof that the schema produces what the pure builders take.
const _argocdFits = (c: z.output<typeof argoCdSettingsSchema>): Omit<ArgoCdSettings, "oidc"> => c;
void _argocdFits;
