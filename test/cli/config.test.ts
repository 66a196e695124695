import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { valueAt } from "../../cli/config";
import { kubeContext } from "../../stacks/cluster";
import { parseStackConfig, PROJECT } from "../../stacks/config";
import { REPO_ROOT, runCli } from "../support/harness";
import { assertShowsNoKey, fakeOpenSshPrivateKey } from "../support/leaks";

const run = (...args: string[]) => runCli(["config", ...args]);

describe("config command", () => {
  it("prints a stack's config with every default filled in, and never a secret", () => {
    const result = run("--stack", "prod");
    assert.equal(result.status, 0, result.stderr);
    const config = parse(result.stdout) as {
      repo: { path: string };
      charts: object;
      argocd: { rbac: object };
    };
    assert.equal(config.repo.path, "manifests/bootstrap", "taken from the catalog's output");
    assert.deepEqual(config.charts, {
      argoCd: "9.0.5",
      flux2: "2.18.3",
      fluxOperator: "0.49.0",
      fluxInstance: "0.49.0",
    });
    assert.deepEqual(config.argocd.rbac, {
      defaultRole: "role:readonly",
      adminGroups: ["homelab-admins"],
      adminUsers: [],
    });
    assert.ok(!result.stdout.includes("placeholder") && !/secure/.test(result.stdout));
  });

  it("prints one value with --get (what CI reads), nothing when unset", () => {
    assert.equal(
      run("--stack", "prod", "--get", "kubernetes.tailscaleHost").stdout,
      "k8s-prod.tail1234.ts.net\n",
    );
    assert.equal(run("--stack", "homelab", "--get", "kubernetes.tailscaleHost").stdout, "");
    assert.equal(run("--stack", "account", "--get", "aws.region").stdout, "eu-west-1\n");
    assert.deepEqual(valueAt({ a: { b: [1] } }, "a.b"), [1]);
    assert.equal(valueAt({ a: "x" }, "a.b"), undefined);
  });

  it("exits 1 listing the errors of a bad stack, 2 without --stack", () => {
    const missing = run("--stack", "nope");
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /no such stack file/);
    assert.equal(run().status, 2);
  });
});

describe("kubernetes.tailscaleHost", () => {
  const base = (kubernetes: object) => ({
    [`${PROJECT}:engine`]: "flux",
    [`${PROJECT}:repo`]: JSON.stringify({ url: "git@github.com:acme/m.git" }),
    [`${PROJECT}:repoSshPrivateKey`]: "k",
    [`${PROJECT}:kubernetes`]: JSON.stringify(kubernetes),
  });
  const secrets = new Set([`${PROJECT}:repoSshPrivateKey`]);

  it("becomes the provider's kubeconfig context", () => {
    const result = parseStackConfig(base({ tailscaleHost: "k8s-prod.tail1234.ts.net" }), secrets);
    assert.ok(result.ok);
    assert.equal(kubeContext(result.config), "k8s-prod.tail1234.ts.net");
  });

  it("must be the full MagicDNS name and cannot be combined with context", () => {
    const short = parseStackConfig(base({ tailscaleHost: "k8s-prod" }), secrets);
    assert.ok(
      !short.ok &&
        short.errors.some((e) => /kubernetes\.tailscaleHost: must be the full MagicDNS name/.test(e)),
    );
    const both = parseStackConfig(base({ tailscaleHost: "k.t.ts.net", context: "admin@prod" }), secrets);
    assert.ok(
      !both.ok &&
        both.errors.some((e) =>
          /kubernetes\.context: is set together with kubernetes\.tailscaleHost/.test(e),
        ),
    );
  });
});

describe("config command: bad input found on a fresh clone (issue 9)", () => {
  const work = mkdtempSync(join(tmpdir(), "gitops-config-cli-"));
  after(() => rmSync(work, { recursive: true, force: true }));

  /** A project directory with the real Pulumi.yaml and one stack file `bad`. */
  function projectWith(stack: object): string {
    const dir = mkdtempSync(join(work, "project-"));
    symlinkSync(join(REPO_ROOT, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
    writeFileSync(join(dir, "Pulumi.bad.yaml"), stringify({ config: stack }));
    return dir;
  }

  it("shows only an excerpt of a private key pasted into an account setting", () => {
    const key = fakeOpenSshPrivateKey();
    const dir = projectWith({
      "gitops-bootstrap:stackKind": "account",
      "gitops-bootstrap:aws": {
        enabled: true,
        accountId: "123456789012",
        region: "eu-west-1",
        stateBucket: { name: key },
        ci: { repository: "acme/homelab-infra" },
      },
    });
    const result = run("--stack", "bad", "--project", dir);
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /gitops-bootstrap:aws\.stateBucket\.name: "-----BEGIN OPENSSH PRIVATE KEY--…" \(\d+ lines\) /,
    );
    assertShowsNoKey(result.stderr, key);
  });

  it('lists every tailscale error with enabled: "yes", and a misspelt key of a switched-off part', () => {
    const dir = projectWith({
      "gitops-bootstrap:engine": "flux",
      "gitops-bootstrap:repo": { url: "git@github.com:acme/m.git" },
      "gitops-bootstrap:repoSshPrivateKey": { secure: "v1:x" },
      "gitops-bootstrap:tailscale": { enabled: "yes", mode: "key" },
      "gitops-bootstrap:github": { enabled: false, ownr: "acme" },
    });
    const result = run("--stack", "bad", "--project", dir);
    assert.equal(result.status, 1, result.stderr);
    // Other keys may join the github section; the message lists whatever it has.
    assert.match(
      result.stderr,
      new RegExp(
        [
          "^Stack bad: 3 config errors \\(nothing was changed\\):",
          '  - gitops-bootstrap:github\\.ownr: unknown key "ownr": did you mean "owner"\\? remove it, or use one of enabled, owner, [^\\n]+',
          '  - gitops-bootstrap:tailscale\\.enabled: must be true or false, got "yes": set enabled: true to manage this part, false to skip it',
          "  - gitops-bootstrap:tailscale\\.mode: must be oauth or authkey",
          "$",
        ].join("\\n"),
      ),
    );
  });
});
