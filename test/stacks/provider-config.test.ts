/**
 * Provider config from the stack (`github:*`, `tailscale:*`, `tls:*`, `kubernetes:*`, `aws:*`)
 * reaches the explicit providers, secrets as secrets; whatever would be lost is reported.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify, parse } from "yaml";
import { accountProviders } from "../../stacks/account";
import { awsSettingsSchema } from "../../core/aws/settings";
import {
  CREDENTIAL_KEYS,
  PROVIDER_PACKAGES,
  providerKeyProblems,
  providerKeys,
  providerUseProblems,
  type ProviderPackage,
  type ProviderUse,
} from "../../stacks/provider-config";
import { REPO_ROOT, SecretInput, mockRuntime, runCli, unwrap } from "../support/harness";
import { linkProgram } from "../support/paths";

/** Names declared in a `.d.ts` interface, read from the installed SDK. */
function interfaceKeys(file: string, name: string): string[] {
  const text = readFileSync(file, "utf8");
  const body = new RegExp(`export interface ${name} \\{([\\s\\S]*?)\\n\\}`).exec(text)?.[1] ?? "";
  return [...body.matchAll(/^ {4}(\w+)\?:/gm)].map((m) => m[1] ?? "").sort();
}

const sdk = (pkg: ProviderPackage, file: string) => join(REPO_ROOT, "node_modules", "@pulumi", pkg, file);

const CLUSTER_USES: Record<ProviderPackage, ProviderUse> = {
  aws: { off: "a cluster stack creates no AWS resource" },
  github: { owned: { owner: { setting: "gitops-bootstrap:github.owner", value: "acme" } } },
  kubernetes: {
    owned: { context: { setting: "gitops-bootstrap:kubernetes.tailscaleHost", value: "k8s.ts.net" } },
  },
  tailscale: { off: "gitops-bootstrap:tailscale.enabled is false" },
  tls: { owned: {} },
  pulumiservice: { off: "gitops-bootstrap:home is s3" },
};

describe("stacks/provider-config", () => {
  describe("the keys are the SDKs' own", () => {
    for (const pkg of PROVIDER_PACKAGES) {
      it(`${pkg}: the config keys are exactly the provider's inputs (ProviderArgs)`, () => {
        assert.deepEqual(providerKeys(pkg).sort(), interfaceKeys(sdk(pkg, "provider.d.ts"), "ProviderArgs"));
      });

      it(`${pkg}: every input the provider keeps secret must be set with --secret`, () => {
        const source = readFileSync(sdk(pkg, "provider.js"), "utf8");
        const secret = /additionalSecretOutputs: \[([^\]]*)\]/.exec(source)?.[1] ?? "";
        const names = [...secret.matchAll(/"(\w+)"/g)].map((m) => m[1] ?? "");
        for (const name of names) assert.ok(CREDENTIAL_KEYS[pkg].includes(name), `${pkg}:${name}`);
      });
    }
  });

  describe("problems, reported without values", () => {
    it("an unknown key names the provider, a close match and every key it takes", () => {
      const [problem, ...rest] = providerKeyProblems(
        { "github:Token": "x", "github:owner": "acme" },
        new Set(),
      );
      assert.equal(rest.length, 0);
      assert.match(
        problem ?? "",
        /^github:Token: unknown key "Token" for the github provider: did you mean "token"\? remove it, or use one of appAuth, baseUrl, .*token/,
      );
    });

    it("a credential in plain text is refused with the commands that fix it, never echoing it", () => {
      const problems = providerKeyProblems(
        {
          "github:token": "ghp_PLAINTEXT",
          "tailscale:oauthClientSecret": "tskey-client-PLAIN",
          "tailscale:tailnet": "example.com",
        },
        new Set(),
      );
      assert.deepEqual(problems, [
        "github:token: is a credential stored in plain text; remove it with `pulumi config rm github:token` and set it again with `pulumi config set --secret github:token`",
        "tailscale:oauthClientSecret: is a credential stored in plain text; remove it with `pulumi config rm tailscale:oauthClientSecret` and set it again with `pulumi config set --secret tailscale:oauthClientSecret`",
      ]);
      assert.deepEqual(providerKeyProblems({ "github:token": "x" }, new Set(["github:token"])), []);
    });

    it("a key of a provider the stack does not create, and a value contradicting the stack's own", () => {
      const problems = providerUseProblems(
        {
          "aws:region": "eu-west-1",
          "tailscale:tailnet": "example.com",
          "github:owner": "someone-else",
          "kubernetes:context": "k8s.ts.net",
          "kubernetes:enableServerSideApply": "false",
          "gitops-bootstrap:engine": "argocd",
        },
        CLUSTER_USES,
      );
      assert.deepEqual(problems, [
        "aws:region: is set, but this stack creates no aws provider (a cluster stack creates no AWS resource); remove it with `pulumi config rm aws:region`",
        "github:owner: differs from gitops-bootstrap:github.owner, from which this stack sets the github provider's owner; remove github:owner or make the two agree",
        "tailscale:tailnet: is set, but this stack creates no tailscale provider (gitops-bootstrap:tailscale.enabled is false); remove it with `pulumi config rm tailscale:tailnet`",
      ]);
    });

    it("objects the stack merges conflict only where both set a key to different values", () => {
      const uses = {
        ...CLUSTER_USES,
        aws: {
          owned: {
            defaultTags: {
              setting: "the account stack's own tags",
              value: { tags: { "managed-by": "gitops-bootstrap" } },
              merge: true,
            },
          },
        },
      };
      const tags = (value: object) => ({ "aws:defaultTags": JSON.stringify(value) });
      assert.deepEqual(providerUseProblems(tags({ tags: { team: "platform" } }), uses), []);
      assert.deepEqual(providerUseProblems(tags({ tags: { "managed-by": "terraform" } }), uses), [
        "aws:defaultTags.tags.managed-by: differs from the account stack's own tags, from which this stack sets the aws provider's defaultTags; remove aws:defaultTags.tags.managed-by or make the two agree",
      ]);
    });
  });

  describe("account stack: aws:* reaches the aws provider (mock runtime)", () => {
    const settings = awsSettingsSchema.parse({
      enabled: true,
      accountId: "123456789012",
      region: "eu-west-1",
      stateBucket: { name: "acme-state" },
      ci: {
        repository: "acme/infra",
        environment: "production",
        workflows: { preview: ".github/workflows/preview.yml", deploy: ".github/workflows/up.yml" },
      },
    });
    assert.ok(settings.enabled);

    it("passes aws:profile and aws:assumeRoles, adds aws:defaultTags to the stack's tags, keeps aws:secretKey secret", async () => {
      const runtime = await mockRuntime({
        stack: "account",
        config: {
          "aws:profile": "acme-admin",
          "aws:assumeRoles": JSON.stringify([{ roleArn: "arn:aws:iam::123456789012:role/admin" }]),
          "aws:defaultTags": JSON.stringify({ tags: { team: "platform" } }),
          "aws:accessKey": "AKIAEXAMPLE",
          "aws:secretKey": "SECRET-KEY-VALUE",
        },
        secretKeys: ["aws:accessKey", "aws:secretKey"],
      });
      const { aws: provider } = accountProviders(settings);
      await unwrap(provider.urn);
      await runtime.settle();
      const registered = runtime.registrations.find((r) => r.type === "pulumi:providers:aws");
      const inputs = registered?.inputs ?? {};
      assert.equal(inputs.profile, "acme-admin");
      assert.equal(inputs.region, "eu-west-1");
      assert.equal(inputs.assumeRoles, JSON.stringify([{ roleArn: "arn:aws:iam::123456789012:role/admin" }]));
      assert.deepEqual(JSON.parse(String(inputs.defaultTags)), {
        tags: { team: "platform", "managed-by": "gitops-bootstrap", "gitops-bootstrap-stack": "account" },
      });
      assert.equal(inputs.allowedAccountIds, JSON.stringify(["123456789012"]));
      assert.ok(inputs.secretKey instanceof SecretInput);
      assert.ok(inputs.accessKey instanceof SecretInput);
      assert.doesNotMatch(JSON.stringify(inputs), /SECRET-KEY-VALUE|AKIAEXAMPLE/);
    });

    it("refuses an aws:region that contradicts gitops-bootstrap:aws.region, registering nothing", async () => {
      const runtime = await mockRuntime({ stack: "account", config: { "aws:region": "us-east-1" } });
      assert.throws(
        () => accountProviders(settings),
        /aws:region: differs from gitops-bootstrap:aws\.region, from which this stack sets the aws provider's region/,
      );
      await runtime.settle();
      assert.equal(runtime.registrations.length, 0);
    });
  });

  describe("synth of a cluster stack with provider config", () => {
    let work = "";
    before(() => {
      work = mkdtempSync(join(tmpdir(), "gitops-provider-config-"));
    });
    after(() => {
      if (work !== "") rmSync(work, { recursive: true, force: true });
    });

    /** A project holding the real program and Pulumi.prod.yaml with `extra` config added. */
    function project(extra: Record<string, unknown>): string {
      const dir = mkdtempSync(join(work, "project-"));
      linkProgram(dir, ["examples"]);
      const prod = parse(readFileSync(join(REPO_ROOT, "Pulumi.prod.yaml"), "utf8")) as {
        config: Record<string, unknown>;
      };
      writeFileSync(join(dir, "Pulumi.prod.yaml"), stringify({ config: { ...prod.config, ...extra } }));
      return dir;
    }

    it("github:token and tailscale:oauthClientSecret set as secrets reach their providers as [secret]; synth never writes them", function () {
      this.timeout(120_000);
      const dir = project({
        "github:token": { secure: "v1:ciphertext-of-a-token" },
        "tailscale:oauthClientId": "k123CNTRL",
        "tailscale:oauthClientSecret": { secure: "v1:ciphertext-of-a-client-secret" },
        "tailscale:tailnet": "example.com",
        "kubernetes:enableServerSideApply": true,
      });
      const out = join(dir, "out");
      const run = runCli(["synth", "--stack", "prod", "--project", dir, "--out", out], dir);
      assert.equal(run.status, 0, run.stderr);
      const resources = JSON.parse(readFileSync(join(out, "resources.json"), "utf8")) as Array<{
        type: string;
        inputs: Record<string, unknown>;
      }>;
      const provider = (type: string) => resources.find((r) => r.type === `pulumi:providers:${type}`)?.inputs;
      assert.equal(provider("github")?.token, "[secret]");
      assert.equal(provider("github")?.owner, "acme");
      assert.equal(provider("tailscale")?.oauthClientSecret, "[secret]");
      assert.equal(provider("tailscale")?.oauthClientId, "k123CNTRL");
      assert.equal(provider("tailscale")?.tailnet, "example.com");
      assert.equal(provider("kubernetes")?.enableServerSideApply, "true");
      assert.equal(provider("kubernetes")?.context, "k8s-prod.tail1234.ts.net");
      for (const entry of readdirSync(out, { recursive: true, withFileTypes: true }).filter((e) =>
        e.isFile(),
      )) {
        const text = readFileSync(join(entry.parentPath, entry.name), "utf8");
        assert.doesNotMatch(text, /synth placeholder|ciphertext-of/, entry.name);
      }
    });

    it("takes GITHUB_TOKEN from the environment as a secret: the SDK would copy it into the provider's inputs in clear", function () {
      this.timeout(120_000);
      const dir = project({});
      const out = join(dir, "out");
      const token = "ghp_ENVIRONMENT_TOKEN_0123456789";
      const run = runCli(["synth", "--stack", "prod", "--project", dir, "--out", out], dir, {
        GITHUB_TOKEN: token,
      });
      assert.equal(run.status, 0, run.stderr);
      const resources = JSON.parse(readFileSync(join(out, "resources.json"), "utf8")) as Array<{
        type: string;
        inputs: Record<string, unknown>;
      }>;
      assert.equal(resources.find((r) => r.type === "pulumi:providers:github")?.inputs.token, "[secret]");
      for (const entry of readdirSync(out, { recursive: true, withFileTypes: true }).filter((e) =>
        e.isFile(),
      )) {
        assert.ok(!readFileSync(join(entry.parentPath, entry.name), "utf8").includes(token), entry.name);
      }
      assert.ok(!`${run.stdout}${run.stderr}`.includes(token));
    });

    it("exits 1 listing provider key problems with the stack's own, without their values", function () {
      this.timeout(120_000);
      const dir = project({
        "github:tokn": { secure: "v1:x" },
        "github:token": "ghp_PLAINTEXT_TOKEN",
        "gitops-bootstrap:engine": "argo",
      });
      const run = runCli(["synth", "--stack", "prod", "--project", dir, "--out", join(dir, "out")], dir);
      assert.equal(run.status, 1, run.stdout);
      assert.match(run.stderr, /Stack prod: 3 config errors \(nothing was changed\)/);
      assert.match(run.stderr, /gitops-bootstrap:engine: must be "argocd", "flux" or "flux-operator"/);
      assert.match(run.stderr, /github:tokn: unknown key "tokn" for the github provider/);
      assert.match(run.stderr, /github:token: is a credential stored in plain text/);
      assert.doesNotMatch(run.stderr, /PLAINTEXT_TOKEN/);
    });

    it("exits 1 on provider config this stack would drop or contradict", function () {
      this.timeout(120_000);
      const dir = project({ "aws:region": "eu-west-1", "github:owner": "someone-else" });
      const run = runCli(["synth", "--stack", "prod", "--project", dir, "--out", join(dir, "out")], dir);
      assert.equal(run.status, 1, run.stdout);
      assert.match(run.stderr, /aws:region: is set, but this stack creates no aws provider/);
      assert.match(run.stderr, /github:owner: differs from gitops-bootstrap:github\.owner/);
    });
  });
});
