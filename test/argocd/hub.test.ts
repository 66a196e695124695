/**
 * Hub and spoke as plain data (core/argocd/hub.ts, hub-settings.ts): the spoke's identity objects,
 * what it exports, the hub's cluster Secret with GitOps Bridge metadata, and the config errors.
 */
import { strict as assert } from "node:assert";
import {
  accountIdOfArn,
  clusterConfig,
  clusterSecretObject,
  parseSpokeCredentials,
  parseSpokeRegistration,
  spokeIdentityObjects,
  spokeRegistration,
  spokeServer,
  spokeTailscalePolicy,
} from "../../core/argocd/hub";
import { hubSettingsSchema, spokeSecretName, stackSlug } from "../../core/argocd/hub-settings";
import { parseStackConfig } from "../../stacks/config";
import { validateKubernetesObject } from "../support/validate";

const spoke = (raw: Record<string, unknown>) => {
  const parsed = hubSettingsSchema.parse({ spoke: raw }).spoke;
  assert.ok(parsed !== undefined);
  return parsed;
};

const problems = (raw: unknown): string[] => {
  const result = hubSettingsSchema.safeParse(raw);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("hub settings", () => {
  it("defaults a token spoke to argocd-manager in kube-system bound to cluster-admin", () => {
    const s = spoke({ server: "https://spoke.example.com:6443" });
    assert.equal(s.access, "token");
    assert.deepEqual(s.serviceAccount, { name: "argocd-manager", namespace: "kube-system" });
    assert.equal(s.clusterRole, "cluster-admin");
    assert.deepEqual(s.addons, []);
    assert.equal(s.environment, undefined);
    assert.deepEqual(hubSettingsSchema.parse({}).spokes, []);
  });

  it("requires the server for a token spoke, naming the key", () => {
    assert.deepEqual(
      problems({ spoke: {} }).map((p) => p.split(":")[0]),
      ["spoke.server"],
    );
    assert.match(problems({ spoke: { server: "http://x.example.com" } })[0] ?? "", /https URL/);
  });

  it("refuses labels and annotations the hub writes itself, and enable_ in an add-on name", () => {
    const found = problems({
      spoke: {
        server: "https://x.example.com",
        addons: ["enable_media"],
        labels: { environment: "prod", enable_x: "true" },
        annotations: { addons_repo_url: "x", cluster_name: "y" },
      },
    });
    assert.deepEqual(found.map((p) => p.split(": ")[0]).sort(), [
      "spoke.addons.0",
      "spoke.annotations.addons_repo_url",
      "spoke.annotations.cluster_name",
      "spoke.labels.enable_x",
      "spoke.labels.environment",
    ]);
    assert.ok(found.some((p) => p.includes('write "media"')));
  });

  it("refuses the settings of the other access mode instead of ignoring them", () => {
    assert.deepEqual(
      problems({ spoke: { access: "tailscale", serviceAccount: { name: "x" } } }).map(
        (p) => p.split(": ")[0],
      ),
      ["spoke.serviceAccount"],
    );
    assert.deepEqual(
      problems({ spoke: { server: "https://x.example.com", tailscale: { group: "g" } } }).map(
        (p) => p.split(": ")[0],
      ),
      ["spoke.tailscale"],
    );
  });

  it("names each spoke's Secret after its stack and refuses two spokes with one Secret", () => {
    assert.equal(stackSlug("acme/gitops-bootstrap/Spoke_A"), "spoke-a");
    assert.equal(spokeSecretName({ stack: "acme/gitops-bootstrap/spoke-a" }), "cluster-spoke-a");
    assert.equal(spokeSecretName({ stack: "spoke-a", secretName: "prod" }), "prod");
    const found = problems({
      spokes: [{ stack: "acme/p/spoke-a" }, { stack: "other/p/spoke-a" }, { stack: "acme/p/spoke-a" }],
    });
    assert.deepEqual(
      found.map((p) => p.split(": ")[0]),
      ["spokes.1.secretName", "spokes.2.secretName", "spokes.2.stack"],
    );
  });
});

describe("the spoke's identity", () => {
  it("token: a ServiceAccount, its long-lived token Secret and a ClusterRoleBinding, each valid", async () => {
    const objects = spokeIdentityObjects(
      spoke({ server: "https://x.example.com", clusterRole: "fleet-deployer" }),
    );
    assert.deepEqual(objects.tokenSecret?.metadata.annotations, {
      "kubernetes.io/service-account.name": "argocd-manager",
    });
    assert.equal(objects.tokenSecret?.metadata.name, "argocd-manager-long-lived-token");
    assert.equal(objects.tokenSecret?.type, "kubernetes.io/service-account-token");
    assert.deepEqual(objects.binding.roleRef, {
      apiGroup: "rbac.authorization.k8s.io",
      kind: "ClusterRole",
      name: "fleet-deployer",
    });
    assert.deepEqual(objects.binding.subjects, [
      { kind: "ServiceAccount", name: "argocd-manager", namespace: "kube-system" },
    ]);
    for (const object of [objects.serviceAccount, objects.tokenSecret, objects.binding]) {
      assert.ok(object !== undefined);
      await validateKubernetesObject(object);
    }
  });

  it("tailscale: only a binding for the impersonated group, and the grant for the hub's tags", async () => {
    const s = spoke({ access: "tailscale", tailscale: { group: "fleet:hub", hubTags: ["tag:hub"] } });
    const objects = spokeIdentityObjects(s);
    assert.equal(objects.serviceAccount, undefined);
    assert.equal(objects.tokenSecret, undefined);
    assert.deepEqual(objects.binding.subjects, [
      { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "fleet:hub" },
    ]);
    await validateKubernetesObject(objects.binding);
    assert.equal(spokeServer(s, "k8s-b.tail1.ts.net"), "https://k8s-b.tail1.ts.net");
    assert.equal(spokeServer(s, undefined), undefined);
    assert.deepEqual(
      spokeTailscalePolicy(s, {
        apiServer: { tags: ["tag:k8s-operator"], ports: [443] },
        tagOwners: ["group:ops"],
      }),
      {
        tagOwners: { "tag:hub": ["group:ops"] },
        grants: [
          {
            src: ["tag:hub"],
            dst: ["tag:k8s-operator"],
            ip: ["tcp:443"],
            app: { "tailscale.com/cap/kubernetes": [{ impersonate: { groups: ["fleet:hub"] } }] },
          },
        ],
      },
    );
  });

  it("exports GitOps Bridge labels and annotations; its own aws_* annotations win over the account stack's", () => {
    const s = spoke({
      server: "https://x.example.com",
      environment: "staging",
      addons: ["monitoring", "media"],
      labels: { tier: "edge" },
      annotations: { aws_region: "eu-west-1" },
    });
    const registration = spokeRegistration(s, "spoke-a", "https://x.example.com", {
      region: "us-east-1",
      accountId: accountIdOfArn("arn:aws:iam::123456789012:role/deploy"),
    });
    assert.deepEqual(registration, {
      name: "spoke-a",
      server: "https://x.example.com",
      access: "token",
      labels: {
        cluster_name: "spoke-a",
        enable_media: "true",
        enable_monitoring: "true",
        environment: "staging",
        tier: "edge",
      },
      annotations: {
        aws_account_id: "123456789012",
        aws_region: "eu-west-1",
        cluster_name: "spoke-a",
        environment: "staging",
      },
    });
    assert.equal(accountIdOfArn("[account output deployRoleArn]"), undefined);
  });
});

describe("the hub's cluster Secret", () => {
  const registration = {
    name: "spoke-a",
    server: "https://x.example.com",
    access: "token" as const,
    labels: { cluster_name: "spoke-a", enable_media: "true" },
    annotations: { cluster_name: "spoke-a" },
  };
  const addonsRepo = { url: "git@github.com:acme/fleet.git", basepath: "", path: "apps", revision: "main" };

  it("is an Argo CD cluster Secret with the addons_repo_* annotations, valid as a Secret", async () => {
    const object = clusterSecretObject({ stack: "acme/p/spoke-a" }, registration, addonsRepo, "argocd");
    assert.deepEqual(object.metadata, {
      name: "cluster-spoke-a",
      namespace: "argocd",
      labels: { "argocd.argoproj.io/secret-type": "cluster", cluster_name: "spoke-a", enable_media: "true" },
      annotations: {
        addons_repo_basepath: "",
        addons_repo_path: "apps",
        addons_repo_revision: "main",
        addons_repo_url: "git@github.com:acme/fleet.git",
        cluster_name: "spoke-a",
      },
    });
    assert.deepEqual(object.stringData, { name: "spoke-a", server: "https://x.example.com" });
    const withConfig = { ...object, stringData: { ...object.stringData, config: "{}" } };
    await validateKubernetesObject(withConfig);
  });

  it("keeps the secret-type label even when a registration carries another value", () => {
    const object = clusterSecretObject(
      { stack: "s" },
      { ...registration, labels: { "argocd.argoproj.io/secret-type": "repository" } },
      addonsRepo,
      "argocd",
    );
    assert.equal(object.metadata.labels["argocd.argoproj.io/secret-type"], "cluster");
  });

  it("writes config as Argo CD reads it: a bearer token and the CA, or TLS only over Tailscale", () => {
    assert.deepEqual(JSON.parse(clusterConfig("token", { bearerToken: "t0k", caData: "Q0E=" })), {
      bearerToken: "t0k",
      tlsClientConfig: { insecure: false, caData: "Q0E=" },
    });
    assert.deepEqual(JSON.parse(clusterConfig("tailscale")), { tlsClientConfig: { insecure: false } });
  });

  it("refuses a spoke output that is not a registration, naming the stack and the fix, never the value", () => {
    assert.throws(
      () => parseSpokeRegistration({ ...registration, server: "http://x" }, "acme/p/spoke-a"),
      /stack acme\/p\/spoke-a's output hubSpoke has no valid server; run pulumi up on acme\/p\/spoke-a/,
    );
    assert.throws(() => parseSpokeRegistration("x", "s"), /is not a spoke registration/);
    assert.throws(
      () => parseSpokeCredentials({ bearerToken: "", caData: "very-secret-ca" }, "s"),
      (error: Error) =>
        /holds no bearerToken and caData/.test(error.message) && !error.message.includes("very-secret"),
    );
  });
});

describe("hub settings in the stack config", () => {
  const base = {
    "gitops-bootstrap:repo": JSON.stringify({ url: "git@github.com:acme/fleet.git" }),
    "gitops-bootstrap:repoSshPrivateKey": "key",
  };
  const secrets = new Set(["gitops-bootstrap:repoSshPrivateKey"]);

  it("refuses spokes on a Flux hub and a Tailscale spoke with no address, naming the keys", () => {
    const result = parseStackConfig(
      {
        ...base,
        "gitops-bootstrap:engine": "flux",
        "gitops-bootstrap:hub": JSON.stringify({
          spokes: [{ stack: "acme/p/spoke-a" }],
          spoke: { access: "tailscale" },
        }),
      },
      secrets,
    );
    assert.ok(!result.ok);
    assert.deepEqual(
      result.errors.map((e) => e.split(": ")[0]),
      ["gitops-bootstrap:hub.spoke.server", "gitops-bootstrap:hub.spokes"],
    );
  });

  it("accepts a hub on Argo CD and leaves hub off by default", () => {
    const hub = parseStackConfig(
      {
        ...base,
        "gitops-bootstrap:engine": "argocd",
        "gitops-bootstrap:hub": JSON.stringify({ spokes: [{ stack: "acme/p/spoke-a" }] }),
      },
      secrets,
    );
    assert.ok(hub.ok, hub.ok ? "" : hub.errors.join("\n"));
    const plain = parseStackConfig(
      { ...base, "gitops-bootstrap:engine": "argocd", "gitops-bootstrap:hub": "{}" },
      secrets,
    );
    assert.ok(plain.ok);
    assert.deepEqual(plain.config.hub, { spokes: [], addonsRepo: { basepath: "" } });
  });
});
