/** The git generator parameters generate evaluates itself (core/catalog/go-template.ts). */
import { strict as assert } from "node:assert";
import {
  goTemplateProblem,
  renderGoTemplate,
  renderGoTemplateJson,
  renderGoTemplates,
} from "../../core/catalog/go-template";

describe("core/catalog/go-template", () => {
  const path = "pitower/kubernetes/apps/networking/envoy-gateway";

  it("renders .path.path, .path.basename and index .path.segments N as the git generator sets them", () => {
    assert.equal(
      renderGoTemplate("{{index .path.segments 3}}-{{.path.basename}} at {{ .path.path }}", path),
      "networking-envoy-gateway at pitower/kubernetes/apps/networking/envoy-gateway",
    );
    assert.equal(renderGoTemplate("plain", path), "plain");
  });

  it("fails on an index past the path's segments, as missingkey=error does", () => {
    assert.throws(
      () => renderGoTemplate("{{index .path.segments 5}}", path),
      /\{\{index \.path\.segments 5\}\}: pitower\/kubernetes\/apps\/networking\/envoy-gateway has only 5 segments \(0 to 4\)/,
    );
  });

  it("names what it cannot evaluate, and leaves it as written when rendering", () => {
    assert.equal(goTemplateProblem("{{.path.basename}}-{{index .path.segments 0}}"), undefined);
    assert.match(goTemplateProblem("{{ .path.basename | upper }}") ?? "", /generate cannot evaluate; only/);
    assert.match(goTemplateProblem("{{.path.basenameNormalized}}") ?? "", /cannot evaluate/);
    assert.match(goTemplateProblem("{{ .path.basename") ?? "", /cannot evaluate/);
    assert.equal(
      renderGoTemplate("{{ .values.x }}-{{.path.basename}}", path),
      "{{ .values.x }}-envoy-gateway",
    );
  });

  it("renders a whole object, keys included, and its JSON text the same way (values escaped)", () => {
    const object = {
      metadata: { name: "{{.path.basename}}", labels: { "x/{{.path.basename}}": "a" } },
      n: 1,
    };
    const rendered = renderGoTemplates(object, 'apps/we"ird');
    assert.deepEqual(rendered, { metadata: { name: 'we"ird', labels: { 'x/we"ird': "a" } }, n: 1 });
    assert.deepEqual(JSON.parse(renderGoTemplateJson(JSON.stringify(object), 'apps/we"ird')), rendered);
  });
});
