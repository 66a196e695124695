/**
 * The seeds whose output is plain Argo CD Applications, reproduced by a catalog under examples/:
 * seed 000 (examples/terragrunt-homelab, generate-apps.sh) and seed 003
 * (examples/chart-list-homelab, a list of apps rendering Helm charts from one repository). The
 * expected objects are written down from the seed documents (shared/seeds/000_*.txt, 003_*.txt);
 * docs/catalog.md ("Seeds reproduced") lists every field the seed does not state and why we chose it.
 */
import { strict as assert } from "node:assert";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { loadCatalog } from "../../core/catalog/catalog";
import { listedRepo, type RepoView } from "../../core/catalog/repo-view";
import { generate, GENERATED_MARKER } from "../../core/catalog/generate";
import { REPO_ROOT } from "../support/harness";
import { validateObject } from "./helpers";

const IN_CLUSTER = "https://kubernetes.default.svc";
const FINALIZER = "resources-finalizer.argocd.argoproj.io";
/** Seed 000: "Retry — 5 retries with exponential backoff (30s initial, 2m max)"; exponential: factor 2. */
const SEED_RETRY = { backoff: { duration: "30s", factor: 2, maxDuration: "2m" }, limit: 5 };

/** An example directory as a RepoView. */
function exampleRepo(dir: string): RepoView {
  const root = join(REPO_ROOT, "examples", dir);
  const files: Record<string, string> = {};
  const walk = (path: string) => {
    for (const entry of readdirSync(path)) {
      const full = join(path, entry);
      if (statSync(full).isDirectory()) walk(full);
      else
        files[
          full
            .slice(root.length + 1)
            .split("\\")
            .join("/")
        ] = readFileSync(full, "utf8");
    }
  };
  walk(root);
  return listedRepo(Object.keys(files).sort(), (path) => files[path]);
}

/** The committed generated files of an example, parsed, by Application name. */
function committed(dir: string, output: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const path = join(REPO_ROOT, "examples", dir, output);
  for (const file of readdirSync(path)) {
    if (!file.endsWith("-app.yaml")) continue;
    const text = readFileSync(join(path, file), "utf8");
    assert.ok(text.split("\n")[1]?.startsWith(GENERATED_MARKER), file);
    const object = parse(text) as { metadata: { name: string } };
    out.set(object.metadata.name, object);
  }
  return out;
}

function generated(dir: string): Map<string, unknown> {
  const repo = exampleRepo(dir);
  const catalog = loadCatalog(repo.read("catalog.yaml") ?? "", "catalog.yaml", repo);
  const result = generate(catalog, new Map(), { engine: "argocd" });
  return new Map(
    result.objects.map(({ object }) => [
      (object as unknown as { metadata: { name: string } }).metadata.name,
      object,
    ]),
  );
}

// ---------------------------------------------------------------------------------------------
// Seed 000: "Per-service Applications — Each *-app.yaml is an ArgoCD Application that syncs the
// corresponding manifests/cluster/<service>/ directory", namespace_map, sync_wave_map, the sync
// policy "Automated sync, Prune, Self-heal, Retry".

const SEED_000_WAVES: ReadonlyArray<readonly [service: string, wave: number, namespace: string]> = [
  ["external-secrets", 0, "external-secrets"],
  ["cert-manager", 1, "cert-manager"],
  ["traefik", 2, "traefik"],
  ["metallb", 2, "metallb-system"], // "namespace_map (e.g., metallb→metallb-system)"
  ["longhorn", 3, "longhorn-system"], // not stated in the seed: Longhorn's own namespace (docs/catalog.md)
  ["dex", 4, "dex"],
  ["sonarr", 10, "sonarr"], // "10 | All application workloads | (sonarr, radarr, jellyfin, etc.)"
  ["radarr", 10, "radarr"],
  ["jellyfin", 10, "jellyfin"],
];

function seed000Application(service: string, wave: number, namespace: string) {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: {
      name: service,
      namespace: "argocd", // "Installs ArgoCD via Helm chart into the argocd namespace"
      annotations: { "argocd.argoproj.io/sync-wave": String(wave) },
      finalizers: [FINALIZER], // "Prune — Resources removed from Git are deleted"; generate-apps.sh wrote it
    },
    spec: {
      destination: { server: IN_CLUSTER, namespace },
      project: "default",
      source: {
        path: `manifests/cluster/${service}`,
        repoURL: "git@github.com:acme/homelab.git", // the example stack's repository
        targetRevision: "main", // "Developer pushes to main"
      },
      syncPolicy: { automated: { prune: true, selfHeal: true }, retry: SEED_RETRY },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Seed 003: "Each generated Application manifest points to its own Helm chart in the
// spitikos/charts repository"; "Argo CD automatically syncs the application"; homepage, autoscaled
// with KEDA, ignores the replica count with exactly the seed's block.

const SEED_003_IGNORE = [{ group: "apps", kind: "Deployment", jsonPointers: ["/spec/replicas"] }];

function seed003Application(
  name: string,
  extra: { ignoreDifferences?: unknown; syncOptions?: string[] } = {},
) {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: {
      name,
      namespace: "argocd",
      annotations: { "argocd.argoproj.io/sync-wave": "10" },
      finalizers: [FINALIZER],
    },
    spec: {
      destination: { server: IN_CLUSTER, namespace: name },
      project: "default",
      source: { path: `charts/${name}`, repoURL: "https://github.com/acme/charts", targetRevision: "main" },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        ...(extra.syncOptions === undefined ? {} : { syncOptions: extra.syncOptions }),
        retry: SEED_RETRY,
      },
      ...(extra.ignoreDifferences === undefined ? {} : { ignoreDifferences: extra.ignoreDifferences }),
    },
  };
}

describe("seed examples: the seeds' Applications, field for field", () => {
  describe("seed 000 (examples/terragrunt-homelab): generate-apps.sh", () => {
    const expected = new Map(SEED_000_WAVES.map(([s, w, n]) => [s, seed000Application(s, w, n)]));

    it("generates exactly the seed's Applications, in the kustomization's order", () => {
      const ours = generated("terragrunt-homelab");
      assert.deepEqual([...ours.keys()], [...expected.keys()]);
      for (const [name, object] of expected) assert.deepEqual(ours.get(name), object, name);
    });

    it("has those objects committed (examples/terragrunt-homelab/manifests/bootstrap)", () => {
      const files = committed("terragrunt-homelab", "manifests/bootstrap");
      assert.deepEqual(new Set(files.keys()), new Set(expected.keys()));
      for (const [name, object] of expected) assert.deepEqual(files.get(name), object, name);
    });

    it("writes objects valid against the Argo CD CRD schema", async () => {
      for (const object of generated("terragrunt-homelab").values()) await validateObject(object as never);
    });
  });

  describe("seed 003 (examples/chart-list-homelab): a list of apps rendering charts from one repository", () => {
    const homepage = seed003Application("homepage", {
      ignoreDifferences: SEED_003_IGNORE,
      // Not in the seed: without it each sync writes replicaCount back over KEDA's count (docs/catalog.md).
      syncOptions: ["RespectIgnoreDifferences=true"],
    });
    // Not in the seed: KEDA itself (which the seed's autoscaling needs) from its upstream chart,
    // values from this repository through a $values source.
    const kedaExpected = {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Application",
      metadata: {
        name: "keda",
        namespace: "argocd",
        annotations: { "argocd.argoproj.io/sync-wave": "0" },
        finalizers: [FINALIZER],
      },
      spec: {
        destination: { server: IN_CLUSTER, namespace: "keda" },
        project: "default",
        sources: [
          {
            repoURL: "https://kedacore.github.io/charts",
            chart: "keda",
            targetRevision: "2.16.0",
            helm: { releaseName: "keda", valueFiles: ["$values/values/keda/values.yaml"] },
          },
          { repoURL: "https://github.com/acme/charts", targetRevision: "main", ref: "values" },
        ],
        syncPolicy: {
          automated: { prune: true, selfHeal: true },
          syncOptions: ["CreateNamespace=true", "ServerSideApply=true"],
          retry: SEED_RETRY,
        },
      },
    };
    const expected = new Map<string, unknown>([
      ["keda", kedaExpected],
      ["homepage", homepage],
      ["whoami", seed003Application("whoami")],
    ]);

    it("generates the seed's Applications (homepage with its ignoreDifferences block as the seed writes it)", () => {
      const ours = generated("chart-list-homelab");
      assert.deepEqual([...ours.keys()], [...expected.keys()]);
      for (const [name, object] of expected) assert.deepEqual(ours.get(name), object, name);
      const spec = (ours.get("homepage") as { spec: { ignoreDifferences: unknown } }).spec;
      assert.deepEqual(spec.ignoreDifferences, SEED_003_IGNORE);
    });

    it("has those objects committed (examples/chart-list-homelab/argocd/applications)", () => {
      const files = committed("chart-list-homelab", "argocd/applications");
      for (const [name, object] of expected) assert.deepEqual(files.get(name), object, name);
    });

    it("writes objects valid against the Argo CD CRD schema", async () => {
      for (const object of generated("chart-list-homelab").values()) await validateObject(object as never);
    });

    it("keeps every app's chart in the repository, or names an upstream chart", () => {
      const repo = exampleRepo("chart-list-homelab");
      for (const name of ["homepage", "whoami"]) assert.ok(repo.read(`charts/${name}/Chart.yaml`), name);
      assert.ok(repo.read("values/keda/values.yaml"));
    });
  });

  for (const [dir, output] of [
    ["terragrunt-homelab", "manifests/bootstrap"],
    ["chart-list-homelab", "argocd/applications"],
  ] as const) {
    it(`examples/${dir}: the committed output is what generate writes, byte for byte`, () => {
      const repo = exampleRepo(dir);
      const catalog = loadCatalog(repo.read("catalog.yaml") ?? "", "catalog.yaml", repo);
      const path = join(REPO_ROOT, "examples", dir, output);
      const existing = new Map(readdirSync(path).map((f) => [f, readFileSync(join(path, f), "utf8")]));
      const result = generate(catalog, existing, { engine: "argocd" });
      assert.deepEqual(result.delete, []);
      assert.deepEqual([...result.files.keys()].sort(), [...existing.keys()].sort());
      for (const [file, text] of result.files) assert.equal(text, existing.get(file), file);
    });
  }
});
