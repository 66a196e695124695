/**
 * The catalog's Flux settings (`defaults.flux`, `apps.<name>.flux`, `flux.waveDependencies`):
 * each key reaches the Kustomization under its kustomize-controller v1 name, is known to the CRD
 * schema, and a bad value is an error naming the key.
 */
import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { generateCommand } from "../../cli/generate";
import { loadCatalog, parseCatalog, type RepoView } from "../../core/catalog/catalog";
import { generate, KUSTOMIZATION_FILE } from "../../core/catalog/generate";
import { waveBarriers } from "../../core/catalog/kustomizations";
import {
  assertSchemaKnows,
  catalogError,
  memoryRepo,
  repoWithDirs,
  snapshot,
  validateObject,
} from "./helpers";

const REPO = "repo: { url: https://github.com/acme/homelab, revision: main }\n";
const dirs = (...names: string[]) => repoWithDirs(names.map((n) => `manifests/cluster/${n}`));

function flux(text: string, repo: RepoView) {
  return generate(loadCatalog(`${REPO}${text}`, "apps.yaml", repo), new Map(), { engine: "flux" });
}

function spec(result: ReturnType<typeof flux>, file: string): Record<string, unknown> {
  const object = result.objects.find((o) => o.file === file)?.object as { spec?: Record<string, unknown> };
  assert.ok(object?.spec, `${file} was not written`);
  return object.spec;
}

describe("catalog, Flux: per-app and default settings", () => {
  it("writes every Kustomization field the catalog offers, under its v1 name, valid against the CRD", async () => {
    const result = flux(
      [
        "apps:",
        "  a:",
        "    flux:",
        "      wait: false",
        "      force: true",
        "      prune: false",
        "      interval: 30s",
        "      timeout: 5m",
        "      retryInterval: 2m",
        "      sourceRef: { kind: OCIRepository, name: apps, namespace: flux-system }",
        "      serviceAccountName: apps-deployer",
        "      decryption: { secretRef: { name: sops-age } }",
        "      postBuild:",
        "        substitute: { cluster_name: home, replicas: '2' }",
        "        substituteFrom: [{ kind: Secret, name: cluster-secrets, optional: true }]",
        "      healthChecks: [{ apiVersion: apps/v1, kind: Deployment, name: a, namespace: a }]",
        "      patches:",
        '        - patch: \'[{"op": "replace", "path": "/spec/replicas", "value": 1}]\'',
        "          target: { kind: Deployment, name: a }",
        "      components: [../../components/monitoring]",
        "",
      ].join("\n"),
      dirs("a"),
    );
    const kustomization = result.objects.find((o) => o.file === "a-ks.yaml")?.object;
    assert.deepEqual(kustomization, {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name: "a", namespace: "flux-system" },
      spec: {
        components: ["../../components/monitoring"],
        decryption: { provider: "sops", secretRef: { name: "sops-age" } },
        force: true,
        healthChecks: [{ apiVersion: "apps/v1", kind: "Deployment", name: "a", namespace: "a" }],
        interval: "30s",
        patches: [
          {
            patch: '[{"op": "replace", "path": "/spec/replicas", "value": 1}]',
            target: { kind: "Deployment", name: "a" },
          },
        ],
        path: "./manifests/cluster/a",
        postBuild: {
          substitute: { cluster_name: "home", replicas: "2" },
          substituteFrom: [{ kind: "Secret", name: "cluster-secrets", optional: true }],
        },
        prune: false,
        retryInterval: "2m",
        serviceAccountName: "apps-deployer",
        sourceRef: { kind: "OCIRepository", name: "apps", namespace: "flux-system" },
        targetNamespace: "a",
        timeout: "5m",
      },
    });
    await validateObject(kustomization as never);
    // The validators ignore unknown fields: prove each written field is one the CRD knows.
    for (const path of [
      ["spec", "components"],
      ["spec", "decryption", "provider"],
      ["spec", "decryption", "secretRef", "name"],
      ["spec", "force"],
      ["spec", "healthChecks"],
      ["spec", "interval"],
      ["spec", "patches"],
      ["spec", "postBuild", "substitute"],
      ["spec", "postBuild", "substituteFrom"],
      ["spec", "prune"],
      ["spec", "retryInterval"],
      ["spec", "serviceAccountName"],
      ["spec", "sourceRef", "namespace"],
      ["spec", "timeout"],
    ]) {
      await assertSchemaKnows(kustomization, path);
    }
  });

  it("takes defaults.flux for every app; an app's own key replaces the default's, others stay", () => {
    const result = flux(
      [
        "defaults:",
        "  flux: { wait: false, force: true, sourceRef: { namespace: flux-system }, components: [c1] }",
        "apps:",
        "  a: {}",
        "  b: { flux: { wait: true, components: [c2] } }",
        "",
      ].join("\n"),
      dirs("a", "b"),
    );
    const a = spec(result, "a-ks.yaml");
    const b = spec(result, "b-ks.yaml");
    assert.equal(a.wait, undefined, "wait: false is Flux's default and is not written");
    assert.equal(a.force, true);
    assert.deepEqual(a.components, ["c1"]);
    assert.deepEqual(a.sourceRef, { kind: "GitRepository", name: "flux-system", namespace: "flux-system" });
    assert.equal(b.wait, true);
    assert.equal(b.force, true);
    assert.deepEqual(b.components, ["c2"], "an app's list replaces the default list");
  });

  it("leaves retryInterval out for null, and keeps today's 1m otherwise", () => {
    const result = flux(
      "defaults: { flux: { retryInterval: null } }\napps: { a: {}, b: { flux: { retryInterval: 3m } } }\n",
      dirs("a", "b"),
    );
    assert.equal("retryInterval" in spec(result, "a-ks.yaml"), false);
    assert.equal(spec(result, "b-ks.yaml").retryInterval, "3m");
    assert.equal(spec(flux("apps: { a: {} }\n", dirs("a")), "a-ks.yaml").retryInterval, "1m");
  });

  it("targetNamespace: false writes neither targetNamespace nor a Namespace, unless createNamespace asks", () => {
    const off = flux(
      "defaults: { flux: { targetNamespace: false } }\napps: { a: {}, b: { flux: { createNamespace: true } } }\n",
      dirs("a", "b"),
    );
    assert.deepEqual(
      [...off.files.keys()],
      ["b-namespace.yaml", "a-ks.yaml", "b-ks.yaml", KUSTOMIZATION_FILE],
    );
    assert.equal("targetNamespace" in spec(off, "a-ks.yaml"), false);
    assert.equal("targetNamespace" in spec(off, "b-ks.yaml"), false);
    // And the other way: the target namespace without a generated Namespace (the app ships one).
    const noNamespace = flux("apps: { a: { flux: { createNamespace: false } } }\n", dirs("a"));
    assert.deepEqual([...noNamespace.files.keys()], ["a-ks.yaml", KUSTOMIZATION_FILE]);
    assert.equal(spec(noNamespace, "a-ks.yaml").targetNamespace, "a");
  });

  it("refuses bad values, naming the key and what is allowed", () => {
    const cases: Array<[string, RegExp]> = [
      [
        "apps: { a: { flux: { sourceRef: { kind: HelmRepository } } } }",
        /apps\.a\.flux\.sourceRef\.kind: .*GitRepository/,
      ],
      ["apps: { a: { flux: { timeout: 5 minutes } } }", /apps\.a\.flux\.timeout: /],
      [
        "apps: { a: { flux: { wiat: true } } }",
        /apps\.a\.flux\.wiat: unknown key "wiat": did you mean "wait"\?/,
      ],
      ["defaults: { flux: { interval: 1m } }", /defaults\.flux\.interval: unknown key "interval"/],
      ["apps: { a: { flux: { decryption: { provider: vault } } } }", /apps\.a\.flux\.decryption\.provider: /],
      [
        "apps: { a: { flux: { postBuild: { substitute: { replicas: 2 } } } } }",
        /apps\.a\.flux\.postBuild\.substitute\.replicas: /,
      ],
      [
        "apps: { a: { flux: { postBuild: { substituteFrom: [{ kind: Pod, name: x }] } } } }",
        /substituteFrom\[0\]\.kind: /,
      ],
      ["apps: { a: { flux: { serviceAccountName: Not_A_Name } } }", /apps\.a\.flux\.serviceAccountName: /],
      ["flux: { waveDependencies: linear }", /flux\.waveDependencies: .*all.*barrier/],
    ];
    for (const [text, pattern] of cases) {
      assert.match(catalogError(() => parseCatalog(`${REPO}${text}\n`, "apps.yaml")).message, pattern, text);
    }
  });

  it("warns that healthChecks do nothing while wait is true (kustomize-controller then checks everything)", () => {
    const checks = "healthChecks: [{ kind: Deployment, name: x, namespace: x }]";
    const result = flux(
      `apps: { a: { flux: { ${checks} } }, b: { flux: { wait: false, ${checks} } } }\n`,
      dirs("a", "b"),
    );
    assert.deepEqual(result.warnings, [
      "flux.healthChecks are ignored by Flux while wait is true (every applied object is checked then) for a; set flux.wait: false to check only the listed objects",
    ]);
  });

  it("warns with --engine argocd that the flux: settings are ignored, naming the apps", () => {
    const catalog = loadCatalog(
      `${REPO}apps: { a: { flux: { force: true } }, b: {} }\n`,
      "apps.yaml",
      dirs("a", "b"),
    );
    const { warnings } = generate(catalog, new Map(), { engine: "argocd" });
    assert.deepEqual(warnings, ["flux: settings are Flux settings; Argo CD ignores them for a"]);
  });
});

describe("catalog, Flux: an app that ships its own Namespace", () => {
  const NS = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: media\n";
  const repo = (files: Record<string, string>) =>
    memoryRepo({ "manifests/cluster/jellyfin/deployment.yaml": "kind: Deployment\n", ...files });

  it("is an error naming the file when generate also writes that Namespace", () => {
    const error = catalogError(() =>
      flux("apps: { jellyfin: {} }\n", repo({ "manifests/cluster/jellyfin/namespace.yaml": NS })),
    );
    assert.equal(error.issues.length, 1);
    assert.equal(error.issues[0]?.file, "manifests/cluster/jellyfin/namespace.yaml");
    assert.equal(error.issues[0]?.key, "apps.jellyfin");
    assert.match(
      error.message,
      /namespace\.yaml holds a Namespace media, which targetNamespace renames to jellyfin, and generate also writes jellyfin-namespace\.yaml: two Kustomizations would own one Namespace; set apps\.jellyfin\.flux\.createNamespace: false/,
    );
  });

  it("finds it in a multi-document file, quoted, and only where the kustomization lists it", () => {
    const bundle = `kind: Service\n---\nkind: "Namespace"\nmetadata: { name: jellyfin }\n`;
    assert.throws(() =>
      flux("apps: { jellyfin: {} }\n", repo({ "manifests/cluster/jellyfin/all.yaml": bundle })),
    );
    // Listed through a subdirectory entry.
    assert.throws(() =>
      flux(
        "apps: { jellyfin: {} }\n",
        repo({
          "manifests/cluster/jellyfin/kustomization.yaml": "resources:\n  - deployment.yaml\n  - base\n",
          "manifests/cluster/jellyfin/base/ns.yaml": NS,
        }),
      ),
    );
    // Present but not listed: kustomize never reads it.
    flux(
      "apps: { jellyfin: {} }\n",
      repo({
        "manifests/cluster/jellyfin/kustomization.yaml": "resources: [deployment.yaml]\n",
        "manifests/cluster/jellyfin/unused-namespace.yaml": NS,
      }),
    );
    // A CRD's `scope: Namespaced` is not a Namespace.
    flux(
      "apps: { jellyfin: {} }\n",
      repo({
        "manifests/cluster/jellyfin/crd.yaml": "kind: CustomResourceDefinition\nspec:\n  scope: Namespaced\n",
      }),
    );
  });

  it("is fine when the app owns it (createNamespace: false), or without targetNamespace a Namespace of another name", () => {
    const files = repo({ "manifests/cluster/jellyfin/namespace.yaml": NS });
    const owned = flux("apps: { jellyfin: { flux: { createNamespace: false } } }\n", files);
    assert.deepEqual([...owned.files.keys()], ["jellyfin-ks.yaml", KUSTOMIZATION_FILE]);
    const other = flux(
      "apps: { jellyfin: { flux: { targetNamespace: false, createNamespace: true } } }\n",
      files,
    );
    assert.ok(other.files.has("jellyfin-namespace.yaml"));
    assert.throws(
      () =>
        flux(
          "apps: { jellyfin: { namespace: media, flux: { targetNamespace: false, createNamespace: true } } }\n",
          files,
        ),
      /holds a Namespace media, and generate also writes media-namespace\.yaml/,
    );
  });
});

describe("catalog, Flux: waves as one barrier per wave (flux.waveDependencies: barrier)", () => {
  const waves = "apps: { a: { wave: 0 }, b: { wave: 0 }, c: { wave: 1 }, d: { wave: 1 }, e: {} }\n";

  it("makes each app depend on the lower wave's barrier only, the barrier on its wave's apps", async () => {
    const result = flux(`flux: { waveDependencies: barrier }\n${waves}`, dirs("a", "b", "c", "d", "e"));
    assert.deepEqual(
      [...result.files.keys()].filter((f) => f.endsWith("-ks.yaml") || f.includes("/")),
      [
        "a-ks.yaml",
        "b-ks.yaml",
        "c-ks.yaml",
        "d-ks.yaml",
        "e-ks.yaml",
        "wave-0-ks.yaml",
        "wave-1-ks.yaml",
        "waves/kustomization.yaml",
      ],
    );
    assert.deepEqual(spec(result, "c-ks.yaml").dependsOn, [{ name: "wave-0" }]);
    assert.deepEqual(spec(result, "e-ks.yaml").dependsOn, [{ name: "wave-1" }]);
    assert.equal(spec(result, "a-ks.yaml").dependsOn, undefined);
    const barrier = result.objects.find((o) => o.file === "wave-1-ks.yaml")?.object;
    assert.deepEqual(barrier, {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name: "wave-1", namespace: "flux-system" },
      spec: {
        dependsOn: [{ name: "c" }, { name: "d" }],
        interval: "10m",
        path: "./manifests/bootstrap/waves",
        prune: true,
        sourceRef: { kind: "GitRepository", name: "flux-system" },
      },
    });
    for (const { object } of result.objects) await validateObject(object as never);
    // The barrier applies an empty kustomization, which the output's own kustomization does not list.
    assert.deepEqual(parse(result.files.get("waves/kustomization.yaml") ?? ""), {
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      resources: [],
    });
    const listed = (parse(result.files.get(KUSTOMIZATION_FILE) ?? "") as { resources: string[] }).resources;
    assert.ok(listed.includes("wave-0-ks.yaml") && !listed.some((f) => f.includes("/")));
  });

  it("keeps explicit dependsOn, finds cycles through barriers, and refuses an app named like a barrier", () => {
    const { deps } = waveBarriers(
      loadCatalog(
        `${REPO}apps: { a: { wave: 0 }, b: { wave: 1, dependsOn: [a] } }\n`,
        "apps.yaml",
        dirs("a", "b"),
      ).apps,
    );
    assert.deepEqual(Object.fromEntries(deps), { a: [], b: ["wave-0", "a"] });
    assert.match(
      catalogError(() =>
        flux(
          "flux: { waveDependencies: barrier }\napps: { a: { wave: 0, dependsOn: [b] }, b: { wave: 1 } }\n",
          dirs("a", "b"),
        ),
      ).message,
      /dependency cycle: a → b → wave-0 → a/,
    );
    assert.match(
      catalogError(() =>
        flux(
          "flux: { waveDependencies: barrier }\napps: { wave-0: { wave: 5 }, b: { wave: 0 } }\n",
          dirs("wave-0", "b"),
        ),
      ).message,
      /apps\.wave-0: app wave-0 has the name of a wave barrier .*set flux\.waveDependencies: all/,
    );
  });

  it("writes linear output: at 2,000 apps in two wide waves, 2,000 dependsOn entries instead of 1,000,000", () => {
    const names = Array.from({ length: 2000 }, (_, i) => `app-${i}`);
    const text = `apps:\n${names.map((n, i) => `  ${n}: { wave: ${i < 1000 ? 0 : 1} }`).join("\n")}\n`;
    const count = (result: ReturnType<typeof flux>) =>
      result.objects.reduce(
        (sum, { object }) =>
          sum + ((object as { spec?: { dependsOn?: unknown[] } }).spec?.dependsOn?.length ?? 0),
        0,
      );
    const repo = dirs(...names);
    const all = flux(text, repo);
    assert.equal(count(all), 1_000_000);
    assert.deepEqual(all.warnings, [
      "waves give 1000000 dependsOn entries for 2000 apps (each app depends on every app of the nearest lower wave); flux.waveDependencies: barrier would write 2000 (one barrier Kustomization per wave)",
    ]);
    assert.equal(count(flux(`flux: { waveDependencies: barrier }\n${text}`, repo)), 2_000);
  });

  it("CLI: writes the barriers' directory, and deletes it when the catalog goes back to all", async () => {
    const root = mkdtempSync(join(tmpdir(), "gitops-flux-barrier-"));
    try {
      for (const app of ["a", "b"]) {
        mkdirSync(join(root, "manifests", "cluster", app), { recursive: true });
        writeFileSync(join(root, "manifests", "cluster", app, "kustomization.yaml"), "resources: []\n");
      }
      const catalog = join(root, "apps.yaml");
      const write = (mode: string) =>
        writeFileSync(
          catalog,
          `${REPO}flux: { waveDependencies: ${mode} }\napps: { a: { wave: 0 }, b: { wave: 1 } }\n`,
        );
      const quiet = { out: () => undefined, err: () => undefined };
      const out = join(root, "manifests", "bootstrap");
      write("barrier");
      assert.equal(await generateCommand(["--catalog", catalog, "--engine", "flux"], quiet), 0);
      assert.deepEqual(readdirSync(join(out, "waves")), ["kustomization.yaml"]);
      assert.equal(await generateCommand(["--catalog", catalog, "--engine", "flux", "--check"], quiet), 0);
      write("all");
      assert.equal(await generateCommand(["--catalog", catalog, "--engine", "flux"], quiet), 0);
      assert.equal(readdirSync(out).includes("waves"), false);
      assert.equal(readdirSync(out).includes("wave-0-ks.yaml"), false);
      // A file named like the barriers' directory is in the way: refused before anything changes.
      writeFileSync(join(out, "waves"), "someone's file\n");
      const before = snapshot(out);
      write("barrier");
      let err = "";
      const code = await generateCommand(["--catalog", catalog, "--engine", "flux"], {
        out: () => undefined,
        err: (text) => (err += text),
      });
      assert.equal(code, 2);
      assert.match(
        err,
        /waves\/kustomization\.yaml: something else is in the way .* Nothing was written\.\n$/,
      );
      assert.deepEqual(snapshot(out), before);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("catalog, Flux: Helm chart and OCI artifact apps (apps.<name>.flux.helm, .oci)", () => {
  const HELM = [
    "apps:",
    "  base: { wave: 0 }",
    "  cert-manager:",
    "    wave: 1",
    "    flux:",
    "      helm:",
    "        repository: https://charts.jetstack.io",
    "        chart: cert-manager",
    "        version: v1.16.2",
    "        releaseName: cm",
    "        values: { crds: { enabled: true } }",
    "        valuesFrom: [{ kind: Secret, name: cm-values, valuesKey: values.yaml, optional: true }]",
    "  podinfo:",
    "    wave: 1",
    "    flux: { helm: { repository: 'oci://ghcr.io/stefanprodan/charts/', chart: podinfo, version: 6.7.1 } }",
    "  bundle:",
    "    flux: { oci: { url: 'oci://ghcr.io/acme/manifests/bundle', semver: '>=1.2.0', path: ./deploy } }",
    "",
  ].join("\n");
  // Only base has a directory: the others come from a chart repository or an OCI registry.
  const result = () => flux(HELM, dirs("base"));

  it("writes the source, a HelmRelease in the app's namespace, and a Kustomization that applies it", async () => {
    const { objects, files } = result();
    const object = (file: string) =>
      objects.find((o) => o.file === file)?.object as { spec?: unknown } | undefined;
    assert.deepEqual(object("cert-manager-helmrepository.yaml"), {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "HelmRepository",
      metadata: { name: "cert-manager", namespace: "flux-system" },
      spec: { interval: "10m", url: "https://charts.jetstack.io" },
    });
    assert.deepEqual(object("cert-manager.helm/helmrelease.yaml"), {
      apiVersion: "helm.toolkit.fluxcd.io/v2",
      kind: "HelmRelease",
      metadata: { name: "cert-manager", namespace: "cert-manager" },
      spec: {
        chart: {
          spec: {
            chart: "cert-manager",
            sourceRef: { kind: "HelmRepository", name: "cert-manager", namespace: "flux-system" },
            version: "v1.16.2",
          },
        },
        interval: "10m",
        releaseName: "cm",
        values: { crds: { enabled: true } },
        valuesFrom: [{ kind: "Secret", name: "cm-values", valuesKey: "values.yaml", optional: true }],
      },
    });
    assert.deepEqual(spec(result(), "cert-manager-ks.yaml"), {
      dependsOn: [{ name: "base" }],
      interval: "10m",
      path: "./manifests/bootstrap/cert-manager.helm",
      prune: true,
      retryInterval: "1m",
      sourceRef: { kind: "GitRepository", name: "flux-system" },
      targetNamespace: "cert-manager",
      wait: true,
    });
    assert.deepEqual(parse(files.get("cert-manager.helm/kustomization.yaml") ?? ""), {
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      resources: ["helmrelease.yaml"],
    });
    // A chart in an OCI registry: an OCIRepository copying the chart layer, read through chartRef.
    assert.deepEqual(object("podinfo-ocirepository.yaml"), {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "OCIRepository",
      metadata: { name: "podinfo", namespace: "flux-system" },
      spec: {
        interval: "10m",
        layerSelector: {
          mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
          operation: "copy",
        },
        ref: { tag: "6.7.1" },
        url: "oci://ghcr.io/stefanprodan/charts/podinfo",
      },
    });
    assert.deepEqual(object("podinfo.helm/helmrelease.yaml")?.spec, {
      chartRef: { kind: "OCIRepository", name: "podinfo", namespace: "flux-system" },
      interval: "10m",
    });
    // An OCI artifact of plain manifests.
    assert.deepEqual(object("bundle-ocirepository.yaml")?.spec, {
      interval: "10m",
      ref: { semver: ">=1.2.0" },
      url: "oci://ghcr.io/acme/manifests/bundle",
    });
    assert.equal(spec(result(), "bundle-ks.yaml").path, "./deploy");
    assert.deepEqual(spec(result(), "bundle-ks.yaml").sourceRef, { kind: "OCIRepository", name: "bundle" });
    // The output's kustomization lists the sources and Kustomizations, never a HelmRelease.
    const listed = (parse(files.get(KUSTOMIZATION_FILE) ?? "") as { resources: string[] }).resources;
    assert.ok(listed.includes("podinfo-ocirepository.yaml") && !listed.some((f) => f.includes("/")));
    for (const { object: each } of objects) await validateObject(each as never);
    const release = object("cert-manager.helm/helmrelease.yaml");
    for (const path of [
      ["spec", "chart", "spec", "version"],
      ["spec", "chart", "spec", "sourceRef", "namespace"],
      ["spec", "releaseName"],
      ["spec", "valuesFrom"],
    ]) {
      await assertSchemaKnows(release, path);
    }
    await assertSchemaKnows(object("podinfo.helm/helmrelease.yaml"), ["spec", "chartRef", "namespace"]);
    await assertSchemaKnows(object("podinfo-ocirepository.yaml"), ["spec", "layerSelector", "operation"]);
    await assertSchemaKnows(object("podinfo-ocirepository.yaml"), ["spec", "ref", "tag"]);
  });

  it("refuses an unpinned chart version, two sources, and Argo CD", () => {
    const bad: Array<[string, RegExp]> = [
      [
        "apps: { a: { flux: { helm: { repository: 'https://x.io', chart: a, version: '^1.2.0' } } } }",
        /apps\.a\.flux\.helm\.version: "\^1\.2\.0" must be an exact chart version such as 1\.16\.2/,
      ],
      [
        "apps: { a: { flux: { helm: { repository: 'git://x', chart: a, version: 1.0.0 } } } }",
        /apps\.a\.flux\.helm\.repository: "git:\/\/x" must be an https:\/\/ chart repository or an oci:\/\/ registry path/,
      ],
      [
        "apps: { a: { flux: { oci: { url: 'oci://x/y', tag: '1', digest: 'sha256:' } } } }",
        /apps\.a\.flux\.oci\.digest/,
      ],
      [
        "apps: { a: { flux: { oci: { url: 'oci://x/y' } } } }",
        /apps\.a\.flux\.oci: give exactly one of tag, semver or digest/,
      ],
      [
        "apps: { a: { flux: { oci: { url: 'oci://x/y', tag: '1' }, sourceRef: { name: other } } } }",
        /apps\.a\.flux\.sourceRef: oci makes the app's source; remove sourceRef/,
      ],
    ];
    for (const [text, pattern] of bad) {
      assert.match(catalogError(() => parseCatalog(`${REPO}${text}\n`, "apps.yaml")).message, pattern, text);
    }
    const catalog = loadCatalog(`${REPO}${HELM}`, "apps.yaml", dirs("base"));
    assert.match(
      catalogError(() => generate(catalog, new Map(), { engine: "argocd" })).message,
      /apps\.cert-manager\.flux\.helm: is a Flux app source \(a HelmRelease\); Argo CD cannot deploy it/,
    );
  });
});

describe("cli generate, Flux: the Namespace scan reads files as bytes", () => {
  it("finds a Namespace past the first 64 KiB and across the buffer's edge, and none in a large file without one", async () => {
    const root = mkdtempSync(join(tmpdir(), "gitops-flux-scan-"));
    try {
      const app = join(root, "manifests", "cluster", "big");
      mkdirSync(app, { recursive: true });
      const catalog = join(root, "apps.yaml");
      writeFileSync(catalog, `${REPO}apps: { big: {} }\n`);
      let err = "";
      const io = { out: () => undefined, err: (t: string) => (err += t) };
      // A comment line pads the file so that "Namespace" starts 4 bytes before 64 KiB.
      const edge = 64 * 1024 - 4;
      const pad = (length: number) => `#${"x".repeat(length - 2)}\n`;
      const straddling = `${pad(edge - "kind: ".length)}kind: Namespace\nmetadata: { name: big }\n`;
      assert.equal(
        straddling.indexOf("Namespace"),
        edge,
        "the test's padding puts the needle across the edge",
      );
      for (const [text, found] of [
        [straddling, true],
        [`${pad(200_000)}---\nkind: Namespace\nmetadata: { name: big }\n`, true],
        [`${pad(200_000)}kind: Deployment\n`, false],
      ] as const) {
        writeFileSync(join(app, "all.yaml"), text);
        err = "";
        const code = await generateCommand(["--catalog", catalog, "--engine", "flux", "--dry-run"], io);
        assert.equal(code, found ? 2 : 0, err);
        if (found)
          assert.match(err, /manifests\/cluster\/big\/all\.yaml: apps\.big: .*holds a Namespace big/);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
