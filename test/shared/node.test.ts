/** The Node versions we tell users to run agree with what our dependencies and CI run. */
import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as semver from "semver";
import { parse } from "yaml";
import { REPO_ROOT } from "../support/paths";

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe("Node versions", () => {
  it("asks for a supported LTS, 22 or 24, and not the end-of-life 20", () => {
    assert.ok(semver.satisfies("22.13.0", pkg.engines.node));
    assert.ok(semver.satisfies("24.0.0", pkg.engines.node));
    assert.ok(!semver.satisfies("20.19.0", pkg.engines.node));
  });

  it("never allows a Node version a dependency refuses", () => {
    for (const name of Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })) {
      const theirs = (
        JSON.parse(readFileSync(join(REPO_ROOT, "node_modules", name, "package.json"), "utf8")) as {
          engines?: { node?: string };
        }
      ).engines?.node;
      if (theirs === undefined) continue;
      assert.ok(
        semver.subset(pkg.engines.node, theirs),
        `engines.node ${pkg.engines.node} allows versions ${name} refuses (${theirs})`,
      );
    }
  });

  it("runs the workflows on a Node version package.json supports", () => {
    const dir = join(REPO_ROOT, ".github", "workflows");
    for (const file of readdirSync(dir)) {
      const workflow = parse(readFileSync(join(dir, file), "utf8")) as {
        jobs: Record<string, { steps?: Array<{ uses?: string; with?: { "node-version"?: unknown } }> }>;
      };
      for (const job of Object.values(workflow.jobs)) {
        for (const step of job.steps ?? []) {
          if (!step.uses?.startsWith("actions/setup-node@")) continue;
          const version = String(step.with?.["node-version"]);
          assert.ok(semver.satisfies(`${version}.0.0`, pkg.engines.node), `${file}: node-version ${version}`);
        }
      }
    }
  });
});
