/**
 * The catalog's Flux decryption default: `decryption: {}` reads the sops-age Secret the stack's
 * secrets.sopsAge places; a catalog without decryption generates what it always did.
 */
import { strict as assert } from "node:assert";
import { loadCatalog } from "../../core/catalog/catalog";
import { generate } from "../../core/catalog/generate";
import { SOPS_AGE_SECRET_NAME } from "../../core/secrets/names";
import { repoWithDirs, validateObject } from "../catalog/helpers";

const REPO = "repo: { url: https://github.com/acme/homelab, revision: main }\n";

function kustomizationSpec(catalog: string, app = "a"): Record<string, unknown> {
  const result = generate(
    loadCatalog(
      `${REPO}${catalog}`,
      "apps.yaml",
      repoWithDirs(["manifests/cluster/a", "manifests/cluster/b"]),
    ),
    new Map(),
    { engine: "flux" },
  );
  const object = result.objects.find((o) => o.file === `${app}-ks.yaml`)?.object as unknown as {
    spec: Record<string, unknown>;
  };
  assert.ok(object !== undefined, `${app}-ks.yaml was not written`);
  return object.spec;
}

describe("catalog, Flux: decryption with the stack's sops-age Secret", () => {
  it("defaults.flux.decryption: {} makes every app decrypt with sops-age, valid against the CRD", async () => {
    const catalog = "defaults: { flux: { decryption: {} } }\napps: { a: {}, b: {} }\n";
    for (const app of ["a", "b"]) {
      const spec = kustomizationSpec(catalog, app);
      assert.deepEqual(spec.decryption, { provider: "sops", secretRef: { name: SOPS_AGE_SECRET_NAME } });
    }
    assert.equal(SOPS_AGE_SECRET_NAME, "sops-age");
    const kustomization: object = {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name: "a", namespace: "flux-system" },
      spec: kustomizationSpec(catalog),
    };
    await validateObject(kustomization);
  });

  it("keeps a Secret the user names, and adds none to a cloud KMS service account", () => {
    assert.deepEqual(
      kustomizationSpec("apps: { a: { flux: { decryption: { secretRef: { name: mine } } } } }\n").decryption,
      {
        provider: "sops",
        secretRef: { name: "mine" },
      },
    );
    assert.deepEqual(
      kustomizationSpec("apps: { a: { flux: { decryption: { serviceAccountName: kms-decryptor } } } }\n")
        .decryption,
      { provider: "sops", serviceAccountName: "kms-decryptor" },
    );
  });

  it("secretRef: null leaves it out (the controller's own identity decrypts)", () => {
    assert.deepEqual(
      kustomizationSpec("apps: { a: { flux: { decryption: { secretRef: null } } } }\n").decryption,
      {
        provider: "sops",
      },
    );
  });

  it("an app's own decryption replaces the default's", () => {
    const spec = kustomizationSpec(
      "defaults: { flux: { decryption: {} } }\napps: { a: { flux: { decryption: { secretRef: { name: team-a } } } } }\n",
    );
    assert.deepEqual(spec.decryption, { provider: "sops", secretRef: { name: "team-a" } });
  });

  it("writes no decryption when the catalog asks for none", () => {
    assert.equal("decryption" in kustomizationSpec("apps: { a: {} }\n"), false);
  });
});
