/**
 * SpokeIdentity and HubClusters under Pulumi's mock runtime: the spoke's token reaches the hub as a
 * secret only, and the hub's cluster Secret is built from the spoke's recorded stack outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { strict as assert } from "node:assert";
import { HubClusters, SpokeIdentity } from "../../components/argocd/hub";
import { hubSettingsSchema } from "../../core/argocd/hub-settings";
import {
  findResource,
  mockRuntime,
  resourcesOfType,
  revealSecrets,
  SecretInput,
  testProvider,
  unwrap,
  type MockRuntime,
} from "../support/harness";
import { validateKubernetesObject } from "../support/validate";

const settings = (raw: Record<string, unknown>) => {
  const spoke = hubSettingsSchema.parse({ spoke: raw }).spoke;
  assert.ok(spoke !== undefined);
  return spoke;
};

/** Waits for a failed registration's rejection, which Pulumi reports as an unhandled one. */
async function rejectionsDuring(work: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const record = (reason: unknown) => seen.push(reason instanceof Error ? reason.message : String(reason));
  process.on("unhandledRejection", record);
  try {
    await work();
    await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    process.off("unhandledRejection", record);
  }
  return seen;
}

describe("SpokeIdentity (mock runtime)", () => {
  let runtime: MockRuntime;
  beforeEach(async () => {
    runtime = await mockRuntime({ stack: "spoke-a" });
  });

  it("token: registers the ServiceAccount, the token Secret after it and the binding, and exports the token as a secret", async () => {
    const identity = new SpokeIdentity("hub-spoke", {
      provider: testProvider(),
      settings: settings({ server: "https://x.example.com" }),
    });
    assert.ok(identity.credentials !== undefined);
    assert.equal(await pulumi.isSecret(identity.credentials), true);
    // The mock token controller's token, base64-decoded; the CA stays base64 (Argo CD's caData).
    assert.deepEqual(await unwrap(identity.credentials), {
      bearerToken: "[mock ServiceAccount token]",
      caData: Buffer.from("[mock cluster CA]").toString("base64"),
    });
    await runtime.settle();
    const account = findResource(runtime, "kubernetes:core/v1:ServiceAccount", "hub-spoke-service-account");
    const token = findResource(runtime, "kubernetes:core/v1:Secret", "hub-spoke-token");
    const binding = findResource(
      runtime,
      "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
      "hub-spoke-binding",
    );
    assert.deepEqual(token.dependsOn, [account.urn]);
    assert.equal(token.inputs.type, "kubernetes.io/service-account-token");
    assert.equal(binding.parent, await unwrap(identity.urn));
    for (const r of [account, token, binding]) {
      assert.ok(r.provider?.includes("k8s"), `${r.name} uses the explicit provider`);
      await validateKubernetesObject(revealSecrets(r.inputs) as { apiVersion: string; kind: string });
    }
  });

  it("tailscale: registers only the group's binding and exports no credentials", async () => {
    const identity = new SpokeIdentity("hub-spoke", {
      provider: testProvider(),
      settings: settings({ access: "tailscale" }),
    });
    assert.equal(identity.credentials, undefined);
    await runtime.settle();
    assert.deepEqual(
      runtime.registrations
        .filter((r) => r.custom && !r.type.startsWith("pulumi:providers"))
        .map((r) => r.type),
      ["kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding"],
    );
  });
});

describe("HubClusters (mock runtime)", () => {
  const addonsRepo = { url: "git@github.com:acme/fleet.git", basepath: "", path: "apps", revision: "main" };
  const registration = (name: string, access: "token" | "tailscale") => ({
    name,
    server: `https://${name}.example.com`,
    access,
    labels: { cluster_name: name, enable_media: "true" },
    annotations: { cluster_name: name },
  });

  it("makes one cluster Secret per spoke from its recorded outputs, the credentials a secret", async () => {
    const runtime = await mockRuntime({
      stack: "hub",
      stackOutputs: {
        "acme/p/spoke-a": {
          hubSpoke: registration("spoke-a", "token"),
          hubSpokeCredentials: { bearerToken: "[secret]", caData: "[secret]" },
        },
        "acme/p/spoke-b": { hubSpoke: registration("spoke-b", "tailscale") },
      },
    });
    const hub = new HubClusters("hub", {
      provider: testProvider(),
      spokes: [{ stack: "acme/p/spoke-a" }, { stack: "acme/p/spoke-b", secretName: "spoke-b-secret" }],
      addonsRepo,
      namespace: "argocd",
    });
    await unwrap(hub.urn);
    await runtime.settle();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await runtime.settle();

    const references = resourcesOfType(runtime, "pulumi:pulumi:StackReference");
    assert.deepEqual(references.map((r) => r.read).sort(), ["acme/p/spoke-a", "acme/p/spoke-b"]);
    const a = findResource(runtime, "kubernetes:core/v1:Secret", "hub-spoke-a");
    const b = findResource(runtime, "kubernetes:core/v1:Secret", "hub-spoke-b");
    assert.deepEqual((a.inputs.metadata as { labels: unknown }).labels, {
      "argocd.argoproj.io/secret-type": "cluster",
      cluster_name: "spoke-a",
      enable_media: "true",
    });
    assert.equal((b.inputs.metadata as { name: string }).name, "spoke-b-secret");
    assert.equal(
      (a.inputs.metadata as { annotations: Record<string, string> }).annotations.addons_repo_path,
      "apps",
    );
    // stringData is a secret as a whole: the token never appears in the clear.
    assert.ok(a.inputs.stringData instanceof SecretInput);
    const data = revealSecrets(a.inputs.stringData) as { name: string; server: string; config: string };
    assert.equal(data.server, "https://spoke-a.example.com");
    assert.deepEqual(JSON.parse(data.config), {
      bearerToken: "[secret]",
      tlsClientConfig: { insecure: false, caData: "[secret]" },
    });
    const tailscale = revealSecrets(b.inputs.stringData) as { config: string };
    assert.deepEqual(JSON.parse(tailscale.config), { tlsClientConfig: { insecure: false } });
    for (const secret of [a, b]) {
      assert.equal(secret.parent, await unwrap(hub.urn));
      await validateKubernetesObject(revealSecrets(secret.inputs) as { apiVersion: string; kind: string });
    }
  });

  it("fails, naming the stack, when a spoke's outputs hold no registration (never a made-up Secret)", async () => {
    const runtime = await mockRuntime({
      stack: "hub",
      stackOutputs: { "acme/p/old": { hubSpoke: { name: "old" } } },
    });
    const errors = await rejectionsDuring(async () => {
      new HubClusters("hub", {
        provider: testProvider(),
        spokes: [{ stack: "acme/p/old" }],
        addonsRepo,
        namespace: "argocd",
      });
      await runtime.settle();
    });
    assert.ok(
      errors.some((e) =>
        e.includes("stack acme/p/old's output hubSpoke has no valid server, access, labels, annotations"),
      ),
      errors.join("\n"),
    );
    assert.equal(resourcesOfType(runtime, "kubernetes:core/v1:Secret").length, 0);
  });
});
