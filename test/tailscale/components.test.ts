/** TailscaleAccess under Pulumi's mock runtime, and its credentials flowing into CiSecrets as secrets. */
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
  unwrap,
} from "../support/harness";
import { CiSecrets } from "../../components/github/ci-secrets";
import { ciEnvironmentSpecs } from "../../core/github/github";
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

  it("oauth: an OAuth client with only auth_keys, the CI tags, and secret credentials", async () => {
    const access = make({});
    assert.ok(access.oauthClientId !== undefined && access.oauthClientSecret !== undefined);
    assert.equal(await pulumi.isSecret(access.oauthClientSecret), true);
    assert.equal(await pulumi.isSecret(access.oauthClientId), true);
    assert.equal(access.authKey, undefined);
    await runtime.settle();

    const [client, ...more] = ofType("tailscale:index/oauthClient:OauthClient");
    assert.equal(more.length, 0);
    assert.equal(client?.name, "tailscale-oauth-client");
    assert.deepEqual(client?.inputs, {
      description: "gitops bootstrap prod ci",
      scopes: ["auth_keys"],
      tags: ["tag:ci"],
    });
    assert.deepEqual(client?.options.additionalSecretOutputs, ["key"]);
    assert.equal(client?.parent, await unwrap(access.urn));
    assert.equal(ofType("tailscale:index/tailnetKey:TailnetKey").length, 0);
  });

  it("authkey: one reusable, ephemeral, pre-authorized, tagged key with an expiry, secret", async () => {
    const access = make({ mode: "authkey", authKeyExpiryDays: 7, tags: ["tag:ci", "tag:deploy"] });
    assert.ok(access.authKey !== undefined);
    assert.equal(await pulumi.isSecret(access.authKey), true);
    assert.equal(access.oauthClientSecret, undefined);
    await runtime.settle();

    const [key, ...more] = ofType("tailscale:index/tailnetKey:TailnetKey");
    assert.equal(more.length, 0);
    assert.deepEqual(key?.inputs, {
      description: "gitops bootstrap prod ci",
      ephemeral: true,
      preauthorized: true,
      reusable: true,
      expiry: 7 * 86_400,
      tags: ["tag:ci", "tag:deploy"],
      recreateIfInvalid: "always",
    });
    assert.deepEqual(key?.options.additionalSecretOutputs, ["key"]);
    assert.equal(ofType("tailscale:index/oauthClient:OauthClient").length, 0);
  });

  it("credentials reach CiSecrets as secrets, the tags and the mode as variables", async () => {
    const access = make({});
    const gh = new github.Provider("github", { owner: "acme" });
    new CiSecrets("ci", {
      repository: "homelab",
      values: {
        stacks: ["prod"],
        tailscale: {
          mode: "oauth",
          clientId: access.oauthClientId ?? assert.fail(),
          clientSecret: access.oauthClientSecret ?? assert.fail(),
          tags: access.tags,
        },
      },
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
        "preview:TS_OAUTH_CLIENT_ID",
        "preview:TS_OAUTH_SECRET",
        "production:TS_OAUTH_CLIENT_ID",
        "production:TS_OAUTH_SECRET",
      ],
    );
    for (const secret of secrets) assert.ok(secret.inputs.value instanceof SecretInput);
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
      TS_TAGS: "tag:ci",
    });
  });

  it("a tag without tag: fails naming the key, before anything is registered", async () => {
    await runtime.settle();
    const before = runtime.registrations.length;
    assert.throws(
      () => make({ tags: ["tag:ci", "ci"] }),
      /TailscaleAccess tailscale: gitops-bootstrap:tailscale\.tags\[1\]: "ci" must start with "tag:"/,
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
