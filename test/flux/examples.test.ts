/**
 * The Flux settings of seed 002 (shared/seeds), as examples/flux-homelab/Pulumi.flux-homelab.yaml,
 * and on the Flux Operator as examples/flux-operator-homelab/Pulumi.flux-operator-homelab.yaml.
 */
import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { valueAt } from "../../core/shared/values";
import { CHARTS } from "../../core/shared/versions";
import { REPO_ROOT, runCli } from "../support/harness";
import { validateKubernetesObject } from "../support/validate";

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

/** Seed 002 on the Flux Operator: what the seed says, in the flux-instance values synth writes. */
const OPERATOR_KEYS: ReadonlyArray<readonly [seedSays: string, path: readonly string[], value: unknown]> = [
  [
    "the flux CLI's default controllers: source, kustomize, helm, notification; no image automation",
    ["instance", "components"],
    ["source-controller", "kustomize-controller", "helm-controller", "notification-controller"],
  ],
  ["network policies, as flux bootstrap installs them", ["instance", "cluster", "networkPolicy"], true],
  [
    "the private manifest repository, read with a deploy key",
    ["instance", "sync", "pullSecret"],
    "flux-system",
  ],
  [
    "the repository's SSH URL",
    ["instance", "sync", "url"],
    "ssh://git@github.com/acme/homelab-manifests.git",
  ],
  ["the main branch, as a Git ref", ["instance", "sync", "ref"], "refs/heads/main"],
  ["the root pointing at the app named flux", ["instance", "sync", "path"], "./flux"],
  [
    "the GitRepository flux-system, the source generated Kustomizations name",
    ["instance", "sync", "name"],
    "flux-system",
  ],
];

describe("examples: seed 002 on the Flux Operator as examples/flux-operator-homelab/Pulumi.flux-operator-homelab.yaml", () => {
  const work = mkdtempSync(join(tmpdir(), "gitops-examples-flux-operator-"));
  after(() => rmSync(work, { recursive: true, force: true }));
  let instanceValues: Record<string, unknown> = {};

  before(function () {
    this.timeout(120_000);
    const file = join(REPO_ROOT, "examples", "flux-operator-homelab", "Pulumi.flux-operator-homelab.yaml");
    const run = runCli(["synth", "--stack", "flux-operator-homelab", "--config-file", file, "--out", work]);
    assert.equal(run.status, 0, run.stderr);
    instanceValues = parse(readFileSync(join(work, "helm", "flux-instance.yaml"), "utf8")) as Record<
      string,
      unknown
    >;
  });

  for (const [says, path, value] of OPERATOR_KEYS) {
    it(`sets ${says}`, () => {
      assert.deepEqual(valueAt(instanceValues, path), value);
    });
  }

  it("gives the root the flux engine's behaviour: prune, and apps left running if it is deleted", () => {
    const patches = valueAt(instanceValues, ["instance", "kustomize", "patches"]) as Array<{ patch: string }>;
    const ops = parse(patches[0]?.patch ?? "") as Array<{ path: string; value: unknown }>;
    assert.deepEqual(
      ops.filter((op) => ["/spec/prune", "/spec/deletionPolicy"].includes(op.path)).map((op) => op.value),
      [true, "Orphan"],
    );
  });

  it("writes a FluxInstance that validates against its CRD (the chart copies instance to spec)", async () => {
    const instance = {
      apiVersion: "fluxcd.controlplane.io/v1",
      kind: "FluxInstance",
      metadata: { name: "flux", namespace: "flux-system" },
      spec: instanceValues.instance,
    };
    await validateKubernetesObject(instance);
  });

  it("installs the pinned flux-operator and flux-instance charts from their OCI registry", () => {
    const header = (release: string) =>
      readFileSync(join(work, "helm", `${release}.yaml`), "utf8").split("\n")[0];
    assert.equal(
      header("flux-operator"),
      `# Helm release flux-operator: chart oci://ghcr.io/controlplaneio-fluxcd/charts/flux-operator ${CHARTS.fluxOperator.version}`,
    );
    assert.equal(
      header("flux-instance"),
      `# Helm release flux-instance: chart oci://ghcr.io/controlplaneio-fluxcd/charts/flux-instance ${CHARTS.fluxInstance.version}`,
    );
  });
});
