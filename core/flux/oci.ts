/**
 * The media type of a Helm chart's layer in an OCI artifact: an OCIRepository that selects it with
 * `operation: copy` serves the chart archive to a HelmRelease's `chartRef` (fluxcd/helm-controller,
 * docs/spec/v2/helmreleases.md). Used by the catalog's Helm apps and by the Flux Operator hand-off.
 */
export const HELM_CHART_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
