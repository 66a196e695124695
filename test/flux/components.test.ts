import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { Flux } from "../../components/flux/flux";
import { FluxOperator } from "../../components/flux/flux-operator";
import { fluxInstanceValues } from "../../core/flux/operator";
import { fluxOperatorSettingsSchema } from "../../core/flux/operator-settings";
import { CHARTS } from "../../core/shared/versions";
import {
  findResource,
  mockRuntime,
  revealSecrets,
  SecretInput,
  testProvider,
  type MockRuntime,
} from "../support/harness";
import { FLUX, REPO } from "../support/fixtures";

const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nTEST\n-----END OPENSSH PRIVATE KEY-----\n";

describe("Flux component under the mock runtime", () => {
  let runtime: MockRuntime;
  beforeEach(async () => {
    runtime = await mockRuntime();
  });

  describe("Flux", () => {
    it("registers namespace, the flux-system Git Secret and a pinned flux2 Release", async () => {
      new Flux("flux", {
        provider: testProvider(),
        settings: FLUX,
        repo: REPO,
        sshPrivateKey: pulumi.secret(KEY),
      });
      await runtime.settle();
      const release = findResource(runtime, "kubernetes:helm.sh/v3:Release", "flux");
      assert.equal(release.inputs.chart, "flux2");
      assert.equal(release.inputs.version, CHARTS.flux2.version);
      const secret = findResource(runtime, "kubernetes:core/v1:Secret", "flux-git");
      assert.equal((secret.inputs.metadata as { name: string }).name, "flux-system");
      assert.ok(secret.inputs.stringData instanceof SecretInput);
      assert.deepEqual(revealSecrets(secret.inputs.stringData), {
        identity: KEY,
        known_hosts: REPO.knownHosts,
      });
      assert.ok(release.dependsOn.includes(secret.urn));
    });
  });
});

describe("FluxOperator component under the mock runtime", () => {
  let runtime: MockRuntime;
  beforeEach(async () => {
    runtime = await mockRuntime();
  });

  const SETTINGS = fluxOperatorSettingsSchema.parse({});

  it("registers the namespace (kept on destroy), the flux-system Git Secret and the two pinned OCI releases", async () => {
    new FluxOperator("flux-operator", {
      provider: testProvider(),
      settings: SETTINGS,
      repo: REPO,
      sshPrivateKey: pulumi.secret(KEY),
    });
    await runtime.settle();
    const namespace = findResource(runtime, "kubernetes:core/v1:Namespace", "flux-operator-namespace");
    assert.equal(namespace.options.retainOnDelete, true);
    const secret = findResource(runtime, "kubernetes:core/v1:Secret", "flux-operator-git");
    assert.equal((secret.inputs.metadata as { name: string }).name, "flux-system");
    assert.deepEqual(revealSecrets(secret.inputs.stringData), {
      identity: KEY,
      known_hosts: REPO.knownHosts,
    });

    const operator = findResource(runtime, "kubernetes:helm.sh/v3:Release", "flux-operator");
    assert.equal(operator.inputs.name, "flux-operator");
    assert.equal(operator.inputs.chart, "oci://ghcr.io/controlplaneio-fluxcd/charts/flux-operator");
    assert.equal(operator.inputs.version, CHARTS.fluxOperator.version);
    assert.equal(operator.inputs.repositoryOpts, undefined, "an OCI chart has no Helm repository");
    assert.equal(operator.inputs.namespace, "flux-system");
    assert.deepEqual(operator.inputs.values, {});

    const instance = findResource(runtime, "kubernetes:helm.sh/v3:Release", "flux-operator-instance");
    assert.equal(instance.inputs.name, "flux-instance");
    assert.equal(instance.inputs.chart, "oci://ghcr.io/controlplaneio-fluxcd/charts/flux-instance");
    assert.equal(instance.inputs.version, CHARTS.fluxInstance.version);
    assert.deepEqual(instance.inputs.values, fluxInstanceValues(SETTINGS, REPO));
    assert.equal(instance.inputs.waitForJobs, true);
    assert.equal(instance.inputs.timeout, 600);
  });

  it("installs the FluxInstance after the operator (its CRD), the Git Secret and what the stack adds (the deploy key)", async () => {
    // Stands for the GitHub deploy key the stack passes (any resource will do under mocks).
    class DeployKey extends pulumi.CustomResource {
      constructor(name: string) {
        super("test:index:DeployKey", name, {});
      }
    }
    const deployKey = new DeployKey("deploy-key");
    new FluxOperator("flux-operator", {
      provider: testProvider(),
      settings: SETTINGS,
      repo: REPO,
      sshPrivateKey: pulumi.secret(KEY),
      instanceWaitsFor: [deployKey],
    });
    await runtime.settle();
    const operator = findResource(runtime, "kubernetes:helm.sh/v3:Release", "flux-operator");
    const secret = findResource(runtime, "kubernetes:core/v1:Secret", "flux-operator-git");
    const instance = findResource(runtime, "kubernetes:helm.sh/v3:Release", "flux-operator-instance");
    const key = findResource(runtime, "test:index:DeployKey", "deploy-key");
    assert.deepEqual([...instance.dependsOn].sort(), [operator.urn, secret.urn, key.urn].sort());
    assert.ok(!operator.dependsOn.includes(instance.urn));
  });

  it("runs each release with its own options, and a stack's chart versions", async () => {
    const settings = fluxOperatorSettingsSchema.parse({
      operator: { release: { timeout: 120 } },
      instance: { release: { atomic: true } },
    });
    new FluxOperator("flux-operator", {
      provider: testProvider(),
      settings,
      repo: REPO,
      sshPrivateKey: pulumi.secret(KEY),
      operatorChartVersion: "0.50.0",
      instanceChartVersion: "0.50.1",
    });
    await runtime.settle();
    const operator = findResource(runtime, "kubernetes:helm.sh/v3:Release", "flux-operator");
    const instance = findResource(runtime, "kubernetes:helm.sh/v3:Release", "flux-operator-instance");
    assert.equal(operator.inputs.timeout, 120);
    assert.equal(operator.inputs.atomic, undefined);
    assert.equal(instance.inputs.atomic, true);
    assert.equal(operator.inputs.version, "0.50.0");
    assert.equal(instance.inputs.version, "0.50.1");
  });

  it("refuses values the pinned chart does not have before registering anything", async () => {
    const settings = fluxOperatorSettingsSchema.parse({ operator: { values: { webb: {} } } });
    assert.throws(
      () =>
        new FluxOperator("flux-operator", {
          provider: testProvider(),
          settings,
          repo: REPO,
          sshPrivateKey: pulumi.secret(KEY),
        }),
      /fluxOperator\.operator\.values: webb is not a value of the flux-operator chart/,
    );
    await runtime.settle();
    assert.deepEqual(
      runtime.registrations.filter((r) => r.type.startsWith("kubernetes:core") || r.type.includes("Release")),
      [],
    );
  });
});
