/**
 * Seeds 001 and 004 (shared/seeds) reproduced by a catalog: examples/applicationset-homelab and
 * examples/waves-health each hold a catalog.yaml, stand-in app directories and what generate wrote.
 * The seeds' own objects are written down below, from the seed documents and, where a document
 * names an object without spelling it out, from the seed's repository at the commit the document
 * describes (cited per seed). The test renders every Application both ApplicationSets make for
 * each directory, as the ApplicationSet controller would, and compares field by field: the only
 * differences allowed are the ones listed here, each of which docs/catalog.md explains.
 */
import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { type ArgoApplicationSet } from "../../core/catalog/applications";
import { loadCatalog } from "../../core/catalog/catalog";
import { generate, type GenerateResult } from "../../core/catalog/generate";
import { renderGoTemplates } from "../../core/catalog/go-template";
import { memoryRepo, validateObject } from "./helpers";

const EXAMPLES = join(__dirname, "..", "..", "examples");
const IN_CLUSTER = "https://kubernetes.default.svc";
const FINALIZER = "resources-finalizer.argocd.argoproj.io";

type Json = Record<string, unknown>;

/** An example directory: its files, and what generate makes of its catalog in applicationsets mode. */
function example(name: string): { files: Record<string, string>; result: GenerateResult } {
  const root = join(EXAMPLES, name);
  const files: Record<string, string> = {};
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files[relative(root, path).split("\\").join("/")] = readFileSync(path, "utf8");
  }
  const catalog = loadCatalog(files["catalog.yaml"] ?? "", "catalog.yaml", memoryRepo(files));
  const output = new Map(
    Object.entries(files)
      .filter(([path]) => path.startsWith(`${catalog.output}/`))
      .map(([path, text]) => [path.slice(catalog.output.length + 1), text]),
  );
  return { files, result: generate(catalog, output, { engine: "argocd", mode: "applicationsets" }) };
}

/** Every directory of a file list. */
function directories(files: Record<string, string>): string[] {
  const dirs = new Set<string>();
  for (const file of Object.keys(files)) {
    const parts = file.split("/");
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
  }
  return [...dirs].sort();
}

/** Go's path.Match for the patterns the seeds use (plain segments and `*`), as the git generator applies it. */
function matches(pattern: string, dir: string): boolean {
  const want = pattern.split("/");
  const parts = dir.split("/");
  return parts.length === want.length && parts.every((p, i) => want[i] === "*" || want[i] === p);
}

/** The directories a git directory generator yields (argo-cd applicationset/generators/git.go filterApps). */
function yields(set: Json, dirs: readonly string[]): string[] {
  const entries = (set as unknown as ArgoApplicationSet).spec.generators[0]?.git.directories ?? [];
  return dirs.filter(
    (dir) =>
      entries.some((e) => e.exclude !== true && matches(e.path, dir)) &&
      !entries.some((e) => e.exclude === true && matches(e.path, dir)),
  );
}

/** The fasttemplate parameters of the git generator (goTemplate: false). */
function fastTemplate<T>(value: T, path: string): T {
  const text = JSON.stringify(value)
    .replaceAll("{{path.basename}}", path.split("/").pop() ?? "")
    .replaceAll("{{path}}", path);
  return JSON.parse(text) as T;
}

/** RFC 7386 merge patch, as the controller applies a templatePatch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return patch;
  const out: Json =
    typeof target === "object" && target !== null && !Array.isArray(target) ? { ...(target as Json) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/** The Application an ApplicationSet makes for one directory (namespace: the set's, as the controller forces). */
function render(set: Json, dir: string): Json {
  const typed = set as unknown as ArgoApplicationSet & { spec: { goTemplate?: boolean } };
  const go = typed.spec.goTemplate === true;
  const template = go ? renderGoTemplates(typed.spec.template, dir) : fastTemplate(typed.spec.template, dir);
  let app: Json = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: { ...template.metadata, namespace: typed.metadata.namespace },
    spec: template.spec,
  };
  const patch = typed.spec.templatePatch;
  if (patch !== undefined) {
    // Our patches: `{{- if eq .path.path "<dir>" }}` lines, each followed by one JSON merge patch.
    const lines = patch.split("\n");
    const at = lines.findIndex((l) => l.endsWith(`eq .path.path ${JSON.stringify(dir)} }}`));
    if (at >= 0)
      app = mergePatch(app, JSON.parse((lines[at + 1] ?? "").replaceAll('{{ "{{" }}', "{{"))) as Json;
  }
  return app;
}

/** Field-level differences, `path: seed → ours`, with the directory written as <dir>. */
function differences(seed: unknown, ours: unknown, path: string, dir?: string): string[] {
  if (JSON.stringify(seed) === JSON.stringify(ours)) return [];
  const isMap = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
  if (isMap(seed) && isMap(ours)) {
    const keys = [...new Set([...Object.keys(seed), ...Object.keys(ours)])];
    return keys.flatMap((k) => differences(seed[k], ours[k], path === "" ? k : `${path}.${k}`, dir));
  }
  const basename = dir?.split("/").pop();
  const show = (v: unknown) => {
    let text = v === undefined ? "(none)" : JSON.stringify(v);
    if (dir !== undefined) text = text.replaceAll(dir, "<dir>");
    if (basename !== undefined) text = text.replace(new RegExp(`\\b${basename}\\b`, "g"), "<basename>");
    return text;
  };
  return [`${path}: ${show(seed)} → ${show(ours)}`];
}

/**
 * Compares a seed's objects with generate's: ApplicationSets by name (their own fields, then every
 * Application each renders for the example's directories), other objects by kind and name.
 */
function compare(seedObjects: readonly Json[], result: GenerateResult, dirs: readonly string[]): string[] {
  const ours = result.objects.map((o) => o.object as unknown as Json);
  const key = (o: Json) => `${String(o.kind)} ${String((o.metadata as Json).name)}`;
  const out: string[] = [];
  for (const seed of seedObjects) {
    const mine = ours.find((o) => key(o) === key(seed));
    if (mine === undefined) {
      out.push(`${key(seed)}: only in the seed`);
      continue;
    }
    if (seed.kind !== "ApplicationSet") {
      out.push(...differences(seed, mine, "").map((d) => `${key(seed)} ${d}`));
      continue;
    }
    // The ApplicationSets' own fields; their templates are compared through what they render.
    const ownFields = (spec: unknown) =>
      Object.fromEntries(
        Object.entries(spec as Json).filter(([k]) => k !== "template" && k !== "templatePatch"),
      );
    const seedSpec = ownFields(seed.spec);
    const mySpec = ownFields(mine.spec);
    out.push(
      ...differences({ ...seed, spec: seedSpec }, { ...mine, spec: mySpec }, "").map(
        (d) => `${key(seed)} ${d}`,
      ),
    );
    const seedDirs = yields(seed, dirs);
    const myDirs = yields(mine, dirs);
    const seen = new Set<string>();
    for (const dir of [...new Set([...seedDirs, ...myDirs])].sort()) {
      const lines = !myDirs.includes(dir)
        ? [`${dir}: only the seed's generator yields it`]
        : !seedDirs.includes(dir)
          ? [`${dir}: only ours yields it`]
          : differences(render(seed, dir), render(mine, dir), "", dir);
      for (const line of lines) {
        const text = `${key(seed)} → Application ${line}`;
        if (!seen.has(text)) out.push(text);
        seen.add(text);
      }
    }
  }
  for (const mine of ours) {
    if (!seedObjects.some((s) => key(s) === key(mine))) out.push(`${key(mine)}: only in ours`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Seed 001: shared/seeds/001 names the layout (pitower/kubernetes/apps/<category>/, one
// ApplicationSet per category in pitower/kubernetes/argocd/, git directory generator, Go
// templates, selfHeal disabled); the objects are the seed repository's (swibrow/home-ops at
// ec80b780, pitower/kubernetes/argocd/appset-*.yaml, before its multi-cluster restructure). The
// example uses the placeholder repository of its stack file instead of the seed's.

const SEED_001_REPO = "git@github.com:acme/home-ops.git";

function seed001Set(
  category: string,
  options: { finalizer?: boolean; createNamespace?: boolean; single?: boolean } = {},
): Json {
  const segment = "{{index .path.segments 3}}";
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "ApplicationSet",
    metadata: { name: category, namespace: "argocd" },
    spec: {
      goTemplate: true,
      goTemplateOptions: ["missingkey=error"],
      generators: [
        {
          git: {
            repoURL: SEED_001_REPO,
            revision: "main",
            directories: [
              { path: `pitower/kubernetes/apps/${category}${options.single === true ? "" : "/*"}` },
            ],
          },
        },
      ],
      template: {
        metadata: {
          name: options.single === true ? "{{.path.basename}}" : `${segment}-{{.path.basename}}`,
          namespace: "argocd",
          labels: {
            "app.kubernetes.io/category": segment,
            "app.kubernetes.io/name": "{{.path.basename}}",
            "app.kubernetes.io/instance": "{{.path.basename}}",
          },
          ...(options.finalizer === false ? {} : { finalizers: [FINALIZER] }),
        },
        spec: {
          project: "apps",
          source: { repoURL: SEED_001_REPO, targetRevision: "main", path: "{{.path.path}}" },
          destination: { server: IN_CLUSTER, namespace: segment },
          syncPolicy: {
            automated: { prune: true, selfHeal: false, allowEmpty: true },
            syncOptions: [
              ...(options.createNamespace === false ? [] : ["CreateNamespace=true"]),
              "ServerSideApply=true",
              "SkipDryRunOnMissingResource=true",
              "ApplyOutOfSyncOnly=true",
            ],
            retry: { limit: 5, backoff: { duration: "5s", factor: 2, maxDuration: "3m" } },
          },
          revisionHistoryLimit: 3,
        },
      },
    },
  };
}

/** Seed 001's categories whose template has no resources finalizer: the CNI and storage. */
const SEED_001_WITHOUT_FINALIZER = new Set(["kube-system", "rook-ceph"]);

const SEED_001: Json[] = [
  "ai",
  "banking",
  "cert-manager",
  "cloudnative-pg",
  "home-automation",
  "kube-system",
  "media",
  "monitoring",
  "networking",
  "openebs",
  "rook-ceph",
  "security",
  "selfhosted",
  "system",
].map((category) =>
  seed001Set(category, {
    finalizer: !SEED_001_WITHOUT_FINALIZER.has(category),
    createNamespace: category !== "kube-system",
    single: category === "openebs",
  }),
);

/** Every difference left between seed 001's objects and generate's, each explained in docs/catalog.md. */
const seed001Differences = (names: readonly string[]) =>
  names.flatMap((name) => [
    `ApplicationSet ${name} metadata.annotations: (none) → {"argocd.argoproj.io/sync-wave":"10"}`,
    `ApplicationSet ${name} spec.syncPolicy: (none) → {"preserveResourcesOnDeletion":true}`,
    // Preserving needs a template without the finalizer (argo-cd keeps one the template writes).
    ...(SEED_001_WITHOUT_FINALIZER.has(name)
      ? []
      : [
          `ApplicationSet ${name} → Application metadata.finalizers: ["resources-finalizer.argocd.argoproj.io"] → (none)`,
        ]),
  ]);

describe("seed 001 (examples/applicationset-homelab): the ApplicationSet homelab", () => {
  const { files, result } = example("applicationset-homelab");

  it("writes what generate writes (the committed files are current)", () => {
    assert.deepEqual(result.delete, []);
    for (const [name, text] of result.files) {
      assert.equal(files[`pitower/kubernetes/argocd/${name}`], text, name);
    }
  });

  it("writes one valid ApplicationSet per category of the seed, and nothing else", async () => {
    const name = (o: { kind: string; metadata?: unknown }) =>
      `${o.kind} ${String((o.metadata as Json).name)}`;
    assert.deepEqual(
      result.objects.map((o) => name(o.object)).sort(),
      SEED_001.map((s) => name(s as never)).sort(),
    );
    for (const { object } of result.objects) await validateObject(object);
  });

  it("makes the seed's Applications field for field, but for the listed differences", () => {
    const found = compare(SEED_001, result, directories(files));
    const expected = seed001Differences(SEED_001.map((s) => (s.metadata as Json).name as string));
    assert.deepEqual(found.sort(), expected.sort());
  });
});

// ---------------------------------------------------------------------------------------------
// Seed 004: shared/seeds/004 names the objects (the root points at
// infrastructure/controllers/argocd/apps/; waves 0-2 Applications; ApplicationSets infrastructure
// (explicit path list, wave 4), monitoring (monitoring/*, wave 5) and my-apps (my-apps/*/*, wave 6);
// the sync options every ApplicationSet uses, CreateNamespace, ServerSideApply,
// RespectIgnoreDifferences and Replace=false, with ApplyOutOfSyncOnly and IgnoreMissingTemplate
// left out). The objects are the seed repository's at the commit whose files match the document
// (mitchross/talos-argocd-proxmox 47b081ae, infrastructure/controllers/argocd/apps/). The example
// uses the placeholder repository of its stack file instead of the seed's.

const SEED_004_REPO = "git@github.com:acme/cluster.git";

const SEED_004_SYNC_OPTIONS = [
  "CreateNamespace=true",
  "ServerSideApply=true",
  "RespectIgnoreDifferences=true",
  "Replace=false",
];
const HTTPROUTE_BACKEND = [
  "/spec/rules/0/backendRefs/0/group",
  "/spec/rules/0/backendRefs/0/kind",
  "/spec/rules/0/backendRefs/0/weight",
];
const EXTERNAL_SECRET = [
  ".status",
  ".metadata.finalizers",
  ".spec.data[].remoteRef.conversionStrategy",
  ".spec.data[].remoteRef.decodingStrategy",
  ".spec.data[].remoteRef.metadataPolicy",
];
const PVC = {
  group: "",
  kind: "PersistentVolumeClaim",
  jqPathExpressions: [
    ".spec.dataSourceRef",
    ".spec.dataSource",
    ".spec.volumeName",
    ".spec.resources.requests.storage",
  ],
};

function seed004Set(
  name: string,
  wave: number,
  directories: Array<{ path: string }>,
  template: { name: string; labels?: Json; ignoreDifferences: Json[]; info?: Json[] },
): Json {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "ApplicationSet",
    metadata: { name, namespace: "argocd", annotations: { "argocd.argoproj.io/sync-wave": String(wave) } },
    spec: {
      generators: [{ git: { repoURL: SEED_004_REPO, revision: "main", directories } }],
      template: {
        metadata: {
          name: template.name,
          annotations: {
            "argocd.argoproj.io/manifest-generate-paths": "{{path}}",
            "argocd.argoproj.io/sync-wave": String(wave),
          },
          ...(template.labels === undefined ? {} : { labels: template.labels }),
        },
        spec: {
          project: name,
          revisionHistoryLimit: 3,
          source: { repoURL: SEED_004_REPO, targetRevision: "main", path: "{{path}}" },
          destination: { server: IN_CLUSTER, namespace: "{{path.basename}}" },
          syncPolicy: {
            automated: { prune: true, selfHeal: true, allowEmpty: false },
            syncOptions: SEED_004_SYNC_OPTIONS,
            retry: { limit: 5, backoff: { duration: "5s", factor: 2, maxDuration: "3m" } },
          },
          ignoreDifferences: template.ignoreDifferences,
          ...(template.info === undefined ? {} : { info: template.info }),
        },
      },
    },
  };
}

function seed004Project(name: string, description: string): Json {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AppProject",
    metadata: {
      name,
      namespace: "argocd",
      annotations: { "argocd.argoproj.io/sync-wave": "0" },
      finalizers: [FINALIZER],
    },
    spec: {
      description,
      sourceRepos: [SEED_004_REPO],
      destinations: [{ namespace: "*", server: IN_CLUSTER }],
      clusterResourceWhitelist: [{ group: "*", kind: "*" }],
    },
  };
}

function seed004App(
  name: string,
  wave: number,
  path: string,
  namespace: string,
  options: {
    partOf?: boolean;
    finalizer?: boolean;
    allowEmpty?: boolean;
    syncOptions?: string[];
    retry?: [limit: number, duration: string, maxDuration: string];
    ignoreDifferences?: Json[];
  },
): Json {
  const [limit, duration, maxDuration] = options.retry ?? [];
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: {
      name,
      namespace: "argocd",
      annotations: { "argocd.argoproj.io/sync-wave": String(wave) },
      ...(options.partOf === true ? { labels: { "app.kubernetes.io/part-of": "infrastructure" } } : {}),
      ...(options.finalizer === true ? { finalizers: [FINALIZER] } : {}),
    },
    spec: {
      project: "infrastructure",
      source: { repoURL: SEED_004_REPO, targetRevision: "main", path },
      destination: { server: IN_CLUSTER, namespace },
      syncPolicy: {
        automated: {
          prune: true,
          selfHeal: true,
          ...(options.allowEmpty === false ? { allowEmpty: false } : {}),
        },
        syncOptions: options.syncOptions ?? [
          "CreateNamespace=true",
          "ServerSideApply=true",
          "RespectIgnoreDifferences=true",
        ],
        ...(limit === undefined ? {} : { retry: { limit, backoff: { duration, factor: 2, maxDuration } } }),
      },
      ...(options.ignoreDifferences === undefined ? {} : { ignoreDifferences: options.ignoreDifferences }),
    },
  };
}

const DATA_OF_CONFIGMAPS_AND_SECRETS = [
  { group: "", kind: "ConfigMap", jsonPointers: ["/data"] },
  { group: "", kind: "Secret", jsonPointers: ["/data"] },
];
const CERTS = ["/data/ca.crt", "/data/tls.crt", "/data/tls.key"];

const SEED_004: Json[] = [
  seed004Project("infrastructure", "Infrastructure components like controllers, networking, and storage."),
  seed004Project("my-apps", "User-facing applications."),
  seed004Project("monitoring", "Monitoring and observability stack (Prometheus, Grafana, Loki)."),
  seed004App("cilium", 0, "infrastructure/networking/cilium", "kube-system", {
    partOf: true,
    allowEmpty: false,
    retry: [10, "10s", "5m"],
    ignoreDifferences: [
      { group: "", kind: "ConfigMap", name: "hubble-ca-cert", jsonPointers: ["/data"] },
      {
        kind: "Secret",
        name: "cilium-ca",
        namespace: "kube-system",
        jsonPointers: ["/data/ca.crt", "/data/ca.key"],
      },
      { kind: "Secret", name: "hubble-server-certs", namespace: "kube-system", jsonPointers: CERTS },
      { kind: "Secret", name: "hubble-relay-client-certs", namespace: "kube-system", jsonPointers: CERTS },
    ],
  }),
  seed004App("1passwordconnect", 0, "infrastructure/controllers/1passwordconnect", "1passwordconnect", {
    finalizer: true,
    retry: [5, "5s", "3m"],
  }),
  seed004App("external-secrets", 0, "infrastructure/controllers/external-secrets", "external-secrets", {
    finalizer: true,
    retry: [5, "5s", "3m"],
  }),
  seed004App("longhorn", 1, "infrastructure/storage/longhorn", "longhorn-system", {
    partOf: true,
    allowEmpty: false,
    retry: [10, "15s", "5m"],
    ignoreDifferences: DATA_OF_CONFIGMAPS_AND_SECRETS,
  }),
  seed004App("snapshot-controller", 1, "infrastructure/storage/snapshot-controller", "snapshot-controller", {
    partOf: true,
    allowEmpty: false,
    retry: [10, "15s", "5m"],
  }),
  seed004App("volsync", 1, "infrastructure/storage/volsync", "volsync-system", {
    partOf: true,
    allowEmpty: false,
    retry: [10, "15s", "5m"],
    ignoreDifferences: DATA_OF_CONFIGMAPS_AND_SECRETS,
  }),
  seed004App("pvc-plumber", 2, "infrastructure/controllers/pvc-plumber", "volsync-system", {
    finalizer: true,
    syncOptions: ["CreateNamespace=false", "ServerSideApply=true"],
  }),
  seed004App("kyverno", 3, "infrastructure/controllers/kyverno", "kyverno", {
    finalizer: true,
    syncOptions: ["CreateNamespace=true", "ServerSideApply=true"],
  }),
  seed004Set(
    "infrastructure",
    4,
    [
      ...[
        "cert-manager",
        "external-dns",
        "goldilocks",
        "gpu-priority-classes",
        "intel-device-plugins",
        "node-feature-discovery",
        "nvidia-device-plugin",
        "nvidia-gpu-operator",
        "postgres-operator",
        "metrics-server",
        "reloader",
        "vertical-pod-autoscaler",
      ].map((d) => `infrastructure/controllers/${d}`),
      ...["cloudflared", "coredns", "gateway"].map((d) => `infrastructure/networking/${d}`),
      ...[
        "container-registry",
        "csi-driver-nfs",
        "csi-driver-smb",
        "local-storage",
        "longhorn",
        "openebs",
        "snapshot-controller",
        "volsync",
        "kopia-ui",
      ].map((d) => `infrastructure/storage/${d}`),
      "infrastructure/database/*/*",
      "infrastructure/crds",
    ].map((path) => ({ path })),
    {
      name: "{{path.basename}}",
      labels: { "app.kubernetes.io/part-of": "infrastructure" },
      ignoreDifferences: [
        { group: "gateway.networking.k8s.io", kind: "HTTPRoute", jsonPointers: HTTPROUTE_BACKEND },
        { group: "gateway.networking.k8s.io", kind: "Gateway", jsonPointers: ["/status"] },
        { group: "postgresql.cnpg.io", kind: "Cluster", jsonPointers: ["/status", "/metadata/generation"] },
        { group: "external-secrets.io", kind: "ExternalSecret", jqPathExpressions: EXTERNAL_SECRET },
        { group: "kyverno.io", kind: "ClusterPolicy", jsonPointers: ["/status", "/metadata/generation"] },
        PVC,
      ],
    },
  ),
  seed004Set("monitoring", 5, [{ path: "monitoring/*" }], {
    name: "monitoring-{{path.basename}}",
    ignoreDifferences: [
      { group: "gateway.networking.k8s.io", kind: "HTTPRoute", jsonPointers: HTTPROUTE_BACKEND },
      { group: "external-secrets.io", kind: "ExternalSecret", jqPathExpressions: EXTERNAL_SECRET },
      PVC,
    ],
    info: [{ name: "Description", value: "Monitoring component: {{path.basename}}" }],
  }),
  seed004Set("my-apps", 6, [{ path: "my-apps/*/*" }], {
    name: "my-apps-{{path.basename}}",
    ignoreDifferences: [
      {
        group: "gateway.networking.k8s.io",
        kind: "HTTPRoute",
        jsonPointers: [...HTTPROUTE_BACKEND, "/status"],
      },
      {
        group: "external-secrets.io",
        kind: "ExternalSecret",
        jqPathExpressions: [".status", ".metadata.generation", ...EXTERNAL_SECRET.slice(1)],
      },
      PVC,
    ],
    info: [{ name: "Description", value: "Application: {{path.basename}}" }],
  }),
];

/** Every difference left between seed 004's objects and generate's, each explained in docs/catalog.md. */
function seed004Differences(): string[] {
  const set = (name: string, wave: number) => [
    `ApplicationSet ${name} spec.goTemplate: (none) → true`,
    `ApplicationSet ${name} spec.goTemplateOptions: (none) → ["missingkey=error"]`,
    `ApplicationSet ${name} spec.syncPolicy: (none) → {"preserveResourcesOnDeletion":true}`,
    `ApplicationSet ${name} → Application metadata.annotations.argocd.argoproj.io/sync-wave: "${wave}" → (none)`,
  ];
  const infrastructure = SEED_004.find(
    (o) => o.kind === "ApplicationSet" && (o.metadata as Json).name === "infrastructure",
  ) as unknown as ArgoApplicationSet;
  const generators = infrastructure.spec.generators;
  const excluded = ["longhorn", "snapshot-controller", "volsync"].map((d) => `infrastructure/storage/${d}`);
  const withExcludes = generators.map((g) => ({
    git: {
      ...g.git,
      directories: [...g.git.directories, ...excluded.map((path) => ({ path, exclude: true }))],
    },
  }));
  return [
    ...["infrastructure", "my-apps", "monitoring"].flatMap((name) => [
      `AppProject ${name} metadata.annotations: {"argocd.argoproj.io/sync-wave":"0"} → (none)`,
    ]),
    `ApplicationSet infrastructure spec.generators: ${JSON.stringify(generators)} → ${JSON.stringify(withExcludes)}`,
    ...set("infrastructure", 4),
    ...excluded.map(
      (dir) => `ApplicationSet infrastructure → Application ${dir}: only the seed's generator yields it`,
    ),
    ...set("monitoring", 5),
    `ApplicationSet monitoring → Application spec.info: [{"name":"Description","value":"Monitoring component: <basename>"}] → (none)`,
    ...set("my-apps", 6),
    `ApplicationSet my-apps → Application spec.info: [{"name":"Description","value":"Application: <basename>"}] → (none)`,
  ];
}

describe("seed 004 (examples/waves-health): waves and health", () => {
  const { files, result } = example("waves-health");

  it("writes what generate writes (the committed files are current)", () => {
    assert.deepEqual(result.delete, []);
    for (const [name, text] of result.files) {
      assert.equal(files[`infrastructure/controllers/argocd/apps/${name}`], text, name);
    }
  });

  it("writes the seed's AppProjects, Applications and ApplicationSets, each valid against its CRD schema", async () => {
    const name = (o: { kind: string; metadata?: unknown }) =>
      `${o.kind} ${String((o.metadata as Json).name)}`;
    assert.deepEqual(
      result.objects.map((o) => name(o.object)).sort(),
      SEED_004.map((s) => name(s as never)).sort(),
    );
    for (const { object } of result.objects) await validateObject(object);
  });

  it("makes the seed's objects field for field, but for the listed differences", () => {
    assert.deepEqual(compare(SEED_004, result, directories(files)).sort(), seed004Differences().sort());
  });
});
