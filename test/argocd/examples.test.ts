/**
 * The Argo CD configuration of seeds 000, 001 and 004 (shared/seeds), each written as a stack file
 * under examples/<seed>/: synth of each writes chart values that set what that seed sets.
 */
import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { parse } from "yaml";
import { APPLICATION_HEALTH_LUA } from "../../core/argocd/argocd";
import { valueAt } from "../../core/shared/values";
import { REPO_ROOT, runCli } from "../support/harness";

/** A seed's key: what the seed says, where synth writes it (helm values or a manifest), the value. */
type SeedKey = readonly [seedSays: string, file: string, path: readonly string[], value: unknown];

const SEEDS: ReadonlyArray<readonly [seed: string, stack: string, keys: readonly SeedKey[]]> = [
  [
    "000 Terragrunt homelab",
    "terragrunt-homelab",
    [
      ["argocd-install: the chart in the argocd namespace", "resources", ["namespace"], "argocd"],
      ["dex (wave 4): OIDC for ArgoCD", "helm/argocd.yaml", ["dex", "enabled"], false],
      ["OIDC for ArgoCD, from the cluster's Dex", "oidc", [], "https://dex.home.example.com"],
      ["SSO, so no shared admin", "helm/argocd.yaml", ["configs", "cm", "admin.enabled"], false],
      ["traefik (wave 2): ingress", "helm/argocd.yaml", ["server", "ingress", "ingressClassName"], "traefik"],
      [
        "cert-manager (wave 1): TLS for ingress",
        "helm/argocd.yaml",
        ["server", "ingress", "annotations", "cert-manager.io/cluster-issuer"],
        "letsencrypt",
      ],
      ["Traefik ends TLS", "helm/argocd.yaml", ["configs", "params", "server.insecure"], true],
      ["hostname", "helm/argocd.yaml", ["global", "domain"], "argocd.home.example.com"],
      [
        "argocd-configure: Application bootstrap watching manifests/bootstrap",
        "manifests/argocd/application-bootstrap.yaml",
        ["spec", "source", "path"],
        "manifests/bootstrap",
      ],
      [
        "Self-heal: manual changes are reverted",
        "manifests/argocd/application-bootstrap.yaml",
        ["spec", "syncPolicy", "automated", "selfHeal"],
        true,
      ],
    ],
  ],
  [
    "001 ApplicationSet homelab",
    "applicationset-homelab",
    [
      [
        "Kustomize with HelmChartInflationGenerator, local values files",
        "helm/argocd.yaml",
        ["configs", "cm", "kustomize.buildOptions"],
        "--enable-helm --load-restrictor LoadRestrictionsNone",
      ],
      [
        "ApplicationSets (progressive syncs, as issue 12 lists)",
        "helm/argocd.yaml",
        ["configs", "params", "applicationsetcontroller.enable.progressive.syncs"],
        true,
      ],
      [
        "selfHeal disabled",
        "manifests/argocd/application-bootstrap.yaml",
        ["spec", "syncPolicy", "automated", "selfHeal"],
        false,
      ],
      [
        "argocd/: the ApplicationSet definitions",
        "manifests/argocd/application-bootstrap.yaml",
        ["spec", "source", "path"],
        "pitower/kubernetes/argocd",
      ],
      ["a mature UI", "helm/argocd.yaml", ["server", "ingress", "hostname"], "argocd.example.com"],
      [
        "app-argocd.yaml: the self-managing Application, syncing bootstrap/",
        "manifests/argocd/application-argocd.yaml",
        ["spec", "source", "path"],
        "kubernetes/bootstrap",
      ],
    ],
  ],
  [
    "004 waves and health",
    "waves-health",
    [
      [
        "the Wait for Child health check in values.yaml",
        "helm/argocd.yaml",
        ["configs", "cm", "resource.customizations.health.argoproj.io_Application"],
        APPLICATION_HEALTH_LUA,
      ],
      [
        'resource.server-side-diff: "true" in argocd-cm',
        "helm/argocd.yaml",
        ["configs", "cm", "resource.server-side-diff"],
        "true",
      ],
      [
        "Server-Side Diff paired with Server-Side Apply",
        "helm/argocd.yaml",
        ["configs", "params", "controller.diff.server.side"],
        true,
      ],
      [
        "root.yaml points to infrastructure/controllers/argocd/apps/",
        "manifests/argocd/application-root.yaml",
        ["spec", "source", "path"],
        "infrastructure/controllers/argocd/apps",
      ],
      [
        "root.yaml ignores its child Applications' /status and /operation",
        "manifests/argocd/application-root.yaml",
        ["spec", "ignoreDifferences"],
        [{ group: "argoproj.io", kind: "Application", jsonPointers: ["/status", "/operation"] }],
      ],
      [
        "ServerSideApply=true in every sync policy",
        "manifests/argocd/application-root.yaml",
        ["spec", "syncPolicy", "syncOptions"],
        ["ServerSideApply=true"],
      ],
    ],
  ],
];

describe("examples: seed 001's Argo CD manages its own install from the files handoff writes", () => {
  const work = mkdtempSync(join(tmpdir(), "gitops-examples-handoff-"));
  after(() => rmSync(work, { recursive: true, force: true }));

  it("writes the chart, version, release name, namespace and values the stack's Helm release installs", function () {
    this.timeout(120_000);
    const stack = "applicationset-homelab";
    const file = join(REPO_ROOT, "examples", stack, `Pulumi.${stack}.yaml`);
    const out = join(work, "out");
    const root = join(work, "manifests");
    mkdirSync(root);
    assert.equal(runCli(["synth", "--stack", stack, "--config-file", file, "--out", out]).status, 0);
    const run = runCli(["handoff", "--stack", stack, "--config-file", file, "--root", root]);
    assert.equal(run.status, 0, run.stderr);
    const resources = JSON.parse(readFileSync(join(out, "resources.json"), "utf8")) as Array<{
      type: string;
      name: string;
      options: { retainOnDelete?: boolean; ignoreChanges?: string[] };
      inputs: Record<string, unknown>;
    }>;
    const release = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "argocd");
    assert.ok(release !== undefined);
    const dir = join(root, "kubernetes", "bootstrap");
    const kustomization = parse(readFileSync(join(dir, "kustomization.yaml"), "utf8")) as {
      helmCharts: Array<Record<string, unknown>>;
    };
    assert.deepEqual(kustomization.helmCharts, [
      {
        name: release.inputs.chart,
        repo: (release.inputs.repositoryOpts as { repo: string }).repo,
        version: release.inputs.version,
        releaseName: release.inputs.name,
        namespace: release.inputs.namespace,
        includeCRDs: true,
        valuesFile: "values.yaml",
      },
    ]);
    assert.deepEqual(parse(readFileSync(join(dir, "values.yaml"), "utf8")), release.inputs.values);
    // synth shows the same files, so a chart bump's synth diff shows what reaches the engine.
    for (const name of ["kustomization.yaml", "values.yaml"])
      assert.equal(
        readFileSync(join(out, "handoff", "kubernetes", "bootstrap", name), "utf8"),
        readFileSync(join(dir, name), "utf8"),
        name,
      );
    assert.equal(release.options.retainOnDelete, true);
    assert.ok(release.options.ignoreChanges?.includes("values"));
  });
});

describe("examples: the seeds' Argo CD configuration as stack files", () => {
  const work = mkdtempSync(join(tmpdir(), "gitops-examples-"));
  after(() => rmSync(work, { recursive: true, force: true }));

  for (const [seed, stack, keys] of SEEDS) {
    describe(`seed ${seed}: examples/${stack}/Pulumi.${stack}.yaml`, () => {
      const out = join(work, stack);
      const read = (file: string): unknown => {
        const text = readFileSync(join(out, file), "utf8");
        return file.endsWith(".json") ? JSON.parse(text) : parse(text);
      };

      before(function () {
        this.timeout(120_000);
        const file = join(REPO_ROOT, "examples", stack, `Pulumi.${stack}.yaml`);
        const run = runCli(["synth", "--stack", stack, "--config-file", file, "--out", out]);
        assert.equal(run.status, 0, run.stderr);
      });

      for (const [says, file, path, value] of keys) {
        it(`sets ${says}`, () => {
          if (file === "resources") {
            const resources = read("resources.json") as Array<{
              type: string;
              inputs: { namespace?: string };
            }>;
            const release = resources.find(
              (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.namespace,
            );
            assert.equal(release?.inputs.namespace, value);
          } else if (file === "oidc") {
            const config = String(valueAt(read("helm/argocd.yaml"), ["configs", "cm", "oidc.config"]));
            assert.match(config, new RegExp(`^issuer: "${String(value)}"$`, "m"));
          } else if (Array.isArray(value)) {
            const list = valueAt(read(file), path) as unknown[];
            // Every listed item is present (objects compared by value).
            for (const item of value)
              assert.ok(
                list.some((x) => isDeepStrictEqual(x, item)),
                `${path.join(".")}: ${JSON.stringify(list)}`,
              );
          } else {
            assert.deepEqual(valueAt(read(file), path), value);
          }
        });
      }
    });
  }
});
