/** `gitops-bootstrap:secrets` and its secret keys in the stack config: defaults, and every error at once. */
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readStackFile } from "../../cli/stack-file";
import { REPO_ROOT } from "../support/paths";
import { parseStackConfig, PROJECT } from "../../stacks/config";
import { AGE_VECTORS } from "./vectors";

const FLUX = { engine: "flux", repo: { url: "git@github.com:acme/manifests.git" } };
const DEPLOY_KEY = { repoSshPrivateKey: "k" };

function parse(values: Record<string, unknown>, secrets: Record<string, string> = {}) {
  const all = { ...DEPLOY_KEY, ...secrets };
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...values, ...all }))
    config[`${PROJECT}:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
  return parseStackConfig(config, new Set(Object.keys(all).map((k) => `${PROJECT}:${k}`)));
}

function errors(values: Record<string, unknown>, secrets: Record<string, string> = {}): string[] {
  const result = parse(values, secrets);
  assert.equal(result.ok, false, "expected the config to be rejected");
  return result.ok ? [] : result.errors;
}

describe("stack config: secrets (secret zero)", () => {
  it("is off unless set: no sopsAge, no externalSecrets", () => {
    const result = parse(FLUX);
    assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
    assert.deepEqual(result.config.secrets, {});
  });

  it("fills sopsAge's defaults: one generated key named 1, Secret sops-age", () => {
    const result = parse({ ...FLUX, secrets: { sopsAge: {} } });
    assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
    assert.deepEqual(result.config.secrets.sopsAge, { keys: ["1"], secretName: "sops-age", protect: true });
  });

  it("fills each preset's Secret name and namespace", () => {
    const expected = {
      onepassword: "onepassword-connect-token",
      bitwarden: "bitwarden-access-token",
      doppler: "doppler-token",
    } as const;
    for (const [provider, secretName] of Object.entries(expected)) {
      const result = parse(
        { ...FLUX, secrets: { externalSecrets: { provider } } },
        { externalSecretsToken: "t" },
      );
      assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
      assert.equal(result.config.secrets.externalSecrets?.secretName, secretName);
      assert.equal(result.config.secrets.externalSecrets?.namespace, "external-secrets");
    }
  });

  it("accepts the user's own age key file, alone (keys: [])", () => {
    const [identity] = AGE_VECTORS[0] as readonly [string, string];
    const result = parse(
      { ...FLUX, secrets: { sopsAge: { keys: [] } } },
      { sopsAgeKey: `# created: 2026-01-01\n${identity}\n` },
    );
    assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
  });

  it("reports every problem of the section at once, each naming its key", () => {
    const found = errors({
      ...FLUX,
      secrets: {
        sopsAge: { keys: ["1", "1"], secretName: "Not_A_Name" },
        externalSecrets: { provider: "onepassword", store: { connectHost: "not a url", vaults: {} } },
      },
    });
    assert.deepEqual(
      found.map((e) => e.split(": ")[0]),
      [
        "secrets.externalSecrets.store.connectHost",
        "secrets.externalSecrets.store.vaults",
        "secrets.sopsAge.keys",
        "secrets.sopsAge.secretName",
      ].map((key) => `${PROJECT}:${key}`),
    );
  });

  it("reports the rules between keys with the other sections' errors, saying the fix", () => {
    const found = errors(
      {
        engine: "argocd",
        repo: FLUX.repo,
        argocd: { namespace: "Not A Label" },
        secrets: { sopsAge: {}, externalSecrets: { provider: "onepassword" } },
      },
      { onePasswordCredentials: "{}" },
    );
    const keys = found.map((e) => e.split(": ")[0]);
    for (const key of ["argocd.namespace", "secrets.sopsAge", "externalSecretsToken"])
      assert.ok(keys.includes(`${PROJECT}:${key}`), `no error for ${key}; got:\n${found.join("\n")}`);
    assert.match(found.join("\n"), /engine is argocd, which decrypts SOPS only through a plugin/);
    assert.match(
      found.join("\n"),
      /externalSecretsToken: is required .* 1Password Connect token; set it with `pulumi config set --secret externalSecretsToken/,
    );
  });

  it("names the providers for an unknown one", () => {
    const found = errors({ ...FLUX, secrets: { externalSecrets: { provider: "vault" } } });
    assert.ok(
      found.some(
        (e) =>
          e.startsWith(`${PROJECT}:secrets.externalSecrets.provider: `) &&
          /onepassword, bitwarden, doppler, aws/.test(e),
      ),
      found.join("\n"),
    );
  });

  it("refuses the aws preset without the account stack, and a token it would not use", () => {
    const found = errors(
      { ...FLUX, secrets: { externalSecrets: { provider: "aws" } } },
      { externalSecretsToken: "t" },
    );
    assert.ok(
      found.some(
        (e) =>
          e.startsWith(`${PROJECT}:secrets.externalSecrets.provider: is aws`) && /aws\.accountStack/.test(e),
      ),
    );
    assert.ok(found.some((e) => e.startsWith(`${PROJECT}:externalSecretsToken: is set but the aws preset`)));
  });

  it("refuses secret keys set without their part", () => {
    const [identity] = AGE_VECTORS[0] as readonly [string, string];
    const found = errors(FLUX, {
      sopsAgeKey: identity,
      externalSecretsToken: "t",
      onePasswordCredentials: "{}",
    });
    assert.deepEqual(found.map((e) => e.split(": ")[0]).sort(), [
      `${PROJECT}:externalSecretsToken`,
      `${PROJECT}:onePasswordCredentials`,
      `${PROJECT}:sopsAgeKey`,
    ]);
  });

  it("reports a malformed age key file by line number, never printing it", () => {
    const secretish = "AGE-SECRET-KEY-1THISISNOTAVALIDKEYBUTLOOKSSECRET";
    const found = errors({ ...FLUX, secrets: { sopsAge: {} } }, { sopsAgeKey: `# ok\n${secretish}\n` });
    assert.ok(
      found.some((e) => e.startsWith(`${PROJECT}:sopsAgeKey: line 2 is neither`)),
      found.join("\n"),
    );
    assert.ok(!found.join("\n").includes("THISISNOTAVALIDKEY"));
  });

  it("refuses keys: [] without a key of the user's: the Secret would hold no identity", () => {
    const found = errors({ ...FLUX, secrets: { sopsAge: { keys: [] } } });
    assert.ok(
      found.some((e) => e.startsWith(`${PROJECT}:secrets.sopsAge.keys: is []`)),
      found.join("\n"),
    );
  });

  it("refuses a secret of this part kept in plain text", () => {
    const config = {
      [`${PROJECT}:engine`]: "flux",
      [`${PROJECT}:repo`]: JSON.stringify(FLUX.repo),
      [`${PROJECT}:repoSshPrivateKey`]: "k",
      [`${PROJECT}:externalSecretsToken`]: "plain-token",
    };
    const result = parseStackConfig(config, new Set([`${PROJECT}:repoSshPrivateKey`]));
    assert.equal(result.ok, false);
    const text = result.ok ? "" : result.errors.join("\n");
    assert.match(text, /externalSecretsToken: is stored in plain text/);
    assert.ok(!text.includes("plain-token"));
  });
});

describe("stack config: secrets in a stack file read offline (synth, config)", () => {
  it("stands in for a secure sopsAgeKey with a well-formed age key file, so synth checks the rest", () => {
    const dir = mkdtempSync(join(tmpdir(), "gitops-secret-zero-config-"));
    try {
      const file = join(dir, "Pulumi.mine.yaml");
      writeFileSync(
        file,
        [
          "config:",
          "  gitops-bootstrap:engine: flux",
          "  gitops-bootstrap:repo: { url: git@github.com:acme/manifests.git }",
          "  gitops-bootstrap:repoSshPrivateKey: { secure: v1:x }",
          "  gitops-bootstrap:secrets: { sopsAge: { keys: [] } }",
          "  gitops-bootstrap:sopsAgeKey: { secure: v1:y }",
          "",
        ].join("\n"),
      );
      const { config, secretKeys } = readStackFile(REPO_ROOT, "mine", file);
      const result = parseStackConfig(config, new Set(secretKeys));
      assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
      assert.match(
        config[`${PROJECT}:sopsAgeKey`] ?? "",
        /^# \[synth placeholder for secure config gitops-bootstrap:sopsAgeKey\]\nAGE-SECRET-KEY-1/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("stack config: the store's namespace", () => {
  it("refuses the engine's own namespace, which the engine's part makes", () => {
    const found = errors(
      { ...FLUX, secrets: { externalSecrets: { provider: "doppler", namespace: "flux-system" } } },
      { externalSecretsToken: "t" },
    );
    assert.deepEqual(found, [
      `${PROJECT}:secrets.externalSecrets.namespace: is flux-system, the engine's namespace (flux.namespace), which the engine's part makes; use a namespace of its own, such as external-secrets`,
    ]);
  });
});
