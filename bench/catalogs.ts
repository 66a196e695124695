/**
 * Synthetic manifest repositories for the benchmarks, shaped like the Terragrunt homelab: one
 * manifests/cluster/kustomization.yaml listing N app directories, six of them in waves 0..4
 * (two with their own namespace), every other app in the default wave 10.
 *
 * `apps.yaml` generates Argo CD Applications into manifests/bootstrap (what generate-apps.sh
 * writes); `flux.yaml` the Flux Kustomizations into manifests/flux. With `wide`, 5% of the apps
 * are spread over waves 0..6, so each default-wave app depends on every app of wave 6 in Flux
 * (~70 at 10,000 apps): output that grows faster than the app count.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The six apps the homelab maps: name → catalog override (as generate-apps.sh's two maps). */
const HOMELAB_OVERRIDES: ReadonlyArray<[string, string]> = [
  ["app-00000", "{ wave: 0 }"],
  ["app-00001", "{ wave: 1 }"],
  ["app-00002", "{ wave: 2 }"],
  ["app-00003", "{ namespace: app-00003-system, wave: 2 }"],
  ["app-00004", "{ namespace: app-00004-system, wave: 3 }"],
  ["app-00005", "{ wave: 4 }"],
];

export function appName(i: number): string {
  return `app-${String(i).padStart(5, "0")}`;
}

/** Writes the repository into `dir` (which must be empty) and returns the catalog files. */
export function writeRepository(
  dir: string,
  apps: number,
  options: { wide?: boolean } = {},
): { argocd: string; flux: string } {
  const names = Array.from({ length: apps }, (_, i) => appName(i));
  for (const name of names) {
    const app = join(dir, "manifests", "cluster", name);
    mkdirSync(app, { recursive: true });
    writeFileSync(join(app, "kustomization.yaml"), "resources: [deployment.yaml]\n");
    writeFileSync(join(app, "deployment.yaml"), "kind: Deployment\n");
  }
  writeFileSync(
    join(dir, "manifests", "cluster", "kustomization.yaml"),
    `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${names.map((n) => `  - ${n}\n`).join("")}`,
  );
  writeCatalogs(dir, overridesFor(apps, options.wide), 0);
  return { argocd: join(dir, "apps.yaml"), flux: join(dir, "flux.yaml") };
}

/**
 * (Re)writes the two catalogs. Each `variant` changes every generated Application (its revision)
 * and Kustomization (its interval); variant 0 is revision main, interval 10m.
 */
export function writeCatalogs(
  dir: string,
  overrides: ReadonlyArray<[string, string]>,
  variant: number,
): void {
  const body = (output: string) =>
    [
      `repo: { url: https://github.com/acme/homelab, revision: ${variant === 0 ? "main" : `release-${variant}`} }`,
      `flux: { interval: ${10 + variant}m }`,
      `output: ${output}`,
      "include:",
      "  - kustomization: manifests/cluster/kustomization.yaml",
      "apps:",
      ...overrides.map(([name, override]) => `  ${name}: ${override}`),
      "",
    ].join("\n");
  writeFileSync(join(dir, "apps.yaml"), body("manifests/bootstrap"));
  writeFileSync(join(dir, "flux.yaml"), body("manifests/flux"));
}

/** The overrides writeRepository used, so a benchmark can rewrite the catalogs with another revision. */
export function overridesFor(apps: number, wide = false): Array<[string, string]> {
  const names = Array.from({ length: apps }, (_, i) => appName(i));
  return wide
    ? names.flatMap((name, i) =>
        i % 20 === 0 ? [[name, `{ wave: ${(i / 20) % 7} }`] as [string, string]] : [],
      )
    : HOMELAB_OVERRIDES.filter(([name]) => names.includes(name));
}
