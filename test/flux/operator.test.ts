/** The Flux Operator engine as plain data: the FluxInstance, the charts' values and their checks. */
import { strict as assert } from "node:assert";
import { parse } from "yaml";
import {
  fluxInstanceObject,
  fluxInstanceValues,
  fluxOperatorRepoProblems,
  fluxOperatorValues,
  fluxOperatorValuesProblems,
  fluxSyncRef,
  FLUX_INSTANCE_OPINIONS,
  type FluxOperatorSettings,
} from "../../core/flux/operator";
import { fluxOperatorSettingsSchema } from "../../core/flux/operator-settings";
import { valueAt } from "../../core/shared/values";
import { chartKeys, CHARTS, FLUX_DISTRIBUTION } from "../../core/shared/versions";
import { REPO } from "../support/fixtures";
import { validateKubernetesObject } from "../support/validate";

/** The settings a stack with no fluxOperator section resolves to, with `overrides` parsed in. */
const settings = (overrides: Record<string, unknown> = {}): FluxOperatorSettings =>
  fluxOperatorSettingsSchema.parse(overrides);

const KEYS = { operator: chartKeys("fluxOperator"), instance: chartKeys("fluxInstance") };

const problems = (s: FluxOperatorSettings) => fluxOperatorValuesProblems(s, REPO, KEYS);

describe("Flux Operator: the FluxInstance", () => {
  it("installs Flux's default controllers at the pinned Flux version, from the upstream registry", () => {
    const { spec } = fluxInstanceObject(settings(), REPO);
    assert.deepEqual(spec.components, [
      "source-controller",
      "kustomize-controller",
      "helm-controller",
      "notification-controller",
    ]);
    assert.deepEqual(spec.distribution, { version: FLUX_DISTRIBUTION.version, registry: "ghcr.io/fluxcd" });
  });

  it("is the one instance the operator accepts: flux, in the operator's namespace", () => {
    const instance = fluxInstanceObject(settings({ namespace: "gitops" }), REPO);
    assert.deepEqual(instance.metadata, { name: "flux", namespace: "gitops" });
  });

  it("syncs the manifest repository's root path over SSH with the engine's deploy key Secret", () => {
    assert.deepEqual(fluxInstanceObject(settings(), REPO).spec.sync, {
      kind: "GitRepository",
      url: "ssh://git@github.com/acme/manifests.git",
      ref: "refs/heads/main",
      path: "./manifests/bootstrap",
      pullSecret: "flux-system",
      name: "flux-system",
      interval: "1m",
    });
  });

  it("reads the same cluster settings as the operator's defaults, and the size only when set", () => {
    assert.deepEqual(fluxInstanceObject(settings(), REPO).spec.cluster, {
      type: "kubernetes",
      domain: "cluster.local",
      networkPolicy: true,
      multitenant: false,
    });
    const sized = fluxInstanceObject(settings({ cluster: { size: "medium", type: "openshift" } }), REPO);
    assert.equal(sized.spec.cluster.size, "medium");
    assert.equal(sized.spec.cluster.type, "openshift");
  });

  it("patches the root Kustomization to the flux engine's root: intervals, prune, wait, timeout, deletionPolicy Orphan", () => {
    const [root, ...rest] = fluxInstanceObject(settings({ root: { retryInterval: "2m" } }), REPO).spec
      .kustomize.patches;
    assert.deepEqual(rest, []);
    assert.deepEqual(root?.target, {
      group: "kustomize.toolkit.fluxcd.io",
      kind: "Kustomization",
      name: "flux-system",
    });
    assert.deepEqual(parse(root?.patch ?? ""), [
      { op: "add", path: "/spec/interval", value: "10m" },
      { op: "add", path: "/spec/retryInterval", value: "2m" },
      { op: "add", path: "/spec/prune", value: true },
      { op: "add", path: "/spec/wait", value: false },
      { op: "add", path: "/spec/timeout", value: "5m" },
      { op: "add", path: "/spec/deletionPolicy", value: "Orphan" },
    ]);
  });

  it("targets the root patch at the sync's own name, and puts the user's patches after it", () => {
    const mine = { patch: "- op: remove\n  path: /spec/x\n", target: { kind: "Deployment" } };
    const patches = fluxInstanceObject(settings({ sync: { name: "root" }, patches: [mine] }), REPO).spec
      .kustomize.patches;
    assert.equal(patches[0]?.target?.name, "root");
    assert.deepEqual(patches[1], mine);
  });

  it("validates against the FluxInstance CRD (v0.49.0), defaults and every setting changed", async () => {
    await validateKubernetesObject(fluxInstanceObject(settings(), REPO));
    await validateKubernetesObject(
      fluxInstanceObject(
        settings({
          components: [
            ...fluxOperatorSettingsSchema.shape.components.parse(undefined),
            "image-reflector-controller",
          ],
          cluster: { type: "aws", size: "large", multitenant: true, networkPolicy: false, domain: "c.local" },
          distribution: { version: "2.x" },
          patches: [{ patch: "apiVersion: apps/v1\nkind: Deployment\n", target: { labelSelector: "a=b" } }],
          instance: {
            values: { instance: { sync: { provider: "github" }, storage: { class: "s", size: "1Gi" } } },
          },
        }),
        { ...REPO, revision: "refs/tags/v1.0.0" },
      ),
    );
  });

  it("fails validation for a field the CRD does not have, so a pass means something", async () => {
    const instance = fluxInstanceObject(
      settings({ instance: { values: { instance: { sync: { provider: "gcp" } } } } }),
      REPO,
    );
    await assert.rejects(validateKubernetesObject(instance), /provider != 'gcp'/);
    const misspelt = fluxInstanceObject(settings(), REPO);
    (misspelt.spec.sync as Record<string, unknown>).pullsecret = "x";
    await assert.rejects(validateKubernetesObject(misspelt), /additional properties \(pullsecret\)/);
  });
});

describe("Flux Operator: the repository's revision", () => {
  it("follows a branch as refs/heads/<branch>, a ref as written", () => {
    assert.equal(fluxSyncRef("main"), "refs/heads/main");
    assert.equal(fluxSyncRef("refs/tags/v1.2.0"), "refs/tags/v1.2.0");
    assert.deepEqual(fluxOperatorRepoProblems({ revision: "release/1.x" }), []);
  });

  it("refuses a commit SHA, which spec.sync.ref cannot name, saying what to write instead", () => {
    const sha = "0123456789abcdef0123456789abcdef01234567";
    assert.equal(fluxSyncRef(sha), undefined);
    const [problem, ...rest] = fluxOperatorRepoProblems({ revision: sha });
    assert.deepEqual(rest, []);
    assert.equal(problem?.key, "repo.revision");
    assert.match(
      problem?.message ?? "",
      /is a commit SHA.*use a branch such as main, or a tag as refs\/tags\/<tag>/,
    );
  });
});

describe("Flux Operator: the charts' values", () => {
  it("merges instance.values over ours, and passes operator.values as they are", () => {
    const s = settings({
      operator: { values: { web: { enabled: false }, logLevel: "debug" } },
      instance: {
        values: {
          healthcheck: { enabled: true },
          instance: { cluster: { tenantDefaultServiceAccount: "flux" } },
        },
      },
    });
    assert.deepEqual(fluxOperatorValues(s), { web: { enabled: false }, logLevel: "debug" });
    const values = fluxInstanceValues(s, REPO);
    assert.equal(valueAt(values, ["healthcheck", "enabled"]), true);
    assert.equal(valueAt(values, ["instance", "cluster", "tenantDefaultServiceAccount"]), "flux");
    assert.equal(valueAt(values, ["instance", "cluster", "type"]), "kubernetes");
    assert.deepEqual(problems(s), []);
  });

  it("lets values change the opinions that have no setting (the registry)", () => {
    for (const path of FLUX_INSTANCE_OPINIONS) {
      const values: Record<string, unknown> = {};
      let node = values;
      for (const key of path.slice(0, -1)) node = (node[key] = {}) as Record<string, unknown>;
      node[path.at(-1) as string] = "registry.example.com/fluxcd";
      const s = settings({ instance: { values } });
      assert.deepEqual(problems(s), [], path.join("."));
      assert.equal(valueAt(fluxInstanceValues(s, REPO), [...path]), "registry.example.com/fluxcd");
    }
  });

  it("refuses instance values on a key a setting or the stack's repo writes, naming both", () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [
        { instance: { sync: { url: "ssh://git@example.com/x.git" } } },
        /instance\.sync\.url is written from gitops-bootstrap:repo\.url/,
      ],
      [
        { instance: { sync: { ref: "refs/heads/dev" } } },
        /instance\.sync\.ref is written from gitops-bootstrap:repo\.revision/,
      ],
      [{ instance: { components: ["source-controller"] } }, /set fluxOperator\.components instead/],
      [{ instance: { distribution: { version: "2.x" } } }, /set fluxOperator\.distribution\.version instead/],
      [{ instance: { cluster: { size: "small" } } }, /set fluxOperator\.cluster\.size instead/],
      [{ instance: { sync: { pullSecret: "mine" } } }, /keeps the deploy key in the flux-system Secret/],
      [{ instance: { kustomize: { patches: [] } } }, /put your patches in fluxOperator\.patches/],
    ];
    for (const [values, text] of cases) {
      const found = problems(settings({ instance: { values } }));
      assert.equal(found.length, 1, JSON.stringify(found));
      assert.equal(found[0]?.key, "fluxOperator.instance.values");
      assert.match(found[0]?.message ?? "", text);
    }
  });

  it("accepts a pasted value that agrees with what a setting writes", () => {
    const s = settings({
      instance: { values: { instance: { sync: { ref: "refs/heads/main", name: "flux-system" } } } },
    });
    assert.deepEqual(problems(s), []);
  });

  it("refuses keys the pinned charts do not have, with the chart, its version and the closest key", () => {
    const found = problems(
      settings({
        operator: { values: { webb: { enabled: false } } },
        instance: { values: { instance: { sync: { intervall: "5m" } } } },
      }),
    );
    assert.deepEqual(found, [
      {
        key: "fluxOperator.operator.values",
        message: `webb is not a value of the flux-operator chart ${CHARTS.fluxOperator.version}; did you mean web?`,
      },
      {
        key: "fluxOperator.instance.values",
        message: `instance.sync.intervall is not a value of the flux-instance chart ${CHARTS.fluxInstance.version}; did you mean instance.sync.interval?`,
      },
    ]);
  });

  it("knows the charts' keys from data derived from the pinned versions, with where they came from", () => {
    for (const key of ["fluxOperator", "fluxInstance"] as const) {
      const data = chartKeys(key);
      assert.equal(data.chart, CHARTS[key].chart);
      assert.equal(data.version, CHARTS[key].version);
      assert.match(data.source ?? "", /^github\.com\/controlplaneio-fluxcd\/charts@[0-9a-f]{40} charts\//);
    }
    // The template passes `instance.cluster` through key by key (range), so any field of the CRD's cluster goes.
    assert.equal(valueAt(chartKeys("fluxInstance").keys, ["instance", "cluster"]), "open");
  });
});

describe("Flux Operator: settings", () => {
  const issues = (input: Record<string, unknown>) => {
    const result = fluxOperatorSettingsSchema.safeParse(input);
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };

  it("defaults to flux-system, the pinned Flux, the default controllers and the flux engine's root", () => {
    const s = settings();
    assert.equal(s.namespace, "flux-system");
    assert.equal(s.distribution.version, FLUX_DISTRIBUTION.version);
    assert.deepEqual(s.sync, { name: "flux-system", interval: "1m" });
    assert.deepEqual(s.root, {
      interval: "10m",
      prune: true,
      retryInterval: "1m",
      wait: false,
      timeout: "5m",
    });
    assert.deepEqual(s.patches, []);
    assert.deepEqual(s.operator.values, {});
    assert.equal(s.instance.release.wait, true);
  });

  it("refuses a controller list without what the root needs, a duplicate, or an unknown controller", () => {
    assert.deepEqual(issues({ components: ["source-controller", "helm-controller", "helm-controller"] }), [
      "components: lists helm-controller twice; list each controller once",
      "components: lacks kustomize-controller, which the root GitRepository and Kustomization need; add it",
    ]);
    assert.match(
      issues({ components: ["source-controller", "kustomize-controler"] })[0] ?? "",
      /components\.1: must be one of source-controller/,
    );
  });

  it("takes an exact Flux version or an x-range, nothing else", () => {
    assert.deepEqual(issues({ distribution: { version: "2.8.x" } }), []);
    assert.match(
      issues({ distribution: { version: "v2.8.5" } })[0] ?? "",
      /^distribution\.version: must be an exact Flux version such as 2\.8\.5/,
    );
  });

  it("refuses a patch that is not a string, and an unknown target field", () => {
    assert.match(
      issues({ patches: [{ patch: { op: "add" } }] })[0] ?? "",
      /^patches\.0\.patch: must be a string/,
    );
    assert.match(
      issues({ patches: [{ patch: "x", target: { kinds: "Deployment" } }] }).join(),
      /patches\.0\.target/,
    );
  });
});
