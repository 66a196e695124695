/**
 * Pinned Helm charts. Each pin lives in exactly one place, charts/versions.json, where Renovate's
 * custom manager (renovate.json) finds it and a bump is a one-line change; stack config may
 * override a version (`gitops-bootstrap:charts`), never the repository. The value keys of each
 * pinned chart are data too (charts/values-keys/, written by scripts/chart-keys.ts).
 */
import { z } from "zod";
import { readChartData, type ChartKeys } from "./values";

export interface ChartPin {
  /** Chart name in its repository. */
  readonly chart: string;
  /** Helm repository URL (https://…), or the OCI registry path the chart lives under (oci://…). */
  readonly repo: string;
  /** Exact chart version (never a range: an upgrade is a reviewed config change). */
  readonly version: string;
}

/** An exact semantic version as Helm accepts it (no ranges, no leading `v`). */
export const EXACT_CHART_VERSION = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** Where the pins live, relative to the repository root. */
export const CHART_PINS_FILE = "charts/versions.json";

const pinSchema = z
  .object({
    chart: z.string().min(1),
    repo: z.union([z.url({ protocol: /^https$/ }), z.string().regex(/^oci:\/\/[^/\s]+(\/[^/\s]+)*$/)]),
    version: z.string().regex(EXACT_CHART_VERSION, { error: "must be an exact chart version" }),
  })
  .strict();

/** A version that is not a chart's: a GitHub release of `githubRelease` (its tag without the `v`). */
const releasePinSchema = z
  .object({
    githubRelease: z.string().regex(/^[\w.-]+\/[\w.-]+$/),
    version: z.string().regex(EXACT_CHART_VERSION, { error: "must be an exact version" }),
  })
  .strict();

/** The pins, read and checked once (a broken data file fails loudly, naming the file). */
function readPins() {
  const parsed = z
    .object({
      argoCd: pinSchema,
      flux2: pinSchema,
      fluxOperator: pinSchema,
      fluxInstance: pinSchema,
      fluxDistribution: releasePinSchema,
    })
    .strict()
    .safeParse(readChartData(CHART_PINS_FILE));
  if (!parsed.success)
    throw new Error(
      `${CHART_PINS_FILE}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  const { fluxDistribution, ...charts } = parsed.data;
  return { charts: charts as Record<keyof typeof charts, ChartPin>, fluxDistribution };
}

const PINS = readPins();

/**
 * argo-helm's argo-cd chart (9.0.5 is what the Terragrunt layer pinned, so migrating changes
 * nothing), fluxcd-community's flux2 chart, and the Flux Operator's flux-operator and flux-instance
 * charts (OCI artifacts under oci://ghcr.io/controlplaneio-fluxcd/charts, one version for both).
 */
export const CHARTS = PINS.charts;

/**
 * The Flux version a FluxInstance installs (`fluxOperator.distribution.version`): a release of
 * fluxcd/flux2, pinned exactly so that the operator never upgrades Flux on its own; Renovate bumps
 * it like a chart (renovate.json).
 */
export const FLUX_DISTRIBUTION: { readonly githubRelease: string; readonly version: string } =
  PINS.fluxDistribution;

/** Whether a pin's chart lives in an OCI registry (Helm then takes `oci://…/<chart>` as the chart). */
export function isOciPin(pin: ChartPin): boolean {
  return pin.repo.startsWith("oci://");
}

export type ChartKey = keyof typeof CHARTS;

/** The value keys of a pinned chart, read on first use (only a stack that sets `values` needs them). */
const keysCache = new Map<ChartKey, ChartKeys>();
export function chartKeys(key: ChartKey): ChartKeys {
  const cached = keysCache.get(key);
  if (cached !== undefined) return cached;
  const data = readChartData(`charts/values-keys/${CHARTS[key].chart}.json`) as ChartKeys;
  keysCache.set(key, data);
  return data;
}

/**
 * A note when the release installs another version than the key data describes (a stack override
 * in `charts`, or a pin bumped without rerunning scripts/chart-keys.ts): `values` were checked
 * against the keys of the data's version, which may lack keys the installed version has.
 */
export function chartKeysNote(key: ChartKey, installed: string): string | undefined {
  const data = chartKeys(key);
  if (data.version === installed) return undefined;
  return `the ${data.chart} values keys were checked against chart ${data.version} (charts/values-keys/${data.chart}.json), but the release installs ${installed}: run \`npx tsx scripts/chart-keys.ts <chart directory>\` for ${installed} (docs/operations.md, "Upgrade a chart")`;
}

/** The local chart that carries the root app of apps; it lives in this repository. */
export const ROOT_CHART = { path: "./charts/gitops-root", name: "gitops-root" } as const;

const chartVersion = (key: ChartKey) =>
  z
    .string({ error: "must be a string" })
    .regex(EXACT_CHART_VERSION, {
      error: `must be an exact chart version such as ${CHARTS[key].version} (no ranges, no leading 'v')`,
    })
    .optional();

/** `gitops-bootstrap:charts`: a per-stack override of a pin, so one cluster can move first. */
export const chartsSettingsSchema = z
  .object({
    argoCd: chartVersion("argoCd"),
    flux2: chartVersion("flux2"),
    fluxOperator: chartVersion("fluxOperator"),
    fluxInstance: chartVersion("fluxInstance"),
  })
  .strict()
  .transform((charts) => ({
    argoCd: charts.argoCd ?? CHARTS.argoCd.version,
    flux2: charts.flux2 ?? CHARTS.flux2.version,
    fluxOperator: charts.fluxOperator ?? CHARTS.fluxOperator.version,
    fluxInstance: charts.fluxInstance ?? CHARTS.fluxInstance.version,
  }));
