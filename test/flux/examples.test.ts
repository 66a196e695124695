/** The Flux settings of seed 002 (shared/seeds), as examples/flux-homelab/Pulumi.flux-homelab.yaml. */
import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { valueAt } from "../../core/shared/values";
import { REPO_ROOT, runCli } from "../support/harness";

/** What seed 002 says, where synth writes it, the value. */
const KEYS: ReadonlyArray<
  readonly [seedSays: string, file: string, path: readonly string[], value: unknown]
> = [
  [
    "Flux controllers in flux-system",
    "manifests/flux-system/gitrepository-flux-system.yaml",
    ["metadata", "namespace"],
    "flux-system",
  ],
  [
    "the flux CLI's default controllers: no image automation",
    "helm/flux.yaml",
    ["imageAutomationController", "create"],
    false,
  ],
  [
    "the flux CLI's default controllers: source, kustomize, helm, notification",
    "helm/flux.yaml",
    ["notificationController", "create"],
    true,
  ],
  ["network policies, as flux bootstrap installs them", "helm/flux.yaml", ["policies", "create"], true],
  [
    "the private manifest repository, read with a deploy key",
    "manifests/flux-system/gitrepository-flux-system.yaml",
    ["spec", "secretRef", "name"],
    "flux-system",
  ],
  [
    "flux-bootstrap: a Kustomization",
    "manifests/flux-system/kustomization-flux-bootstrap.yaml",
    ["kind"],
    "Kustomization",
  ],
  [
    "pointing at the app named flux",
    "manifests/flux-system/kustomization-flux-bootstrap.yaml",
    ["spec", "path"],
    "./flux",
  ],
  [
    "flux bootstrap: Flux reconciles its own configuration (the flux-system Kustomization)",
    "manifests/flux-system/kustomization-flux-system.yaml",
    ["spec", "path"],
    "./flux-system",
  ],
  [
    "automatic cleanup when applications are removed",
    "manifests/flux-system/kustomization-flux-bootstrap.yaml",
    ["spec", "prune"],
    true,
  ],
];

describe("examples: seed 002 Flux homelab as examples/flux-homelab/Pulumi.flux-homelab.yaml", () => {
  const work = mkdtempSync(join(tmpdir(), "gitops-examples-flux-"));
  after(() => rmSync(work, { recursive: true, force: true }));

  before(function () {
    this.timeout(120_000);
    const file = join(REPO_ROOT, "examples", "flux-homelab", "Pulumi.flux-homelab.yaml");
    const run = runCli(["synth", "--stack", "flux-homelab", "--config-file", file, "--out", work]);
    assert.equal(run.status, 0, run.stderr);
  });

  for (const [says, file, path, value] of KEYS) {
    it(`sets ${says}`, () => {
      assert.deepEqual(valueAt(parse(readFileSync(join(work, file), "utf8")), path), value);
    });
  }
});

describe("examples: seed 002's Flux manages its own install from the files handoff writes", () => {
  const work = mkdtempSync(join(tmpdir(), "gitops-examples-flux-handoff-"));
  after(() => rmSync(work, { recursive: true, force: true }));

  it("takes over the release the stack installs: same chart, version, name, namespaces and values", function () {
    this.timeout(120_000);
    const file = join(REPO_ROOT, "examples", "flux-homelab", "Pulumi.flux-homelab.yaml");
    const out = join(work, "out");
    const root = join(work, "manifests");
    mkdirSync(root);
    assert.equal(runCli(["synth", "--stack", "flux-homelab", "--config-file", file, "--out", out]).status, 0);
    const run = runCli(["handoff", "--stack", "flux-homelab", "--config-file", file, "--root", root]);
    assert.equal(run.status, 0, run.stderr);
    const resources = JSON.parse(readFileSync(join(out, "resources.json"), "utf8")) as Array<{
      type: string;
      name: string;
      options: { retainOnDelete?: boolean };
      inputs: Record<string, unknown>;
    }>;
    const release = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "flux");
    assert.ok(release !== undefined);
    const read = (name: string) =>
      parse(readFileSync(join(root, "flux-system", name), "utf8")) as {
        spec: Record<string, unknown> & { chart: { spec: Record<string, unknown> } };
      };
    const helmRelease = read("helmrelease-flux.yaml");
    assert.equal(helmRelease.spec.releaseName, release.inputs.name);
    assert.equal(helmRelease.spec.storageNamespace, release.inputs.namespace);
    assert.equal(helmRelease.spec.targetNamespace, release.inputs.namespace);
    assert.equal(helmRelease.spec.chart.spec.chart, release.inputs.chart);
    assert.equal(helmRelease.spec.chart.spec.version, release.inputs.version);
    assert.deepEqual(helmRelease.spec.values, release.inputs.values);
    assert.equal(
      read("helmrepository-flux.yaml").spec.url,
      (release.inputs.repositoryOpts as { repo: string }).repo,
    );
    assert.equal(release.options.retainOnDelete, true);
  });
});
