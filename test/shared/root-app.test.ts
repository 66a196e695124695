import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { ArgoCd } from "../../components/argocd/argocd";
import { RootApp } from "../../components/shared/root-app";
import { argoCdRootObjects } from "../../core/argocd/argocd";
import { findResource, mockRuntime, testProvider, type MockRuntime } from "../support/harness";
import { ARGOCD, REPO } from "../support/fixtures";

const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nTEST\n-----END OPENSSH PRIVATE KEY-----\n";

describe("RootApp component under the mock runtime", () => {
  let runtime: MockRuntime;
  beforeEach(async () => {
    runtime = await mockRuntime();
  });

  describe("RootApp", () => {
    it("installs the local root chart with the objects as values, after the engine's release", async () => {
      const provider = testProvider();
      const engine = new ArgoCd("argocd", {
        provider,
        settings: ARGOCD,
        repo: REPO,
        sshPrivateKey: pulumi.secret(KEY),
      });
      const objects = argoCdRootObjects(ARGOCD, REPO);
      const root = new RootApp("root", {
        provider,
        namespace: engine.namespace,
        objects,
        rootName: "bootstrap",
        waitFor: [engine.release!],
      });
      assert.equal(root.name, "bootstrap");
      await runtime.settle();
      const release = findResource(runtime, "kubernetes:helm.sh/v3:Release", "root");
      assert.equal(release.inputs.chart, "./charts/gitops-root");
      assert.deepEqual(release.inputs.values, { objects: JSON.parse(JSON.stringify(objects)) });
      const engineRelease = findResource(runtime, "kubernetes:helm.sh/v3:Release", "argocd");
      assert.ok(release.dependsOn.includes(engineRelease.urn), "the root must wait for the engine");
      assert.equal(release.parent, findResource(runtime, "gitops:engine:RootApp", "root").urn);
    });
  });

  it("throws on an unmocked invoke instead of returning fake cloud data", async () => {
    await assert.rejects(
      pulumi.runtime.invoke("aws:index/getCallerIdentity:getCallerIdentity", {}),
      /unmocked invoke aws:index\/getCallerIdentity/,
    );
  });
});
