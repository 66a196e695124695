/** `gitops-bootstrap:flux`: how Flux is installed and how the root Kustomization behaves. */
import { z } from "zod";
import { releaseSettingsSchema } from "../shared/release";
import { selfManagementSchema } from "../shared/self-management";
import { duration } from "../shared/schema";
import { bool, label } from "../shared/settings-schema";
import type { FluxSettings } from "./flux";

/**
 * How a root Kustomization reconciles, the same keys and defaults for both Flux engines (`flux.root`,
 * `fluxOperator.root`): the root is applied every 10m, prunes, retries after 1m, does not wait for
 * the apps it applies, and gives up an apply after 5m.
 */
export const rootReconcileSettings = {
  interval: z._default(duration(), "10m"),
  prune: bool().default(true),
  retryInterval: z._default(duration(), "1m"),
  wait: bool().default(false),
  timeout: z._default(duration(), "5m"),
};

export const fluxSettingsSchema = z
  .object({
    namespace: label().default("flux-system"),
    imageAutomation: bool().default(false),
    source: z
      .object({ name: label().default("flux-system"), interval: z._default(duration(), "1m") })
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
      .extend({ interval: z._default(duration(), "10m") })
      .optional(),
  })
  .strict();

// Compile-time proof that the schema produces what the pure builders take.
const _fluxFits = (
  c: z.output<typeof fluxSettingsSchema>,
): Omit<FluxSettings, "imageAutomation"> & { imageAutomation: boolean } => c;
void _fluxFits;
