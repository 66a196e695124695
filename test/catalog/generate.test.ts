import { strict as assert } from "node:assert";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { argoApplication, type ArgoApplicationSet } from "../../core/catalog/applications";
import { loadCatalog, type RepoView, type ResolvedCatalog } from "../../core/catalog/catalog";
import {
  GENERATED_MARKER,
  generate,
  isGenerated,
  KUSTOMIZATION_FILE,
  mergeKustomization,
} from "../../core/catalog/generate";
import { mermaidGraph } from "../../core/catalog/graph";
import { dependencyMap, findCycle } from "../../core/catalog/kustomizations";
import {
  assertSchemaKnows,
  catalogError,
  FIXTURES,
  memoryRepo,
  repoWithDirs,
  validateObject,
} from "./helpers";

const REPO = "repo: { url: https://github.com/acme/homelab, revision: main }\n";

/** A fixture directory as a RepoView (read-only; nothing is written). */
function fixtureRepo(name: string): { repo: RepoView; text: string; file: string } {
  const root = join(FIXTURES, name);
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(root, path).split("\\").join("/")] = readFileSync(path, "utf8");
    }
  };
  walk(root);
  const file = name === "classic" ? "apps.yaml" : "catalog.yaml";
  return { repo: memoryRepo(files), text: files[file] ?? "", file };
}

function load(name: string): ResolvedCatalog {
  const { repo, text, file } = fixtureRepo(name);
  return loadCatalog(text, file, repo);
}

/** The files of the output directory currently in a fixture (name → content). */
function fixtureOutput(name: string, output: string): Map<string, string> {
  const dir = join(FIXTURES, name, output);
  return new Map(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), "utf8")]));
}

describe("generate: Argo CD applications mode", () => {
  it("with defaults, parses to exactly the object generate-apps.sh wrote (no extra keys)", () => {
    const catalog = loadCatalog(
      `${REPO}apps: { sonarr: {} }\n`,
      "apps.yaml",
      repoWithDirs(["manifests/cluster/sonarr"]),
    );
    const result = generate(catalog, new Map(), { engine: "argocd" });
    const classic = {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Application",
      metadata: {
        name: "sonarr",
        namespace: "argocd",
        annotations: { "argocd.argoproj.io/sync-wave": "10" },
        finalizers: ["resources-finalizer.argocd.argoproj.io"],
      },
      spec: {
        destination: { server: "https://kubernetes.default.svc", namespace: "sonarr" },
        project: "default",
        source: {
          path: "manifests/cluster/sonarr",
          repoURL: "https://github.com/acme/homelab",
          targetRevision: "main",
        },
        syncPolicy: {
          automated: { prune: true, selfHeal: true },
          retry: { backoff: { duration: "30s", factor: 2, maxDuration: "2m" }, limit: 5 },
        },
      },
    };
    const text = result.files.get("sonarr-app.yaml") ?? "";
    assert.deepEqual(parse(text), classic);
    assert.deepEqual(argoApplication(catalog.apps[0]!, catalog), classic);
    assert.equal(typeof parse(text).metadata.annotations["argocd.argoproj.io/sync-wave"], "string");
  });

  it("matches the classic script's files byte for byte below our two header lines", () => {
    // The fixture's sonarr-app.yaml is what generate-apps.sh wrote for sonarr.
    const classic = readFileSync(
      join(FIXTURES, "classic", "manifests", "bootstrap", "sonarr-app.yaml"),
      "utf8",
    );
    const ours =
      generate(load("classic"), new Map(), { engine: "argocd" }).files.get("sonarr-app.yaml") ?? "";
    const lines = ours.split("\n");
    assert.match(lines[0] ?? "", /^# yaml-language-server: \$schema=.*application_v1alpha1\.json$/);
    assert.ok(lines[1]?.startsWith(GENERATED_MARKER));
    assert.equal(lines.slice(2).join("\n"), classic);
  });

  it("writes one file per app in catalog order and lists them in kustomization.yaml", () => {
    const result = generate(load("classic"), new Map(), { engine: "argocd" });
    const apps = ["external-secrets", "cert-manager", "metallb", "traefik", "sonarr", "homepage"];
    assert.deepEqual([...result.files.keys()], [...apps.map((a) => `${a}-app.yaml`), KUSTOMIZATION_FILE]);
    assert.deepEqual(parse(result.files.get(KUSTOMIZATION_FILE) ?? ""), {
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      resources: apps.map((a) => `${a}-app.yaml`),
    });
  });

  it("validates every Application against the Argo CD CRD schema", async () => {
    const { objects } = generate(load("classic"), new Map(), { engine: "argocd" });
    assert.equal(objects.length, 6);
    for (const { object } of objects) await validateObject(object);
  });

  it("writes defaults.syncOptions on every Application, in the catalog's order", async () => {
    const options = ["CreateNamespace=true", "ServerSideApply=true", "RespectIgnoreDifferences=true"];
    const catalog = loadCatalog(
      `${REPO}defaults: { syncOptions: [${options.join(", ")}] }\napps: { a: {}, b: { syncOptions: [Validate=false] } }\n`,
      "apps.yaml",
      repoWithDirs(["manifests/cluster/a", "manifests/cluster/b"]),
    );
    const { objects } = generate(catalog, new Map(), { engine: "argocd" });
    const syncOptionsOf = (i: number) =>
      (objects[i]?.object as unknown as { spec: { syncPolicy: { syncOptions?: string[] } } }).spec.syncPolicy
        .syncOptions;
    assert.deepEqual(syncOptionsOf(0), options);
    assert.deepEqual(syncOptionsOf(1), ["Validate=false"]); // an app's own list replaces the defaults
    for (const { object } of objects) await validateObject(object);
  });

  it("warns, naming the apps, when ignoreDifferences lacks RespectIgnoreDifferences=true", () => {
    const ignore = "ignoreDifferences: [{ group: apps, kind: Deployment, jsonPointers: [/spec/replicas] }]";
    const repo = repoWithDirs(["a", "b", "c"].map((n) => `manifests/cluster/${n}`));
    const warningsFor = (text: string) =>
      generate(loadCatalog(`${REPO}${text}`, "apps.yaml", repo), new Map(), { engine: "argocd" }).warnings;
    const classic = generate(load("classic"), new Map(), { engine: "argocd" }).warnings;
    assert.deepEqual(classic, [
      "ignoreDifferences without RespectIgnoreDifferences=true in the app's syncOptions for homepage: Argo CD ignores those fields when comparing, but every sync still overwrites them (e.g. scales an autoscaled Deployment back); add RespectIgnoreDifferences=true to defaults.syncOptions (or the app's syncOptions, which replace the defaults)",
    ]);
    assert.deepEqual(
      warningsFor(
        `defaults: { syncOptions: [RespectIgnoreDifferences=true] }\napps:\n  a: { ${ignore} }\n  b: {}\n`,
      ),
      [],
    );
    const overridden = warningsFor(
      `defaults: { syncOptions: [RespectIgnoreDifferences=true] }\napps:\n  a: { ${ignore} }\n` +
        `  b: { syncOptions: [CreateNamespace=true], ${ignore} }\n  c: { ${ignore}, syncOptions: [] }\n`,
    );
    assert.equal(overridden.length, 1);
    assert.match(overridden[0] ?? "", /syncOptions for b, c: /);
  });

  it("refuses a dependsOn Argo CD cannot honour (dependency not in a lower wave)", () => {
    const catalog = loadCatalog(
      `${REPO}apps: { a: { wave: 1, dependsOn: [b] }, b: { wave: 1 } }\n`,
      "apps.yaml",
      repoWithDirs(["manifests/cluster/a", "manifests/cluster/b"]),
    );
    assert.match(
      catalogError(() => generate(catalog, new Map(), { engine: "argocd" })).message,
      /^apps\.yaml: apps\.a\.dependsOn\[0\]: a \(wave 1\) depends on b \(wave 1\); Argo CD orders by wave only, so give b a lower wave than 1$/,
    );
  });
});

describe("generate: the example catalog", () => {
  it("sets the three sync options on every Application, so ignoreDifferences holds (no warning)", () => {
    const root = join(__dirname, "..", "..", "examples", "homelab");
    const files: Record<string, string> = {};
    for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const path = join(entry.parentPath, entry.name);
      files[relative(root, path).split("\\").join("/")] = readFileSync(path, "utf8");
    }
    const catalog = loadCatalog(files["catalog.yaml"] ?? "", "catalog.yaml", memoryRepo(files));
    const { objects, warnings } = generate(catalog, new Map(), { engine: "argocd" });
    assert.deepEqual(warnings, []);
    assert.equal(objects.length, 10);
    for (const { object } of objects) {
      assert.deepEqual(
        (object as unknown as { spec: { syncPolicy: { syncOptions: string[] } } }).spec.syncPolicy
          .syncOptions,
        ["CreateNamespace=true", "ServerSideApply=true", "RespectIgnoreDifferences=true"],
      );
    }
  });
});

describe("generate: Argo CD applicationsets mode", () => {
  const result = () => generate(load("categories"), new Map(), { engine: "argocd", mode: "applicationsets" });

  it("writes one ApplicationSet per category, each valid against the CRD schema", async () => {
    const { objects, files } = result();
    assert.deepEqual(
      [...files.keys()],
      ["media-appset.yaml", "networking-appset.yaml", "security-appset.yaml", KUSTOMIZATION_FILE],
    );
    for (const { object } of objects) await validateObject(object);
  });

  it("uses a git directory generator, Go templates with missingkey=error and <category>-<app> names", () => {
    const set = result().objects.find((o) => o.file === "media-appset.yaml")?.object as never as {
      metadata: { name: string; namespace: string };
      spec: Record<string, never>;
    };
    assert.deepEqual(set.metadata, {
      name: "media",
      namespace: "argocd",
      annotations: { "argocd.argoproj.io/sync-wave": "6" },
    });
    const spec = set.spec as unknown as {
      goTemplate: boolean;
      goTemplateOptions: string[];
      generators: unknown[];
      template: {
        metadata: { name: string };
        spec: { project: string; syncPolicy: { syncOptions: string[]; automated: unknown } };
      };
    };
    assert.equal(spec.goTemplate, true);
    assert.deepEqual(spec.goTemplateOptions, ["missingkey=error"]);
    assert.deepEqual(spec.generators, [
      {
        git: {
          repoURL: "https://github.com/acme/home-ops",
          revision: "main",
          directories: [{ path: "apps/media/*" }],
        },
      },
    ]);
    assert.equal(spec.template.metadata.name, "media-{{ .path.basename }}");
    assert.equal(spec.template.spec.project, "apps");
    assert.deepEqual(spec.template.spec.syncPolicy.automated, { prune: true, selfHeal: false });
    const options = spec.template.spec.syncPolicy.syncOptions;
    assert.ok(options.includes("CreateNamespace=true") && options.includes("ServerSideApply=true"));
    assert.ok(!options.some((o) => o.startsWith("ApplyOutOfSyncOnly")));
  });

  it("expresses per-app overrides as templatePatch branches keyed on the app's path, and only those", () => {
    const { objects } = result();
    const patchOf = (file: string) =>
      (objects.find((o) => o.file === file)?.object as unknown as { spec: { templatePatch?: string } }).spec
        .templatePatch;
    assert.equal(patchOf("security-appset.yaml"), undefined);
    const branches = (file: string) => {
      const lines = (patchOf(file) ?? "").split("\n");
      return {
        conditions: lines.filter((l) => l.startsWith("{{")),
        bodies: lines.filter((l) => l.startsWith('{"')),
      };
    };
    const networking = branches("networking-appset.yaml");
    assert.deepEqual(networking.conditions, [
      '{{- if eq .path.path "apps/networking/cilium" }}',
      "{{- end }}",
    ]);
    assert.deepEqual(JSON.parse(networking.bodies[0] ?? ""), {
      spec: { destination: { namespace: "kube-system" } },
    });
    const media = branches("media-appset.yaml");
    assert.deepEqual(media.conditions, ['{{- if eq .path.path "apps/media/jellyfin" }}', "{{- end }}"]);
    assert.deepEqual(JSON.parse(media.bodies[0] ?? ""), {
      spec: { ignoreDifferences: [{ group: "apps", kind: "Deployment", jsonPointers: ["/spec/replicas"] }] },
    });
  });

  it("puts the category's wave on the ApplicationSet (the root orders it), none on its Applications", () => {
    const sets = result().objects.map(
      (o) =>
        o.object as unknown as {
          metadata: { name: string; annotations: Record<string, string> };
          spec: { template: { metadata: { annotations?: unknown } }; templatePatch?: string };
        },
    );
    assert.deepEqual(
      sets.map((s) => [s.metadata.name, s.metadata.annotations]),
      [
        ["media", { "argocd.argoproj.io/sync-wave": "6" }],
        ["networking", { "argocd.argoproj.io/sync-wave": "2" }],
        ["security", { "argocd.argoproj.io/sync-wave": "6" }],
      ],
    );
    for (const set of sets) {
      assert.equal(set.spec.template.metadata.annotations, undefined, set.metadata.name);
      assert.ok(!(set.spec.templatePatch ?? "").includes("sync-wave"), set.metadata.name);
    }
  });

  it("refuses a per-app wave that differs within an ApplicationSet, naming app, key and fix", () => {
    const repo = repoWithDirs(["apps/media/a", "apps/media/b", "apps/media/c"]);
    const catalog = loadCatalog(
      `${REPO}include: [{ directories: "apps/*/*" }]\napps: { media-c: { wave: 3 } }\n`,
      "c.yaml",
      repo,
    );
    const error = catalogError(() =>
      generate(catalog, new Map(), { engine: "argocd", mode: "applicationsets" }),
    );
    assert.equal(
      error.message,
      "c.yaml: apps.media-c.wave: media-c is in wave 3, but ApplicationSet media (apps/media/*) deploys its apps in wave 10 (like media-a): an ApplicationSet creates all its Applications at once, so a per-app wave does nothing; give every app of category media the same wave, or generate with --mode applications (one Application per app, ordered by waves)",
    );
    // The same catalog is fine in applications mode, where the root app of apps orders the waves.
    assert.doesNotThrow(() => generate(catalog, new Map(), { engine: "argocd" }));
  });

  it("refuses dependsOn on an app an ApplicationSet creates (nothing waits for it), but not on a plain Application", () => {
    const repo = repoWithDirs(["apps/media/a", "apps/media/b", "apps/net/x", "manifests/cluster/solo"]);
    const catalog = loadCatalog(
      `${REPO}include: [{ directories: "apps/*/*" }]\napps:\n` +
        "  media-a: { wave: 5, dependsOn: [media-b, solo] }\n  media-b: { wave: 5 }\n" +
        "  net-x: { wave: 1 }\n  solo: { wave: 2, dependsOn: [net-x] }\n",
      "c.yaml",
      repo,
    );
    const error = catalogError(() =>
      generate(catalog, new Map(), { engine: "argocd", mode: "applicationsets" }),
    );
    assert.deepEqual(
      error.issues.map((i) => [i.key, i.message.split(":")[0]]),
      [
        [
          "apps.media-a.dependsOn[0]",
          "media-a depends on media-b, but both are Applications of ApplicationSet media, which creates them at once; remove the entry, or generate with --mode applications (one Application per app, ordered by waves)",
        ],
        ["apps.solo.dependsOn[0]", "solo depends on net-x, an Application of ApplicationSet net"],
      ],
    );
    assert.match(
      error.issues[1]?.message ?? "",
      /waits for an ApplicationSet to be synced, not for the Applications it creates to be healthy/,
    );
  });

  it("keeps Applications when the generator drops them (preserveResourcesOnDeletion), a field the CRD schema knows", async () => {
    const set = result().objects[0]?.object as unknown as { spec: { syncPolicy: unknown } };
    assert.deepEqual(set.spec.syncPolicy, { preserveResourcesOnDeletion: true });
    await validateObject(set as never);
    await assertSchemaKnows(set, ["spec", "syncPolicy", "preserveResourcesOnDeletion"]);
  });

  it("writes apps without a category as plain Applications next to the ApplicationSets", () => {
    const repo = repoWithDirs(["apps/media/a", "manifests/cluster/solo"]);
    const catalog = loadCatalog(
      `${REPO}include: [{ directories: "apps/*/*" }]\napps: { solo: {} }\n`,
      "c.yaml",
      repo,
    );
    const { files } = generate(catalog, new Map(), { engine: "argocd", mode: "applicationsets" });
    assert.deepEqual([...files.keys()], ["media-appset.yaml", "solo-app.yaml", KUSTOMIZATION_FILE]);
  });
});

describe("generate: Flux", () => {
  it("writes one valid kustomize.toolkit.fluxcd.io/v1 Kustomization per app", async () => {
    const { objects } = generate(load("classic"), new Map(), { engine: "flux" });
    const kustomizations = objects.filter((o) => o.object.kind === "Kustomization");
    assert.equal(kustomizations.length, 6);
    for (const { object } of objects) await validateObject(object);
    const metallb = objects.find((o) => o.file === "metallb-ks.yaml")?.object;
    assert.deepEqual(metallb, {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name: "metallb", namespace: "flux-system" },
      spec: {
        dependsOn: [{ name: "cert-manager" }],
        interval: "10m",
        path: "./manifests/cluster/metallb",
        prune: true,
        retryInterval: "1m",
        sourceRef: { kind: "GitRepository", name: "flux-system" },
        targetNamespace: "metallb-system",
        wait: true,
      },
    });
    await assertSchemaKnows(metallb, ["spec", "retryInterval"]);
    await assertSchemaKnows(metallb, ["spec", "wait"]);
    await assertSchemaKnows(metallb, ["spec", "targetNamespace"]);
  });

  it("writes a Namespace per app namespace before the Kustomizations, none for namespaces that exist", async () => {
    const repo = repoWithDirs(["a", "b", "c", "d", "e"].map((n) => `manifests/cluster/${n}`));
    const catalog = loadCatalog(
      `${REPO}apps:\n  a: { namespace: shared }\n  b: { namespace: kube-system }\n  c: { namespace: shared }\n` +
        "  d: { namespace: flux-system }\n  e: {}\n",
      "apps.yaml",
      repo,
    );
    const { files, objects } = generate(catalog, new Map(), { engine: "flux" });
    assert.deepEqual(
      [...files.keys()],
      [
        "shared-namespace.yaml",
        "e-namespace.yaml",
        ...["a", "b", "c", "d", "e"].map((n) => `${n}-ks.yaml`),
        KUSTOMIZATION_FILE,
      ],
    );
    assert.deepEqual(
      (parse(files.get(KUSTOMIZATION_FILE) ?? "") as { resources: string[] }).resources.slice(0, 2),
      ["shared-namespace.yaml", "e-namespace.yaml"],
    );
    const namespace = objects[0]?.object;
    assert.deepEqual(namespace, {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "shared", annotations: { "kustomize.toolkit.fluxcd.io/prune": "disabled" } },
    });
    for (const { object } of objects) await validateObject(object);
    // A namespace that leaves the catalog is a marked file: generate deletes its file (the root
    // Kustomization then keeps the namespace itself, pruning being disabled on it).
    const again = generate(loadCatalog(`${REPO}apps: { e: {} }\n`, "apps.yaml", repo), files, {
      engine: "flux",
    });
    assert.deepEqual(again.delete, [
      "a-ks.yaml",
      "b-ks.yaml",
      "c-ks.yaml",
      "d-ks.yaml",
      "shared-namespace.yaml",
    ]);
  });

  it("turns waves into dependsOn on the nearest lower wave, then adds explicit ones", () => {
    const deps = dependencyMap(load("classic").apps);
    assert.deepEqual(Object.fromEntries(deps), {
      "external-secrets": [],
      "cert-manager": ["external-secrets"],
      metallb: ["cert-manager"],
      traefik: ["cert-manager"],
      sonarr: ["metallb", "traefik"],
      homepage: ["metallb", "traefik"], // its explicit traefik is already there
    });
  });

  it("names a cycle made of explicit dependsOn and waves", () => {
    const catalog = loadCatalog(
      `${REPO}apps: { a: { wave: 0, dependsOn: [c] }, b: { wave: 1 }, c: { wave: 2 } }\n`,
      "apps.yaml",
      repoWithDirs(["a", "b", "c"].map((n) => `manifests/cluster/${n}`)),
    );
    assert.match(
      catalogError(() => generate(catalog, new Map(), { engine: "flux" })).message,
      /^apps\.yaml: apps\.a\.dependsOn: dependency cycle: a → c → b → a \(waves count/,
    );
  });

  it("finds cycles without recursion (10,000 chained apps) and none in a chain", () => {
    const chain = new Map(Array.from({ length: 10_000 }, (_, i) => [`a${i}`, i === 0 ? [] : [`a${i - 1}`]]));
    assert.equal(findCycle(chain), undefined);
    chain.set("a0", ["a9999"]);
    assert.equal(findCycle(chain)?.length, 10_001);
  });

  it("warns that Argo CD-only settings are ignored instead of dropping them silently", () => {
    const { warnings } = generate(load("classic"), new Map(), { engine: "flux" });
    assert.deepEqual(warnings, ["ignoreDifferences is an Argo CD setting; Flux ignores it for homepage"]);
  });

  it("refuses applicationsets mode", () => {
    assert.match(
      catalogError(() => generate(load("classic"), new Map(), { engine: "flux", mode: "applicationsets" }))
        .message,
      /--mode: applicationsets is an Argo CD mode/,
    );
  });
});

describe("generate: reruns, ownership and the output kustomization.yaml", () => {
  it("is byte-identical on rerun, also when fed its own output", () => {
    for (const engine of ["argocd", "flux"] as const) {
      const first = generate(load("classic"), new Map(), { engine });
      const second = generate(load("classic"), new Map(), { engine });
      assert.deepEqual([...second.files], [...first.files]);
      const third = generate(load("classic"), first.files, { engine });
      assert.deepEqual([...third.files], [...first.files]);
      assert.deepEqual(third.delete, []);
    }
  });

  it("deletes only marked files of apps that left, and says why it keeps unmarked ones", () => {
    const catalog = load("classic");
    const before = generate(catalog, new Map(), { engine: "argocd" }).files;
    const existing = new Map(before);
    existing.set("retired-app.yaml", before.get("sonarr-app.yaml")?.replace("sonarr", "retired") ?? "");
    existing.set("manual-app.yaml", "apiVersion: argoproj.io/v1alpha1\nkind: Application\n");
    existing.set("notes.yaml", "a: 1\n");
    const result = generate(catalog, existing, { engine: "argocd" });
    assert.deepEqual(result.delete, ["retired-app.yaml"]);
    assert.deepEqual(result.warnings.slice(1), [
      "manual-app.yaml is in the output directory but generate did not write it (no marker line); delete it by hand if it is stale",
    ]);
    assert.ok(
      isGenerated(existing.get("retired-app.yaml") ?? "") &&
        !isGenerated(existing.get("manual-app.yaml") ?? ""),
    );
  });

  it("keeps the comments and foreign entries of an existing kustomization.yaml", () => {
    const existing = fixtureOutput("classic", "manifests/bootstrap");
    const text =
      generate(load("classic"), existing, { engine: "argocd" }).files.get(KUSTOMIZATION_FILE) ?? "";
    assert.equal(
      text,
      [
        '# Bootstrap: the root Application "bootstrap" syncs this directory.',
        "apiVersion: kustomize.config.k8s.io/v1beta1",
        "kind: Kustomization",
        "resources:",
        "  - appproject.yaml # hand-written, kept by generate",
        "  - old-service-app.yaml",
        ...["external-secrets", "cert-manager", "metallb", "traefik", "sonarr", "homepage"].map(
          (a) => `  - ${a}-app.yaml`,
        ),
        "",
      ].join("\n"),
    );
  });

  it("drops entries of deleted files from kustomization.yaml and keeps a flow-style list readable", () => {
    const merged = mergeKustomization(
      "resources: [./keep.yaml, gone-app.yaml, a-app.yaml] # flow\n",
      ["a-app.yaml", "b-app.yaml"],
      new Set(["a-app.yaml", "b-app.yaml", "gone-app.yaml"]),
      "k.yaml",
    );
    assert.deepEqual(parse(merged), { resources: ["./keep.yaml", "a-app.yaml", "b-app.yaml"] });
    assert.ok(merged.includes("# flow"));
    assert.equal(
      mergeKustomization(
        merged,
        ["a-app.yaml", "b-app.yaml"],
        new Set(["a-app.yaml", "b-app.yaml"]),
        "k.yaml",
      ),
      merged,
    );
  });

  it("rejects an existing kustomization.yaml whose resources is not a list, naming it", () => {
    assert.match(
      catalogError(() =>
        mergeKustomization("resources: x\n", [], new Set(), "manifests/bootstrap/kustomization.yaml"),
      ).message,
      /^manifests\/bootstrap\/kustomization\.yaml: resources: must be a list; fix it or delete the file$/,
    );
  });

  it("starts every generated file with its $schema line, then the marker", () => {
    for (const engine of ["argocd", "flux"] as const) {
      for (const [name, text] of generate(load("classic"), new Map(), { engine }).files) {
        assert.match(text, /^# yaml-language-server: \$schema=https:\/\/\S+\n/, name);
        assert.equal(parseAllDocuments(text).length, 1, name);
      }
    }
  });
});

describe("generate: Mermaid graph", () => {
  it("draws waves in order and explicit dependencies, the same way every time", () => {
    const catalog = load("classic");
    const graph = mermaidGraph(catalog.apps);
    assert.equal(graph, mermaidGraph(load("classic").apps));
    const lines = graph.split("\n");
    assert.equal(lines[0], "flowchart TB");
    assert.deepEqual(
      lines.filter((l) => l.includes("subgraph")),
      [
        '  subgraph w0["wave 0"]',
        '  subgraph w1["wave 1"]',
        '  subgraph w2["wave 2"]',
        '  subgraph w10["wave 10"]',
      ],
    );
    assert.ok(lines.includes("  w2 --> w10"));
    // homepage (a5) depends on traefik (a3)
    assert.ok(
      lines.includes('    a3["traefik"]') &&
        lines.includes('    a5["homepage"]') &&
        lines.includes("  a3 --> a5"),
    );
    assert.ok(
      generate(catalog, new Map(), { engine: "argocd" }).graph.includes("```mermaid\nflowchart TB\n"),
    );
  });
});

describe("generate: categories and their ApplicationSets (issue 11)", () => {
  const appsets = { engine: "argocd", mode: "applicationsets" } as const;
  type Set = ArgoApplicationSet;
  const setOf = (result: ReturnType<typeof generate>, file: string) =>
    result.objects.find((o) => o.file === file)?.object as unknown as Set;

  it("puts a category's settings in its template (defaults < category < app), so a new directory gets them", async () => {
    const repo = repoWithDirs(["apps/media/a", "apps/media/b", "apps/net/x"]);
    const catalog = loadCatalog(
      `${REPO}include: [{ directories: "apps/*/*" }]\n` +
        "defaults: { project: apps, labels: { team: home } }\n" +
        "categories:\n" +
        "  media:\n" +
        '    namespace: "{{index .path.segments 1}}"\n' +
        "    project: media\n" +
        "    selfHeal: false\n" +
        "    syncOptions: [CreateNamespace=true, ServerSideApply=true]\n" +
        "    ignoreDifferences: [{ group: apps, kind: Deployment, jsonPointers: [/spec/replicas] }]\n" +
        '    labels: { tier: media, app.kubernetes.io/name: "{{.path.basename}}" }\n' +
        "    annotations: { note: shared }\n" +
        "apps: { media-b: { project: special } }\n",
      "c.yaml",
      repo,
    );
    assert.deepEqual(
      catalog.apps.map((a) => [a.name, a.namespace, a.project]),
      [
        ["media-a", "media", "media"],
        ["media-b", "media", "special"],
        ["net-x", "x", "apps"],
      ],
    );
    const result = generate(catalog, new Map(), appsets);
    const media = setOf(result, "media-appset.yaml");
    assert.deepEqual(media.spec.template.metadata, {
      name: "media-{{ .path.basename }}",
      labels: { "app.kubernetes.io/name": "{{.path.basename}}", team: "home", tier: "media" },
      annotations: { note: "shared" },
      // No resources finalizer: preserveResourcesOnDeletion (the default) needs the template without one.
    });
    const spec = media.spec.template.spec;
    assert.equal(spec.destination.namespace, "{{index .path.segments 1}}");
    assert.equal(spec.project, "media");
    assert.deepEqual(spec.syncPolicy.automated, { prune: true, selfHeal: false });
    // The list as written: nothing added back.
    assert.deepEqual(spec.syncPolicy.syncOptions, ["CreateNamespace=true", "ServerSideApply=true"]);
    assert.deepEqual(spec.ignoreDifferences, [
      { group: "apps", kind: "Deployment", jsonPointers: ["/spec/replicas"] },
    ]);
    // Only the app that overrides the category gets a branch.
    assert.equal(
      media.spec.templatePatch,
      '{{- if eq .path.path "apps/media/b" }}\n{"spec":{"project":"special"}}\n{{- end }}\n',
    );
    const net = setOf(result, "net-appset.yaml");
    assert.equal(net.spec.template.spec.destination.namespace, "{{ .path.basename }}");
    assert.equal(net.spec.template.spec.project, "apps");
    for (const { object } of result.objects) await validateObject(object);
    // The category wrote RespectIgnoreDifferences out of its list: the warning names the apps.
    assert.ok(
      result.warnings.some((w) => w.includes("RespectIgnoreDifferences=true") && w.includes("media-a")),
    );
  });

  it("names, labels and annotates the ApplicationSet itself; its wave annotation stays generate's", () => {
    const catalog = loadCatalog(
      `${REPO}include: [{ directories: "apps/*/*" }]\ncategories:\n  media:\n    wave: 3\n    applicationSet:\n` +
        "      name: media-apps\n      labels: { owner: me }\n" +
        '      annotations: { argocd.argoproj.io/sync-wave: "9", note: x }\n' +
        "      preserveResourcesOnDeletion: false\n",
      "c.yaml",
      repoWithDirs(["apps/media/a"]),
    );
    const result = generate(catalog, new Map(), appsets);
    assert.deepEqual([...result.files.keys()], ["media-apps-appset.yaml", KUSTOMIZATION_FILE]);
    const set = setOf(result, "media-apps-appset.yaml");
    assert.deepEqual(set.metadata, {
      name: "media-apps",
      namespace: "argocd",
      labels: { owner: "me" },
      annotations: { "argocd.argoproj.io/sync-wave": "3", note: "x" },
    });
    assert.equal(set.spec.syncPolicy, undefined);
  });

  it("says when a category's ApplicationSet or AppProject settings have no object in this run", () => {
    const catalog = loadCatalog(
      `${REPO}include: [{ directories: "apps/*/*" }]\ncategories: { media: { appProject: true, applicationSet: { strategy: RollingSync } } }\n`,
      "c.yaml",
      repoWithDirs(["apps/media/a"]),
    );
    assert.deepEqual(generate(catalog, new Map(), { engine: "flux" }).warnings, [
      "categories media: applicationSet and appProject are Argo CD settings; Flux ignores them",
      // appProject makes the category's project its own, an Argo CD setting too.
      "project is an Argo CD setting; Flux ignores it for media-a",
    ]);
    assert.ok(
      generate(catalog, new Map(), { engine: "argocd" }).warnings.includes(
        "categories media: applicationSet is used by --mode applicationsets only; this run writes Applications",
      ),
    );
  });

  it("keeps the three server-side sync options only when no level wrote a list, and warns when a written list leaves out CreateNamespace", () => {
    const repo = repoWithDirs(["apps/media/a"]);
    const unwritten = generate(
      loadCatalog(`${REPO}include: [{ directories: "apps/*/*" }]\n`, "c.yaml", repo),
      new Map(),
      appsets,
    );
    assert.deepEqual(setOf(unwritten, "media-appset.yaml").spec.template.spec.syncPolicy.syncOptions, [
      "CreateNamespace=true",
      "ServerSideApply=true",
      "RespectIgnoreDifferences=true",
    ]);
    assert.deepEqual(unwritten.warnings, []);
    const written = generate(
      loadCatalog(
        `${REPO}include: [{ directories: "apps/*/*" }]\ndefaults: { syncOptions: [ServerSideApply=true] }\n`,
        "c.yaml",
        repo,
      ),
      new Map(),
      appsets,
    );
    assert.deepEqual(setOf(written, "media-appset.yaml").spec.template.spec.syncPolicy.syncOptions, [
      "ServerSideApply=true",
    ]);
    assert.deepEqual(written.warnings, [
      'ApplicationSet media: the syncOptions written leave out CreateNamespace=true (generate uses the list as written): an app whose directory has no Namespace object fails to sync with namespaces "x" not found; add CreateNamespace=true if that is not intended',
    ]);
  });

  it("names Applications by the category's template, with its own directory list, exclude entries and a single directory", () => {
    const repo = repoWithDirs([
      "my-apps/media/jelly",
      "my-apps/home/ha",
      "my-apps/common/defaults",
      "infra/openebs",
      "infra/storage/longhorn",
    ]);
    const catalog = loadCatalog(
      `${REPO}categories:\n` +
        '  my-apps: { appName: "my-apps-{{.path.basename}}", directories: [{ path: my-apps/*/* }, { path: my-apps/common/*, exclude: true }] }\n' +
        '  openebs: { appName: "{{.path.basename}}", directories: [{ path: infra/openebs }] }\n' +
        "apps: { my-apps-ha: { namespace: home-assistant } }\n",
      "c.yaml",
      repo,
    );
    assert.deepEqual(
      catalog.apps.map((a) => [a.name, a.category, a.namespace, a.path]),
      [
        ["my-apps-ha", "my-apps", "home-assistant", "my-apps/home/ha"],
        ["my-apps-jelly", "my-apps", "jelly", "my-apps/media/jelly"],
        ["openebs", "openebs", "openebs", "infra/openebs"],
      ],
    );
    const result = generate(catalog, new Map(), appsets);
    const myApps = setOf(result, "my-apps-appset.yaml");
    assert.deepEqual(myApps.spec.generators[0]?.git.directories, [
      { path: "my-apps/*/*" },
      { path: "my-apps/common/*", exclude: true },
    ]);
    assert.equal(myApps.spec.template.metadata.name, "my-apps-{{.path.basename}}");
    assert.equal(
      myApps.spec.templatePatch,
      '{{- if eq .path.path "my-apps/home/ha" }}\n{"spec":{"destination":{"namespace":"home-assistant"}}}\n{{- end }}\n',
    );
    assert.deepEqual(setOf(result, "openebs-appset.yaml").spec.generators[0]?.git.directories, [
      { path: "infra/openebs" },
    ]);
    // The same catalog in applications mode: the same Application names.
    const apps = generate(catalog, new Map(), { engine: "argocd" });
    assert.deepEqual(
      [...apps.files.keys()],
      ["my-apps-ha-app.yaml", "my-apps-jelly-app.yaml", "openebs-app.yaml", KUSTOMIZATION_FILE],
    );
  });

  it("refuses Go-template labels where they would be written literally, naming the key and the reason", () => {
    const repo = repoWithDirs(["apps/media/a", "manifests/cluster/solo"]);
    const catalog = loadCatalog(
      `${REPO}include: [{ directories: "apps/*/*" }]\n` +
        'defaults: { labels: { app.kubernetes.io/name: "{{.path.basename}}" } }\napps: { solo: {} }\n',
      "c.yaml",
      repo,
    );
    const message = (mode: "applications" | "applicationsets", engine: "argocd" | "flux" = "argocd") =>
      catalogError(() => generate(catalog, new Map(), { engine, mode })).message;
    assert.equal(
      message("applications"),
      "c.yaml: defaults.labels.app.kubernetes.io/name: is a Go template ({{ }}), which only an ApplicationSet renders (--mode applicationsets, apps of a category); here it would be written literally into the Application (applications mode writes labels and annotations as they are) of media-a; write a plain value for these apps",
    );
    // In applicationsets mode the category's apps are fine; the plain Application is not.
    assert.match(
      message("applicationsets"),
      /literally into the Application \(it has no category.*\) of solo;/,
    );
    assert.match(message("applications", "flux"), /literally into the Flux Kustomization of media-a;/);
  });

  it("refuses a templated value generate cannot evaluate, or one that renders to an invalid label", () => {
    const repo = repoWithDirs(["apps/media/A_b"]);
    const unsupported = catalogError(() =>
      loadCatalog(
        `${REPO}include: [{ directories: "apps/*/*" }]\ndefaults: { namespace: "{{ .path.basename | lower }}" }\n`,
        "c.yaml",
        repo,
      ),
    );
    assert.match(
      unsupported.message,
      /^c\.yaml:3:\d+: defaults\.namespace: "\{\{ \.path\.basename \| lower \}\}" uses a Go template generate cannot evaluate; only \{\{\.path\.path\}\}, \{\{\.path\.basename\}\} and \{\{index \.path\.segments N\}\}/,
    );
    const past = catalogError(() =>
      loadCatalog(
        `${REPO}include: [{ directories: "apps/*/*" }]\ncategories: { media: { namespace: "{{index .path.segments 7}}" } }\n`,
        "c.yaml",
        repoWithDirs(["apps/media/a"]),
      ),
    );
    assert.match(
      past.message,
      /categories\.media\.namespace: \{\{index \.path\.segments 7\}\}: apps\/media\/a has only 3 segments/,
    );
    const appName = catalogError(() =>
      loadCatalog(
        `${REPO}categories: { media: { appName: fixed, directories: [{ path: apps/media }] } }\n`,
        "c.yaml",
        repo,
      ),
    );
    assert.match(
      appName.message,
      /categories\.media\.appName: "fixed" names every app alike; use a Go template/,
    );
  });

  it("refuses a category no include finds, an entry that finds nothing and excludes that leave nothing", () => {
    const repo = repoWithDirs(["apps/media/a", "apps/net/x"]);
    const error = catalogError(() =>
      loadCatalog(
        `${REPO}include: [{ directories: "apps/*/*" }]\ncategories:\n  medai: { wave: 1 }\n` +
          "  extra: { directories: [{ path: nowhere/* }] }\n" +
          "  gone: { directories: [{ path: apps/net/* }, { path: apps/net/x, exclude: true }] }\n",
        "c.yaml",
        repo,
      ),
    );
    assert.deepEqual(
      error.issues.map((i) => i.key),
      ["categories.extra.directories[0].path", "categories.gone.directories", "categories.medai"],
    );
    assert.match(
      error.issues[2]?.message ?? "",
      /no include finds a category "medai"; did you mean "media"\?/,
    );
  });

  it("RollingSync: one step per wave over the wave label, per-app waves allowed, automated (for its prune) kept in the template", async () => {
    const repo = repoWithDirs(["apps/core/a", "apps/core/b", "apps/core/c"]);
    const catalog = loadCatalog(
      `${REPO}include: [{ directories: "apps/*/*" }]\ncategories: { core: { wave: 2, applicationSet: { strategy: RollingSync } } }\n` +
        "apps: { core-a: { wave: 1 }, core-c: { wave: 3, dependsOn: [core-a] } }\n",
      "c.yaml",
      repo,
    );
    const result = generate(catalog, new Map(), appsets);
    const set = setOf(result, "core-appset.yaml");
    assert.deepEqual(set.spec.strategy, {
      type: "RollingSync",
      rollingSync: {
        steps: ["1", "2", "3"].map((wave) => ({
          matchExpressions: [{ key: "gitops-bootstrap/wave", operator: "In", values: [wave] }],
        })),
      },
    });
    assert.equal(set.metadata.annotations["argocd.argoproj.io/sync-wave"], "1");
    assert.deepEqual(set.spec.template.metadata.labels, { "gitops-bootstrap/wave": "2" });
    // Kept: the controller reads automated.prune for the syncs a RollingSync triggers.
    assert.deepEqual(set.spec.template.spec.syncPolicy.automated, { prune: true, selfHeal: true });
    assert.match(
      set.spec.templatePatch ?? "",
      /"apps\/core\/a" \}\}\n\{"metadata":\{"labels":\{"gitops-bootstrap\/wave":"1"\}\}\}/,
    );
    await validateObject(set);
    await assertSchemaKnows(set, ["spec", "strategy", "type"]);
    // A dependency in a higher wave of the same rolling set is still refused.
    const bad = loadCatalog(
      `${REPO}include: [{ directories: "apps/*/*" }]\ncategories: { core: { applicationSet: { strategy: RollingSync } } }\n` +
        "apps: { core-a: { wave: 5, dependsOn: [core-b] }, core-b: { wave: 5 } }\n",
      "c.yaml",
      repo,
    );
    assert.match(
      catalogError(() => generate(bad, new Map(), appsets)).message,
      /core-a \(wave 5\) depends on core-b \(wave 5\); Argo CD orders by wave only \(RollingSync steps\)/,
    );
  });

  it("writes an AppProject per category that asks, valid against the CRD schema, and warns that the stack's root cannot sync it", async () => {
    const repo = repoWithDirs(["apps/media/a", "apps/media/b", "apps/net/x"]);
    const catalog = loadCatalog(
      `${REPO}include: [{ directories: "apps/*/*" }]\n` +
        "categories:\n  media: { appProject: true }\n  net: { project: network, appProject: { clusterResources: false, destinations: [{ namespace: '*' }] } }\n" +
        "apps: { media-b: { namespace: shared } }\n",
      "c.yaml",
      repo,
    );
    const result = generate(catalog, new Map(), appsets);
    assert.deepEqual([...result.files.keys()].slice(0, 2), [
      "media-appproject.yaml",
      "network-appproject.yaml",
    ]);
    const media = result.objects[0]?.object as unknown as {
      metadata: Record<string, unknown>;
      spec: Record<string, unknown>;
    };
    // Argo CD keeps a project with this finalizer while an Application still uses it.
    assert.deepEqual(media.metadata, {
      name: "media",
      namespace: "argocd",
      finalizers: ["resources-finalizer.argocd.argoproj.io"],
    });
    assert.deepEqual(media.spec, {
      description: "The apps of category media, generated from the app catalog.",
      sourceRepos: ["https://github.com/acme/homelab"],
      destinations: [
        { namespace: "a", server: "https://kubernetes.default.svc" },
        { namespace: "shared", server: "https://kubernetes.default.svc" },
      ],
      clusterResourceWhitelist: [{ group: "*", kind: "*" }],
    });
    const net = result.objects[1]?.object as unknown as { spec: Record<string, unknown> };
    assert.deepEqual(net.spec.destinations, [{ namespace: "*", server: "https://kubernetes.default.svc" }]);
    assert.deepEqual(net.spec.clusterResourceWhitelist, []);
    assert.equal(setOf(result, "media-appset.yaml").spec.template.spec.project, "media");
    for (const { object } of result.objects) await validateObject(object);
    assert.match(result.warnings[0] ?? "", /may create only Applications and ApplicationSets/);
    const def = loadCatalog(
      `${REPO}include: [{ directories: "apps/*/*" }]\ncategories: { net: { project: default, appProject: true } }\n`,
      "c.yaml",
      repo,
    );
    assert.match(
      catalogError(() => generate(def, new Map(), appsets)).message,
      /categories\.net\.appProject: would generate Argo CD's own project "default"/,
    );
  });
});
