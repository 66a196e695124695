/**
 * `categories.<name>.applicationSet.clusters` (hub and spoke): the category's ApplicationSet becomes
 * a matrix of the git directory generator and a cluster generator, its Applications named after and
 * sent to each selected cluster. Without the key nothing changes (the fixtures' generate --check
 * tests hold every other output byte for byte).
 */
import { strict as assert } from "node:assert";
import { parse } from "yaml";
import type { AppSetGenerator, ArgoApplicationSet } from "../../core/catalog/applications";
import { loadCatalog } from "../../core/catalog/catalog";
import { generate } from "../../core/catalog/generate";
import { catalogError, repoWithDirs, validateObject } from "./helpers";

const REPO = "repo: { url: https://github.com/acme/fleet, revision: main }\n";
const DIRS = ["apps/media/jellyfin", "apps/media/sonarr"];

function sets(text: string): Map<string, ArgoApplicationSet<AppSetGenerator>> {
  const catalog = loadCatalog(`${REPO}${text}`, "catalog.yaml", repoWithDirs(DIRS));
  const result = generate(catalog, new Map(), { engine: "argocd", mode: "applicationsets" });
  return new Map(
    [...result.files]
      .filter(([file]) => file.endsWith("-appset.yaml"))
      .map(([file, content]) => [file, parse(content) as ArgoApplicationSet<AppSetGenerator>]),
  );
}

const media = (text: string) => {
  const set = sets(text).get("media-appset.yaml");
  assert.ok(set !== undefined);
  return set;
};

const CATEGORY = "include: [{ directories: apps/*/* }]\ncategories:\n  media:\n";

describe("catalog: cluster generator (applicationSet.clusters)", () => {
  it("defaults to GitOps Bridge's enable_<category> label, and validates as an ApplicationSet", async () => {
    const set = media(`${CATEGORY}    applicationSet: { clusters: {} }\n`);
    assert.deepEqual(set.spec.generators, [
      {
        matrix: {
          generators: [
            {
              git: {
                repoURL: "https://github.com/acme/fleet",
                revision: "main",
                directories: [{ path: "apps/media/*" }],
              },
            },
            { clusters: { selector: { matchLabels: { enable_media: "true" } } } },
          ],
        },
      },
    ]);
    assert.equal(set.spec.template.metadata.name, "{{ .nameNormalized }}-media-{{ .path.basename }}");
    assert.deepEqual(set.spec.template.spec.destination, {
      server: "{{ .server }}",
      namespace: "{{ .path.basename }}",
    });
    assert.deepEqual(set.spec.syncPolicy, { preserveResourcesOnDeletion: true });
    await validateObject(set);
  });

  it("takes the selector as written; an empty one selects every cluster", () => {
    const written = media(
      `${CATEGORY}    applicationSet:\n      clusters:\n        selector:\n          matchExpressions: [{ key: environment, operator: NotIn, values: [prod] }]\n`,
    );
    assert.deepEqual(
      (written.spec.generators[0] as { matrix: { generators: unknown[] } }).matrix.generators[1],
      {
        clusters: {
          selector: { matchExpressions: [{ key: "environment", operator: "NotIn", values: ["prod"] }] },
        },
      },
    );
    const all = media(`${CATEGORY}    applicationSet: { clusters: { selector: {} } }\n`);
    assert.deepEqual((all.spec.generators[0] as { matrix: { generators: unknown[] } }).matrix.generators[1], {
      clusters: { selector: {} },
    });
  });

  it("keeps the cluster parameters out of a per-app patch, which changes only what differs", () => {
    const set = media(
      `${CATEGORY}    applicationSet: { clusters: {} }\napps:\n  media-jellyfin:\n    selfHeal: false\n`,
    );
    const patch = set.spec.templatePatch ?? "";
    assert.equal(
      patch,
      '{{- if eq .path.path "apps/media/jellyfin" }}\n{"spec":{"syncPolicy":{"automated":{"selfHeal":false}}}}\n{{- end }}\n',
    );
    assert.doesNotMatch(JSON.stringify(set), /\\u0000|cluster-name|cluster-server/);
  });

  it("refuses a destination set elsewhere and an AppProject without destinations, naming the keys", () => {
    const error = catalogError(() =>
      media(
        `${CATEGORY}    project: media\n    appProject: true\n    destination: { name: in-cluster }\n    applicationSet: { clusters: {} }\n`,
      ),
    );
    assert.deepEqual(
      error.issues.map((i) => i.key),
      ["categories.media.appProject.destinations", "categories.media.applicationSet.clusters"],
    );
  });

  it("checks a selector's requirements and says when only applicationsets mode uses the key", () => {
    const error = catalogError(() =>
      media(
        `${CATEGORY}    applicationSet: { clusters: { selector: { matchExpressions: [{ key: tier, operator: Exists, values: [a] }] } } }\n`,
      ),
    );
    assert.match(error.message, /values.*must be left out with operator Exists/);
    const catalog = loadCatalog(
      `${REPO}${CATEGORY}    applicationSet: { clusters: {} }\n`,
      "catalog.yaml",
      repoWithDirs(DIRS),
    );
    const { warnings } = generate(catalog, new Map(), { engine: "argocd" });
    assert.ok(
      warnings.some((w) =>
        w.startsWith("categories media: applicationSet is used by --mode applicationsets only"),
      ),
    );
  });
});
