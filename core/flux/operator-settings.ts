/**
 * `gitops-bootstrap:fluxOperator`: how the Flux Operator and its FluxInstance are installed, and how
 * the root Kustomization the instance syncs behaves (docs/engines.md, "Flux Operator").
 */
import { z } from "zod";
import { releaseSettingsSchema } from "../shared/release";
import { selfManagementSchema } from "../shared/self-management";
import { duration, kustomizePatchTarget } from "../shared/schema";
import { bool, label } from "../shared/settings-schema";
import { EXACT_CHART_VERSION, FLUX_DISTRIBUTION } from "../shared/versions";
import type { FluxOperatorSettings } from "./operator";
import { rootReconcileSettings } from "./settings";

/** The controllers a FluxInstance may install (FluxInstance CRD v1, `spec.components` enum). */
export const FLUX_COMPONENTS = [
  "source-controller",
  "kustomize-controller",
  "helm-controller",
  "notification-controller",
  "image-reflector-controller",
  "image-automation-controller",
  "source-watcher",
] as const;

/** Flux's default set, as `flux install` and our flux engine run it: no image automation. */
export const DEFAULT_FLUX_COMPONENTS = [
  "source-controller",
  "kustomize-controller",
  "helm-controller",
  "notification-controller",
] as const;

/** An x-range the operator accepts for `distribution.version`: it then upgrades Flux on its own. */
const FLUX_VERSION_RANGE = /^\d+\.(x|\d+\.x)$/;

const values = (chart: string) =>
  z.record(z.string(), z.unknown(), { error: `must be a map of the ${chart} chart's values` }).default({});

/** One of the FluxInstance's kustomize patches (`spec.kustomize.patches[]`). */
const patchSchema = z
  .object({
    patch: z
      .string({ error: "must be a string: a strategic merge patch or a JSON6902 patch as YAML" })
      .min(1),
    target: z.optional(kustomizePatchTarget()),
  })
  .strict();

export const fluxOperatorSettingsSchema = z
  .object({
    namespace: label().default("flux-system"),
    distribution: z
      .object({
        version: z
          .string({ error: "must be a string" })
          .refine((v) => EXACT_CHART_VERSION.test(v) || FLUX_VERSION_RANGE.test(v), {
            error: `must be an exact Flux version such as ${FLUX_DISTRIBUTION.version}, or a range such as 2.x or 2.8.x (the operator then upgrades Flux on its own)`,
          })
          .default(FLUX_DISTRIBUTION.version),
      })
      .strict()
      .prefault({}),
    components: z
      .array(z.enum(FLUX_COMPONENTS, { error: `must be one of ${FLUX_COMPONENTS.join(", ")}` }), {
        error: "must be a list of Flux controllers",
      })
      .default([...DEFAULT_FLUX_COMPONENTS])
      .superRefine((components, ctx) => {
        const duplicate = components.find((c, i) => components.indexOf(c) !== i);
        if (duplicate !== undefined)
          ctx.addIssue({ code: "custom", message: `lists ${duplicate} twice; list each controller once` });
        // The instance's sync is a GitRepository and a Kustomization: without these two nothing reconciles.
        for (const needed of ["source-controller", "kustomize-controller"] as const) {
          if (!components.includes(needed))
            ctx.addIssue({
              code: "custom",
              message: `lacks ${needed}, which the root GitRepository and Kustomization need; add it`,
            });
        }
      }),
    cluster: z
      .object({
        type: z
          .enum(["kubernetes", "openshift", "aws", "azure", "gcp"], {
            error: "must be one of kubernetes, openshift, aws, azure, gcp",
          })
          .default("kubernetes"),
        size: z
          .enum(["small", "medium", "large"], { error: "must be one of small, medium, large" })
          .optional(),
        domain: z.string({ error: "must be a string" }).min(1).default("cluster.local"),
        networkPolicy: bool().default(true),
        multitenant: bool().default(false),
      })
      .strict()
      .prefault({}),
    sync: z
      .object({ name: label().default("flux-system"), interval: z._default(duration(), "1m") })
      .strict()
      .prefault({}),
    root: z.object(rootReconcileSettings).strict().prefault({}),
    patches: z.array(patchSchema, { error: "must be a list of {patch, target} patches" }).default([]),
    operator: z
      .object({ values: values("flux-operator"), release: releaseSettingsSchema })
      .strict()
      .prefault({}),
    instance: z
      .object({ values: values("flux-instance"), release: releaseSettingsSchema })
      .strict()
      .prefault({}),
    // Not flux-system: that is the root Kustomization's name (sync.name) by default.
    selfManagement: selfManagementSchema("flux-operator")
      .extend({ interval: z._default(duration(), "10m") })
      .optional(),
  })
  .strict();

// Compile-time proof that the schema produces what the pure builders take.
const _fluxOperatorFits = (c: z.output<typeof fluxOperatorSettingsSchema>): FluxOperatorSettings => c;
void _fluxOperatorFits;
