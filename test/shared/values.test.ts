/** The values escape hatch's rules: how `values` merge over ours, and which keys a chart has. */
import { strict as assert } from "node:assert";
import { helmReleaseOptions, RELEASE_DEFAULTS, releaseSettingsSchema } from "../../core/shared/release";
import { chartKeys, chartKeysNote, CHARTS } from "../../core/shared/versions";
import {
  formatValuesPath,
  mergeValues,
  ownedValueConflicts,
  readChartData,
  unknownValueKeys,
  type ChartKeys,
} from "../../core/shared/values";

describe("core/shared/values: merging values over ours", () => {
  it("merges maps key by key: ours stay unless the same key is given", () => {
    assert.deepEqual(
      mergeValues(
        { configs: { cm: { a: "1", b: "2" } }, dex: { enabled: false } },
        { configs: { cm: { b: "x", c: "3" } } },
      ),
      { configs: { cm: { a: "1", b: "x", c: "3" } }, dex: { enabled: false } },
    );
  });

  it("replaces a list whole, never item by item (as Helm does with -f files)", () => {
    assert.deepEqual(mergeValues({ extraArgs: ["--a", "--b"] }, { extraArgs: ["--c"] }), {
      extraArgs: ["--c"],
    });
  });

  it("lets null and scalars replace a map (null deletes the key in Helm)", () => {
    assert.deepEqual(mergeValues({ server: { ingress: { enabled: true } } }, { server: { ingress: null } }), {
      server: { ingress: null },
    });
    assert.deepEqual(mergeValues({ a: { b: 1 } }, { a: "flat" }), { a: "flat" });
  });

  it("changes neither input", () => {
    const ours = { a: { b: 1 } };
    const theirs = { a: { c: [1] } };
    const merged = mergeValues(ours, theirs);
    (merged.a as { c: number[] }).c.push(2);
    assert.deepEqual(ours, { a: { b: 1 } });
    assert.deepEqual(theirs, { a: { c: [1] } });
  });

  it("spells a path as `pulumi config set --path` reads it", () => {
    assert.equal(formatValuesPath(["configs", "cm", "admin.enabled"]), 'configs.cm["admin.enabled"]');
    assert.equal(formatValuesPath(["redis-ha", "enabled"]), "redis-ha.enabled");
    assert.equal(formatValuesPath(["a"]), "a");
  });

  it("reports an owned key only when values would change it (the same value is allowed)", () => {
    const owned = [{ path: ["server", "replicas"], setting: "argocd.replicas.server" }];
    const ours = { server: { replicas: 2 } };
    assert.deepEqual(ownedValueConflicts(ours, { server: { replicas: 2 } }, owned, "argocd.values"), []);
    assert.deepEqual(
      ownedValueConflicts(ours, { server: { replicas: 3 } }, owned, "argocd.values").map((c) => c.message),
      [
        "server.replicas is written from gitops-bootstrap:argocd.replicas.server, so argocd.values may not change it: set argocd.replicas.server instead, and remove it from argocd.values",
      ],
    );
    assert.equal(
      ownedValueConflicts(ours, { server: null }, owned, "argocd.values").length,
      1,
      "a replaced parent",
    );
  });
});

describe("core/shared/values: the pinned chart's keys", () => {
  const argo = chartKeys("argoCd");

  it("come from the pinned chart (charts/values-keys/, written by scripts/chart-keys.ts)", () => {
    assert.equal(argo.chart, CHARTS.argoCd.chart);
    assert.equal(chartKeys("flux2").chart, CHARTS.flux2.chart);
    assert.equal(argo.generatedBy, "scripts/chart-keys.ts");
    assert.match(argo.valuesSha256, /^[0-9a-f]{64}$/);
  });

  it("refuse a misspelt key, naming the chart, its version and the closest key", () => {
    assert.deepEqual(unknownValueKeys({ configs: { cmm: {} }, server: { replica: 2 } }, argo), [
      `configs.cmm is not a value of the argo-cd chart ${argo.version}; did you mean configs.cm?`,
      `server.replica is not a value of the argo-cd chart ${argo.version}; did you mean server.replicas?`,
    ]);
    assert.deepEqual(unknownValueKeys({ nothingLikeIt: 1 }, argo), [
      `nothingLikeIt is not a value of the argo-cd chart ${argo.version}`,
    ]);
  });

  it("accept anything below a free-form map: ConfigMap data, annotations, resources, a subchart", () => {
    assert.deepEqual(
      unknownValueKeys(
        {
          configs: {
            cm: {
              "timeout.reconciliation": "60s",
              "resource.customizations.ignoreDifferences.apps_Deployment": "x",
            },
            params: { "applicationsetcontroller.enable.progressive.syncs": true },
            rbac: { "policy.extra.csv": "p, role:ci, applications, sync, */*, allow" },
          },
          controller: { podAnnotations: { a: "b" }, resources: { requests: { "ephemeral-storage": "1Gi" } } },
          server: {
            metrics: { enabled: true, serviceMonitor: { enabled: true, additionalLabels: { release: "x" } } },
          },
          "redis-ha": { enabled: true, haproxy: { anything: 1 } },
        },
        argo,
      ),
      [],
    );
  });

  it("refuse a map where the chart has a single value, and a single value where it has a map", () => {
    assert.deepEqual(unknownValueKeys({ server: { replicas: { count: 2 } }, dex: "off" }, argo), [
      `server.replicas is a single value in the argo-cd chart ${argo.version}, not a map: set it directly`,
      `dex is a map in the argo-cd chart ${argo.version} (keys such as affinity, automountServiceAccountToken, certificateSecret); Helm would ignore "off" there: give a map, or null to drop the chart's default`,
    ]);
  });

  it("accept null anywhere (Helm's way to drop a default)", () => {
    assert.deepEqual(unknownValueKeys({ server: { ingress: null } }, argo), []);
  });

  it("note when the release installs another version than the key data describes", () => {
    assert.equal(chartKeysNote("argoCd", argo.version), undefined);
    assert.match(
      chartKeysNote("argoCd", "9.9.9") ?? "",
      /checked against chart 9\.0\.5 \(charts\/values-keys\/argo-cd\.json\), but the release installs 9\.9\.9: run `npx tsx scripts\/chart-keys\.ts/,
    );
  });

  it("a missing data file is an error naming it", () => {
    assert.throws(
      () => readChartData("charts/values-keys/nope.json"),
      /charts\/values-keys\/nope\.json: not found above /,
    );
  });

  it("a key tree is all the check needs (no chart files)", () => {
    const tiny: ChartKeys = {
      chart: "tiny",
      version: "1.2.3",
      appVersion: "1",
      valuesSha256: "0".repeat(64),
      generatedBy: "test",
      keys: { a: { b: "value" }, free: "open" },
    };
    assert.deepEqual(unknownValueKeys({ a: { b: 1, c: 2 }, free: { x: { y: 1 } } }, tiny), [
      "a.c is not a value of the tiny chart 1.2.3; did you mean a.b?",
    ]);
  });
});

describe("core/shared/release: how Pulumi runs an engine's release", () => {
  it("defaults to waiting for resources and Jobs for 600 s, no rollback, 10 revisions", () => {
    const release = releaseSettingsSchema.parse(undefined);
    assert.deepEqual(release, { ...RELEASE_DEFAULTS });
    assert.deepEqual(helmReleaseOptions(release), {
      timeout: 600,
      waitForJobs: true,
      cleanupOnFail: true,
      maxHistory: 10,
    });
  });

  it("passes each setting on: atomic, no wait, a longer timeout", () => {
    assert.deepEqual(
      helmReleaseOptions(releaseSettingsSchema.parse({ atomic: "true", timeout: "1200", maxHistory: 0 })),
      { timeout: 1200, atomic: true, waitForJobs: true, cleanupOnFail: true, maxHistory: 0 },
    );
    assert.deepEqual(helmReleaseOptions(releaseSettingsSchema.parse({ wait: false })), {
      timeout: 600,
      skipAwait: true,
      waitForJobs: false,
      cleanupOnFail: true,
      maxHistory: 10,
    });
  });

  it("refuses atomic without wait, and waitForJobs without wait, naming the fix", () => {
    const issues = (input: unknown) => {
      const result = releaseSettingsSchema.safeParse(input);
      return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    };
    assert.deepEqual(issues({ atomic: true, wait: false }), [
      "atomic: is true but wait is false: a rollback on failure needs Helm to wait and see the failure; set wait: true, or atomic: false",
    ]);
    assert.deepEqual(issues({ waitForJobs: true, wait: false }), [
      "waitForJobs: is true but wait is false: Pulumi ignores waitForJobs when it does not wait; set wait: true, or remove waitForJobs",
    ]);
    assert.deepEqual(issues({ timeout: 0 }), ["timeout: must be at least 1"]);
  });
});
