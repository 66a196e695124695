/**
 * Pinned Helm charts: the one place a chart version lives. Stack config may override a version
 * (`gitops-bootstrap:charts`), never the repository.
 */
import { z } from "zod";

export interface ChartPin {
  /** Chart name in its repository. */
  readonly chart: string;
  /** Helm repository URL. */
  readonly repo: string;
  /** Exact chart version (never a range: an upgrade is a reviewed config change). */
  readonly version: string;
  /** The application version the chart version ships, for humans reading synth output. */
  readonly appVersion: string;
}

export const CHARTS = {
  /** argo-helm's argo-cd chart; 9.0.5 is what the Terragrunt layer pinned, so migrating changes nothing. */
  argoCd: {
    chart: "argo-cd",
    repo: "https://argoproj.github.io/argo-helm",
    version: "9.0.5",
    appVersion: "v3.1.9",
  },
  /** fluxcd-community's flux2 chart (Flux v2.8.5). */
  flux2: {
    chart: "flux2",
    repo: "https://fluxcd-community.github.io/helm-charts",
    version: "2.18.3",
    appVersion: "2.8.5",
  },
} as const satisfies Record<string, ChartPin>;

export type ChartKey = keyof typeof CHARTS;

/** The local chart that carries the root app of apps; it lives in this repository. */
export const ROOT_CHART = { path: "./charts/gitops-root", name: "gitops-root" } as const;

/** An exact semantic version as Helm accepts it (no ranges, no leading `v`). */
export const EXACT_CHART_VERSION = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

const chartVersion = (key: ChartKey) =>
  z
    .string({ error: "must be a string" })
    .regex(EXACT_CHART_VERSION, {
      error: `must be an exact chart version such as ${CHARTS[key].version} (no ranges, no leading 'v')`,
    })
    .optional();

/** `gitops-bootstrap:charts`: a per-stack override of a pin, so one cluster can move first. */
export const chartsSettingsSchema = z
  .object({ argoCd: chartVersion("argoCd"), flux2: chartVersion("flux2") })
  .strict()
  .transform((charts) => ({
    argoCd: charts.argoCd ?? CHARTS.argoCd.version,
    flux2: charts.flux2 ?? CHARTS.flux2.version,
  }));
