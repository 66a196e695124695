import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { GENERATE_HELP, generateCommand } from "../../cli/generate";
import { copyFixture, snapshot, validateObject } from "./helpers";
import { ensureTools } from "../support/tools";

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
    assert.match(err, /\/nonexistent\/apps\.yaml: no such file/);
  });
});
