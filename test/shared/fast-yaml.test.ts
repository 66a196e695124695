/**
 * The fast YAML path must write exactly what `yaml` writes, or step aside (undefined). Property
 * tests compare the two over generated strings and objects; FAST_YAML_RUNS raises the count
 * (e.g. FAST_YAML_RUNS=300000 for a long fuzz).
 */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { stringify } from "yaml";
import { applicationSetGroups, argoApplication, argoApplicationSet } from "../../core/catalog/applications";
import { loadCatalog } from "../../core/catalog/catalog";
import { fluxKustomization, fluxNamespace } from "../../core/catalog/kustomizations";
import { fastStringify, yamlString } from "../../core/shared/fast-yaml";
import { toYaml } from "../../core/shared/yaml";
import { repoWithDirs } from "../catalog/helpers";

const RUNS = Number(process.env.FAST_YAML_RUNS ?? 20_000);

const reference = (value: unknown) => stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });

/** Characters that matter to YAML's plain-scalar rules, the core schema's tags, and quoting. */
const TRICKY = [
  ..."-?:,[]{}#&*!|>'\"%@`~.+_/= \t\\",
  ..."0123456789eExXoOabfinNlLtTuUrRsS",
  "\n",
  "\r",
  "\u0000",
  "\u0085",
  "\u00a0",
  "\u2028",
  "é",
  "😀",
  "\ud800",
];
const WORDS = [
  "true",
  "True",
  "FALSE",
  "null",
  "Null",
  "~",
  ".inf",
  "-.Inf",
  ".nan",
  "0x1F",
  "0o17",
  "1e3",
  "---",
  "...",
];

/** Strings built from tricky characters and words, plus arbitrary strings. */
const trickyString = fc.oneof(
  fc
    .array(fc.oneof(fc.constantFrom(...TRICKY), fc.constantFrom(...WORDS)), { maxLength: 8 })
    .map((parts) => parts.join("")),
  fc.string({ unit: "grapheme", maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.stringMatching(/^[a-z0-9][-a-z0-9./:]{0,40}$/),
);

const scalar = fc.oneof(
  trickyString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(-0),
  fc.constant(undefined),
);

const data = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalar, tie("list"), tie("map")),
  list: fc.array(tie("value"), { maxLength: 4 }),
  map: fc.dictionary(trickyString, tie("value"), { maxKeys: 4 }),
})).map;

describe("core/shared/fast-yaml", () => {
  it("writes every string exactly as yaml does, as a value, a list item and a key", () => {
    let covered = 0;
    fc.assert(
      fc.property(trickyString, (text) => {
        for (const value of [{ a: text }, { a: [text] }, { [text]: "v" }, { a: { [text]: 1 } }]) {
          const fast = fastStringify(value);
          if (fast !== undefined) {
            covered++;
            assert.equal(fast, reference(value), JSON.stringify(value));
          }
        }
      }),
      { numRuns: RUNS },
    );
    assert.ok(covered > RUNS * 2, `the fast path covered only ${covered} of ${RUNS * 4} documents`);
  });

  it("writes generated maps and lists exactly as yaml does, or leaves them to yaml", () => {
    let covered = 0;
    fc.assert(
      fc.property(data, (value) => {
        const fast = fastStringify(value);
        if (fast !== undefined) {
          covered++;
          assert.equal(fast, reference(value), JSON.stringify(value));
        }
      }),
      { numRuns: Math.ceil(RUNS / 4) },
    );
    assert.ok(covered > RUNS / 40, `the fast path covered only ${covered} generated maps`);
  });

  it("quotes what yaml's core schema would read as another type, plain otherwise", () => {
    assert.equal(yamlString("10"), '"10"');
    assert.equal(yamlString("true"), '"true"');
    assert.equal(yamlString("null"), '"null"');
    assert.equal(yamlString(""), '""');
    assert.equal(yamlString("0x1F"), '"0x1F"');
    assert.equal(yamlString(".inf"), '".inf"');
    assert.equal(yamlString("a: b"), '"a: b"');
    assert.equal(yamlString('"hi" she said'), `'"hi" she said'`);
    assert.equal(yamlString('say "hi"'), 'say "hi"');
    assert.equal(yamlString("https://kubernetes.default.svc"), "https://kubernetes.default.svc");
    assert.equal(yamlString("argocd.argoproj.io/sync-wave", true), "argocd.argoproj.io/sync-wave");
    assert.equal(yamlString("two\nlines"), undefined);
    assert.equal(yamlString("---"), undefined);
  });

  it("leaves to yaml what it does not cover, and toYaml still writes it", () => {
    for (const value of [
      { a: "two\nlines" },
      { a: 1.5 },
      { a: [[1]] },
      { a: undefined },
      { a: new Date(0) },
      [1, 2],
      {},
      "text",
    ]) {
      assert.equal(fastStringify(value), undefined, JSON.stringify(value));
      assert.equal(toYaml(value), reference(value));
    }
  });

  it("covers every object generate writes for a catalog with every setting", () => {
    const catalog = loadCatalog(
      [
        "repo: { url: 'git@github.com:acme/m.git', revision: main }",
        "defaults: { syncOptions: [CreateNamespace=true], labels: { team: infra }, annotations: { note: 'a: b' } }",
        "include: [{ directories: apps/*/* }]",
        "apps:",
        "  web: { wave: 2, namespace: web-system, dependsOn: [db], selfHeal: false }",
        "  db:",
        "    wave: 1",
        "    ignoreDifferences: [{ group: apps, kind: Deployment, jsonPointers: [/spec/replicas] }]",
        "",
      ].join("\n"),
      "apps.yaml",
      repoWithDirs([
        "manifests/cluster/web",
        "manifests/cluster/db",
        "apps/media/sonarr",
        "apps/media/radarr",
      ]),
    );
    const objects: unknown[] = [
      ...catalog.apps.map((app) => argoApplication(app, catalog)),
      ...catalog.apps.map((app) => fluxKustomization(app, ["db"], catalog)),
      fluxNamespace("web-system"),
      ...applicationSetGroups(catalog).map((group) => argoApplicationSet(group, catalog)),
    ];
    for (const object of objects) {
      const fast = fastStringify(object);
      assert.notEqual(fast, undefined, JSON.stringify(object));
      assert.equal(fast, reference(object));
    }
  });
});
