import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parse } from "yaml";

const CHART = join(__dirname, "..", "..", "charts", "gitops-root");

/** The digest of what Helm renders from: the templates and the default values. */
function contentDigest(): string {
  const files = [
    ...readdirSync(join(CHART, "templates"), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name)),
    join(CHART, "values.yaml"),
  ].sort((a, b) => relative(CHART, a).localeCompare(relative(CHART, b)));
  const hash = createHash("sha256");
  for (const file of files) hash.update(readFileSync(file));
  return hash.digest("hex");
}

describe("charts/gitops-root", () => {
  it("records the digest of its templates next to its version (a template change needs a new version)", () => {
    const chart = parse(readFileSync(join(CHART, "Chart.yaml"), "utf8")) as {
      version: string;
      annotations: Record<string, string>;
    };
    const digest = contentDigest();
    assert.equal(
      chart.annotations["gitops-bootstrap/content-sha256"],
      digest,
      `charts/gitops-root changed: raise version (now ${chart.version}) in Chart.yaml, or pulumi up will not upgrade the release, and set gitops-bootstrap/content-sha256 to ${digest}`,
    );
  });
});
