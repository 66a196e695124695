/** scripts/chart-keys.ts: which keys a chart has, and below which keys anything goes. */
import { strict as assert } from "node:assert";
import { deriveChartKeys } from "../../scripts/chart-keys";

const CHART_YAML = [
  "apiVersion: v2",
  "name: demo",
  "version: 1.2.3",
  "appVersion: v4.5.6",
  "dependencies:",
  "  - name: redis-ha",
  "    version: 4.0.0",
  "    repository: https://example.com/charts",
].join("\n");

const VALUES_YAML = `
replicas: 1
image:
  tag: ""
podAnnotations: {}
nodeSelector:
extraArgs: []
configs:
  cm:
    # -- Enable local admin user
    admin.enabled: true
    # dex.config: |
    #   connectors: []
  params:
    create: true
    annotations: {}
    # You can customize parameters by adding parameters here.
    # otlp.address: ''
  closed:
    create: true
    # optional: documented but unset
    # Ref: https://example.com/docs
    script: |
      notAKey: inside a block scalar
      # hidden: also inside
  labelled:
    prometheus.io/scrape: "true"
controller:
  resources:
    requests:
      cpu: 100m
  securityContext:
    runAsNonRoot: true
  service:
    port: 80
`;

const TEMPLATE = `
{{- with .Values.controller.securityContext }}
securityContext:
  {{- toYaml . | nindent 2 }}
{{- end }}
resources: {{ toYaml .Values.controller.resources | nindent 2 }}
{{- if .Values.controller.service.nodePort }}
nodePort: {{ .Values.controller.service.nodePort }}
{{- end }}
{{- with .Values.controller.service }}
port: {{ .port }}
{{- end }}
`;

describe("scripts/chart-keys.ts", () => {
  const data = deriveChartKeys({ chartYaml: CHART_YAML, valuesYaml: VALUES_YAML, templates: [TEMPLATE] });

  it("records the chart, its version and app version, and the digest of the values file", () => {
    assert.equal(data.chart, "demo");
    assert.equal(data.version, "1.2.3");
    assert.equal(data.appVersion, "v4.5.6");
    assert.match(data.valuesSha256, /^[0-9a-f]{64}$/);
  });

  it("records where the chart's files came from only when told (--source), before generatedBy", () => {
    assert.equal("source" in data, false);
    const sourced = deriveChartKeys(
      { chartYaml: CHART_YAML, valuesYaml: VALUES_YAML, templates: [TEMPLATE] },
      "github.com/acme/charts@0123abc charts/demo",
    );
    assert.equal(sourced.source, "github.com/acme/charts@0123abc charts/demo");
    assert.deepEqual(Object.keys(sourced).slice(4, 6), ["source", "generatedBy"]);
  });

  it("derives every rule from the chart (values, comments, Chart.yaml, templates)", () => {
    assert.deepEqual(data.keys, {
      configs: {
        // 2: a map with a dotted key, set or commented out, is ConfigMap data.
        cm: "open",
        // Keys commented out at their place are known; those in prose or block scalars are not.
        closed: { create: "value", optional: "open", script: "value" },
        labelled: "open",
        params: "open",
      },
      controller: {
        // 4: passed through verbatim by toYaml (directly, or as the first action of a with).
        resources: "open",
        securityContext: "open",
        // Read by a template but unset in values.yaml: known, any shape.
        service: { nodePort: "open", port: "value" },
      },
      // 1: an empty map or null default.
      extraArgs: "value",
      image: { tag: "value" },
      nodeSelector: "open",
      podAnnotations: "open",
      // 3: a dependency's values.
      "redis-ha": "open",
      replicas: "value",
    });
  });
});
