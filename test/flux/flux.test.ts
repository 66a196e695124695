import { strict as assert } from "node:assert";
import {
  fluxGitRepository,
  fluxRootKustomization,
  fluxRootObjects,
  fluxValues,
  gitRef,
} from "../../core/flux/flux";
import { FLUX, REPO } from "../support/fixtures";
import { validateKubernetesObject } from "../support/validate";

describe("core/flux", () => {
  it("installs Flux's default controllers, image automation only when asked", () => {
    const v = fluxValues(FLUX) as Record<string, { create?: boolean }>;
    assert.equal(v.installCRDs as unknown, true);
    assert.deepEqual(
      v.crds as unknown,
      { annotations: { "helm.sh/resource-policy": "keep" } },
      "CRDs survive an uninstall",
    );
    for (const c of ["sourceController", "kustomizeController", "helmController", "notificationController"])
      assert.equal(v[c]?.create, true, c);
    assert.equal(v.imageAutomationController?.create, false);
    assert.equal(
      (fluxValues({ ...FLUX, imageAutomation: true }) as Record<string, { create?: boolean }>)
        .imageReflectionController?.create,
      true,
    );
  });

  it("makes the root Kustomization the app of apps: interval, retry, prune, path, no wait on the children", () => {
    const root = fluxRootKustomization(FLUX, REPO);
    assert.equal(root.metadata.name, "flux-bootstrap");
    assert.deepEqual(root.spec, {
      interval: "10m",
      retryInterval: "1m",
      path: "./manifests/bootstrap",
      prune: true,
      deletionPolicy: "Orphan",
      wait: false,
      timeout: "5m",
      sourceRef: { kind: "GitRepository", name: "flux-system" },
    });
  });

  it("reads the repository over ssh:// with the flux-system Git secret", () => {
    const source = fluxGitRepository(FLUX, REPO);
    assert.equal(source.spec.url, "ssh://git@github.com/acme/manifests.git");
    assert.deepEqual(source.spec.ref, { branch: "main" });
    assert.deepEqual(source.spec.secretRef, { name: "flux-system" });
  });

  it("maps a revision to a branch, a commit or a full ref", () => {
    assert.deepEqual(gitRef("main"), { branch: "main" });
    assert.deepEqual(gitRef("a".repeat(40)), { commit: "a".repeat(40) });
    assert.deepEqual(gitRef("refs/tags/v1.0.0"), { name: "refs/tags/v1.0.0" });
  });

  it("builds schema-valid GitRepository and Kustomization objects", async () => {
    for (const object of fluxRootObjects(FLUX, REPO)) await validateKubernetesObject(object);
  });
});
