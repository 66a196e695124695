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
import { outDirProblem, readStackFile, SYNTH_MARKER, type SynthResource } from "../../cli/synth";
import { CHARTS } from "../../core/shared/versions";
import { runCli } from "../support/harness";
import { linkProgram } from "../support/paths";
import { ensureTools } from "../support/tools";
import { validateKubernetesObject } from "../support/validate";
import { assertShowsNoKey, binaryFile, fakeOpenSshPrivateKey } from "../support/leaks";

const ROOT = join(__dirname, "..", "..");
const synth = (args: string[], cwd = ROOT) => runCli(["synth", ...args], cwd);

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

const work = mkdtempSync(join(tmpdir(), "gitops-synth-"));
after(() => rmSync(work, { recursive: true, force: true }));

for (const [stack, engine, engineChart] of [
  ["prod", "argocd", CHARTS.argoCd],
  ["homelab", "flux", CHARTS.flux2],
] as const) {
  describe(`synth --stack ${stack}`, () => {
    const out = join(work, stack);
    let resources: SynthResource[] = [];

    before(function () {
      this.timeout(120_000);
      const run = synth(["--stack", stack, "--out", out]);
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, new RegExp(`^synth: ${stack}: \\d+ resources, \\d+ files in `));
      resources = JSON.parse(readFileSync(join(out, "resources.json"), "utf8")) as SynthResource[];
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
  let resources: SynthResource[] = [];

  before(function () {
    this.timeout(120_000);
    const run = synth(["--stack", "account", "--out", out]);
    assert.equal(run.status, 0, run.stderr);
    resources = JSON.parse(readFileSync(join(out, "resources.json"), "utf8")) as SynthResource[];
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
    linkProgram(dir);
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
        "    url: http://github.com/acme/m.git",
        "  gitops-bootstrap:argocd:",
        "    hostName: argocd.example.com",
      ].join("\n"),
    );
    const out = join(dir, "out", "bad");
    const run = synth(["--stack", "bad", "--project", dir, "--out", out], dir);
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stderr, /Stack bad: \d+ config errors \(nothing was changed\)/);
    assert.match(run.stderr, /gitops-bootstrap:engine: must be "argocd", "flux" or "flux-operator"/);
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
      const resources = JSON.parse(
        readFileSync(join(work, stack, "resources.json"), "utf8"),
      ) as SynthResource[];
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

describe("synth --out: never replaces what synth did not write (issue 9)", () => {
  /** A project directory of its own (a Git checkout) running the real program with the homelab stack. */
  function checkout(): string {
    const dir = mkdtempSync(join(work, "checkout-"));
    linkProgram(dir);
    writeFileSync(join(dir, "Pulumi.homelab.yaml"), readFileSync(join(ROOT, "Pulumi.homelab.yaml")));
    mkdirSync(join(dir, ".git"));
    writeFileSync(join(dir, ".git", "HEAD"), "ref: refs/heads/main\n");
    writeFileSync(join(dir, "notes.txt"), "mine\n");
    return dir;
  }

  it("refuses --out . in the project (it would delete the checkout, .git included), exit 2, nothing changed", function () {
    this.timeout(120_000);
    const dir = checkout();
    const before = listFiles(dir);
    const run = synth(["--stack", "homelab", "--out", "."], dir);
    assert.equal(run.status, 2, run.stdout + run.stderr);
    assert.equal(
      run.stderr,
      "synth: --out . holds the project; synth replaces its output directory whole: choose a directory of its own, such as out/<stack>; nothing was written\n",
    );
    assert.deepEqual(listFiles(dir), before);
    assert.equal(readFileSync(join(dir, ".git", "HEAD"), "utf8"), "ref: refs/heads/main\n");
  });

  it("refuses a directory that is not empty and that synth did not write, exit 2, nothing changed", function () {
    this.timeout(120_000);
    const dir = checkout();
    const docs = join(dir, "docs");
    mkdirSync(docs);
    writeFileSync(join(docs, "operations.md"), "# runbook\n");
    const run = synth(["--stack", "homelab", "--out", "docs"], dir);
    assert.equal(run.status, 2, run.stdout + run.stderr);
    assert.equal(
      run.stderr,
      "synth: --out docs is not empty and synth did not write it (it has no .gitops-bootstrap-synth file); synth replaces its output directory whole: choose a new or empty directory, or the one an earlier synth wrote; nothing was written\n",
    );
    assert.deepEqual(readdirSync(docs), ["operations.md"]);
  });

  it("marks what it writes, so the next run may replace it", () => {
    const out = join(work, "homelab");
    assert.equal(
      readFileSync(join(out, SYNTH_MARKER), "utf8"),
      "Written by gitops-bootstrap synth; the next synth into this directory replaces all of it.\n",
    );
    assert.equal(outDirProblem(out, ROOT), undefined);
  });

  it("may write into a new, an empty or an earlier (even unmarked) synth output directory, nothing else", () => {
    const base = mkdtempSync(join(work, "outdirs-"));
    assert.equal(outDirProblem(join(base, "new"), ROOT), undefined);
    mkdirSync(join(base, "empty"));
    assert.equal(outDirProblem(join(base, "empty"), ROOT), undefined);
    mkdirSync(join(base, "old", "manifests"), { recursive: true });
    writeFileSync(join(base, "old", "resources.json"), "[]");
    assert.equal(outDirProblem(join(base, "old"), ROOT), undefined, "written by synth before the marker");
    writeFileSync(join(base, "old", "notes.md"), "mine");
    assert.match(outDirProblem(join(base, "old"), ROOT) ?? "", /^is not empty and synth did not write it/);
    writeFileSync(join(base, "file"), "x");
    assert.equal(outDirProblem(join(base, "file"), ROOT), "is a file; choose a directory");
    mkdirSync(join(base, "repo", ".git"), { recursive: true });
    writeFileSync(join(base, "repo", SYNTH_MARKER), "");
    assert.equal(
      outDirProblem(join(base, "repo"), ROOT),
      "is a Git checkout; choose a directory of its own, such as out/<stack>",
    );
    assert.match(outDirProblem(join(ROOT, ".."), ROOT) ?? "", /^holds the project/);
    assert.match(outDirProblem("/", ROOT) ?? "", /^holds the project/);
  });
});

describe("stack files that are not what they should be (issue 9)", () => {
  function projectWithStackFile(content: string | Buffer): string {
    const dir = mkdtempSync(join(work, "stackfile-"));
    writeFileSync(join(dir, "Pulumi.yaml"), "name: gitops-bootstrap\nruntime: nodejs\n");
    writeFileSync(join(dir, "Pulumi.bad.yaml"), content);
    return dir;
  }
  const errorOf = (dir: string): string => {
    try {
      readStackFile(dir, "bad");
    } catch (error) {
      return (error as Error).message;
    }
    return assert.fail("expected an error");
  };

  it("names the file, line and column of a YAML syntax error, and quotes none of its lines", () => {
    const dir = projectWithStackFile(
      "config:\n  gitops-bootstrap:engine: flux\n   gitops-bootstrap:repo: {\n",
    );
    assert.equal(
      errorOf(dir),
      `${join(dir, "Pulumi.bad.yaml")}:2:28: Nested mappings are not allowed in compact mappings; fix the YAML syntax`,
    );
    assert.ok(!errorOf(dir).includes("gitops-bootstrap:repo"));
  });

  it("says a stack file holding a private key is no stack file, and prints none of it", () => {
    const key = fakeOpenSshPrivateKey();
    const dir = projectWithStackFile(key);
    assert.equal(
      errorOf(dir),
      `${join(dir, "Pulumi.bad.yaml")}: is not a Pulumi stack file: it must be a YAML mapping (key: value)`,
    );
    assertShowsNoKey(errorOf(dir), key);
  });

  it("names a binary stack file and a stack file that is a directory, without raw EISDIR", () => {
    assert.match(
      errorOf(projectWithStackFile(binaryFile())),
      /Pulumi\.bad\.yaml: is not a text file \(it holds binary data\)$/,
    );
    const dir = mkdtempSync(join(work, "stackdir-"));
    writeFileSync(join(dir, "Pulumi.yaml"), "name: gitops-bootstrap\n");
    mkdirSync(join(dir, "Pulumi.bad.yaml"));
    assert.equal(errorOf(dir), `${join(dir, "Pulumi.bad.yaml")}: is a directory, not a file`);
  });

  it("refuses a config: that is a list instead of reading its indices as keys", () => {
    const dir = projectWithStackFile("config:\n  - gitops-bootstrap:engine: flux\n");
    assert.equal(
      errorOf(dir),
      `${join(dir, "Pulumi.bad.yaml")}: config: must be a mapping of config keys (such as gitops-bootstrap:engine: argocd), not a list`,
    );
  });

  it("exits 1 through the CLI with the file named, writing nothing", () => {
    const dir = projectWithStackFile("config: [\n");
    const run = synth(["--stack", "bad", "--project", dir], dir);
    assert.equal(run.status, 1);
    assert.match(
      run.stderr,
      new RegExp(`^${join(dir, "Pulumi.bad.yaml")}:\\d+:\\d+: .+; fix the YAML syntax\\n$`),
    );
    assert.equal(existsSync(join(dir, "out")), false);
  });
});
