import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { GENERATE_HELP, generateCommand } from "../../cli/generate";
import { copyFixture, snapshot, validateObject } from "./helpers";
import { ensureTools } from "../support/tools";
import { assertShowsNoBinary, assertShowsNoKey, binaryFile, fakeOpenSshPrivateKey } from "../support/leaks";

/** Runs the command, capturing what it prints. */
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await generateCommand(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe("cli generate", () => {
  const dirs: string[] = [];
  const fixture = (name: string) => {
    const dir = copyFixture(name);
    dirs.push(dir);
    return dir;
  };
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("--help documents every option and exits 0", async () => {
    const { code, out } = await run(["--help"]);
    assert.equal(code, 0);
    assert.equal(out, GENERATE_HELP);
    for (const option of [
      "--catalog",
      "--engine",
      "--mode",
      "--root",
      "--out",
      "--graph",
      "--check",
      "--dry-run",
    ]) {
      assert.ok(out.includes(option), option);
    }
  });

  it("rejects bad arguments with exit 2 and a pointer to --help", async () => {
    for (const argv of [
      ["--catalog", "x.yaml"],
      ["--catalog", "x.yaml", "--engine", "helm"],
      ["--catalog", "x.yaml", "--engine", "flux", "--mode", "applicationsets"],
      ["--catalog", "x.yaml", "--engine", "argocd", "--check", "--dry-run"],
      ["--bogus"],
    ]) {
      const { code, err } = await run(argv);
      assert.equal(code, 2, argv.join(" "));
      assert.match(err, /^generate: .+\nRun with --help for usage\.\n$/);
    }
  });

  it("writes the output the root app watches, every object valid, kustomization listing them all", async () => {
    const root = fixture("classic");
    const { code, out, err } = await run(["--catalog", join(root, "apps.yaml"), "--engine", "argocd"]);
    assert.equal(code, 0, err);
    assert.match(out, /6 objects for 6 apps \(argocd, applications\).*7 written, 0 deleted, 0 unchanged/);
    const dir = join(root, "manifests", "bootstrap");
    const kustomization = parse(readFileSync(join(dir, "kustomization.yaml"), "utf8")) as {
      resources: string[];
    };
    assert.equal(kustomization.resources.length, 8);
    for (const file of kustomization.resources) {
      const object = parse(readFileSync(join(dir, file), "utf8")) as { apiVersion: string; kind: string };
      if (object.kind === "AppProject") continue; // hand-written, not ours
      await validateObject(object);
    }
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.startsWith(".")),
      [],
    );
  });

  it("takes a stack's engine flux-operator and writes exactly what --engine flux writes (the same Flux)", async () => {
    const flux = fixture("classic");
    const operator = fixture("classic");
    const a = await run(["--catalog", join(flux, "apps.yaml"), "--engine", "flux"]);
    const b = await run(["--catalog", join(operator, "apps.yaml"), "--engine", "flux-operator"]);
    assert.equal(a.code, 0, a.err);
    assert.equal(b.code, 0, b.err);
    assert.match(b.out, /objects for 6 apps \(flux\)/);
    const dir = (root: string) => join(root, "manifests", "bootstrap");
    assert.deepEqual(snapshot(dir(operator)), snapshot(dir(flux)));
    assert.ok(
      readdirSync(dir(operator)).some((f) => f.endsWith("-ks.yaml")),
      "Flux Kustomizations were written",
    );
    const refused = await run([
      "--catalog",
      join(operator, "apps.yaml"),
      "--engine",
      "flux-operator",
      "--mode",
      "applicationsets",
    ]);
    assert.equal(refused.code, 2);
  });

  it("is byte-identical on rerun and then --check passes", async () => {
    const root = fixture("classic");
    const argv = [
      "--catalog",
      join(root, "apps.yaml"),
      "--engine",
      "flux",
      "--graph",
      join(root, "graph.md"),
    ];
    assert.equal((await run(argv)).code, 0);
    const first = snapshot(root);
    const again = await run(argv);
    // 6 Namespaces, 6 Kustomizations and the kustomization.yaml
    assert.match(again.out, /12 objects for 6 apps \(flux\).*0 written, 0 deleted, 13 unchanged/);
    assert.deepEqual(snapshot(root), first);
    const check = await run([...argv, "--check"]);
    assert.equal(check.code, 0);
    assert.match(check.out, /^generate --check: up to date/);
  });

  it("--check exits 1, lists what is stale and writes nothing", async () => {
    const root = fixture("classic");
    const argv = ["--catalog", join(root, "apps.yaml"), "--engine", "argocd"];
    assert.equal((await run(argv)).code, 0);
    const catalog = join(root, "apps.yaml");
    writeFileSync(
      catalog,
      readFileSync(catalog, "utf8").replace("traefik: { wave: 2 }", "traefik: { wave: 3 }"),
    );
    writeFileSync(
      join(root, "manifests", "cluster", "kustomization.yaml"),
      readFileSync(join(root, "manifests", "cluster", "kustomization.yaml"), "utf8").replace(
        "  - sonarr\n",
        "",
      ),
    );
    const before = snapshot(root);
    const { code, out } = await run([...argv, "--check"]);
    assert.equal(code, 1);
    assert.match(out, /^generate --check: 3 stale; run generate and commit:\n/);
    assert.match(out, / {2}update .*manifests\/bootstrap\/kustomization\.yaml\n/);
    assert.match(out, / {2}update .*manifests\/bootstrap\/traefik-app\.yaml\n/);
    assert.match(out, / {2}delete .*manifests\/bootstrap\/sonarr-app\.yaml\n/);
    assert.deepEqual(snapshot(root), before);
  });

  it("deletes the files of apps that left the catalog, only when generate wrote them", async () => {
    const root = fixture("classic");
    const argv = ["--catalog", join(root, "apps.yaml"), "--engine", "argocd"];
    assert.equal((await run(argv)).code, 0);
    const list = join(root, "manifests", "cluster", "kustomization.yaml");
    writeFileSync(list, readFileSync(list, "utf8").replace("  - sonarr\n", ""));
    const { code, out, err } = await run(argv);
    assert.equal(code, 0);
    assert.match(out, /1 deleted/);
    const dir = join(root, "manifests", "bootstrap");
    assert.ok(!existsSync(join(dir, "sonarr-app.yaml")));
    assert.ok(existsSync(join(dir, "old-service-app.yaml")), "unmarked classic file kept");
    assert.match(
      err,
      /warning: old-service-app\.yaml is in the output directory but generate did not write it/,
    );
    assert.ok(!readFileSync(join(dir, "kustomization.yaml"), "utf8").includes("sonarr"));
  });

  it("--dry-run lists the plan and writes nothing", async () => {
    const root = fixture("categories");
    const before = snapshot(root);
    const { code, out } = await run([
      "--catalog",
      join(root, "catalog.yaml"),
      "--engine",
      "argocd",
      "--mode",
      "applicationsets",
      "--dry-run",
    ]);
    assert.equal(code, 0);
    assert.match(out, /^generate --dry-run: 3 objects for 5 apps \(argocd, applicationsets\); would:\n/);
    assert.match(out, / {2}create .*argocd\/apps\/media-appset\.yaml\n/);
    assert.deepEqual(snapshot(root), before);
  });

  it("writes into a new output directory through one rename, honouring --root and --out", async () => {
    const root = fixture("categories");
    const out = join(root, "elsewhere", "apps");
    const { code, err } = await run([
      "--catalog",
      join(root, "catalog.yaml"),
      "--root",
      root,
      "--engine",
      "argocd",
      "--mode",
      "applicationsets",
      "--out",
      out,
    ]);
    assert.equal(code, 0, err);
    assert.match(
      err,
      /warning: --out .* is not the catalog's output argocd\/apps, which the root app watches/,
    );
    assert.deepEqual(readdirSync(out).sort(), [
      "kustomization.yaml",
      "media-appset.yaml",
      "networking-appset.yaml",
      "security-appset.yaml",
    ]);
    assert.deepEqual(readdirSync(join(root, "elsewhere")), ["apps"]);
  });

  it("on a bad catalog exits 2, names file and key, and writes nothing", async () => {
    const root = fixture("classic");
    const catalog = join(root, "apps.yaml");
    writeFileSync(
      catalog,
      readFileSync(catalog, "utf8").replace("cert-manager: { wave: 1 }", "cert-manager: { wave: 1.5 }"),
    );
    const before = snapshot(root);
    const { code, err } = await run([
      "--catalog",
      catalog,
      "--engine",
      "argocd",
      "--graph",
      join(root, "g.md"),
    ]);
    assert.equal(code, 2);
    assert.match(
      err,
      /^generate: the catalog has 1 problem\(s\); nothing was written:\napps\.yaml:\d+:\d+: apps\.cert-manager\.wave: 1\.5 is not a wave/,
    );
    assert.deepEqual(snapshot(root), before);
  });

  for (const [engine, mode] of [
    ["argocd", "applications"],
    ["flux", "applications"],
  ] as const) {
    it(`writes an output directory real \`kubectl kustomize\` renders to exactly its objects (${engine})`, async function () {
      this.timeout(300_000);
      const root = fixture("classic");
      const { code, err } = await run([
        "--catalog",
        join(root, "apps.yaml"),
        "--engine",
        engine,
        "--mode",
        mode,
      ]);
      assert.equal(code, 0, err);
      const dir = join(root, "manifests", "bootstrap");
      const { kubectl } = ensureTools();
      const render = spawnSync(kubectl, ["kustomize", dir], { encoding: "utf8" });
      assert.equal(render.status, 0, render.stderr);
      const rendered = parseAllDocuments(render.stdout).map(
        (d) => d.toJS() as { kind: string; metadata: { name: string } },
      );
      const listed = (parse(readFileSync(join(dir, "kustomization.yaml"), "utf8")) as { resources: string[] })
        .resources;
      const expected = listed.map(
        (file) =>
          parse(readFileSync(join(dir, file), "utf8")) as { kind: string; metadata: { name: string } },
      );
      const key = (o: { kind: string; metadata: { name: string } }) => `${o.kind}/${o.metadata.name}`;
      // kustomize orders by kind; compare as sets of whole objects.
      assert.deepEqual(
        [...rendered].sort((a, b) => key(a).localeCompare(key(b))),
        [...expected].sort((a, b) => key(a).localeCompare(key(b))),
      );
      // 6 generated objects plus the hand-written AppProject and the classic files still listed.
      assert.equal(rendered.length, listed.length);
      assert.ok(rendered.length >= 8);
    });
  }

  it("on a missing catalog file exits 2 saying so", async () => {
    const { code, err } = await run(["--catalog", "/nonexistent/apps.yaml", "--engine", "flux"]);
    assert.equal(code, 2);
    assert.equal(
      err,
      "generate: --catalog /nonexistent/apps.yaml does not exist; pass the catalog YAML with --catalog <file>\n",
    );
  });
});

describe("cli generate: bad input found on a fresh clone (issue 9)", () => {
  const dirs: string[] = [];
  const fixture = (name: string) => {
    const dir = copyFixture(name);
    dirs.push(dir);
    return dir;
  };
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** The categories fixture with a catalog that only includes `glob`, generated once. */
  async function generatedFrom(glob: string): Promise<{ root: string; catalog: string }> {
    const root = fixture("categories");
    const catalog = join(root, "catalog.yaml");
    writeFileSync(
      catalog,
      `repo: { url: https://github.com/acme/home-ops }\noutput: argocd/apps\ninclude: [{ directories: "${glob}" }]\n`,
    );
    const first = await run(["--catalog", catalog, "--engine", "argocd"]);
    assert.equal(first.code, 0, first.err);
    return { root, catalog };
  }
  const setGlob = (catalog: string, glob: string) =>
    writeFileSync(
      catalog,
      readFileSync(catalog, "utf8").replace(/directories: "[^"]*"/, `directories: "${glob}"`),
    );

  it("refuses an include that matches nothing, exit 2, deleting nothing", async () => {
    const { root, catalog } = await generatedFrom("apps/*/*");
    setGlob(catalog, "app/*/*");
    const before = snapshot(root);
    const { code, err } = await run(["--catalog", catalog, "--engine", "argocd"]);
    assert.equal(code, 2);
    assert.equal(
      err,
      "generate: the catalog has 1 problem(s); nothing was written:\ncatalog.yaml: include[0].directories: app/*/* matches no directory in the repository: an include that finds nothing would delete every app it found before; fix the glob (it is relative to the repository root) or remove the include\n",
    );
    assert.deepEqual(snapshot(root), before);
  });

  it("refuses a run that deletes most of the generated files unless --allow-mass-delete is given", async () => {
    const { root, catalog } = await generatedFrom("apps/*/*");
    setGlob(catalog, "apps/media/*");
    const before = snapshot(root);
    const refused = await run(["--catalog", catalog, "--engine", "argocd"]);
    assert.equal(refused.code, 3);
    assert.match(
      refused.err,
      /^generate: refusing to delete 3 of the 5 files generate wrote in .*argocd\/apps: check the catalog's includes and --root; if the apps really left, rerun with --allow-mass-delete\. Nothing was written\.\n$/,
    );
    assert.deepEqual(snapshot(root), before);

    const dryRun = await run(["--catalog", catalog, "--engine", "argocd", "--dry-run"]);
    assert.equal(dryRun.code, 0);
    assert.match(
      dryRun.out,
      /\nnote: without --allow-mass-delete this run would be refused: delete 3 of the 5 files/,
    );
    assert.deepEqual(snapshot(root), before);

    const allowed = await run(["--catalog", catalog, "--engine", "argocd", "--allow-mass-delete"]);
    assert.equal(allowed.code, 0, allowed.err);
    assert.match(allowed.out, /1 written, 3 deleted, 2 unchanged/);
    assert.deepEqual(readdirSync(join(root, "argocd", "apps")).sort(), [
      "kustomization.yaml",
      "media-jellyfin-app.yaml",
      "media-sonarr-app.yaml",
    ]);
  });

  it("follows a symbolic link to an app directory inside the repository", async () => {
    const root = fixture("categories");
    mkdirSync(join(root, "shared"));
    renameSync(join(root, "apps", "security", "authelia"), join(root, "shared", "authelia"));
    symlinkSync(join("..", "..", "shared", "authelia"), join(root, "apps", "security", "authelia"));
    const catalog = join(root, "catalog.yaml");
    writeFileSync(
      catalog,
      `repo: { url: https://github.com/acme/home-ops }\noutput: argocd/apps\ninclude: [{ directories: "apps/*/*" }]\n`,
    );
    const { code, err } = await run(["--catalog", catalog, "--engine", "argocd"]);
    assert.equal(code, 0, err);
    const app = parse(readFileSync(join(root, "argocd", "apps", "security-authelia-app.yaml"), "utf8")) as {
      spec: { source: { path: string } };
    };
    assert.equal(app.spec.source.path, "apps/security/authelia");
  });

  it("says an app directory links out of the repository, instead of skipping or calling it missing", async () => {
    const root = fixture("categories");
    const outside = mkdtempSync(join(tmpdir(), "gitops-outside-"));
    dirs.push(outside);
    writeFileSync(join(outside, "kustomization.yaml"), "resources: []\n");
    symlinkSync(outside, join(root, "apps", "security", "vault"));
    const catalog = join(root, "catalog.yaml");
    writeFileSync(
      catalog,
      `repo: { url: https://github.com/acme/home-ops }\noutput: argocd/apps\ninclude: [{ directories: "apps/*/*" }]\n`,
    );
    const before = snapshot(root);
    const { code, err } = await run(["--catalog", catalog, "--engine", "argocd"]);
    assert.equal(code, 2);
    assert.equal(
      err,
      `generate: the catalog has 1 problem(s); nothing was written:\ncatalog.yaml: include[0].directories: apps/security/vault is a symbolic link to ${realpathSync(outside)}, outside the repository: Git keeps only the link, so the engine finds no directory there; move the directory into the repository (a link inside it is fine)\n`,
    );
    assert.deepEqual(snapshot(root), before);
  });

  it("never prints a private key passed as --catalog", async () => {
    const root = fixture("classic");
    const key = fakeOpenSshPrivateKey();
    writeFileSync(join(root, "id_ed25519"), key);
    const before = snapshot(root);
    const { code, err } = await run(["--catalog", join(root, "id_ed25519"), "--engine", "argocd"]);
    assert.equal(code, 2);
    assert.equal(
      err,
      "generate: the catalog has 1 problem(s); nothing was written:\nid_ed25519: (top level): is not a catalog: a catalog is a YAML mapping with repo:, include: and apps:, but this file holds a single text value; pass the catalog file\n",
    );
    assertShowsNoKey(err, key);
    assert.deepEqual(snapshot(root), before);
  });

  it("never prints a binary file passed as --catalog", async () => {
    const root = fixture("classic");
    writeFileSync(join(root, "catalog.bin"), binaryFile());
    const { code, err } = await run(["--catalog", join(root, "catalog.bin"), "--engine", "argocd"]);
    assert.equal(code, 2);
    assert.equal(
      err,
      `generate: --catalog ${join(root, "catalog.bin")} is not a text file (it holds binary data); pass the catalog YAML with --catalog <file>\n`,
    );
    assertShowsNoBinary(err);
  });

  it("names a directory passed as --catalog without a raw EISDIR", async () => {
    const root = fixture("classic");
    const { code, err } = await run(["--catalog", root, "--engine", "argocd"]);
    assert.equal(code, 2);
    assert.equal(
      err,
      `generate: --catalog ${root} is a directory, not a file; pass the catalog YAML with --catalog <file>\n`,
    );
  });

  it("names an output that is a file without a raw ENOTDIR", async () => {
    const root = fixture("classic");
    writeFileSync(join(root, "out.yaml"), "mine\n");
    const { code, err } = await run([
      "--catalog",
      join(root, "apps.yaml"),
      "--engine",
      "argocd",
      "--out",
      join(root, "out.yaml"),
    ]);
    assert.equal(code, 2);
    assert.match(
      err,
      /^generate: the output .*out\.yaml is a file, not a directory; move it or pass --out <dir>\n$/,
    );
    assert.equal(readFileSync(join(root, "out.yaml"), "utf8"), "mine\n");
  });

  it("--graph creates no directories, and replaces only a graph generate wrote", async () => {
    const root = fixture("classic");
    const catalog = join(root, "apps.yaml");
    const missing = await run([
      "--catalog",
      catalog,
      "--engine",
      "argocd",
      "--graph",
      join(root, "docs", "deep", "g.md"),
    ]);
    assert.equal(missing.code, 2);
    assert.match(
      missing.err,
      /^generate: --graph .*docs\/deep\/g\.md: directory .*docs\/deep does not exist; create it first or write the graph elsewhere\n$/,
    );
    assert.equal(existsSync(join(root, "docs")), false);

    writeFileSync(join(root, "README.md"), "# my notes\n");
    const before = snapshot(root);
    const foreign = await run([
      "--catalog",
      catalog,
      "--engine",
      "argocd",
      "--graph",
      join(root, "README.md"),
    ]);
    assert.equal(foreign.code, 2);
    assert.match(
      foreign.err,
      /README\.md: exists and generate did not write it; choose another file, or delete it first\n$/,
    );
    assert.deepEqual(snapshot(root), before);

    const graph = join(root, "graph.md");
    assert.equal((await run(["--catalog", catalog, "--engine", "argocd", "--graph", graph])).code, 0);
    const written = readFileSync(graph, "utf8");
    writeFileSync(graph, `${written}edited by hand\n`);
    assert.equal((await run(["--catalog", catalog, "--engine", "argocd", "--graph", graph])).code, 0);
    assert.equal(readFileSync(graph, "utf8"), written);
  });
});

describe("publish-manifests.yml: the two mass-deletion guards", () => {
  const workflow = parse(
    readFileSync(join(__dirname, "..", "..", ".github", "workflows", "publish-manifests.yml"), "utf8"),
  ) as {
    jobs: { publish: { env: Record<string, string>; steps: Array<{ name?: string; run?: string }> } };
  };
  const { env, steps } = workflow.jobs.publish;
  const script = steps.find((s) => s.name === "Generate manifests")?.run ?? "";

  /** Runs the Generate step's script with a fake npx that records its arguments and exits `code`. */
  function runStep(allow: string, code: number): { status: number | null; args: string; out: string } {
    const dir = mkdtempSync(join(tmpdir(), "gitops-publish-"));
    try {
      mkdirSync(join(dir, "bin"));
      // Answers the step's `config --stack prod --get <key>` questions; records the generate call.
      writeFileSync(
        join(dir, "bin", "npx"),
        [
          "#!/bin/sh",
          'case "$2 $5 $6" in',
          '  "config --get repo.path") echo clusters/prod/bootstrap ;;',
          '  "config --get repo.catalog") echo manifests/catalog.yaml ;;',
          '  "config --get engine") echo argocd ;;',
          `  *) echo "$@" > "${join(dir, "args")}"; exit ${code} ;;`,
          "esac",
          "",
        ].join("\n"),
        { mode: 0o755 },
      );
      const result = spawnSync("bash", ["-e", "-c", script], {
        encoding: "utf8",
        env: {
          PATH: `${join(dir, "bin")}:${process.env.PATH ?? ""}`,
          CATALOG: "manifests/catalog.yaml",
          STACKS: '["prod"]',
          RUNNER_TEMP: dir,
          ALLOW_MASS_DELETE: allow,
        },
      });
      return {
        status: result.status,
        args: readFileSync(join(dir, "args"), "utf8").trim(),
        out: result.stdout,
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it("keeps both guards on by default: MAX_DELETIONS 50 and no --allow-mass-delete", () => {
    assert.equal(env.MAX_DELETIONS, "50");
    assert.equal(env.ALLOW_MASS_DELETE, "false");
    const step = runStep(env.ALLOW_MASS_DELETE ?? "", 0);
    assert.equal(step.status, 0);
    assert.equal(step.args, "gitops-bootstrap generate --catalog manifests/catalog.yaml --engine argocd");
  });

  it('passes --allow-mass-delete only when ALLOW_MASS_DELETE is "true"', () => {
    assert.equal(
      runStep("true", 0).args,
      "gitops-bootstrap generate --catalog manifests/catalog.yaml --engine argocd --allow-mass-delete",
    );
  });

  it("fails the job when generate refuses, saying which setting allows a deliberate removal", () => {
    const step = runStep("false", 3);
    assert.equal(step.status, 3);
    assert.match(
      step.out,
      /^::error::stack prod: generate refused to delete most of the generated manifests: .*set ALLOW_MASS_DELETE to "true" in publish-manifests\.yml/,
    );
  });
});
