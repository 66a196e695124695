import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { CHARTS } from "../../core/shared/versions";
import { runCli } from "../support/harness";
import { ensureTools } from "../support/tools";
import { validateKubernetesObject } from "../support/validate";

const ROOT = join(__dirname, "..", "..");
const synth = (args: string[], cwd = ROOT) => runCli(["synth", ...args], cwd);

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

interface Resource {
  urn: string;
  type: string;
  name: string;
  parent?: string;
  provider?: string;
  dependsOn: string[];
  options: Record<string, unknown>;
  inputs: Record<string, unknown>;
}

const work = mkdtempSync(join(tmpdir(), "gitops-synth-"));
after(() => rmSync(work, { recursive: true, force: true }));

for (const [stack, engine, engineChart] of [
  ["prod", "argocd", CHARTS.argoCd],
  ["homelab", "flux", CHARTS.flux2],
] as const) {
  describe(`synth --stack ${stack}`, () => {
    const out = join(work, stack);
    let resources: Resource[] = [];

    before(function () {
      this.timeout(120_000);
      const run = synth(["--stack", stack, "--out", out]);
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, new RegExp(`^synth: ${stack}: \\d+ resources, \\d+ files in `));
      resources = JSON.parse(readFileSync(join(out, "resources.json"), "utf8")) as Resource[];
    });

    it("is byte-identical on a rerun", function () {
      this.timeout(120_000);
      const again = join(work, `${stack}-again`);
      const run = synth(["--stack", stack, "--out", again]);
      assert.equal(run.status, 0, run.stderr);
      const files = listFiles(out);
      assert.deepEqual(listFiles(again), files);
      for (const file of files)
        assert.equal(readFileSync(join(again, file), "utf8"), readFileSync(join(out, file), "utf8"), file);
    });

    it("writes every Kubernetes object with its $schema line, valid against its schema", async () => {
      const manifests = listFiles(out).filter((f) => f.startsWith("manifests/"));
      assert.ok(manifests.length >= 4, manifests.join(", "));
      for (const file of manifests) {
        const text = readFileSync(join(out, file), "utf8");
        assert.match(text, /^# yaml-language-server: \$schema=https:\/\/\S+\.json\n/, file);
        await validateKubernetesObject(parse(text) as object);
      }
    });

    it("registers the engine's pinned chart and the root chart after it, every Kubernetes resource on the explicit provider", () => {
      const releases = resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release");
      const engineRelease = releases.find((r) => r.inputs.chart === engineChart.chart);
      const root = releases.find((r) => r.inputs.chart === "./charts/gitops-root");
      assert.ok(engineRelease && root);
      assert.equal(engineRelease.inputs.version, engineChart.version);
      assert.ok(root.dependsOn.includes(engineRelease.urn.split("::").slice(-2).join("::")));
      for (const r of resources.filter((r) => r.type.startsWith("kubernetes:"))) {
        assert.equal(r.provider, "pulumi:providers:kubernetes::kubernetes", r.urn);
        assert.ok(r.parent, `${r.urn} must be inside a component`);
      }
    });

    it("writes no secret in clear: placeholders and keys never appear, secret inputs read [secret]", () => {
      for (const file of listFiles(out)) {
        const text = readFileSync(join(out, file), "utf8");
        assert.ok(!text.includes("synth placeholder"), `${file} leaks a secure config value`);
        assert.ok(
          !/PRIVATE[- ]KEY/.test(text),
          `${file} holds a private key (the mock's are labelled MOCK-PRIVATE-KEY)`,
        );
      }
      const secrets = resources.filter((r) => r.type === "kubernetes:core/v1:Secret");
      assert.ok(secrets.length >= 1);
      for (const s of secrets) {
        const values = Object.values(s.inputs.stringData as Record<string, string>);
        assert.ok(values.length > 0 && values.every((v) => v === "[secret]"), s.name);
      }
    });

    it(`exports the engine, namespace, root app and repository URL`, () => {
      const outputs = JSON.parse(readFileSync(join(out, "outputs.json"), "utf8")) as Record<string, string>;
      assert.equal(outputs.engine, engine);
      // prod reaches its cluster over Tailscale: it also exports the policy fragment CI needs.
      assert.deepEqual(
        Object.keys(outputs).sort(),
        [
          "engine",
          "namespace",
          "repoUrl",
          "rootApp",
          ...(stack === "prod" ? ["tailscalePolicy"] : []),
        ].sort(),
      );
    });

    it("renders with real helm to exactly the objects synth wrote", function () {
      this.timeout(300_000);
      const { helm } = ensureTools();
      const valuesFile = join(out, "helm", "gitops-root.yaml");
      const chart = join(ROOT, "charts", "gitops-root");
      const lint = spawnSync(helm, ["lint", chart, "-f", valuesFile], { encoding: "utf8" });
      assert.equal(lint.status, 0, lint.stdout + lint.stderr);
      const render = spawnSync(helm, ["template", "gitops-root", chart, "-f", valuesFile], {
        encoding: "utf8",
      });
      assert.equal(render.status, 0, render.stderr);
      const rendered = parseAllDocuments(render.stdout)
        .map((d) => d.toJS() as unknown)
        .filter((d) => d !== null);
      const expected = (parse(readFileSync(valuesFile, "utf8")) as { objects: unknown[] }).objects;
      assert.ok(expected.length >= 2);
      assert.deepEqual(rendered, expected);
    });
  });
}

describe("synth --stack account", () => {
  const out = join(work, "account");
  let resources: Resource[] = [];

  before(function () {
    this.timeout(120_000);
    const run = synth(["--stack", "account", "--out", out]);
    assert.equal(run.status, 0, run.stderr);
    resources = JSON.parse(readFileSync(join(out, "resources.json"), "utf8")) as Resource[];
  });

  it("protects and retains the state bucket and its KMS key, and registers no Kubernetes resource", () => {
    for (const type of ["aws:s3/bucket:Bucket", "aws:kms/key:Key"]) {
      const [precious] = resources.filter((r) => r.type === type);
      assert.ok(precious, type);
      assert.equal(precious.options.protect, true, type);
      assert.equal(precious.options.retainOnDelete, true, type);
    }
    assert.deepEqual(
      resources.filter((r) => r.type.startsWith("kubernetes:")),
      [],
    );
  });

  it("imports what the Terragrunt layer made, as Pulumi.account.yaml's adopt section says", () => {
    const imported = resources
      .filter((r) => r.options.import !== undefined)
      .map((r) => `${r.type}=${String(r.options.import)}`);
    assert.deepEqual(imported.sort(), [
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider=arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
      "aws:iam/role:Role=github-actions-homelab",
    ]);
  });

  it("exports what cluster stacks hand to CI", () => {
    const outputs = JSON.parse(readFileSync(join(out, "outputs.json"), "utf8")) as Record<string, string>;
    assert.equal(outputs.backendUrl, "s3://acme-homelab-pulumi-state?region=eu-west-1");
    assert.match(outputs.secretsProvider ?? "", /^awskms:\/\/.+\?region=eu-west-1$/);
    for (const key of ["previewRoleArn", "deployRoleArn", "region", "deployEnvironment"])
      assert.ok(outputs[key], key);
  });
});

describe("the example catalog", () => {
  it("has its generated manifests committed and current (generate --check)", function () {
    this.timeout(60_000);
    const run = runCli([
      "generate",
      "--catalog",
      "examples/homelab/catalog.yaml",
      "--engine",
      "argocd",
      "--check",
    ]);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /up to date, 10 objects for 10 apps/);
  });

  it("is where the prod root app points (repo.catalog: the catalog's output, stated once)", () => {
    const app = parse(
      readFileSync(join(work, "prod", "manifests", "argocd", "application-bootstrap.yaml"), "utf8"),
    ) as {
      spec: { source: { path: string; repoURL: string } };
    };
    const catalog = parse(readFileSync(join(ROOT, "examples", "homelab", "catalog.yaml"), "utf8")) as {
      output: string;
      repo: { url: string };
    };
    assert.equal(app.spec.source.path, catalog.output);
    assert.equal(app.spec.source.repoURL, catalog.repo.url);
  });
});

describe("synth with bad input", () => {
  /** A project directory holding the real program and one stack file of our choosing. */
  function projectWith(stackYaml: string): string {
    const dir = mkdtempSync(join(work, "project-"));
    for (const entry of [
      "index.ts",
      "stacks",
      "components",
      "core",
      "charts",
      "node_modules",
      "Pulumi.yaml",
    ]) {
      symlinkSync(join(ROOT, entry), join(dir, entry));
    }
    writeFileSync(join(dir, "Pulumi.bad.yaml"), stackYaml);
    return dir;
  }

  it("exits 1 with every config error, each naming its key, and writes nothing", function () {
    this.timeout(120_000);
    const dir = projectWith(
      [
        "config:",
        "  gitops-bootstrap:engine: argo",
        "  gitops-bootstrap:repo:",
        "    url: https://github.com/acme/m.git",
        "  gitops-bootstrap:argocd:",
        "    hostName: argocd.example.com",
      ].join("\n"),
    );
    const out = join(dir, "out", "bad");
    const run = synth(["--stack", "bad", "--project", dir, "--out", out], dir);
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stderr, /Stack bad: \d+ config errors \(nothing was changed\)/);
    assert.match(run.stderr, /gitops-bootstrap:engine: must be "argocd" or "flux"/);
    assert.match(run.stderr, /gitops-bootstrap:repo\.url: must be an SSH URL/);
    assert.match(
      run.stderr,
      /gitops-bootstrap:argocd\.hostName: unknown key "hostName": did you mean "hostname"\?/,
    );
    assert.match(run.stderr, /gitops-bootstrap:repoSshPrivateKey: is required|gitops-bootstrap:engine/);
    assert.equal(existsSync(out), false, "nothing may be written");
  });

  it("fails, writing nothing, when the program throws inside an apply (the resource would be lost)", function () {
    this.timeout(120_000);
    const dir = mkdtempSync(join(work, "apply-"));
    symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
    writeFileSync(join(dir, "Pulumi.yaml"), "name: apply-failure\nruntime: nodejs\n");
    writeFileSync(join(dir, "Pulumi.dev.yaml"), "config: {}\n");
    writeFileSync(
      join(dir, "index.ts"),
      [
        'import * as pulumi from "@pulumi/pulumi";',
        'const broken = pulumi.output("x").apply((): string => { throw new Error("boom inside apply"); });',
        'new pulumi.CustomResource("test:index:Thing", "thing", { value: broken });',
        "export = {};",
      ].join("\n"),
    );
    const out = join(dir, "out", "dev");
    const run = synth(["--stack", "dev", "--project", dir, "--out", out], dir);
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(
      run.stderr,
      /synth: the program failed while registering resources:\n {2}.*boom inside apply/,
    );
    assert.equal(existsSync(out), false);
  });

  it("names the stacks that exist when the stack file is missing", () => {
    const run = synth(["--stack", "nope", "--out", join(work, "nope")]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /Pulumi\.nope\.yaml: no such stack file; stacks here: .*homelab.*prod/);
  });

  it("requires --stack and rejects unknown options", () => {
    assert.equal(synth([]).status, 2);
    const run = synth(["--stack", "prod", "--bogus"]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /bogus/);
  });

  it("keeps the previous output when a run fails", function () {
    this.timeout(120_000);
    const dir = projectWith("config:\n  gitops-bootstrap:engine: flux\n");
    const out = join(dir, "out", "bad");
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "resources.json"), "previous");
    assert.equal(synth(["--stack", "bad", "--project", dir, "--out", out], dir).status, 1);
    assert.equal(readFileSync(join(out, "resources.json"), "utf8"), "previous");
  });
});

// After the stacks above have been synthesized into `work`.
describe("synth: explicit providers everywhere", () => {
  // Pulumi.yaml disables default providers: a resource without one fails on the first real preview.
  for (const stack of ["prod", "homelab", "account"]) {
    it(`gives every resource of ${stack} an explicit provider`, () => {
      const resources = JSON.parse(readFileSync(join(work, stack, "resources.json"), "utf8")) as Array<
        Resource & { custom: boolean }
      >;
      assert.ok(resources.length > 5);
      const missing = resources.filter(
        (r) => r.custom && !r.type.startsWith("pulumi:") && r.provider === undefined,
      );
      assert.deepEqual(
        missing.map((r) => r.urn),
        [],
      );
    });
  }
});
