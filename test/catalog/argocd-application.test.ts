/**
 * The catalog's Argo CD Application settings (core/catalog/argocd-application.ts): each key's
 * output, checked against the Argo CD CRD schema field by field; how levels merge; bad input; the
 * ApplyOutOfSyncOnly warning; byte-identical output when no key (or only default values) is used.
 */
import { strict as assert } from "node:assert";
import { parse, stringify } from "yaml";
import { APPLY_OUT_OF_SYNC_ONLY_WARNING } from "../../core/argocd/sync";
import { classicArgoAppSettings } from "../../core/catalog/argocd-application";
import { CatalogError, loadCatalog, type RepoView } from "../../core/catalog/catalog";
import { generate } from "../../core/catalog/generate";
import { fastStringify } from "../../core/shared/fast-yaml";
import { toYaml } from "../../core/shared/yaml";
import { assertSchemaKnows, catalogError, repoWithDirs, validateObject } from "./helpers";

const REPO = "repo: { url: https://github.com/acme/homelab, revision: main }\n";
const DIRS = ["a", "b", "c"].map((n) => `manifests/cluster/${n}`);

type Application = {
  metadata: { finalizers?: string[]; annotations: Record<string, string> };
  spec: Record<string, unknown> & {
    destination: Record<string, string>;
    source?: Record<string, unknown>;
    sources?: Array<Record<string, unknown>>;
    syncPolicy: Record<string, unknown> & { automated: Record<string, boolean>; retry?: unknown };
  };
};

function run(text: string, repo: RepoView = repoWithDirs(DIRS), mode?: "applicationsets") {
  const catalog = loadCatalog(`${REPO}${text}`, "apps.yaml", repo);
  return generate(catalog, new Map(), { engine: "argocd", ...(mode === undefined ? {} : { mode }) });
}

function apps(text: string, repo?: RepoView): Record<string, Application> {
  const result = run(text, repo);
  return Object.fromEntries(
    result.objects.map(({ object }) => [
      (object as unknown as { metadata: { name: string } }).metadata.name,
      object as unknown as Application,
    ]),
  );
}

describe("catalog: Argo CD Application settings", () => {
  it("writes nothing new, byte for byte, when no key is used or each is set to its default", () => {
    const plain = run("apps: { a: {}, b: { wave: 2 } }\n");
    const explicit = run(
      "defaults:\n  prune: true\n  resourcesFinalizer: true\n  retry: { limit: 5, backoff: { duration: 30s, factor: 2, maxDuration: 2m } }\n" +
        "  destination: { server: https://kubernetes.default.svc }\n  spec: {}\napps: { a: {}, b: { wave: 2, source: {} } }\n",
    );
    assert.deepEqual([...explicit.files], [...plain.files]);
  });

  it("gives apps that set no key the one shared classic settings object (the builder's fast path)", () => {
    const catalog = loadCatalog(
      `${REPO}apps: { a: {}, b: { prune: true } }\n`,
      "apps.yaml",
      repoWithDirs(DIRS),
    );
    assert.equal(catalog.apps[0]?.argocd, classicArgoAppSettings());
    assert.ok(Object.isFrozen(classicArgoAppSettings().retry));
    // b sets a key (to its default value): resolved on its own, same output.
    assert.notEqual(catalog.apps[1]?.argocd, classicArgoAppSettings());
    assert.deepEqual(catalog.apps[1]?.argocd, classicArgoAppSettings());
  });

  it("writes the sync policy keys where Argo CD reads them, each known to the CRD schema", async () => {
    const { a, b } = apps(
      "defaults:\n  allowEmpty: true\n  revisionHistoryLimit: 3\n  retry: { limit: 10, backoff: { duration: 5s }, refresh: true }\n" +
        "  managedNamespaceMetadata: { labels: { team: media }, annotations: { owner: me } }\n" +
        "apps:\n  a: {}\n  b: { prune: false, retry: { backoff: { maxDuration: 10m } } }\n",
    );
    assert.ok(a !== undefined && b !== undefined);
    assert.deepEqual(a.spec.syncPolicy, {
      automated: { prune: true, selfHeal: true, allowEmpty: true },
      retry: { backoff: { duration: "5s", factor: 2, maxDuration: "2m" }, limit: 10, refresh: true },
      managedNamespaceMetadata: { labels: { team: "media" }, annotations: { owner: "me" } },
    });
    assert.equal(a.spec.revisionHistoryLimit, 3);
    // b refines the inherited retry field by field.
    assert.deepEqual(b.spec.syncPolicy.retry, {
      backoff: { duration: "5s", factor: 2, maxDuration: "10m" },
      limit: 10,
      refresh: true,
    });
    assert.equal(b.spec.syncPolicy.automated.prune, false);
    await validateObject(a as never);
    for (const path of [
      ["spec", "syncPolicy", "automated", "allowEmpty"],
      ["spec", "syncPolicy", "automated", "prune"],
      ["spec", "syncPolicy", "retry", "limit"],
      ["spec", "syncPolicy", "retry", "refresh"],
      ["spec", "syncPolicy", "retry", "backoff", "duration"],
      ["spec", "syncPolicy", "retry", "backoff", "factor"],
      ["spec", "syncPolicy", "retry", "backoff", "maxDuration"],
      ["spec", "syncPolicy", "managedNamespaceMetadata", "labels"],
      ["spec", "revisionHistoryLimit"],
    ]) {
      await assertSchemaKnows(a, path);
    }
  });

  it("writes no retry with retry: false, and an app's object refines the default again", () => {
    const { a, b } = apps("defaults: { retry: false }\napps: { a: {}, b: { retry: { limit: 2 } } }\n");
    assert.equal(a?.spec.syncPolicy.retry, undefined);
    assert.ok(!("retry" in (a?.spec.syncPolicy ?? {})));
    assert.deepEqual(b?.spec.syncPolicy.retry, {
      backoff: { duration: "30s", factor: 2, maxDuration: "2m" },
      limit: 2,
    });
  });

  it("leaves the resources finalizer off, or writes its foreground/background variant", async () => {
    const { a, b, c } = apps(
      "defaults: { resourcesFinalizer: false }\napps: { a: {}, b: { resourcesFinalizer: background }, c: { resourcesFinalizer: true } }\n",
    );
    assert.ok(a !== undefined && !("finalizers" in a.metadata));
    assert.deepEqual(b?.metadata.finalizers, ["resources-finalizer.argocd.argoproj.io/background"]);
    assert.deepEqual(c?.metadata.finalizers, ["resources-finalizer.argocd.argoproj.io"]);
    await validateObject(a as never);
  });

  it("sends an app to a cluster by name instead of server, never both", async () => {
    const { a, b } = apps("apps: { a: { destination: { name: in-cluster } }, b: {} }\n");
    assert.deepEqual(a?.spec.destination, { name: "in-cluster", namespace: "a" });
    assert.deepEqual(b?.spec.destination, { server: "https://kubernetes.default.svc", namespace: "b" });
    await assertSchemaKnows(a, ["spec", "destination", "name"]);
    const error = catalogError(() =>
      run("apps: { a: { destination: { name: x, server: https://k8s.example.com } } }\n"),
    );
    assert.match(error.message, /apps\.a\.destination: give exactly one of server: .* or name: /);
  });

  it("adds Helm options to the app's source, with {name}/{path} placeholders in names and value files", async () => {
    const { a, b } = apps(
      "defaults:\n  source: { helm: { releaseName: '{name}', valueFiles: [values.yaml, '{path}/extra.yaml'] } }\n" +
        "apps:\n  a: {}\n  b: { source: { helm: { valuesObject: { replicas: 2 } } } }\n",
    );
    assert.deepEqual(a?.spec.source, {
      path: "manifests/cluster/a",
      repoURL: "https://github.com/acme/homelab",
      targetRevision: "main",
      helm: { releaseName: "a", valueFiles: ["values.yaml", "manifests/cluster/a/extra.yaml"] },
    });
    assert.deepEqual((b?.spec.source?.helm as Record<string, unknown>).valuesObject, { replicas: 2 });
    assert.equal((b?.spec.source?.helm as Record<string, unknown>).releaseName, "b");
    for (const path of ["releaseName", "valueFiles"]) {
      await assertSchemaKnows(a, ["spec", "source", "helm", path]);
    }
  }).timeout(20_000);

  it("deploys a chart from a Helm repository without an app directory, and needs its URL and version", async () => {
    const repo = repoWithDirs([]);
    const { a } = apps(
      "apps:\n  a: { source: { repoURL: https://charts.jetstack.io, chart: cert-manager, targetRevision: v1.16.1, helm: { values: 'crds: { enabled: true }' } } }\n",
      repo,
    );
    assert.deepEqual(a?.spec.source, {
      chart: "cert-manager",
      repoURL: "https://charts.jetstack.io",
      targetRevision: "v1.16.1",
      helm: { values: "crds: { enabled: true }" },
    });
    await assertSchemaKnows(a, ["spec", "source", "chart"]);
    await assertSchemaKnows(a, ["spec", "source", "helm", "values"]);
    const error = catalogError(() =>
      run("apps:\n  a: { source: { chart: cert-manager, targetRevision: v1.16.1 } }\n", repo),
    );
    assert.deepEqual(
      error.issues.map((i) => [i.key, i.message]),
      [
        [
          "apps.a.source",
          'chart "cert-manager" needs repoURL (the Helm repository) and targetRevision (the chart version); add repoURL',
        ],
      ],
    );
    // A problem of the defaults is reported once, not once per app.
    const shared = catalogError(() =>
      run("defaults: { source: { chart: x, targetRevision: '1' } }\napps: { a: {}, b: {}, c: {} }\n", repo),
    );
    assert.deepEqual(
      shared.issues.map((i) => i.key),
      ["defaults.source"],
    );
    // Flux applies the app's directory; a chart app has none.
    const flux = catalogError(() =>
      generate(
        loadCatalog(
          `${REPO}apps:\n  a: { source: { repoURL: https://charts.jetstack.io, chart: cert-manager, targetRevision: v1.16.1 } }\n`,
          "apps.yaml",
          repo,
        ),
        new Map(),
        { engine: "flux" },
      ),
    );
    assert.match(
      flux.message,
      /apps\.a: its Argo CD source .* put a HelmRelease there, or generate with --engine argocd/,
    );
  });

  it("writes several sources with a $values ref to the catalog repository", async () => {
    const { a } = apps(
      "defaults:\n  sources:\n    - { repoURL: https://charts.example.com, chart: '{name}', targetRevision: 1.2.3, helm: { valueFiles: ['$values/{path}/values.yaml'] } }\n    - { ref: values }\n" +
        "apps: { a: {} }\n",
      repoWithDirs([]),
    );
    assert.equal(a?.spec.source, undefined);
    assert.deepEqual(a?.spec.sources, [
      {
        repoURL: "https://charts.example.com",
        chart: "a",
        targetRevision: "1.2.3",
        helm: { valueFiles: ["$values/manifests/cluster/a/values.yaml"] },
      },
      { repoURL: "https://github.com/acme/homelab", targetRevision: "main", ref: "values" },
    ]);
    await validateObject(a as never);
    await assertSchemaKnows(a, ["spec", "sources", "1", "ref"]);
    const both = catalogError(() =>
      run("apps: { a: { source: { helm: {} }, sources: [{ path: x }] } }\n", repoWithDirs(DIRS)),
    );
    assert.match(both.message, /apps\.a\.sources: is set together with source/);
  });

  it("still needs the app directory when a source entry reads it", () => {
    const error = catalogError(() =>
      run("apps: { d: { sources: [{ path: '{path}' }, { ref: values }] } }\n", repoWithDirs(DIRS)),
    );
    assert.match(error.message, /apps\.d: app directory manifests\/cluster\/d does not exist/);
  });

  it("writes a config management plugin source, known to the CRD schema", async () => {
    const { a } = apps(
      "apps:\n  a: { source: { plugin: { name: kustomize-helm, env: [{ name: RELEASE, value: a }], parameters: [{ name: values, string: x }] } } }\n",
    );
    assert.deepEqual(a?.spec.source?.plugin, {
      name: "kustomize-helm",
      env: [{ name: "RELEASE", value: "a" }],
      parameters: [{ name: "values", string: "x" }],
    });
    await assertSchemaKnows(a, ["spec", "source", "plugin", "name"]);
    await assertSchemaKnows(a, ["spec", "source", "plugin", "parameters", "0", "string"]);
    const twoTypes = catalogError(() =>
      run("apps: { a: { source: { plugin: {}, directory: { recurse: true } } } }\n"),
    );
    assert.match(twoTypes.message, /apps\.a\.source: sets directory and plugin; a source has one type/);
  });

  it("writes directory options", async () => {
    const { a } = apps("apps: { a: { source: { directory: { recurse: true, exclude: '*.md' } } } }\n");
    assert.deepEqual(a?.spec.source?.directory, { recurse: true, exclude: "*.md" });
    await assertSchemaKnows(a, ["spec", "source", "directory", "recurse"]);
  });

  it("adds spec keys the catalog has no key for, and refuses the ones generate writes", async () => {
    const { a } = apps(
      "apps: { a: { spec: { info: [{ name: docs, value: https://docs.example.com }] } } }\n",
    );
    assert.deepEqual(a?.spec.info, [{ name: "docs", value: "https://docs.example.com" }]);
    await assertSchemaKnows(a, ["spec", "info", "0", "name"]);
    const error = catalogError(() => run("defaults: { spec: { syncPolicy: { automated: {} } } }\n"));
    assert.match(
      error.message,
      /defaults\.spec\.syncPolicy: spec\.syncPolicy is written by generate from the catalog; use the catalog's prune, selfHeal, .* key\(s\) instead/,
    );
  });

  it("names the key and the fix for bad values", () => {
    for (const [text, expect] of [
      [
        "defaults: { retry: { limit: 2.5 } }\n",
        /defaults\.retry\.limit: 2\.5 is not allowed: use a whole number$/,
      ],
      [
        "defaults: { retry: { backoff: { duration: soon } } }\n",
        /defaults\.retry\.backoff\.duration: must be whole seconds such as 30, or a Go duration such as 30s/,
      ],
      [
        "defaults: { retry: true }\n",
        /defaults\.retry: must be false \(no retry\) or a map of limit, backoff/,
      ],
      [
        "apps: { a: { resourcesFinalizer: maybe } }\n",
        /apps\.a\.resourcesFinalizer: must be true, false, foreground or background$/,
      ],
      [
        "apps: { a: { revisionHistoryLimit: -1 } }\n",
        /apps\.a\.revisionHistoryLimit: -1 is not allowed: use a whole number ≥ 0$/,
      ],
      ["defaults: { sources: [{ ref: 'a b' }] }\n", /defaults\.sources\[0\]\.ref: must be letters, digits/],
      [
        "apps: { a: { source: { helm: { relaseName: x } } } }\n",
        /apps\.a\.source\.helm\.relaseName: unknown key "relaseName": did you mean "releaseName"\?/,
      ],
      ["apps: { a: { source: { path: x } } }\n", /apps\.a\.source\.path: unknown key "path"/],
      [
        "apps: { a: { source: { helm: { values: x, valuesObject: {} } } } }\n",
        /apps\.a\.source\.helm: has both values and valuesObject/,
      ],
    ] as const) {
      assert.match(catalogError(() => run(text)).message, expect, text);
    }
  });

  it("allows ApplyOutOfSyncOnly=true with one warning that names the apps and the diff it depends on", () => {
    const result = run(
      "defaults: { syncOptions: [ServerSideApply=true] }\napps: { a: {}, b: { syncOptions: [ApplyOutOfSyncOnly=true, ServerSideApply=true] } }\n",
    );
    assert.deepEqual(result.warnings, [`b: ${APPLY_OUT_OF_SYNC_ONLY_WARNING}`]);
    assert.match(APPLY_OUT_OF_SYNC_ONLY_WARNING, /server-side diff/);
    const appsets = run(
      "defaults: { syncOptions: [CreateNamespace=true, ApplyOutOfSyncOnly=true] }\ninclude: [{ directories: 'apps/*/*' }]\n",
      repoWithDirs(["apps/media/x"]),
      "applicationsets",
    );
    assert.deepEqual(appsets.warnings, [`media-x: ${APPLY_OUT_OF_SYNC_ONLY_WARNING}`]);
  });

  it("carries every setting into an ApplicationSet's template, and per-app differences into templatePatch", async () => {
    const result = run(
      "defaults: { resourcesFinalizer: false, retry: { limit: 2 } }\ninclude: [{ directories: 'apps/*/*' }]\n" +
        // Cascading deletes on purpose: only then may a template carry a resources finalizer.
        "categories: { media: { applicationSet: { preserveResourcesOnDeletion: false } } }\n" +
        "apps: { media-y: { resourcesFinalizer: true } }\n",
      repoWithDirs(["apps/media/x", "apps/media/y"]),
      "applicationsets",
    );
    const appset = result.objects[0]?.object as unknown as {
      spec: { template: Application; templatePatch?: string };
    };
    assert.ok(!("finalizers" in appset.spec.template.metadata));
    assert.equal((appset.spec.template.spec.syncPolicy.retry as { limit: number }).limit, 2);
    assert.match(
      appset.spec.templatePatch ?? "",
      /"finalizers":\["resources-finalizer\.argocd\.argoproj\.io"\]/,
    );
    await validateObject(appset as never);
  });

  it("takes every key at the category level too: defaults < category < app", async () => {
    const repo = repoWithDirs(["apps/storage/longhorn", "apps/storage/volsync", "apps/media/x"]);
    const text =
      "defaults: { retry: { limit: 3 } }\ninclude: [{ directories: 'apps/*/*' }]\n" +
      "categories: { storage: { resourcesFinalizer: false, retry: { backoff: { duration: 10s } }, prune: false, destination: { name: home } } }\n" +
      "apps: { storage-volsync: { resourcesFinalizer: true, retry: false } }\n";
    const byName = apps(text, repo);
    const longhorn = byName["storage-longhorn"];
    assert.ok(longhorn !== undefined && !("finalizers" in longhorn.metadata));
    assert.deepEqual(longhorn.spec.syncPolicy.retry, {
      backoff: { duration: "10s", factor: 2, maxDuration: "2m" },
      limit: 3,
    });
    assert.equal(longhorn.spec.syncPolicy.automated.prune, false);
    assert.deepEqual(longhorn.spec.destination, { name: "home", namespace: "longhorn" });
    const volsync = byName["storage-volsync"];
    assert.deepEqual(volsync?.metadata.finalizers, ["resources-finalizer.argocd.argoproj.io"]);
    assert.ok(volsync !== undefined && !("retry" in volsync.spec.syncPolicy));
    // Another category keeps the defaults.
    const media = byName["media-x"];
    assert.deepEqual(media?.metadata.finalizers, ["resources-finalizer.argocd.argoproj.io"]);
    assert.deepEqual(media?.spec.destination, { server: "https://kubernetes.default.svc", namespace: "x" });
    for (const app of Object.values(byName)) await validateObject(app as never);
  });

  it("puts a category's settings in its ApplicationSet's template, so a new directory gets them", async () => {
    const repo = repoWithDirs(["apps/storage/longhorn", "apps/storage/volsync"]);
    const result = run(
      "include: [{ directories: 'apps/*/*' }]\n" +
        "categories: { storage: { resourcesFinalizer: false, retry: { limit: 2 }, allowEmpty: true, sources: [{ path: '{path}' }, { ref: values }], applicationSet: { preserveResourcesOnDeletion: false } } }\n" +
        "apps: { storage-volsync: { resourcesFinalizer: true } }\n",
      repo,
      "applicationsets",
    );
    const appset = result.objects[0]?.object as unknown as {
      spec: { template: Application; templatePatch?: string };
    };
    const template = appset.spec.template;
    assert.ok(!("finalizers" in template.metadata));
    assert.deepEqual(template.spec.syncPolicy.retry, {
      backoff: { duration: "30s", factor: 2, maxDuration: "2m" },
      limit: 2,
    });
    assert.equal(template.spec.syncPolicy.automated.allowEmpty, true);
    assert.deepEqual(template.spec.sources, [
      { repoURL: "https://github.com/acme/homelab", path: "{{ .path.path }}", targetRevision: "main" },
      { repoURL: "https://github.com/acme/homelab", targetRevision: "main", ref: "values" },
    ]);
    // Only volsync differs from the category: one branch, its finalizer.
    assert.equal(
      appset.spec.templatePatch,
      '{{- if eq .path.path "apps/storage/volsync" }}\n{"metadata":{"finalizers":["resources-finalizer.argocd.argoproj.io"]}}\n{{- end }}\n',
    );
    await validateObject(appset as never);
  });

  it("preserveResourcesOnDeletion (the default): no resources finalizer in the template or its patches, and a written one is refused", async () => {
    // argo-cd adds none to a template without finalizers when preserving, and keeps one the
    // template writes (applicationset/utils/utils.go), so a written finalizer would cascade.
    const repo = repoWithDirs(["apps/storage/longhorn", "apps/storage/volsync"]);
    const preserved = run(
      "include: [{ directories: 'apps/*/*' }]\napps: { storage-volsync: { retry: false } }\n",
      repo,
      "applicationsets",
    );
    const appset = preserved.objects[0]?.object as unknown as {
      spec: { template: Application; templatePatch?: string; syncPolicy?: unknown };
    };
    assert.deepEqual(appset.spec.syncPolicy, { preserveResourcesOnDeletion: true });
    assert.ok(!("finalizers" in appset.spec.template.metadata));
    assert.ok(appset.spec.templatePatch !== undefined && !appset.spec.templatePatch.includes("finalizer"));
    await validateObject(appset as never);
    for (const [text, key] of [
      ["defaults: { resourcesFinalizer: true }\n", "defaults.resourcesFinalizer"],
      [
        "categories: { storage: { resourcesFinalizer: foreground } }\n",
        "categories.storage.resourcesFinalizer",
      ],
      [
        "apps: { storage-volsync: { resourcesFinalizer: background } }\n",
        "apps.storage-volsync.resourcesFinalizer",
      ],
    ] as const) {
      assert.throws(
        () => run(`include: [{ directories: 'apps/*/*' }]\n${text}`, repo, "applicationsets"),
        (error: unknown) =>
          error instanceof CatalogError &&
          error.issues.length === 1 &&
          error.issues[0]?.key === key &&
          /categories\.storage\.applicationSet\.preserveResourcesOnDeletion is true/.test(error.message),
        key,
      );
    }
    // Classic Applications keep the finalizer the catalog asks for.
    const classic = run("include: [{ directories: 'apps/*/*' }]\n", repo);
    const longhorn = classic.objects[0]?.object as unknown as Application;
    assert.deepEqual(longhorn.metadata.finalizers, ["resources-finalizer.argocd.argoproj.io"]);
  });

  it("keeps a category's prune under RollingSync, where the controller reads it for the syncs it triggers", async () => {
    const result = run(
      "include: [{ directories: 'apps/*/*' }]\n" +
        "categories: { storage: { prune: false, applicationSet: { strategy: RollingSync } } }\n",
      repoWithDirs(["apps/storage/longhorn"]),
      "applicationsets",
    );
    const appset = result.objects[0]?.object as unknown as { spec: { template: Application } };
    assert.deepEqual(appset.spec.template.spec.syncPolicy.automated, { prune: false, selfHeal: true });
    await validateObject(appset as never);
  });

  it("refuses {{ in a category's keys, and reports a category's bad source once under its key", () => {
    const repo = repoWithDirs(["apps/monitoring/alerts", "apps/monitoring/rules"]);
    const values = "'rules: \"{{ $labels.instance }} down\"'";
    assert.match(
      catalogError(() =>
        run(
          `include: [{ directories: 'apps/*/*' }]\ncategories: { monitoring: { source: { helm: { values: ${values} } } } }\n`,
          repo,
          "applicationsets",
        ),
      ).message,
      /categories\.monitoring\.source: contains \{\{, which the ApplicationSet controller would render/,
    );
    const message = catalogError(() =>
      run(
        "include: [{ directories: 'apps/*/*' }]\ncategories: { monitoring: { source: { chart: loki } } }\n",
        repo,
      ),
    ).message;
    assert.equal(message.match(/categories\.monitoring\.source: chart "loki" needs repoURL/g)?.length, 1);
  });

  it("tells a Flux user which apps' Argo CD Application settings it ignores", () => {
    const catalog = loadCatalog(
      `${REPO}apps: { a: { retry: false }, b: {} }\n`,
      "apps.yaml",
      repoWithDirs(DIRS),
    );
    const { warnings } = generate(catalog, new Map(), { engine: "flux" });
    assert.ok(
      warnings.includes(
        "each of prune, allowEmpty, retry, revisionHistoryLimit, managedNamespaceMetadata, resourcesFinalizer, destination, source, sources and spec is an Argo CD setting; Flux ignores it for a",
      ),
      warnings.join("\n"),
    );
  });

  it("refuses {{ in the defaults an ApplicationSet template would render, and writes it per app as a literal", () => {
    const repo = repoWithDirs(["apps/monitoring/alerts"]);
    const values = "'rules: \"{{ $labels.instance }} down\"'";
    const error = catalogError(() =>
      run(
        `defaults: { source: { helm: { values: ${values} } } }\ninclude: [{ directories: 'apps/*/*' }]\n`,
        repo,
        "applicationsets",
      ),
    );
    assert.match(
      error.message,
      /defaults\.source: contains \{\{, which the ApplicationSet controller would render/,
    );
    const perApp = run(
      `include: [{ directories: 'apps/*/*' }]\napps: { monitoring-alerts: { source: { helm: { values: ${values} } } } }\n`,
      repo,
      "applicationsets",
    );
    const appset = perApp.objects[0]?.object as unknown as { spec: { templatePatch: string } };
    assert.match(appset.spec.templatePatch, /\{\{ "\{\{" \}\} \$labels\.instance \}\} down/);
  });

  it("writes every new shape exactly as yaml does, by the fast path or by falling back to yaml", () => {
    const result = run(
      "defaults:\n  allowEmpty: true\n  revisionHistoryLimit: 3\n  managedNamespaceMetadata: { labels: { a: b } }\n" +
        "apps:\n  a: { source: { helm: { values: \"a: 1\\nb: [x, y]\\n\", parameters: [{ name: x, value: '1', forceString: true }] } } }\n" +
        "  b: { source: { helm: { valuesObject: { ratio: 0.5, list: [[1, 2]] } } }, spec: { info: [{ name: n, value: v }] } }\n" +
        "  c: { sources: [{ path: '{path}' }, { ref: values }], destination: { name: home } }\n",
    );
    let fast = 0;
    for (const { object } of result.objects) {
      assert.equal(toYaml(object), stringify(object, { lineWidth: 0, aliasDuplicateObjects: false }));
      if (fastStringify(object) !== undefined) fast++;
    }
    // a (a multi-line string) and b (a float, a nested list) fall back to yaml; c takes the fast path.
    assert.equal(fast, 1);
    assert.deepEqual(
      parse(result.files.get("a-app.yaml") ?? "").spec.source.helm.values,
      "a: 1\nb: [x, y]\n",
    );
  });
});
