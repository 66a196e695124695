/**
 * The secret-zero components under the mock runtime, with real secret values: what each Secret
 * holds, that every value stays a secret, and that nothing synth would write contains one.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { buildSecretZero } from "../../components/secrets/build";
import { SecretsReader } from "../../components/secrets/aws-reader";
import { parseAgeKeyFile, ageRecipientOf, ageIdentity, isAgeRecipient } from "../../core/secrets/age";
import { secretsSettingsSchema } from "../../core/secrets/settings";
import { clusterSecretStore } from "../../core/secrets/stores";
import { renderSynth, redact } from "../../cli/synth";
import { resolveOutputs } from "../../cli/mock-runtime";
import * as aws from "@pulumi/aws";
import {
  findResource,
  mockRuntime,
  revealSecrets,
  resourcesOfType,
  SecretInput,
  testProvider,
  type MockRuntime,
} from "../support/harness";
import { validateKubernetesObject } from "../support/validate";
import { AGE_VECTORS } from "./vectors";

const TOKEN = "TOKEN-VALUE-0f9e8d";
const CREDENTIALS = '{"verifier":{"salt":"CREDENTIALS-VALUE-7a6b"}}';
const [EXISTING_IDENTITY, EXISTING_RECIPIENT] = AGE_VECTORS[0] as readonly [string, string];

/** Every string a leak would show: the values, their base64, and the identities' text. */
function leaked(text: string, values: readonly string[]): string[] {
  return values.filter((value) => text.includes(value));
}

describe("secret zero under the mock runtime", () => {
  let runtime: MockRuntime;
  beforeEach(async () => {
    runtime = await mockRuntime();
  });

  it("places sops-age with the generated identities, then the user's, and exports only recipients", async () => {
    const zero = buildSecretZero({
      settings: secretsSettingsSchema.parse({ sopsAge: { keys: ["1", "2"] } }),
      provider: testProvider(),
      tlsProvider: new tls.Provider("tls", {}),
      fluxNamespace: pulumi.output("flux-system"),
      secrets: { sopsAgeKey: pulumi.secret(`# mine\n${EXISTING_IDENTITY}\n`) },
    });
    await runtime.settle();
    const secret = findResource(runtime, "kubernetes:core/v1:Secret", "sops-age");
    assert.deepEqual(secret.options.retainOnDelete, true);
    assert.ok(secret.inputs.stringData instanceof SecretInput, "stringData is a secret");
    const file = (revealSecrets(secret.inputs.stringData) as Record<string, string>)["age.agekey"] ?? "";
    const parsed = parseAgeKeyFile(file);
    assert.ok("identities" in parsed);
    assert.equal(parsed.identities.length, 3);
    assert.equal(ageIdentity(parsed.identities[2] as Uint8Array), EXISTING_IDENTITY);

    const keys = resourcesOfType(runtime, "tls:index/privateKey:PrivateKey");
    assert.deepEqual(keys.map((k) => k.name).sort(), ["sops-age-1", "sops-age-2"]);
    for (const key of keys) {
      assert.equal(key.inputs.algorithm, "ED25519");
      assert.equal(key.options.protect, true);
    }

    const recipients = (await resolveOutputs(zero.sopsAgeRecipients)) as string[];
    assert.ok(!((recipients as unknown) instanceof SecretInput), "recipients are public");
    assert.equal(recipients.length, 3);
    assert.equal(recipients[2], EXISTING_RECIPIENT);
    assert.ok(recipients.every(isAgeRecipient));
    assert.deepEqual(recipients.slice(0, 2), parsed.identities.slice(0, 2).map(ageRecipientOf));
    assert.equal(zero.waitFor.length, 1);

    const files = [...renderSynth(runtime.registrations, { recipients }).values()].join("\n");
    assert.deepEqual(leaked(files, ["AGE-SECRET-KEY-1", EXISTING_IDENTITY.slice(16, 40)]), []);
    await validateKubernetesObject(redact(secret.inputs) as never);
  });

  it("places the 1Password token and Connect credentials as secrets, in Secrets the schema accepts", async () => {
    const settings = secretsSettingsSchema.parse({
      externalSecrets: {
        provider: "onepassword",
        store: { connectHost: "http://onepassword-connect:8080", vaults: { homelab: 1 } },
      },
    });
    const zero = buildSecretZero({
      settings,
      provider: testProvider(),
      fluxNamespace: pulumi.output("flux-system"),
      secrets: {
        externalSecretsToken: pulumi.secret(TOKEN),
        onePasswordCredentials: pulumi.secret(CREDENTIALS),
      },
    });
    await runtime.settle();
    const token = findResource(runtime, "kubernetes:core/v1:Secret", "external-secrets");
    assert.deepEqual(
      (token.inputs.metadata as { name: string; namespace: string }).name,
      "onepassword-connect-token",
    );
    assert.deepEqual(revealSecrets(token.inputs.stringData), { token: TOKEN });
    assert.ok(token.inputs.stringData instanceof SecretInput);
    const connect = findResource(runtime, "kubernetes:core/v1:Secret", "external-secrets-connect");
    assert.deepEqual(revealSecrets(connect.inputs.stringData), {
      "1password-credentials.json": Buffer.from(CREDENTIALS).toString("base64"),
    });
    const namespace = findResource(
      runtime,
      "kubernetes:core/v1:Namespace",
      "external-secrets-external-secrets",
    );
    assert.equal(namespace.options.retainOnDelete, true);

    const store = (await resolveOutputs(zero.externalSecretsStore)) as string;
    assert.match(
      store,
      /connectTokenSecretRef:\n\s+name: onepassword-connect-token\n\s+namespace: external-secrets\n\s+key: token/,
    );
    const files = [...renderSynth(runtime.registrations, { store }).values()].join("\n");
    assert.deepEqual(
      leaked(files, [TOKEN, CREDENTIALS, "CREDENTIALS-VALUE", Buffer.from(CREDENTIALS).toString("base64")]),
      [],
    );
    for (const secret of [token, connect]) await validateKubernetesObject(redact(secret.inputs) as never);
  });

  it("places the account stack's reader key for the aws preset", async () => {
    buildSecretZero({
      settings: secretsSettingsSchema.parse({ externalSecrets: { provider: "aws" } }),
      provider: testProvider(),
      fluxNamespace: pulumi.output("flux-system"),
      secrets: {},
      account: {
        region: pulumi.output("eu-west-1"),
        accessKeyId: pulumi.secret("AKIAMOCKREADER"),
        secretAccessKey: pulumi.secret("SECRET-ACCESS-KEY-VALUE"),
      },
    });
    await runtime.settle();
    const secret = findResource(runtime, "kubernetes:core/v1:Secret", "external-secrets");
    assert.deepEqual(revealSecrets(secret.inputs.stringData), {
      "access-key-id": "AKIAMOCKREADER",
      "secret-access-key": "SECRET-ACCESS-KEY-VALUE",
    });
    const files = [...renderSynth(runtime.registrations, {}).values()].join("\n");
    assert.deepEqual(leaked(files, ["AKIAMOCKREADER", "SECRET-ACCESS-KEY-VALUE"]), []);
  });

  it("registers nothing without secrets", async () => {
    const zero = buildSecretZero({
      settings: secretsSettingsSchema.parse({}),
      provider: testProvider(),
      fluxNamespace: pulumi.output("flux-system"),
      secrets: {},
    });
    await runtime.settle();
    assert.deepEqual(zero, { waitFor: [] });
    assert.deepEqual(
      runtime.registrations.map((r) => r.type),
      ["pulumi:providers:kubernetes"],
    );
  });

  it("makes the reader user with its one policy and a secret access key", async () => {
    const reader = new SecretsReader("secrets-reader", {
      provider: new aws.Provider("aws", { region: "eu-west-1" }),
      userName: "gitops-bootstrap-secrets-reader",
      access: {
        partition: "aws",
        accountId: "123456789012",
        region: "eu-west-1",
        pathPrefix: "/homelab/",
        kmsKeyArns: [],
      },
    });
    await runtime.settle();
    const user = findResource(runtime, "aws:iam/user:User", "secrets-reader");
    assert.deepEqual(
      [user.inputs.name, user.inputs.path],
      ["gitops-bootstrap-secrets-reader", "/gitops-bootstrap/"],
    );
    const policy = findResource(runtime, "aws:iam/userPolicy:UserPolicy", "secrets-reader-policy");
    assert.match(String(policy.inputs.policy), /arn:aws:ssm:eu-west-1:123456789012:parameter\/homelab\/\*/);
    const exclusive = findResource(
      runtime,
      "aws:iam/userPoliciesExclusive:UserPoliciesExclusive",
      "secrets-reader-inline-exclusive",
    );
    assert.deepEqual(exclusive.inputs.policyNames, ["read-secrets-under-prefix"]);
    const key = findResource(runtime, "aws:iam/accessKey:AccessKey", "secrets-reader-key");
    assert.ok(key.options.additionalSecretOutputs?.includes("secret"));
    assert.equal(await pulumi.isSecret(reader.secretAccessKey), true);
    assert.equal(await pulumi.isSecret(reader.accessKeyId), true);
  });
});

describe("ClusterSecretStore of each preset, against external-secrets' CRD schema", () => {
  const presets: Array<[string, Record<string, unknown>, string]> = [
    [
      "onepassword",
      { connectHost: "http://onepassword-connect:8080", vaults: { homelab: 1, shared: 2 } },
      "onepassword",
    ],
    [
      "bitwarden",
      {
        organizationID: "org",
        projectID: "proj",
        bitwardenServerSDKURL: "https://bitwarden-sdk-server.external-secrets:9998",
        caBundle: "Q0E=",
      },
      "bitwardensecretsmanager",
    ],
    ["doppler", { project: "homelab", config: "prd" }, "doppler"],
    ["aws", { service: "SecretsManager" }, "aws"],
  ];
  for (const [provider, store, key] of presets) {
    it(`${provider}: a valid store reading the Secret the stack places`, async () => {
      const settings = secretsSettingsSchema.parse({ externalSecrets: { provider, store } }).externalSecrets;
      assert.ok(settings !== undefined);
      const object = clusterSecretStore(settings, "eu-west-1");
      assert.ok(object !== undefined);
      await validateKubernetesObject(object);
      assert.deepEqual(Object.keys(object.spec.provider), [key]);
      assert.ok(
        JSON.stringify(object).includes(`"name":"${settings.secretName}","namespace":"external-secrets"`),
      );
    });
  }

  it("the validator refuses a misspelt auth field (it is not a schema that accepts anything)", async () => {
    const misspelt: object = {
      apiVersion: "external-secrets.io/v1",
      kind: "ClusterSecretStore",
      metadata: { name: "doppler" },
      spec: { provider: { doppler: { auth: { secretRef: { dopplerTokn: { name: "x", key: "y" } } } } } },
    };
    await assert.rejects(validateKubernetesObject(misspelt), /dopplerTokn/);
  });
});
