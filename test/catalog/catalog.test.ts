import { strict as assert } from "node:assert";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as prettier from "prettier";
import {
  DEFAULT_OUTPUT,
  bootstrapTarget,
  catalogJsonSchema,
  loadCatalog,
  parseCatalog,
  readBootstrapTarget,
} from "../../core/catalog/catalog";
import { catalogError, FIXTURES, memoryRepo, repoWithDirs } from "./helpers";
import { assertShowsNoKey, fakeOpenSshPrivateKey } from "../support/leaks";

const REPO = "repo: { url: https://github.com/acme/homelab, revision: main }\n";
const CLUSTER = "manifests/cluster";

describe("core/catalog: parsing and defaults", () => {
  it("fills every default from an almost empty catalog", () => {
    const catalog = parseCatalog(REPO, "apps.yaml");
    assert.deepEqual(catalog, {
      repo: { url: "https://github.com/acme/homelab", revision: "main" },
      output: DEFAULT_OUTPUT,
      defaults: {
        path: "manifests/cluster/{name}",
        wave: 10,
        project: "default",
        selfHeal: true,
        ignoreDifferences: [],
        labels: {},
        annotations: {},
      },
      include: [],
      apps: {},
      categories: {},
      argocd: { namespace: "argocd" },
      flux: {
        namespace: "flux-system",
        gitRepository: "flux-system",
        interval: "10m",
        waveDependencies: "all",
      },
    });
  });

  it("keeps an explicit 0 wave and false selfHeal (no `||` defaults)", () => {
    const repo = repoWithDirs([`${CLUSTER}/a`]);
    const { apps } = loadCatalog(
      `${REPO}defaults: { selfHeal: false }\napps:\n  a: { wave: 0 }\n`,
      "apps.yaml",
      repo,
    );
    assert.equal(apps[0]?.wave, 0);
    assert.equal(apps[0]?.selfHeal, false);
  });

  it("resolves the issue's example: kustomization entries in order, then apps-only entries, overrides applied", () => {
    const repo = repoWithDirs(
      ["metallb", "external-secrets", "homepage", "sonarr", "extra"].map((n) => `${CLUSTER}/${n}`),
      {
        [`${CLUSTER}/kustomization.yaml`]: [
          "resources:",
          "  - sonarr",
          "  # - retired",
          "  - ./metallb/",
          "  - external-secrets",
          "  - homepage",
          "",
        ].join("\n"),
      },
    );
    const text = `${REPO}include:\n  - kustomization: ${CLUSTER}/kustomization.yaml\napps:\n  metallb: { namespace: metallb-system, wave: 2 }\n  extra:\n  homepage: { ignoreDifferences: [{ group: apps, kind: Deployment, jsonPointers: [/spec/replicas] }] }\n`;
    const { apps } = loadCatalog(text, "apps.yaml", repo);
    assert.deepEqual(
      apps.map((a) => [a.name, a.namespace, a.wave, a.path]),
      [
        ["sonarr", "sonarr", 10, `${CLUSTER}/sonarr`],
        ["metallb", "metallb-system", 2, `${CLUSTER}/metallb`],
        ["external-secrets", "external-secrets", 10, `${CLUSTER}/external-secrets`],
        ["homepage", "homepage", 10, `${CLUSTER}/homepage`],
        ["extra", "extra", 10, `${CLUSTER}/extra`],
      ],
    );
    assert.deepEqual(apps[3]?.ignoreDifferences, [
      { group: "apps", kind: "Deployment", jsonPointers: ["/spec/replicas"] },
    ]);
  });

  it("reads any YAML list layout in a kustomization (flow style, quoted, trailing slash)", () => {
    const repo = repoWithDirs([`${CLUSTER}/a`, `${CLUSTER}/b`, `${CLUSTER}/c`], {
      [`${CLUSTER}/kustomization.yaml`]: `resources: [a, "./b/", 'c'] # all three\n`,
    });
    const { apps } = loadCatalog(
      `${REPO}include: [{ kustomization: ${CLUSTER}/kustomization.yaml }]\n`,
      "x.yaml",
      repo,
    );
    assert.deepEqual(
      apps.map((a) => a.name),
      ["a", "b", "c"],
    );
  });

  it("discovers apps/<category>/<app> directories as <category>-<app>, sorted, skipping hidden ones", () => {
    const repo = repoWithDirs([
      "apps/media/sonarr",
      "apps/media/jellyfin",
      "apps/ai/ollama",
      "apps/.git/x",
      "apps/ai/.cache",
    ]);
    const { apps } = loadCatalog(
      `${REPO}include: [{ directories: "apps/*/*" }]\napps: { media-sonarr: { wave: 6 } }\n`,
      "c.yaml",
      repo,
    );
    assert.deepEqual(
      apps.map((a) => [a.name, a.category, a.namespace, a.path, a.wave]),
      [
        ["ai-ollama", "ai", "ollama", "apps/ai/ollama", 10],
        ["media-jellyfin", "media", "jellyfin", "apps/media/jellyfin", 10],
        ["media-sonarr", "media", "sonarr", "apps/media/sonarr", 6],
      ],
    );
  });

  it("refuses a directory glob that matches nothing: the apps it found before would be deleted", () => {
    const error = catalogError(() =>
      loadCatalog(`${REPO}include: [{ directories: "apps/*/*" }]\n`, "c.yaml", repoWithDirs(["other/a/b"])),
    );
    assert.equal(
      error.message,
      "c.yaml: include[0].directories: apps/*/* matches no directory in the repository: an include that finds nothing would delete every app it found before; fix the glob (it is relative to the repository root) or remove the include",
    );
  });
});

describe("core/catalog: bootstrap target (one source of truth for the root app's path)", () => {
  it("defaults to manifests/bootstrap and normalises a given output", () => {
    assert.deepEqual(bootstrapTarget(parseCatalog(REPO, "a.yaml")), {
      repoURL: "https://github.com/acme/homelab",
      revision: "main",
      path: "manifests/bootstrap",
    });
    assert.equal(
      bootstrapTarget(parseCatalog(`${REPO}output: ./argocd//apps/\n`, "a.yaml")).path,
      "argocd/apps",
    );
  });

  it("reads the target from a catalog file", () => {
    assert.deepEqual(readBootstrapTarget(join(FIXTURES, "categories", "catalog.yaml")), {
      repoURL: "https://github.com/acme/home-ops",
      revision: "main",
      path: "argocd/apps",
    });
  });
});

describe("core/catalog: bad input names the file, the key and the fix", () => {
  const cases: Array<{ kind: string; text: string; repo?: Record<string, string>; expect: RegExp[] }> = [
    {
      kind: "unknown top-level key, with its line",
      text: `${REPO}aps: {}\n`,
      expect: [
        /^apps\.yaml:2:1: aps: unknown key "aps": did you mean "apps"\? remove it, or use one of repo, output, defaults, include, apps, categories, argocd, flux$/,
      ],
    },
    {
      kind: "unknown app key (typo)",
      text: `${REPO}apps:\n  metallb: { namepsace: metallb-system }\n`,
      expect: [
        /^apps\.yaml:3:14: apps\.metallb\.namepsace: unknown key "namepsace": did you mean "namespace"\? remove it, or use one of namespace, wave,/,
      ],
    },
    {
      kind: "duplicate app key",
      text: `${REPO}apps:\n  metallb: {}\n  metallb: { wave: 2 }\n`,
      expect: [/^apps\.yaml:4:3: apps: duplicate key: .*metallb.*list each|merge the two entries/],
    },
    {
      kind: "app name that is not an RFC 1123 label",
      text: `${REPO}apps:\n  Bad_App: {}\n`,
      expect: [/^apps\.yaml:3:3: apps\.Bad_App: "Bad_App" must be an RFC 1123 label.*; rename it$/m],
    },
    {
      kind: "namespace that is not an RFC 1123 label",
      text: `${REPO}apps:\n  metallb: { namespace: MetalLB-System }\n`,
      expect: [/^apps\.yaml:3:25: apps\.metallb\.namespace: "MetalLB-System" must be an RFC 1123 label/],
    },
    {
      kind: "namespace longer than 63 characters",
      text: `${REPO}apps:\n  metallb: { namespace: ${"n".repeat(64)} }\n`,
      expect: [/apps\.metallb\.namespace: "n+" is 64 characters long; an RFC 1123 label has at most 63/],
    },
    {
      kind: "negative wave",
      text: `${REPO}apps:\n  metallb: { wave: -1 }\n`,
      expect: [/^apps\.yaml:3:20: apps\.metallb\.wave: -1 is not a wave: use a whole number ≥ 0$/],
    },
    {
      kind: "fractional wave",
      text: `${REPO}defaults: { wave: 2.5 }\n`,
      expect: [/^apps\.yaml:2:19: defaults\.wave: 2\.5 is not a wave: use a whole number ≥ 0$/],
    },
    {
      kind: "wave given as a string",
      text: `${REPO}apps:\n  metallb: { wave: "2" }\n`,
      expect: [/apps\.metallb\.wave: expected number, got "2"/],
    },
    {
      kind: "path escaping the repository root",
      text: `${REPO}apps:\n  metallb: { path: ../../etc }\n`,
      expect: [
        /^apps\.yaml:3:20: apps\.metallb\.path: "\.\.\/\.\.\/etc" escapes the repository root; write a path inside the repository$/,
      ],
    },
    {
      kind: "absolute path",
      text: `${REPO}output: /srv/bootstrap\n`,
      expect: [/output: "\/srv\/bootstrap" is absolute; write it relative to the repository root/],
    },
    {
      kind: "the repository root as output",
      text: `${REPO}output: ./\n`,
      expect: [/^apps\.yaml:2:9: output: "\.\/" is the repository root; name a directory inside it$/],
    },
    {
      kind: "include with both kinds",
      text: `${REPO}include: [{ kustomization: k.yaml, directories: "a/*" }]\n`,
      expect: [/include\[0\]: give exactly one of `kustomization:` or `directories:`/],
    },
    {
      kind: "directory glob that does not end in /*",
      text: `${REPO}include: [{ directories: "apps/*/x" }]\n`,
      expect: [/include\[0\]\.directories: "apps\/\*\/x" must end in \/\* below a category directory/],
    },
    {
      kind: "missing repo",
      text: `apps: {}\n`,
      expect: [/^apps\.yaml:1:1: repo: is required \(expected object\)$/],
    },
    {
      kind: "invalid YAML",
      text: `${REPO}apps: [\n`,
      expect: [/^apps\.yaml:\d+:\d+: \(yaml\): .*; fix the YAML syntax$/],
    },
  ];
  for (const { kind, text, expect } of cases) {
    it(`rejects ${kind}`, () => {
      const error = catalogError(() => parseCatalog(text, "apps.yaml"));
      for (const pattern of expect) assert.match(error.message, pattern);
    });
  }

  const kustomization = `${REPO}include:\n  - kustomization: ${CLUSTER}/kustomization.yaml\n`;
  const resolveCases: Array<{ kind: string; text: string; repo: Record<string, string>; expect: RegExp }> = [
    {
      kind: "a missing kustomization file",
      text: kustomization,
      repo: {},
      expect:
        /^apps\.yaml: include\[0\]\.kustomization: manifests\/cluster\/kustomization\.yaml does not exist in the repository; fix the path/,
    },
    {
      kind: "a duplicate entry in a kustomization",
      text: kustomization,
      repo: {
        [`${CLUSTER}/kustomization.yaml`]: "resources:\n  - a\n  - ./a/\n",
        [`${CLUSTER}/a/k.yaml`]: "",
      },
      expect:
        /^manifests\/cluster\/kustomization\.yaml:3:5: resources\[1\]: duplicate app "a": manifests\/cluster\/a and manifests\/cluster\/a .*; list each app once$/,
    },
    {
      kind: "a kustomization entry escaping the repository root",
      text: kustomization,
      repo: { [`${CLUSTER}/kustomization.yaml`]: "resources: [../../../etc]\n" },
      expect:
        /^manifests\/cluster\/kustomization\.yaml:1:13: resources\[0\]: \.\.\/\.\.\/\.\.\/etc resolves to \.\.\/etc, which escapes the repository root/,
    },
    {
      kind: "a kustomization entry whose directory is missing",
      text: kustomization,
      repo: { [`${CLUSTER}/kustomization.yaml`]: "resources: [gone]\n" },
      expect:
        /resources\[0\]: gone: directory manifests\/cluster\/gone does not exist; create it or remove the entry/,
    },
    {
      kind: "a kustomization entry that is a file",
      text: kustomization,
      repo: { [`${CLUSTER}/kustomization.yaml`]: "resources: [ns.yaml]\n", [`${CLUSTER}/ns.yaml`]: "" },
      expect: /resources\[0\]: ns\.yaml is a file; each resources entry must name an app directory/,
    },
    {
      kind: "a discovered directory that is not an RFC 1123 label",
      text: kustomization,
      repo: { [`${CLUSTER}/kustomization.yaml`]: "resources: [My_App]\n", [`${CLUSTER}/My_App/k.yaml`]: "" },
      expect: /resources\[0\]: app name "My_App" must be an RFC 1123 label.*; rename the directory/,
    },
    {
      kind: "an app whose directory is missing",
      text: `${REPO}apps: { ghost: {} }\n`,
      repo: {},
      expect:
        /^apps\.yaml: apps\.ghost: app directory manifests\/cluster\/ghost does not exist in the repository; create it, set apps\.ghost\.path, or change defaults\.path$/,
    },
    {
      kind: "an unknown dependency (with a suggestion)",
      text: `${REPO}apps: { a: { dependsOn: [trafik] }, traefik: {} }\n`,
      repo: { [`${CLUSTER}/a/k.yaml`]: "", [`${CLUSTER}/traefik/k.yaml`]: "" },
      expect: /^apps\.yaml: apps\.a\.dependsOn\[0\]: unknown app "trafik"; did you mean "traefik"\?$/,
    },
    {
      kind: "a self-dependency",
      text: `${REPO}apps: { a: { dependsOn: [a] } }\n`,
      repo: { [`${CLUSTER}/a/k.yaml`]: "" },
      expect: /apps\.a\.dependsOn\[0\]: a depends on itself; remove the entry/,
    },
  ];
  for (const { kind, text, repo, expect } of resolveCases) {
    it(`rejects ${kind}`, () => {
      assert.match(catalogError(() => loadCatalog(text, "apps.yaml", memoryRepo(repo))).message, expect);
    });
  }

  it("reports every problem of one run at once", () => {
    const error = catalogError(() =>
      parseCatalog(`${REPO}apps:\n  a: { wave: -1, namespace: A }\n  b: { nope: 1 }\n`, "apps.yaml"),
    );
    assert.deepEqual(error.issues.map((i) => i.key).sort(), [
      "apps.a.namespace",
      "apps.a.wave",
      "apps.b.nope",
    ]);
  });
});

describe("schemas/catalog.schema.json", () => {
  it("is the JSON Schema generated from the zod schema (UPDATE_SCHEMA=1 rewrites it)", async () => {
    const file = join(__dirname, "..", "..", "schemas", "catalog.schema.json");
    const expected = await prettier.format(JSON.stringify(catalogJsonSchema()), {
      ...(await prettier.resolveConfig(file)),
      filepath: file,
    });
    if (process.env.UPDATE_SCHEMA === "1") writeFileSync(file, expected);
    assert.equal(readFileSync(file, "utf8"), expected);
  });

  it("describes the catalog's keys and forbids unknown ones", () => {
    const schema = catalogJsonSchema() as {
      properties: Record<string, unknown>;
      additionalProperties: boolean;
    };
    assert.deepEqual(Object.keys(schema.properties), [
      "repo",
      "output",
      "defaults",
      "include",
      "apps",
      "categories",
      "argocd",
      "flux",
    ]);
    assert.equal(schema.additionalProperties, false);
  });
});

describe("core/catalog: bad input found on a fresh clone (issue 9)", () => {
  it("refuses a kustomization include that lists no app directory", () => {
    const error = catalogError(() =>
      loadCatalog(
        `${REPO}include: [{ kustomization: ${CLUSTER}/kustomization.yaml }]\n`,
        "apps.yaml",
        memoryRepo({ [`${CLUSTER}/kustomization.yaml`]: "resources: []\n" }),
      ),
    );
    assert.equal(
      error.message,
      "manifests/cluster/kustomization.yaml:1:12: resources: lists no app directory (included by apps.yaml include[0].kustomization): an include that finds nothing would delete every app it found before; list the app directories or remove the include",
    );
  });

  it("says an app directory is a link out of the repository instead of calling it missing", () => {
    const repo = memoryRepo(
      {},
      new Map([["apps/media", "a symbolic link to /srv/media, outside the repository"]]),
    );
    const error = catalogError(() =>
      loadCatalog(`${REPO}apps: { jellyfin: { path: apps/media/jellyfin } }\n`, "apps.yaml", repo),
    );
    assert.equal(
      error.message,
      "apps.yaml: apps.jellyfin.path: app directory apps/media is a symbolic link to /srv/media, outside the repository: Git keeps only the link, so the engine finds no directory there; move the directory into the repository (a link inside it is fine)",
    );
  });

  it("is not a catalog when the file is a private key, and quotes none of it", () => {
    const key = fakeOpenSshPrivateKey();
    const error = catalogError(() => parseCatalog(key, "id_ed25519"));
    assert.equal(
      error.message,
      "id_ed25519: (top level): is not a catalog: a catalog is a YAML mapping with repo:, include: and apps:, but this file holds a single text value; pass the catalog file",
    );
    assertShowsNoKey(error.message, key);
  });

  it("shows only an excerpt of a long value", () => {
    const error = catalogError(() =>
      parseCatalog(`${REPO}apps:\n  a: { namespace: ${"n".repeat(500)} }\n`, "apps.yaml"),
    );
    assert.equal(
      error.message,
      `apps.yaml:3:19: apps.a.namespace: "${"n".repeat(32)}…" (500 characters) is 500 characters long; an RFC 1123 label has at most 63`,
    );
  });

  const labelCases: Array<[string, string, string]> = [
    [
      "a label key with two slashes",
      `defaults: { labels: { "a/b/c": x } }`,
      `apps.yaml:2:32: defaults.labels.a/b/c: label key "a/b/c" has more than one '/': use name or prefix/name, such as example.com/tier`,
    ],
    [
      "a label value with a space",
      `apps: { a: { labels: { tier: "front end" } } }`,
      `apps.yaml:2:30: apps.a.labels.tier: label value "front end" is not a label value: empty, or letters, digits, '-', '_' and '.', starting and ending with a letter or digit, at most 63 characters`,
    ],
    [
      "an annotation key whose prefix is not a DNS subdomain",
      `defaults: { annotations: { "my_corp.io/owner": x } }`,
      `apps.yaml:2:48: defaults.annotations.my_corp.io/owner: annotation key "my_corp.io/owner" has a prefix that is not a DNS subdomain (lower-case letters, digits, '-' and '.', such as example.com)`,
    ],
    [
      "a Flux interval of 0s",
      `flux: { interval: 0s }`,
      "apps.yaml:2:19: flux.interval: must be longer than 0: Flux reconciles again after this long; use a duration such as 30s, 10m, 1.5h or 1h30m (units ms, s, m, h)",
    ],
  ];
  for (const [what, yaml, message] of labelCases) {
    it(`refuses ${what}`, () => {
      assert.equal(catalogError(() => parseCatalog(`${REPO}${yaml}\n`, "apps.yaml")).message, message);
    });
  }

  it("accepts the Go duration 1.5h as a Flux interval, and valid labels and annotations", () => {
    const catalog = parseCatalog(
      `${REPO}flux: { interval: 1.5h }\ndefaults: { labels: { app.kubernetes.io/part-of: homelab, empty: "" }, annotations: { Example.com/Owner: "team a" } }\n`,
      "apps.yaml",
    );
    assert.equal(catalog.flux.interval, "1.5h");
    assert.deepEqual(catalog.defaults.labels, { "app.kubernetes.io/part-of": "homelab", empty: "" });
  });
});
