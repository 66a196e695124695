/** The Flux settings of seed 002 (shared/seeds), as examples/flux-homelab/Pulumi.flux-homelab.yaml. */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
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
    "./apps/flux",
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
