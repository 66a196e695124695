/** `flux.values` and `flux.release`: the user's values win, except on what imageAutomation writes. */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { Flux } from "../../components/flux/flux";
import {
  FLUX_OPINIONS,
  fluxOwnValues,
  fluxValues,
  fluxValueSources,
  fluxValuesProblems,
} from "../../core/flux/flux";
import { fluxSettingsSchema } from "../../core/flux/settings";
import { leafPaths } from "../../core/shared/values";
import { chartKeys } from "../../core/shared/versions";
import { FLUX, REPO } from "../support/fixtures";
import { findResource, mockRuntime, testProvider, type MockRuntime } from "../support/harness";

const problems = (values: Record<string, unknown>, imageAutomation = false) =>
  fluxValuesProblems({ ...FLUX, imageAutomation, values }, chartKeys("flux2")).map((p) => p.message);

describe("core/flux: flux.values over our values", () => {
  it("adds and overrides chart values: network policies off, a controller's resources, our CRD policy kept", () => {
    const values = fluxValues({
      ...FLUX,
      values: {
        policies: { create: false },
        kustomizeController: { resources: { limits: { memory: "1Gi" } } },
        crds: { annotations: { team: "platform" } },
      },
    });
    assert.deepEqual(values.policies, { create: false });
    assert.deepEqual((values.kustomizeController as { resources: unknown }).resources, {
      limits: { memory: "1Gi" },
    });
    assert.deepEqual(values.crds, { annotations: { "helm.sh/resource-policy": "keep", team: "platform" } });
    assert.deepEqual(
      problems({
        policies: { create: false },
        kustomizeController: { resources: { limits: { memory: "1Gi" } } },
      }),
      [],
    );
  });

  it("refuses a misspelt key with the flux2 version and the closest key", () => {
    assert.deepEqual(problems({ policies: { creat: true } }), [
      `policies.creat is not a value of the flux2 chart ${chartKeys("flux2").version}; did you mean policies.create?`,
    ]);
  });

  it("refuses turning the image automation controllers on or off in values: that is flux.imageAutomation", () => {
    assert.deepEqual(problems({ imageAutomationController: { create: true } }), [
      "imageAutomationController.create is written from gitops-bootstrap:flux.imageAutomation, so flux.values may not change it: set flux.imageAutomation instead, and remove it from flux.values",
    ]);
    assert.deepEqual(problems({ imageAutomationController: { create: true } }, true), []);
  });

  it("accounts for every key it writes: each comes from imageAutomation or is a listed opinion", () => {
    const described = [...fluxValueSources().map((o) => o.path), ...FLUX_OPINIONS].map((p) => p.join("\0"));
    assert.deepEqual(
      leafPaths(fluxOwnValues(FLUX)).filter((p) => !described.includes(p.join("\0"))),
      [],
    );
  });

  it("reads values and release from stack config, with the defaults filled", () => {
    const parsed = fluxSettingsSchema.parse({ release: { timeout: 900 } });
    assert.deepEqual(parsed.values, {});
    assert.deepEqual(parsed.release, {
      timeout: 900,
      atomic: false,
      wait: true,
      cleanupOnFail: true,
      maxHistory: 10,
    });
  });
});

describe("Flux component: values and release options reach the Release", () => {
  let runtime: MockRuntime;
  beforeEach(async () => {
    runtime = await mockRuntime();
  });

  it("installs the merged values without waiting when asked", async () => {
    new Flux("flux", {
      provider: testProvider(),
      settings: {
        ...FLUX,
        values: { policies: { create: false } },
        release: { ...FLUX.release, wait: false },
      },
      repo: REPO,
      sshPrivateKey: pulumi.secret("key"),
    });
    await runtime.settle();
    const release = findResource(runtime, "kubernetes:helm.sh/v3:Release", "flux");
    assert.deepEqual((release.inputs.values as { policies: unknown }).policies, { create: false });
    assert.equal(release.inputs.skipAwait, true);
    assert.equal(release.inputs.waitForJobs, false);
    assert.equal(release.inputs.timeout, 600);
  });

  it("refuses an unknown key before registering anything", () => {
    assert.throws(
      () =>
        new Flux("flux", {
          provider: testProvider(),
          settings: { ...FLUX, values: { polices: {} } },
          repo: REPO,
          sshPrivateKey: pulumi.secret("key"),
        }),
      /flux\.values: polices is not a value of the flux2 chart 2\.18\.3; did you mean policies\?/,
    );
  });
});
