import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { Flux } from "../../components/flux/flux";
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
