/**
 * TailscaleAccess and CiClusterAccess under Pulumi's mock runtime: one credential per CI identity,
 * flowing into CiSecrets as secrets, and the RBAC for the groups their grants impersonate.
 */
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import * as tailscale from "@pulumi/tailscale";
import { strict as assert } from "node:assert";
import {
  type MockRuntime,
  type Registration,
  SecretInput,
  mockRuntime,
  resourcesOfType,
  testProvider,
  unwrap,
} from "../support/harness";
import { validateKubernetesObject } from "../support/validate";
import { CiSecrets } from "../../components/github/ci-secrets";
import { ciEnvironmentSpecs } from "../../core/github/github";
import { CiClusterAccess } from "../../components/tailscale/ci-cluster-access";
import { TailscaleAccess } from "../../components/tailscale/tailscale-access";
import { parseTailscaleSettings } from "../../core/tailscale/settings";

const defaults = parseTailscaleSettings({ enabled: true });
assert.ok(defaults.enabled);

describe("TailscaleAccess (mock runtime)", () => {
  let runtime: MockRuntime;
  let provider: tailscale.Provider;

  beforeEach(async () => {
    runtime = await mockRuntime({ stack: "prod" });
    provider = new tailscale.Provider("tailscale", { tailnet: "example.com" });
  });

  const ofType = (type: string): Registration[] => resourcesOfType(runtime, type);
  const make = (settings: Partial<typeof defaults>) =>
    new TailscaleAccess("tailscale", {
      settings: { ...defaults, ...settings },
      stack: "prod",
      providers: { tailscale: provider },
    });

  it("oauth: one OAuth client per identity, each with only auth_keys and its own tags, credentials secret", async () => {
    const access = make({});
    const { credentials } = access;
    assert.ok(credentials.mode === "oauth");
    for (const role of ["preview", "deploy"] as const) {
      assert.equal(await pulumi.isSecret(credentials[role].clientId), true);
      assert.equal(await pulumi.isSecret(credentials[role].clientSecret), true);
    }
    assert.deepEqual(credentials.preview.tags, ["tag:ci-preview"]);
    assert.deepEqual(credentials.deploy.tags, ["tag:ci-deploy"]);
    await runtime.settle();

    const clients = ofType("tailscale:index/oauthClient:OauthClient");
    assert.deepEqual(
      clients.map((c) => [c.name, c.inputs]),
      [
        [
          "tailscale-preview-oauth-client",
          {
            description: "ci preview gitops bootstrap prod",
            scopes: ["auth_keys"],
            tags: ["tag:ci-preview"],
          },
        ],
        [
          "tailscale-deploy-oauth-client",
          { description: "ci deploy gitops bootstrap prod", scopes: ["auth_keys"], tags: ["tag:ci-deploy"] },
        ],
      ],
    );
    for (const client of clients) {
      assert.deepEqual(client.options.additionalSecretOutputs, ["key"]);
      assert.equal(client.parent, await unwrap(access.urn));
    }
    assert.equal(ofType("tailscale:index/tailnetKey:TailnetKey").length, 0);
  });

  it("authkey: one reusable, ephemeral, pre-authorized key per identity, with its tags and an expiry, secret", async () => {
    const access = make({
      mode: "authkey",
      authKeyExpiryDays: 7,
      ci: { ...defaults.ci, deploy: { ...defaults.ci.deploy, tags: ["tag:ci-deploy", "tag:prod"] } },
    });
    assert.ok(access.credentials.mode === "authkey");
    assert.equal(await pulumi.isSecret(access.credentials.preview.authKey), true);
    assert.equal(await pulumi.isSecret(access.credentials.deploy.authKey), true);
    await runtime.settle();

    const keys = ofType("tailscale:index/tailnetKey:TailnetKey");
    const common = {
      ephemeral: true,
      preauthorized: true,
      reusable: true,
      expiry: 7 * 86_400,
      recreateIfInvalid: "always",
    };
    assert.deepEqual(
      keys.map((k) => [k.name, k.inputs]),
      [
        [
          "tailscale-preview-auth-key",
          { ...common, description: "ci preview gitops bootstrap prod", tags: ["tag:ci-preview"] },
        ],
        [
          "tailscale-deploy-auth-key",
          { ...common, description: "ci deploy gitops bootstrap prod", tags: ["tag:ci-deploy", "tag:prod"] },
        ],
      ],
    );
    for (const key of keys) assert.deepEqual(key.options.additionalSecretOutputs, ["key"]);
    assert.equal(ofType("tailscale:index/oauthClient:OauthClient").length, 0);
  });

  it("each identity's credential reaches only its environment, as a secret; the tags and the mode as variables", async () => {
    const access = make({});
    const gh = new github.Provider("github", { owner: "acme" });
    new CiSecrets("ci", {
      repository: "homelab",
      values: { stacks: ["prod"], tailscale: access.credentials },
      environments: ciEnvironmentSpecs({
        reviewers: { users: [1], teams: [] },
        preventSelfReview: false,
        defaultBranch: "main",
      }),
      providers: { github: gh },
    });
    await runtime.settle();
    assert.equal(ofType("github:index/actionsSecret:ActionsSecret").length, 0);
    const secrets = ofType("github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret");
    assert.deepEqual(
      secrets.map((s) => `${String(s.inputs.environment)}:${String(s.inputs.secretName)}`).sort(),
      [
        "preview:TS_PREVIEW_OAUTH_CLIENT_ID",
        "preview:TS_PREVIEW_OAUTH_SECRET",
        "production:TS_DEPLOY_OAUTH_CLIENT_ID",
        "production:TS_DEPLOY_OAUTH_SECRET",
      ],
    );
    for (const secret of secrets) assert.ok(secret.inputs.value instanceof SecretInput);
    // The mock answers with the client's name as its id: the preview secret holds the preview client.
    const idIn = (name: string) =>
      (secrets.find((s) => s.inputs.secretName === name)?.inputs.value as SecretInput).value;
    assert.equal(idIn("TS_PREVIEW_OAUTH_CLIENT_ID"), "tailscale-preview-oauth-client-id");
    assert.equal(idIn("TS_DEPLOY_OAUTH_CLIENT_ID"), "tailscale-deploy-oauth-client-id");
    const variables = Object.fromEntries(
      ofType("github:index/actionsVariable:ActionsVariable").map((v) => [
        v.inputs.variableName,
        v.inputs.value,
      ]),
    );
    assert.deepEqual(variables, {
      PULUMI_STACKS: '["prod"]',
      CI_MODEL: "environments",
      TAILSCALE_MODE: "oauth",
      TS_PREVIEW_TAGS: "tag:ci-preview",
      TS_DEPLOY_TAGS: "tag:ci-deploy",
    });
  });

  it("a tag without tag: fails naming the key, before anything is registered", async () => {
    await runtime.settle();
    const before = runtime.registrations.length;
    assert.throws(
      () =>
        make({ ci: { ...defaults.ci, preview: { ...defaults.ci.preview, tags: ["tag:ci-preview", "ci"] } } }),
      /TailscaleAccess tailscale: gitops-bootstrap:tailscale\.ci\.preview\.tags\[1\]: "ci" must start with "tag:"/,
    );
    await runtime.settle();
    assert.equal(runtime.registrations.length, before);
  });

  it("an expiry beyond 90 days fails naming the key, before anything is registered", async () => {
    await runtime.settle();
    const before = runtime.registrations.length;
    assert.throws(
      () => make({ mode: "authkey", authKeyExpiryDays: 365 }),
      /gitops-bootstrap:tailscale\.authKeyExpiryDays: auth key expiry must be a whole number of days from 1 to 90, got 365/,
    );
    await runtime.settle();
    assert.equal(runtime.registrations.length, before);
  });
});

describe("CiClusterAccess (mock runtime)", () => {
  let runtime: MockRuntime;
  beforeEach(async () => {
    runtime = await mockRuntime({ stack: "prod" });
  });

  const rbac = () =>
    runtime.registrations.filter((r) => r.type.startsWith("kubernetes:rbac.authorization.k8s.io/v1:"));

  it("registers the preview ClusterRole and both bindings on the explicit provider, inside the component, schema-valid", async () => {
    const provider = testProvider();
    const access = new CiClusterAccess("ci-access", {
      provider,
      settings: defaults.ci,
      engineNamespace: "argocd",
    });
    await runtime.settle();
    const urn = await unwrap(access.urn);
    const providerUrn = await unwrap(provider.urn);
    assert.deepEqual(
      rbac().map((r) => `${r.type.split(":").pop()}/${r.name}`),
      [
        "ClusterRole/ci-access-preview-clusterrole",
        "ClusterRoleBinding/ci-access-preview-clusterrolebinding",
        "ClusterRoleBinding/ci-access-deploy-clusterrolebinding",
      ],
    );
    for (const r of rbac()) {
      assert.equal(r.parent, urn);
      assert.ok(r.provider?.startsWith(`${providerUrn}::`), r.name);
      await validateKubernetesObject(r.inputs);
    }
    const deploy = rbac().find((r) => r.name === "ci-access-deploy-clusterrolebinding");
    assert.deepEqual(deploy?.inputs.roleRef, {
      apiGroup: "rbac.authorization.k8s.io",
      kind: "ClusterRole",
      name: "cluster-admin",
    });
  });

  it("with readSecrets, a Role and RoleBinding in the engine's namespace, waiting for it", async () => {
    const namespace = pulumi.output("flux-system");
    new CiClusterAccess("ci-access", {
      provider: testProvider(),
      settings: { ...defaults.ci, preview: { ...defaults.ci.preview, readSecrets: true } },
      engineNamespace: "flux-system",
      namespace,
    });
    await runtime.settle();
    const role = rbac().find((r) => r.type.endsWith(":Role"));
    const binding = rbac().find((r) => r.type.endsWith(":RoleBinding"));
    assert.deepEqual(role?.inputs.rules, [
      { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"] },
    ]);
    assert.equal((role?.inputs.metadata as { namespace?: string }).namespace, "flux-system");
    assert.deepEqual(binding?.inputs.subjects, [
      { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "gitops-bootstrap:ci-preview" },
    ]);
    for (const r of rbac()) await validateKubernetesObject(r.inputs);
  });
});
