/**
 * Seed 002, the Flux homelab, as examples/flux-homelab/catalog.yaml: generate must write the
 * seed's own Kustomizations, field for field.
 *
 * What the seed's document (shared/seeds/002) says: Flux reconciles a private manifest repository;
 * the Kustomization flux-bootstrap points at "an app named flux, which defines all applications
 * Flux should manage" (app of apps), so removing an app from the project removes it from the
 * cluster (prune). The fields the document leaves open are those the seed's own generator writes
 * (github.com/benfiola/homelab, src/templates/flux/chart.ts, read at commit a8aef14): one
 * Kustomization per app of config/apps.yaml whose `flux` is not false, plus `crds`, sorted by
 * name, each in flux-system with
 *   dependsOn: the app's `dependencies` as [{ name }] (left out when it has none),
 *   force: true, interval: 30s, path: ./apps/<app>, prune: true,
 *   sourceRef: { kind: GitRepository, name: flux-system, namespace: flux-system },
 * and nothing else (no targetNamespace, wait, retryInterval or timeout).
 */
import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parse } from "yaml";
import { generateCommand } from "../../cli/generate";
import { loadCatalog } from "../../core/catalog/catalog";
import { generate, KUSTOMIZATION_FILE } from "../../core/catalog/generate";
import { memoryRepo, validateObject } from "./helpers";

const EXAMPLE = join(__dirname, "..", "..", "examples", "flux-homelab");

/** The seed's apps (config/apps.yaml, without flux-bootstrap; with crds), in its sorted order. */
const SEED_APPS = [
  "alertmanager",
  "alloy",
  "azerothcore",
  "bucket-sync",
  "cert-manager",
  "cilium",
  "crds",
  "csi-driver-nfs",
  "descheduler",
  "dynamic-dns",
  "envoy-gateway",
  "external-dns",
  "external-snapshotter",
  "frigate",
  "garage",
  "garage-operator",
  "gateway",
  "gateway-api",
  "gateway-route-sync",
  "grafana",
  "grafana-operator",
  "home-assistant",
  "intel-device-plugins",
  "intel-device-plugins-operator",
  "kube-state-metrics",
  "linstor",
  "llama-cpp",
  "loki",
  "mdns-reflector",
  "mediarr",
  "metrics-server",
  "minecraft",
  "monitoring-config",
  "mosquitto",
  "multus",
  "multus-network",
  "music-assistant",
  "network-policy",
  "node-feature-discovery",
  "nvidia-gpu-operator",
  "palworld",
  "piraeus-operator",
  "postfix",
  "prometheus",
  "prometheus-node-exporter",
  "prometheus-operator",
  "pvc-restore",
  "reloader",
  "single-player-tarkov",
  "storage-class",
  "tunnel",
  "vault",
  "vault-push-secrets",
  "vault-secrets-operator",
  "vertical-pod-autoscaler",
  "volsync",
  "volume-snapshot-api",
  "wyoming-piper",
  "wyoming-whisper",
];

/** One of the seed's Kustomizations, written down from its generator. */
function seedKustomization(app: string, dependencies: readonly string[] = []) {
  return {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: app, namespace: "flux-system" },
    spec: {
      ...(dependencies.length > 0 ? { dependsOn: dependencies.map((name) => ({ name })) } : {}),
      force: true,
      interval: "30s",
      path: `./apps/${app}`,
      prune: true,
      sourceRef: { kind: "GitRepository", name: "flux-system", namespace: "flux-system" },
    },
  };
}

/** The example directory as an in-memory repository. */
function exampleFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(EXAMPLE, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files[relative(EXAMPLE, path).split("\\").join("/")] = readFileSync(path, "utf8");
  }
  return files;
}

describe("seed 002 (Flux homelab) as examples/flux-homelab/catalog.yaml", () => {
  const files = exampleFiles();

  it("writes exactly the seed's Kustomizations, in its order, and nothing else", async () => {
    const catalog = loadCatalog(files["catalog.yaml"] ?? "", "catalog.yaml", memoryRepo(files));
    const { objects, warnings } = generate(catalog, new Map(), { engine: "flux" });
    assert.deepEqual(warnings, []);
    assert.deepEqual(
      objects.map((o) => o.object),
      SEED_APPS.map((app) => seedKustomization(app)),
    );
    assert.deepEqual(
      objects.map((o) => o.file),
      SEED_APPS.map((app) => `${app}-ks.yaml`),
    );
    for (const { object } of objects) await validateObject(object as never);
  });

  it("turns the seed's per-app dependencies into the same dependsOn (a name, no namespace)", () => {
    const text = (files["catalog.yaml"] ?? "")
      .replace("  cert-manager: {}", "  cert-manager: { dependsOn: [crds] }")
      .replace("  grafana: {}", "  grafana: { dependsOn: [grafana-operator, prometheus] }");
    const { objects } = generate(loadCatalog(text, "catalog.yaml", memoryRepo(files)), new Map(), {
      engine: "flux",
    });
    const find = (name: string) => objects.find((o) => o.file === `${name}-ks.yaml`)?.object;
    assert.deepEqual(find("cert-manager"), seedKustomization("cert-manager", ["crds"]));
    assert.deepEqual(find("grafana"), seedKustomization("grafana", ["grafana-operator", "prometheus"]));
  });

  it("keeps the committed output current (generate --check), listing every Kustomization", async () => {
    let out = "";
    const code = await generateCommand(
      ["--catalog", join(EXAMPLE, "catalog.yaml"), "--engine", "flux", "--check"],
      { out: (t) => (out += t), err: () => undefined },
    );
    assert.equal(code, 0, out);
    const listed = (parse(files[`apps/flux/${KUSTOMIZATION_FILE}`] ?? "") as { resources: string[] })
      .resources;
    assert.deepEqual(
      listed,
      SEED_APPS.map((app) => `${app}-ks.yaml`),
    );
  });
});
