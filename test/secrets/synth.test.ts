/**
 * Synth of the secret-zero examples (examples/secret-zero), both engines and the account stack, run
 * from the TypeScript sources (cli/dist is rebuilt only on merge): what each writes, every object
 * valid against its schema, and no secure config value anywhere in the output.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parse } from "yaml";
import { isAgeRecipient } from "../../core/secrets/age";
import { REPO_ROOT } from "../support/paths";
import { validateKubernetesObject } from "../support/validate";

const TSX = join(REPO_ROOT, "node_modules", "tsx", "dist", "cli.mjs");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

describe("synth of the secret-zero examples", function () {
  this.timeout(300_000);
  const work = mkdtempSync(join(tmpdir(), "gitops-secret-zero-"));
  const out = (stack: string) => join(work, stack);
  // The Flux example on the Flux Operator: the same file with engine flux-operator.
  const operatorFile = join(work, "Pulumi.secret-zero-flux-operator.yaml");
  before(() => {
    writeFileSync(
      operatorFile,
      readFileSync(
        join(REPO_ROOT, "examples", "secret-zero", "Pulumi.secret-zero-flux.yaml"),
        "utf8",
      ).replace("gitops-bootstrap:engine: flux\n", "gitops-bootstrap:engine: flux-operator\n"),
    );
    for (const stack of [
      "secret-zero-flux",
      "secret-zero-argocd",
      "secret-zero-account",
      "secret-zero-flux-operator",
    ]) {
      const run = spawnSync(
        process.execPath,
        [
          TSX,
          join(REPO_ROOT, "cli", "main.ts"),
          "synth",
          "--stack",
          stack,
          "--config-file",
          stack === "secret-zero-flux-operator"
            ? operatorFile
            : join(REPO_ROOT, "examples", "secret-zero", `Pulumi.${stack}.yaml`),
          "--out",
          out(stack),
        ],
        { cwd: REPO_ROOT, encoding: "utf8" },
      );
      assert.equal(run.status, 0, run.stderr);
    }
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  const read = (stack: string, file: string) => readFileSync(join(out(stack), file), "utf8");

  it("flux: sops-age in flux-system, the root waiting for it, the recipient a stack output", () => {
    const secret = parse(read("secret-zero-flux", "manifests/flux-system/secret-sops-age.yaml")) as {
      stringData: Record<string, string>;
    };
    assert.deepEqual(secret.stringData, { "age.agekey": "[secret]" });
    const resources = JSON.parse(read("secret-zero-flux", "resources.json")) as Array<{
      name: string;
      type: string;
      dependsOn: string[];
    }>;
    const root = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "root");
    assert.ok(root?.dependsOn.includes("gitops:secrets:SopsAgeKeys$kubernetes:core/v1:Secret::sops-age"));
    const outputs = JSON.parse(read("secret-zero-flux", "outputs.json")) as {
      sopsAgeRecipients: string[];
      externalSecretsStore: string;
    };
    assert.equal(outputs.sopsAgeRecipients.length, 1);
    assert.ok(isAgeRecipient(outputs.sopsAgeRecipients[0] ?? ""));
  });

  it("flux-operator: sops-age in the operator's namespace, the same recipient output", () => {
    const secret = parse(read("secret-zero-flux-operator", "manifests/flux-system/secret-sops-age.yaml")) as {
      metadata: { namespace: string };
    };
    assert.equal(secret.metadata.namespace, "flux-system");
    const outputs = JSON.parse(read("secret-zero-flux-operator", "outputs.json")) as {
      sopsAgeRecipients: string[];
    };
    assert.ok(isAgeRecipient(outputs.sopsAgeRecipients[0] ?? ""));
    // The instance's sync is the root: it starts only once sops-age exists, as flux's root does.
    const resources = JSON.parse(read("secret-zero-flux-operator", "resources.json")) as Array<{
      name: string;
      type: string;
      dependsOn: string[];
    }>;
    const instance = resources.find(
      (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "flux-operator-instance",
    );
    assert.ok(instance?.dependsOn.includes("gitops:secrets:SopsAgeKeys$kubernetes:core/v1:Secret::sops-age"));
  });

  it("flux: the 1Password token and Connect credentials in external-secrets, values redacted", () => {
    const token = parse(
      read("secret-zero-flux", "manifests/external-secrets/secret-onepassword-connect-token.yaml"),
    );
    assert.deepEqual(token.stringData, { token: "[secret]" });
    const connect = parse(read("secret-zero-flux", "manifests/external-secrets/secret-op-credentials.yaml"));
    assert.deepEqual(connect.stringData, { "1password-credentials.json": "[secret]" });
  });

  it("argocd: the aws reader's key from the account stack, and its ClusterSecretStore", async () => {
    const secret = parse(
      read("secret-zero-argocd", "manifests/external-secrets/secret-aws-secrets-reader.yaml"),
    );
    assert.deepEqual(secret.stringData, { "access-key-id": "[secret]", "secret-access-key": "[secret]" });
    const outputs = JSON.parse(read("secret-zero-argocd", "outputs.json")) as {
      externalSecretsStore: string;
    };
    const store = parse(outputs.externalSecretsStore) as { spec: { provider: { aws: { service: string } } } };
    assert.equal(store.spec.provider.aws.service, "ParameterStore");
    await validateKubernetesObject(store as never);
    assert.equal("sopsAgeRecipients" in outputs, false);
  });

  it("account: the reader's access key is a secret output, its prefix in clear", () => {
    const outputs = JSON.parse(read("secret-zero-account", "outputs.json")) as Record<string, unknown>;
    assert.equal(outputs.secretsReaderAccessKeyId, "[secret]");
    assert.equal(outputs.secretsReaderSecretAccessKey, "[secret]");
    assert.equal(outputs.secretsReaderPathPrefix, "/homelab/");
    const resources = JSON.parse(read("secret-zero-account", "resources.json")) as Array<{
      type: string;
      inputs: Record<string, unknown>;
    }>;
    const policy = resources.find((r) => r.type === "aws:iam/userPolicy:UserPolicy");
    assert.match(String(policy?.inputs.policy), /parameter\/homelab\/\*/);
  });

  it("validates every Kubernetes object written, and leaks no secure value or key", async () => {
    for (const stack of ["secret-zero-flux", "secret-zero-argocd", "secret-zero-flux-operator"]) {
      for (const file of files(out(stack))) {
        const text = readFileSync(file, "utf8");
        const where = `${stack}/${relative(out(stack), file)}`;
        assert.ok(!text.includes("synth placeholder"), `${where} leaks a secure config value`);
        assert.ok(!text.includes("AGE-SECRET-KEY-1"), `${where} leaks an age identity`);
        assert.ok(!text.includes("MOCK-SECRET-ACCESS-KEY"), `${where} leaks an access key`);
        if (file.includes(`${join("manifests", "")}`)) await validateKubernetesObject(parse(text));
      }
    }
  });
});
