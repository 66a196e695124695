/**
 * The line-by-line kustomization paths must answer exactly what the YAML-document paths do, or
 * step aside (undefined). Property tests over generated kustomization texts.
 */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { isSeq, LineCounter, parseDocument, type Node } from "yaml";
import { mergePlainKustomization, plainKustomizationResources } from "../../core/catalog/fast-kustomization";
import { mergeKustomization, mergeKustomizationDocument } from "../../core/catalog/generate";

const RUNS = Number(process.env.FAST_YAML_RUNS ?? 5_000);

const name = fc.oneof(
  fc.stringMatching(/^[a-z][-a-z0-9]{0,12}(-app\.yaml|-ks\.yaml)?$/),
  fc.constantFrom(
    "./sonarr",
    "traefik/",
    "a#b",
    "a #b",
    "10",
    "true",
    "~",
    "- x",
    "a: b",
    "'q'",
    '"q"',
    "&a x",
    "*a",
    "x:",
  ),
  fc.constantFrom("sonarr-app.yaml", "./sonarr-app.yaml", "radarr-app.yaml", "appproject.yaml"),
);
const comment = fc.constantFrom("# note", "#note", "# - old-service", "#");
const keyLine = fc.constantFrom(
  "apiVersion: kustomize.config.k8s.io/v1beta1",
  "kind: Kustomization",
  "namespace: media",
  "kind: Kustomization # trailing",
  "namePrefix: 10",
  'namespace: "quoted"',
  "images: []",
  "labels:",
  "  - pairs: { a: b }",
  "---",
);
const entry = fc
  .tuple(
    fc.constantFrom("", "  ", "    "),
    fc.constantFrom(" ", "  "),
    name,
    fc.constantFrom("", " # c", "  #c", " "),
  )
  .map(([indent, gap, value, tail]) => `${indent}-${gap}${value}${tail}`);
const text = fc
  .tuple(
    fc.array(comment, { maxLength: 2 }),
    fc.array(keyLine, { maxLength: 3 }),
    fc.boolean(),
    fc.array(
      fc.oneof(
        { weight: 6, arbitrary: entry },
        { weight: 1, arbitrary: comment.map((c) => `  ${c}`) },
        { weight: 1, arbitrary: fc.constant("") },
      ),
      { maxLength: 6 },
    ),
    fc.array(keyLine, { maxLength: 2 }),
    fc.constantFrom("\n", "\r\n", "\n\n", ""),
  )
  .map(
    ([head, keys, hasResources, entries, tail, end]) =>
      [...head, ...keys, ...(hasResources ? ["resources:", ...entries] : []), ...tail].join(
        end === "\r\n" ? "\r\n" : "\n",
      ) + end,
  );

/** What the form generate writes looks like: header comments, key lines, a two-space list. */
const canonical = fc
  .tuple(
    fc.array(
      fc.constantFrom(
        "# yaml-language-server: $schema=https://json.schemastore.org/kustomization.json",
        "# Bootstrap: the root app syncs this.",
        "#x",
      ),
      { maxLength: 2 },
    ),
    fc.constantFrom(
      ["apiVersion: kustomize.config.k8s.io/v1beta1", "kind: Kustomization"],
      ["kind: Kustomization"],
      [],
    ),
    fc.array(name, { minLength: 1, maxLength: 6 }),
    fc.constantFrom([], ["namespace: media"]),
  )
  .map(([head, keys, entries, tail]) =>
    [...head, ...keys, "resources:", ...entries.map((e) => `  - ${e}`), ...tail, ""].join("\n"),
  );

describe("core/catalog/fast-kustomization", () => {
  it("reads resources exactly as yaml does, positions included, or steps aside", () => {
    let covered = 0;
    fc.assert(
      fc.property(text, (source) => {
        const fast = plainKustomizationResources(source);
        if (fast === undefined) return;
        covered++;
        const counter = new LineCounter();
        const doc = parseDocument(source, { lineCounter: counter, prettyErrors: false });
        assert.deepEqual(doc.errors, [], source);
        const resources = (doc.toJS() as { resources?: unknown } | null)?.resources ?? [];
        assert.deepEqual(
          fast.map((e) => e.value),
          resources,
          source,
        );
        const seq = doc.get("resources", true);
        fast.forEach((e, i) => {
          assert.ok(isSeq(seq));
          const range = (seq.items[i] as Node).range;
          const pos = counter.linePos(range?.[0] ?? -1);
          assert.deepEqual({ line: e.line, column: e.column }, { line: pos.line, column: pos.col }, source);
        });
      }),
      { numRuns: RUNS },
    );
    assert.ok(covered > RUNS / 20, `the fast path read only ${covered} of ${RUNS} texts`);
  });

  it("merges generate's own kustomization exactly as the YAML-document merge does, or steps aside", () => {
    let covered = 0;
    fc.assert(
      fc.property(
        fc.oneof(canonical, text),
        fc.array(name, { maxLength: 5 }),
        fc.array(name, { maxLength: 3 }),
        (existing, ours, alsoOwned) => {
          const unique = [...new Set(ours)];
          const owned = new Set([...unique, ...alsoOwned].map((n) => n.replace(/^\.\//, "")));
          const fast = mergePlainKustomization(existing, unique, owned);
          if (fast === undefined) return;
          covered++;
          assert.equal(fast, mergeKustomizationDocument(existing, unique, owned, "k.yaml"), existing);
        },
      ),
      { numRuns: RUNS },
    );
    assert.ok(covered > RUNS / 10, `the fast path merged only ${covered} of ${RUNS} texts`);
  });

  it("reads the classic homelab list, comments and ./ and trailing / included", () => {
    const source = [
      "apiVersion: kustomize.config.k8s.io/v1beta1",
      "kind: Kustomization",
      "resources:",
      "  - external-secrets",
      "  # - old-service",
      "  - ./metallb",
      "  - traefik/ # ingress",
      "",
    ].join("\n");
    assert.deepEqual(plainKustomizationResources(source), [
      { value: "external-secrets", line: 4, column: 5 },
      { value: "./metallb", line: 6, column: 5 },
      { value: "traefik/", line: 7, column: 5 },
    ]);
  });

  it("leaves anything else to yaml: flow lists, quotes, nested blocks, CRLF", () => {
    for (const source of [
      "resources: [a, b]\n",
      'resources:\n  - "a"\n',
      "resources:\n  - a\n    b\n",
      "resources:\n  - a\r\n",
      "labels:\n  - pairs: {}\nresources:\n  - a\n",
      "resources:\n  - a\nresources:\n  - b\n",
    ]) {
      assert.equal(plainKustomizationResources(source), undefined, source);
    }
  });

  it("rewrites generate's own kustomization to an identical file when nothing changed", () => {
    const first = mergeKustomization(undefined, ["a-app.yaml", "b-app.yaml"], new Set(), "k");
    assert.equal(
      mergePlainKustomization(first, ["a-app.yaml", "b-app.yaml"], new Set(["a-app.yaml", "b-app.yaml"])),
      first,
    );
  });
});
