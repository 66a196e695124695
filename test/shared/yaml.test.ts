import { strict as assert } from "node:assert";
import { parse } from "yaml";
import { kubernetesYaml, schemaFor, toYaml, yamlDocument } from "../../core/shared/yaml";

describe("core/shared/yaml", () => {
  it("starts a known kind with its schema line and round-trips the object", () => {
    const app = { apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: { name: "a" } };
    const text = kubernetesYaml(app);
    assert.match(
      text.split("\n")[0] ?? "",
      /^# yaml-language-server: \$schema=https:\/\/.+application_v1alpha1\.json$/,
    );
    assert.deepEqual(parse(text), app);
  });

  it("writes no schema line for a kind without a published schema", () => {
    assert.equal(schemaFor({ apiVersion: "example.com/v1", kind: "Widget" }), undefined);
    assert.ok(!kubernetesYaml({ apiVersion: "example.com/v1", kind: "Widget" }).startsWith("#"));
  });

  it("never folds long lines and never emits anchors for repeated objects", () => {
    const shared = { a: 1 };
    const text = toYaml({ long: "x".repeat(300), one: shared, two: shared });
    assert.ok(!text.includes("&") && !text.includes("*"));
    assert.ok(text.includes("x".repeat(300)));
    assert.equal(yamlDocument({ a: 1 }, "https://s"), "# yaml-language-server: $schema=https://s\na: 1\n");
  });
});
