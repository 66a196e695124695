import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { readStackFile } from "../../cli/synth";
import {
  CONFIG_KEYS,
  formatConfigErrors,
  isUnsetConfigValue,
  loadStackSecrets,
  parseStackConfig,
  PROJECT,
  SECRET_KEYS,
} from "../../stacks/config";
import { CHARTS } from "../../core/shared/versions";
import { argoCdSettings } from "../../stacks/cluster";
import { mockRuntime, unwrap } from "../support/harness";
import { assertShowsNoBinary, assertShowsNoKey, binaryFile, fakeOpenSshPrivateKey } from "../support/leaks";

const KEY = `${PROJECT}:${SECRET_KEYS.repoSshPrivateKey}`;

/** Raw config as Pulumi passes it: objects as JSON strings; the deploy key set as a secret. */
function raw(
  values: Record<string, unknown>,
  secrets: Record<string, string> = { [SECRET_KEYS.repoSshPrivateKey]: "k" },
) {
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...values, ...secrets })) {
    config[`${PROJECT}:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return { config, secretKeys: new Set(Object.keys(secrets).map((k) => `${PROJECT}:${k}`)) };
}

const MINIMAL = { engine: "argocd", repo: { url: "git@github.com:acme/manifests.git" } };

function errorsFor(values: Record<string, unknown>, secrets?: Record<string, string>): string[] {
  const { config, secretKeys } = raw(values, secrets);
  const result = parseStackConfig(config, secretKeys);
  assert.equal(result.ok, false, "expected the config to be rejected");
  return result.ok ? [] : result.errors;
}

function assertError(errors: string[], key: string, text: RegExp): void {
  const match = errors.find((e) => e.startsWith(`${PROJECT}:${key}: `) && text.test(e));
  assert.ok(match, `no error for ${key} matching ${text}; got:\n${errors.join("\n")}`);
}

describe("stack config", () => {
  it("fills every default from a minimal Argo CD stack", () => {
    const { config, secretKeys } = raw(MINIMAL);
    const result = parseStackConfig(config, secretKeys);
    assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
    const c = result.config;
    assert.equal(c.engine, "argocd");
    assert.deepEqual(c.repo.revision, "main");
    assert.equal(c.repo.path, "manifests/bootstrap");
    assert.match(c.repo.knownHosts, /^github\.com ssh-ed25519 /);
    assert.deepEqual(c.charts, {
      argoCd: CHARTS.argoCd.version,
      flux2: CHARTS.flux2.version,
      fluxOperator: CHARTS.fluxOperator.version,
      fluxInstance: CHARTS.fluxInstance.version,
    });
    assert.equal(c.argocd.namespace, "argocd");
    assert.equal(c.argocd.rbac.defaultRole, "role:readonly");
    assert.equal(c.argocd.root.selfHeal, false);
    assert.equal(c.argocd.root.name, "bootstrap");
    assert.deepEqual(c.argocd.replicas, { server: 1, repoServer: 1, controller: 1, applicationSet: 1 });
    assert.equal(c.flux.root.name, "flux-bootstrap");
    assert.equal(c.aws.accountStack, undefined);
    assert.equal(c.github.enabled, false);
    assert.equal(c.tailscale.enabled, false);
    assert.equal(c.stackKind, "cluster");
  });

  it("keeps an explicit false and 0-like values instead of defaulting them", () => {
    const { config, secretKeys } = raw({
      ...MINIMAL,
      argocd: { ingress: { enabled: false }, root: { selfHeal: "true" } },
    });
    const result = parseStackConfig(config, secretKeys);
    assert.ok(result.ok);
    assert.equal(result.config.argocd.ingress.enabled, false);
    assert.equal(
      result.config.argocd.root.selfHeal,
      true,
      "the string form `pulumi config set --path` writes",
    );
  });

  it("ignores keys of other namespaces (providers, pulumi)", () => {
    const { config, secretKeys } = raw(MINIMAL);
    config["kubernetes:context"] = "x";
    config["pulumi:disable-default-providers"] = '["*"]';
    assert.ok(parseStackConfig(config, secretKeys).ok);
  });

  describe("rejects malformed config, naming the key and the fix", () => {
    const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
      [
        "a missing engine",
        { repo: MINIMAL.repo },
        "engine",
        /is required|must be "argocd", "flux" or "flux-operator"/,
      ],
      [
        "an unknown engine",
        { ...MINIMAL, engine: "fluxcd" },
        "engine",
        /must be "argocd", "flux" or "flux-operator"/,
      ],
      ["a missing repo", { engine: "flux" }, "repo", /is required/],
      [
        "an https repo URL",
        { ...MINIMAL, repo: { url: "https://github.com/acme/m.git" } },
        "repo.url",
        /must be an SSH URL/,
      ],
      [
        "a repo URL escaping with ..",
        { ...MINIMAL, repo: { url: "git@github.com:../etc.git" } },
        "repo.url",
        /SSH URL/,
      ],
      [
        "an absolute repo path",
        { ...MINIMAL, repo: { ...MINIMAL.repo, path: "/manifests" } },
        "repo.path",
        /relative path/,
      ],
      [
        "a repo path with ..",
        { ...MINIMAL, repo: { ...MINIMAL.repo, path: "a/../../b" } },
        "repo.path",
        /no '\.' or '\.\.'/,
      ],
      [
        "an empty revision",
        { ...MINIMAL, repo: { ...MINIMAL.repo, revision: "" } },
        "repo.revision",
        /must not be empty/,
      ],
      [
        "a non-GitHub host without known hosts",
        { ...MINIMAL, repo: { url: "git@git.example.com:acme/m.git" } },
        "repo.knownHosts",
        /is required for git\.example\.com.*ssh-keyscan git\.example\.com/,
      ],
      [
        "an unknown repo key",
        { ...MINIMAL, repo: { ...MINIMAL.repo, branch: "main" } },
        "repo.branch",
        /unknown key "branch"/,
      ],
      ["a typo in a top-level key", { ...MINIMAL, argocdd: {} }, "argocdd", /did you mean "argocd"/],
      [
        "a typo in a nested key",
        { ...MINIMAL, argocd: { hostName: "a.b" } },
        "argocd.hostName",
        /did you mean "hostname"/,
      ],
      [
        "a chart version range",
        { ...MINIMAL, charts: { argoCd: "^9.0.0" } },
        "charts.argoCd",
        /exact chart version such as 9\.0\.5/,
      ],
      [
        "a chart version with v",
        { ...MINIMAL, charts: { flux2: "v2.18.3" } },
        "charts.flux2",
        /no leading 'v'/,
      ],
      [
        "a namespace that is not a label",
        { ...MINIMAL, argocd: { namespace: "Argo_CD" } },
        "argocd.namespace",
        /RFC 1123/,
      ],
      [
        "a hostname with a scheme",
        { ...MINIMAL, argocd: { hostname: "https://argo.example.com" } },
        "argocd.hostname",
        /no scheme/,
      ],
      [
        "an unknown TLS termination",
        { ...MINIMAL, argocd: { tlsTermination: "edge" } },
        "argocd.tlsTermination",
        /"ingress".*"reencrypt".*"server"/,
      ],
      [
        "OIDC without a hostname",
        { ...MINIMAL, argocd: { oidc: { issuer: "https://auth.example.com", clientId: "argocd" } } },
        "argocd.hostname",
        /is required when argocd\.oidc is set/,
      ],
      [
        "an http OIDC issuer",
        {
          ...MINIMAL,
          argocd: { hostname: "a.example.com", oidc: { issuer: "http://auth.example.com", clientId: "x" } },
        },
        "argocd.oidc.issuer",
        /must be an https URL/,
      ],
      [
        "OIDC without a client ID",
        { ...MINIMAL, argocd: { hostname: "a.example.com", oidc: { issuer: "https://auth.example.com" } } },
        "argocd.oidc.clientId",
        /is required/,
      ],
      [
        "zero replicas",
        { ...MINIMAL, argocd: { replicas: { server: 0 } } },
        "argocd.replicas.server",
        /at least 1/,
      ],
      [
        "fractional replicas",
        { ...MINIMAL, argocd: { replicas: { repoServer: 1.5 } } },
        "argocd.replicas.repoServer",
        /whole number/,
      ],
      [
        "a non-boolean selfHeal",
        { ...MINIMAL, argocd: { root: { selfHeal: "yes" } } },
        "argocd.root.selfHeal",
        /true or false/,
      ],
      [
        "the default project for the root",
        { ...MINIMAL, argocd: { root: { project: "default" } } },
        "argocd.root.project",
        /narrowly scoped/,
      ],
      [
        "a bad Flux interval",
        { ...MINIMAL, engine: "flux", flux: { root: { interval: "10 minutes" } } },
        "flux.root.interval",
        /Go duration/,
      ],
      [
        "a section for the other engine",
        { ...MINIMAL, flux: { namespace: "flux-system" } },
        "flux",
        /engine is argocd/,
      ],
      [
        "account settings in a cluster stack",
        { ...MINIMAL, aws: { enabled: true } },
        "aws.enabled",
        /belongs to the account stack/,
      ],
      [
        "a malformed account stack reference",
        { ...MINIMAL, aws: { accountStack: "account" } },
        "aws.accountStack",
        /organization\/gitops-bootstrap\/account/,
      ],
      [
        "a stack kind other than cluster",
        { ...MINIMAL, stackKind: "acount" },
        "stackKind",
        /must be "cluster" here/,
      ],
      [
        "a GitHub part without an owner",
        {
          ...MINIMAL,
          github: { enabled: true, sourceRepository: "infra", manifestRepository: { name: "manifests" } },
        },
        "github.owner",
        /is required|must be a string/,
      ],
      [
        "a Tailscale tag without tag:",
        { ...MINIMAL, tailscale: { enabled: true, ci: { deploy: { tags: ["ci"] } } } },
        "tailscale.ci.deploy.tags.0",
        /must start with "tag:"/,
      ],
      [
        "an empty kube context",
        { ...MINIMAL, kubernetes: { context: "" } },
        "kubernetes.context",
        /must not be empty/,
      ],
      [
        "a kubernetes section that is not an object",
        { ...MINIMAL, kubernetes: "admin@prod" },
        "kubernetes",
        /object/,
      ],
    ];
    for (const [what, values, key, text] of cases) {
      it(what, () => assertError(errorsFor(values), key, text));
    }

    it("a bare tag as a Flux revision", () => {
      const errors = errorsFor({ ...MINIMAL, engine: "flux", repo: { ...MINIMAL.repo, revision: "v1.2.0" } });
      assertError(errors, "repo.revision", /looks like a tag.*refs\/tags\/v1\.2\.0/);
    });

    it("TLS at argocd-server behind an ingress with no passthrough annotation", () => {
      const errors = errorsFor({
        ...MINIMAL,
        argocd: { hostname: "a.example.com", tlsTermination: "server" },
      });
      assertError(errors, "argocd.ingress.annotations", /ssl-passthrough.*or use tlsTermination: ingress/);
    });

    it("a catalog that disagrees with the stack on repository and namespace", () => {
      const catalog = {
        repo: { url: "https://github.com/acme/other", revision: "main" },
        output: "manifests/bootstrap",
        argocd: { namespace: "gitops" },
        flux: { namespace: "flux-system", gitRepository: "flux-system", interval: "10m" },
      };
      const { config, secretKeys } = raw({ ...MINIMAL, repo: { ...MINIMAL.repo, catalog: "apps.yaml" } });
      const result = parseStackConfig(config, secretKeys, { readCatalog: () => catalog as never });
      assert.ok(!result.ok);
      assertError(
        result.errors,
        "repo.catalog",
        /apps\.yaml has repo\.url https:\/\/github\.com\/acme\/other but gitops-bootstrap:repo\.url is git@github\.com:acme\/manifests\.git; .*credentials by URL/,
      );
      assertError(
        result.errors,
        "repo.catalog",
        /apps\.yaml has argocd\.namespace gitops but gitops-bootstrap:argocd\.namespace is argocd/,
      );
    });

    it("a catalog file that does not exist", () => {
      const errors = errorsFor({ ...MINIMAL, repo: { ...MINIMAL.repo, catalog: "no-such-catalog.yaml" } });
      assertError(
        errors,
        "repo.catalog",
        /^gitops-bootstrap:repo\.catalog: no-such-catalog\.yaml does not exist; set it to the catalog YAML file, relative to the project directory$/,
      );
    });

    it("a catalog together with a path", () => {
      const errors = errorsFor({ ...MINIMAL, repo: { ...MINIMAL.repo, catalog: "apps.yaml", path: "x" } });
      assertError(errors, "repo.path", /together with repo\.catalog/);
    });

    it("a deploy key missing", () => {
      assertError(
        errorsFor(MINIMAL, {}),
        SECRET_KEYS.repoSshPrivateKey,
        /is required.*pulumi config set --secret/,
      );
    });

    it("a deploy key stored in plain text", () => {
      const { config } = raw(MINIMAL);
      const result = parseStackConfig(config, new Set());
      assert.ok(!result.ok);
      assertError(result.errors, SECRET_KEYS.repoSshPrivateKey, /plain text.*pulumi config rm.*--secret/);
    });

    it("an OIDC client secret without OIDC", () => {
      const errors = errorsFor(MINIMAL, {
        [SECRET_KEYS.repoSshPrivateKey]: "k",
        [SECRET_KEYS.argocdOidcClientSecret]: "s",
      });
      assertError(errors, SECRET_KEYS.argocdOidcClientSecret, /argocd\.oidc is not/);
    });
  });

  it("reports every error of one run at once, sorted, and never a secret value", () => {
    const errors = errorsFor(
      {
        engine: "nope",
        repo: { url: "https://x", path: "/abs" },
        argocd: { namespace: "A", replicas: { server: 0 } },
      },
      { [SECRET_KEYS.argocdOidcClientSecret]: "" },
    );
    assert.ok(errors.length >= 4, errors.join("\n"));
    for (const key of ["engine", "repo.url", "repo.path", "argocd.namespace", "argocd.replicas.server"]) {
      assert.ok(
        errors.some((e) => e.startsWith(`${PROJECT}:${key}: `)),
        `missing ${key}`,
      );
    }
    assert.deepEqual(errors, [...errors].sort());
    const message = formatConfigErrors("prod", errors);
    assert.match(message, /^Stack prod: \d+ config errors \(nothing was changed\):\n {2}- /);
  });

  it("never echoes a secret's value in an error", () => {
    const { config } = raw(MINIMAL, {
      [SECRET_KEYS.repoSshPrivateKey]: "-----BEGIN OPENSSH PRIVATE KEY----- abc",
    });
    const result = parseStackConfig(config, new Set());
    assert.ok(!result.ok);
    assert.ok(result.errors.every((e) => !e.includes("BEGIN OPENSSH")));
    assert.ok(config[KEY]);
  });

  it("declares exactly the schema's keys in Pulumi.yaml, each with a description and an empty default", () => {
    const project = parse(readFileSync(join(__dirname, "..", "..", "Pulumi.yaml"), "utf8")) as {
      config: Record<string, { description?: string; default?: unknown; secret?: boolean } | unknown[]>;
    };
    const declared = Object.keys(project.config)
      .filter((k) => k.startsWith(`${PROJECT}:`))
      .map((k) => k.slice(PROJECT.length + 1));
    assert.deepEqual([...declared].sort(), [...CONFIG_KEYS].sort());
    for (const key of declared) {
      const entry = project.config[`${PROJECT}:${key}`] as {
        description?: string;
        default?: unknown;
        secret?: boolean;
      };
      assert.ok((entry.description ?? "").length > 20, `${key} needs a description`);
      // Pulumi requires a declared key without a default in every stack, and injects defaults into
      // every stack: so each default must be one the program reads as unset (or stackKind's).
      assert.ok(entry.default !== undefined, `${key} needs a default, or every stack must set it`);
      const raw = typeof entry.default === "string" ? entry.default : JSON.stringify(entry.default);
      assert.ok(key === "stackKind" ? raw === "cluster" : isUnsetConfigValue(raw), `${key}: default ${raw}`);
      assert.equal(entry.secret, undefined, `${key}: a secret flag would reject the empty default`);
    }
  });

  it("still reports a missing engine, repo and deploy key when only Pulumi.yaml's defaults are there", () => {
    const { config } = readStackFile(join(__dirname, "..", ".."), "homelab");
    const onlyDefaults = Object.fromEntries(
      Object.entries(config).filter(
        ([k, v]) => !k.startsWith(`${PROJECT}:`) || isUnsetConfigValue(v) || k.endsWith(":stackKind"),
      ),
    );
    const result = parseStackConfig(onlyDefaults, new Set());
    assert.ok(!result.ok);
    assert.deepEqual(
      result.errors.map((e) => e.split(":")[1]),
      ["engine", "repo", "repoSshPrivateKey"],
    );
  });

  it("accepts every example stack, merged with Pulumi.yaml's defaults as the engine does", () => {
    for (const stack of ["prod", "homelab"]) {
      const { config, secretKeys } = readStackFile(join(__dirname, "..", ".."), stack);
      const result = parseStackConfig(config, new Set(secretKeys), {
        projectDir: join(__dirname, "..", ".."),
      });
      assert.ok(result.ok, `${stack}: ${result.ok ? "" : result.errors.join("\n")}`);
    }
  });
});

describe("stack config: an empty secret is no secret", () => {
  it("accepts an empty OIDC client secret without argocd.oidc (it is none, not a secret)", () => {
    const { config, secretKeys } = raw(MINIMAL, {
      [SECRET_KEYS.repoSshPrivateKey]: "k",
      [SECRET_KEYS.argocdOidcClientSecret]: "",
    });
    const result = parseStackConfig(config, secretKeys);
    assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
  });

  it("asks for the deploy key when its secret is empty, as when it is unset", () => {
    const errors = errorsFor(MINIMAL, { [SECRET_KEYS.repoSshPrivateKey]: "  " });
    assert.deepEqual(
      errors.map((e) => e.split(": ")[0]),
      [`${PROJECT}:${SECRET_KEYS.repoSshPrivateKey}`],
    );
    assertError(errors, SECRET_KEYS.repoSshPrivateKey, /is required.*pulumi config set --secret/);
  });

  describe("loadStackSecrets", () => {
    const load = async (config: Record<string, string>, secretKeys: string[]) => {
      await mockRuntime({ config, secretKeys });
      return loadStackSecrets();
    };
    const fqKey = (name: keyof typeof SECRET_KEYS) => `${PROJECT}:${SECRET_KEYS[name]}`;

    it("reads Pulumi.yaml's injected empty defaults as no secrets", async () => {
      const secrets = await load(
        { [fqKey("repoSshPrivateKey")]: "", [fqKey("argocdOidcClientSecret")]: "" },
        [],
      );
      assert.deepEqual(Object.keys(secrets), []);
    });

    it("reads an empty secret as none, and a set one as a Pulumi secret", async () => {
      const secrets = await load(
        { [fqKey("repoSshPrivateKey")]: "key", [fqKey("argocdOidcClientSecret")]: "" },
        [fqKey("repoSshPrivateKey"), fqKey("argocdOidcClientSecret")],
      );
      assert.deepEqual(Object.keys(secrets), ["repoSshPrivateKey"]);
      assert.ok(secrets.repoSshPrivateKey !== undefined);
      assert.equal(await pulumi.isSecret(secrets.repoSshPrivateKey), true);
      assert.equal(await unwrap(secrets.repoSshPrivateKey), "key");
    });

    it("makes Argo CD a public client when OIDC is on and its client secret is Pulumi.yaml's empty default", async () => {
      const { config, secretKeys } = raw(
        {
          ...MINIMAL,
          argocd: {
            hostname: "a.example.com",
            oidc: { issuer: "https://auth.example.com", clientId: "argocd" },
          },
        },
        { [SECRET_KEYS.repoSshPrivateKey]: "k" },
      );
      const withDefault = { ...config, [fqKey("argocdOidcClientSecret")]: "" };
      const parsed = parseStackConfig(withDefault, secretKeys);
      assert.ok(parsed.ok, parsed.ok ? "" : parsed.errors.join("\n"));
      const secrets = await load(withDefault, [...secretKeys]);
      assert.equal(argoCdSettings(parsed.config, secrets).oidc?.hasClientSecret, false);
    });
  });
});

describe("stack config: where Argo CD's TLS ends", () => {
  it("accepts TLS at an ingress that re-encrypts, with the chart's Ingress or without it", () => {
    for (const argocd of [
      { tlsTermination: "reencrypt" },
      { tlsTermination: "reencrypt", hostname: "a.example.com", ingress: { enabled: false } },
      {
        tlsTermination: "reencrypt",
        hostname: "a.example.com",
        ingress: { annotations: { "nginx.ingress.kubernetes.io/backend-protocol": "HTTPS" } },
      },
    ]) {
      const { config, secretKeys } = raw({ ...MINIMAL, argocd });
      const result = parseStackConfig(config, secretKeys);
      assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
      assert.equal(result.config.argocd.tlsTermination, "reencrypt");
    }
  });

  it("asks for a backend-protocol annotation when the chart's Ingress re-encrypts with none", () => {
    const errors = errorsFor({
      ...MINIMAL,
      argocd: { hostname: "a.example.com", tlsTermination: "reencrypt" },
    });
    assertError(
      errors,
      "argocd.ingress.annotations",
      /tlsTermination is "reencrypt": the chart's ingress must speak HTTPS to argocd-server \(e\.g\. nginx\.ingress\.kubernetes\.io\/backend-protocol: "HTTPS".*or use tlsTermination: ingress$/,
    );
  });

  it("needs no annotation when something else serves the UI (no chart Ingress)", () => {
    const { config, secretKeys } = raw({
      ...MINIMAL,
      argocd: { hostname: "a.example.com", tlsTermination: "server", ingress: { enabled: false } },
    });
    assert.ok(parseStackConfig(config, secretKeys).ok);
  });
});

describe("stack config: the apps' AppProject (argocd.appsProject)", () => {
  it("defaults to a project named apps on this cluster's every namespace, cluster-scoped kinds allowed", () => {
    const { config, secretKeys } = raw(MINIMAL);
    const result = parseStackConfig(config, secretKeys);
    assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
    assert.deepEqual(result.config.argocd.appsProject, {
      enabled: true,
      name: "apps",
      sourceRepos: [],
      destinations: [{ server: "https://kubernetes.default.svc", namespace: "*" }],
      clusterResources: true,
    });
  });

  it("keeps what the user wrote, an explicit false included", () => {
    const appsProject = {
      name: "homelab",
      sourceRepos: ["https://github.com/acme/charts.git"],
      destinations: [{ namespace: "media" }],
      clusterResources: false,
    };
    const { config, secretKeys } = raw({ ...MINIMAL, argocd: { appsProject } });
    const result = parseStackConfig(config, secretKeys);
    assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
    assert.deepEqual(result.config.argocd.appsProject, {
      enabled: true,
      ...appsProject,
      destinations: [{ server: "https://kubernetes.default.svc", namespace: "media" }],
    });
  });

  for (const [what, appsProject, key, text] of [
    [
      "Argo CD's own default project",
      { name: "default" },
      "argocd.appsProject.name",
      /must not be "default".*enabled: false/,
    ],
    [
      "the root app's project",
      { name: "bootstrap" },
      "argocd.appsProject.name",
      /same as argocd\.root\.project.*different names/,
    ],
    ["no destination", { destinations: [] }, "argocd.appsProject.destinations", /at least one destination/],
    [
      "a destination without a namespace",
      { destinations: [{ server: "https://kubernetes.default.svc" }] },
      "argocd.appsProject.destinations.0.namespace",
      /is required/,
    ],
    ["an unknown key", { sourceRepo: ["x"] }, "argocd.appsProject.sourceRepo", /unknown key "sourceRepo"/],
  ] as const) {
    it(`refuses ${what}, naming the key`, () => {
      assertError(errorsFor({ ...MINIMAL, argocd: { appsProject } }), key, text);
    });
  }
});

describe("stack config: bad input found on a fresh clone (issue 9)", () => {
  const work = mkdtempSync(join(tmpdir(), "gitops-config-"));
  after(() => rmSync(work, { recursive: true, force: true }));

  const GITHUB = {
    enabled: true,
    owner: "acme",
    sourceRepository: "homelab",
    manifestRepository: { name: "manifests" },
    ci: { catalog: "manifests/catalog.yaml", reviewers: { users: [1234567] } },
  };
  /** A project directory holding the given files (name → content). */
  function project(files: Record<string, string | Buffer>): string {
    const dir = mkdtempSync(join(work, "project-"));
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    return dir;
  }
  function errorsIn(
    dir: string,
    values: Record<string, unknown>,
    secrets?: Record<string, string>,
  ): string[] {
    const { config, secretKeys } = raw(values, secrets);
    const result = parseStackConfig(config, secretKeys, { projectDir: dir });
    assert.equal(result.ok, false, "expected the config to be rejected");
    return result.ok ? [] : result.errors;
  }

  it("lists the allowed keys and the closest one for an unknown key under github", () => {
    const errors = errorsFor({ ...MINIMAL, github: { ...GITHUB, ownr: "acme" } }, {});
    assertError(
      errors,
      "github.ownr",
      /^gitops-bootstrap:github\.ownr: unknown key "ownr": did you mean "owner"\? remove it, or use one of enabled, owner, /,
    );
  });

  it("lists the allowed keys and the closest one for an unknown key under tailscale (also nested)", () => {
    const errors = errorsFor({
      ...MINIMAL,
      tailscale: { enabled: true, mdoe: "oauth", apiServer: { port: [443] } },
    });
    assertError(
      errors,
      "tailscale.mdoe",
      /unknown key "mdoe": did you mean "mode"\? remove it, or use one of enabled, .*\bmode\b/,
    );
    assertError(
      errors,
      "tailscale.apiServer.port",
      /unknown key "port": did you mean "ports"\? remove it, or use one of .*\bports\b/,
    );
  });

  it('reports tailscale.enabled: "yes" together with every other tailscale error', () => {
    const errors = errorsFor({
      ...MINIMAL,
      tailscale: { enabled: "yes", mode: "key", authKeyExpiryDays: 120 },
    });
    assertError(
      errors,
      "tailscale.enabled",
      /^gitops-bootstrap:tailscale\.enabled: must be true or false, got "yes": set enabled: true to manage this part, false to skip it$/,
    );
    assertError(errors, "tailscale.mode", /must be oauth or authkey/);
    assertError(errors, "tailscale.authKeyExpiryDays", /must be at most 90 days, Tailscale's limit/);
  });

  it("accepts enabled written as the string pulumi config set --path stores", () => {
    const { config, secretKeys } = raw({ ...MINIMAL, tailscale: { enabled: "false" } });
    const result = parseStackConfig(config, secretKeys);
    assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
    assert.equal(result.config.tailscale.enabled, false);
  });

  const flux = (interval: string) => ({ ...MINIMAL, engine: "flux", flux: { root: { interval } } });

  it("refuses a Flux interval of 0s", () => {
    assertError(
      errorsFor(flux("0s")),
      "flux.root.interval",
      /^gitops-bootstrap:flux\.root\.interval: must be longer than 0: Flux reconciles again after this long; use a duration such as 30s, 10m, 1\.5h or 1h30m/,
    );
  });

  it("accepts the Go duration 1.5h as a Flux interval", () => {
    const { config, secretKeys } = raw(flux("1.5h"));
    const result = parseStackConfig(config, secretKeys);
    assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
    assert.equal(result.config.flux.root.interval, "1.5h");
  });

  it("refuses an ingress annotation key the API server would refuse", () => {
    const errors = errorsFor({
      ...MINIMAL,
      argocd: { hostname: "argocd.example.com", ingress: { annotations: { "nginx ingress/x": "true" } } },
    });
    assertError(
      errors,
      "argocd.ingress.annotations.nginx ingress/x",
      /annotation key "nginx ingress\/x" has a prefix that is not a DNS subdomain/,
    );
  });

  it("refuses a chart version for the engine the stack does not run", () => {
    const errors = errorsFor({ ...MINIMAL, engine: "flux", charts: { argoCd: "9.0.5" } });
    assert.ok(
      errors.includes(
        "gitops-bootstrap:charts.argoCd: is set but gitops-bootstrap:engine is flux, which installs only the flux2 chart (charts.flux2); remove it",
      ),
      errors.join("\n"),
    );
  });

  it("refuses github.ci.stacks naming a stack without a stack file, listing the stacks there", () => {
    const dir = project({ "Pulumi.prod.yaml": "config: {}\n" });
    mkdirSync(join(dir, "manifests"));
    writeFileSync(join(dir, "manifests", "catalog.yaml"), "repo: { url: x }\n");
    const errors = errorsIn(
      dir,
      { ...MINIMAL, github: { ...GITHUB, ci: { ...GITHUB.ci, stacks: ["prod", "prdo"] } } },
      {},
    );
    assert.ok(
      errors.includes(
        `gitops-bootstrap:github.ci.stacks.1: names stack "prdo", but there is no Pulumi.prdo.yaml in ${dir} (stacks there: prod); fix the name or add the stack file`,
      ),
      errors.join("\n"),
    );
  });

  it("refuses github.ci.catalog naming a file that does not exist", () => {
    const dir = project({});
    const errors = errorsIn(dir, { ...MINIMAL, github: GITHUB }, {});
    assert.ok(
      errors.includes(
        `gitops-bootstrap:github.ci.catalog: manifests/catalog.yaml does not exist in ${dir}, which CI checks out as the repository root; fix the path or create the catalog`,
      ),
      errors.join("\n"),
    );
  });

  it("names a repo.catalog that is a directory without a raw EISDIR", () => {
    const dir = project({});
    mkdirSync(join(dir, "apps"));
    const errors = errorsIn(dir, { ...MINIMAL, repo: { ...MINIMAL.repo, catalog: "apps" } });
    assert.deepEqual(errors, [
      "gitops-bootstrap:repo.catalog: apps is a directory, not a file; set it to the catalog YAML file, relative to the project directory",
    ]);
  });

  it("never prints a private key repo.catalog points at", () => {
    const key = fakeOpenSshPrivateKey();
    const dir = project({ id_ed25519: key });
    const errors = errorsIn(dir, { ...MINIMAL, repo: { ...MINIMAL.repo, catalog: "id_ed25519" } });
    assert.deepEqual(errors, [
      "gitops-bootstrap:repo.catalog: cannot use id_ed25519: id_ed25519: (top level): is not a catalog: a catalog is a YAML mapping with repo:, include: and apps:, but this file holds a single text value; pass the catalog file",
    ]);
    assertShowsNoKey(formatConfigErrors("prod", errors), key);
  });

  it("never prints a binary file repo.catalog points at", () => {
    const dir = project({ "catalog.bin": binaryFile() });
    const errors = errorsIn(dir, { ...MINIMAL, repo: { ...MINIMAL.repo, catalog: "catalog.bin" } });
    assert.deepEqual(errors, [
      "gitops-bootstrap:repo.catalog: catalog.bin is not a text file (it holds binary data); set it to the catalog YAML file, relative to the project directory",
    ]);
    assertShowsNoBinary(errors.join("\n"));
  });

  it("shows only an excerpt of a key pasted into a plain setting", () => {
    const key = fakeOpenSshPrivateKey();
    const errors = errorsFor({ ...MINIMAL, argocd: { namespace: key } });
    assertError(
      errors,
      "argocd.namespace",
      /^gitops-bootstrap:argocd\.namespace: "-----BEGIN OPENSSH PRIVATE KEY--…" \(\d+ lines\) /,
    );
    assertShowsNoKey(formatConfigErrors("prod", errors), key);
  });

  it("says what a wrong type is in words, not zod's (no 'Invalid input')", () => {
    const errors = errorsFor({
      ...MINIMAL,
      argocd: {
        oidc: { name: 5, issuer: "https://a.example.com", clientId: "x" },
        hostname: "a.example.com",
      },
    });
    assert.ok(
      errors.includes("gitops-bootstrap:argocd.oidc.name: must be a string, got 5"),
      errors.join("\n"),
    );
    assert.ok(
      errors.every((e) => !/Invalid input|Too small|Too big/.test(e)),
      errors.join("\n"),
    );
  });
});

describe("stack config: engine flux-operator", () => {
  const OPERATOR = { ...MINIMAL, engine: "flux-operator" };

  it("fills the fluxOperator defaults from a minimal stack", () => {
    const { config, secretKeys } = raw(OPERATOR);
    const result = parseStackConfig(config, secretKeys);
    assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
    assert.equal(result.config.engine, "flux-operator");
    assert.equal(result.config.fluxOperator.namespace, "flux-system");
    assert.equal(result.config.fluxOperator.sync.name, "flux-system");
    assert.equal(result.config.charts.fluxOperator, CHARTS.fluxOperator.version);
  });

  it("refuses the flux and argocd sections, and their charts, naming the engine to set instead", () => {
    const errors = errorsFor({ ...OPERATOR, flux: { namespace: "x" }, charts: { flux2: "2.18.3" } });
    assert.ok(
      errors.includes(
        "gitops-bootstrap:flux: is set but gitops-bootstrap:engine is flux-operator; remove the flux section or set engine to flux",
      ),
      errors.join("\n"),
    );
    assert.ok(
      errors.includes(
        "gitops-bootstrap:charts.flux2: is set but gitops-bootstrap:engine is flux-operator, which installs only the fluxOperator and fluxInstance charts (charts.fluxOperator, charts.fluxInstance); remove it",
      ),
      errors.join("\n"),
    );
  });

  it("refuses a fluxOperator section and its charts on another engine", () => {
    const errors = errorsFor({
      ...MINIMAL,
      engine: "flux",
      fluxOperator: { namespace: "flux" },
      charts: { fluxInstance: "0.49.0" },
    });
    assertError(
      errors,
      "fluxOperator",
      /is set but gitops-bootstrap:engine is flux; .*set engine to flux-operator/,
    );
    assertError(
      errors,
      "charts.fluxInstance",
      /which installs only the flux2 chart \(charts\.flux2\); remove it/,
    );
  });

  it("refuses a commit SHA and a bare tag as the revision, saying what to write", () => {
    const sha = "0123456789abcdef0123456789abcdef01234567";
    assertError(
      errorsFor({ ...OPERATOR, repo: { ...MINIMAL.repo, revision: sha } }),
      "repo.revision",
      /is a commit SHA/,
    );
    assertError(
      errorsFor({ ...OPERATOR, repo: { ...MINIMAL.repo, revision: "v1.2.0" } }),
      "repo.revision",
      /looks like a tag.*refs\/tags\/v1\.2\.0/,
    );
  });

  it("refuses unknown chart values keys even when other keys fail, and owned keys once the rest parses", () => {
    const unknown = errorsFor({
      ...OPERATOR,
      fluxOperator: { operator: { values: { webb: {} } }, namespace: "Bad_Name" },
    });
    assertError(
      unknown,
      "fluxOperator.operator.values",
      /webb is not a value of the flux-operator chart 0\.49\.0; did you mean web\?/,
    );
    assertError(unknown, "fluxOperator.namespace", /Bad_Name/);
    const owned = errorsFor({
      ...OPERATOR,
      fluxOperator: { instance: { values: { instance: { components: [] } } } },
    });
    assertError(
      owned,
      "fluxOperator.instance.values",
      /written from gitops-bootstrap:fluxOperator\.components/,
    );
  });

  it("checks the catalog's Flux namespace and source against the instance's namespace and sync name", () => {
    const catalog = {
      repo: { url: MINIMAL.repo.url, revision: "main" },
      output: "manifests/bootstrap",
      argocd: { namespace: "argocd" },
      flux: { namespace: "flux-system", gitRepository: "flux-system", interval: "10m" },
    };
    const { config, secretKeys } = raw({
      ...OPERATOR,
      repo: { ...MINIMAL.repo, catalog: "apps.yaml" },
      fluxOperator: { sync: { name: "root" } },
    });
    const result = parseStackConfig(config, secretKeys, { readCatalog: () => catalog as never });
    assert.ok(!result.ok);
    assertError(
      result.errors,
      "repo.catalog",
      /apps\.yaml has flux\.gitRepository flux-system but gitops-bootstrap:fluxOperator\.sync\.name is root/,
    );
  });
});
