/** `gitops-bootstrap:flux`: how Flux is installed and how the root Kustomization behaves. */
import { z } from "zod";
import { releaseSettingsSchema } from "../shared/release";
import { selfManagementSchema } from "../shared/self-management";
import { bool, duration, label } from "../shared/schema";
import type { FluxSettings } from "./flux";

/**
 * How a root Kustomization reconciles, the same keys and defaults for both Flux engines (`flux.root`,
 * `fluxOperator.root`): the root is applied every 10m, prunes, retries after 1m, does not wait for
 * the apps it applies, and gives up an apply after 5m.
 */
export const rootReconcileSettings = {
  interval: duration().default("10m"),
  prune: bool().default(true),
  retryInterval: duration().default("1m"),
  wait: bool().default(false),
  timeout: duration().default("5m"),
};

export const fluxSettingsSchema = z
  .object({
    namespace: label().default("flux-system"),
    imageAutomation: bool().default(false),
    source: z
      .object({ name: label().default("flux-system"), interval: duration().default("1m") })
      .strict()
      .prefault({}),
    root: z
      .object({
        name: label().default("flux-bootstrap"),
        ...rootReconcileSettings,
      })
      .strict()
      .prefault({}),
    values: z
      .record(z.string(), z.unknown(), { error: "must be a map of the flux2 chart's values" })
      .default({}),
    release: releaseSettingsSchema,
    selfManagement: selfManagementSchema("flux-system")
      .extend({ interval: duration().default("10m") })
      .optional(),
  })
  .strict();

// Compile-time proof that the schema produces what the pure builders take.
const _fluxFits = (
  c: z.output<typeof fluxSettingsSchema>,
): Omit<FluxSettings, "imageAutomation"> & { imageAutomation: boolean } => c;
void _fluxFits;
