/**
 * `npx tsx scripts/chart-keys.ts <chart directory> [--out <file>] [--source <where>]`: writes the value keys of one
 * chart version as data (charts/values-keys/<chart>.json by default), so `argocd.values` and
 * `flux.values` can refuse a key the pinned chart does not have. Run by hand after a chart bump,
 * on the unpacked chart (`helm pull <repo>/<chart> --version <v> --untar`, or the chart's
 * directory at its release tag); only the derived keys are committed, never the chart's files.
 * `--source` records where the chart came from when it was not a pulled archive (a repository,
 * commit and directory), so the data says which files it was derived from.
 *
 * A key is known when the chart's values.yaml sets it, comments it out at its place (`# key: …`,
 * the charts' way of documenting optional keys), or a template reads it (`.Values.a.b`). Below a
 * key, anything is accepted ("open") when the chart cannot know the keys:
 *   1. its default is an empty map `{}` or null (annotations, nodeSelector, `configs.params` …);
 *   2. one of its keys, set or commented out, has a `.` or `/` in it: data keys of a ConfigMap
 *      (`configs.cm`'s `admin.enabled`, `configs.rbac`'s `policy.csv`), annotations, labels;
 *   3. it names a dependency in Chart.yaml: the subchart's own values (argo-cd's `redis-ha`);
 *   4. a template passes it through verbatim (`toYaml .Values.x`, `range … .Values.x`, or
 *      `with .Values.x` whose first action is `toYaml .`): resources, securityContext, affinity.
 * Anything else with a non-empty default map is closed (its keys are exactly the chart's), and a
 * string, number, boolean or list is a single value.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { format, resolveConfig } from "prettier";
import { isMap as isYamlMap, isScalar, isSeq, LineCounter, parseDocument, Scalar, type Node } from "yaml";
import type { ChartKeys, KeyNode } from "../core/shared/values";

type Tree = { [key: string]: MutableNode };
type MutableNode = "value" | "open" | Tree;

interface KeyLine {
  line: number;
  column: number;
  node: Tree | undefined;
}

export interface ChartSource {
  chartYaml: string;
  valuesYaml: string;
  /** Template file contents (templates/**). */
  templates: readonly string[];
}

const COMMENTED_KEY = /^(\s*)# ?([a-z][\w.\-/]*[\w/]):(\s|$)/;
const VALUES_REF = /\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g;

/** The value keys of a chart, by the rules above. */
export function deriveChartKeys(source: ChartSource, origin?: string): ChartKeys {
  const chart = parseDocument(source.chartYaml).toJS() as {
    name: string;
    version: string;
    appVersion?: string;
    dependencies?: Array<{ name: string; alias?: string }>;
  };
  const counter = new LineCounter();
  const doc = parseDocument(source.valuesYaml, { lineCounter: counter });
  const keyLines: KeyLine[] = [];
  const blockLines = new Set<number>();

  const build = (node: Node | null | undefined): MutableNode => {
    if (node === null || node === undefined) return "open";
    if (isScalar(node)) {
      if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) {
        const [start, , end] = node.range ?? [0, 0, 0];
        for (let l = counter.linePos(start).line; l <= counter.linePos(end).line; l++) blockLines.add(l);
      }
      return node.value === null ? "open" : "value";
    }
    if (isSeq(node)) return "value";
    if (!isYamlMap(node)) return "value";
    if (node.items.length === 0) return "open";
    const tree: Tree = {};
    for (const pair of node.items) {
      const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
      const child = build(pair.value as Node | null);
      tree[key] = child;
      const start = (pair.key as Node).range?.[0] ?? 0;
      const pos = counter.linePos(start);
      keyLines.push({
        line: pos.line,
        column: pos.col - 1,
        node: typeof child === "object" ? child : undefined,
      });
    }
    return tree;
  };
  const root = build(doc.contents as Node);
  const keys: Tree = typeof root === "object" ? root : {};
  keyLines.push({ line: 0, column: -1, node: keys });
  keyLines.sort((a, b) => a.line - b.line);

  // Keys commented out at their place: `    # dex.config: |` under `  cm:`.
  source.valuesYaml.split("\n").forEach((text, index) => {
    const line = index + 1;
    const match = COMMENTED_KEY.exec(text);
    if (match === null || blockLines.has(line)) return;
    const column = match[1]?.length ?? 0;
    const parent = keyLines.filter((k) => k.line < line && k.column < column).at(-1);
    const key = match[2] ?? "";
    if (parent?.node !== undefined && !(key in parent.node)) parent.node[key] = "open";
  });

  // Rule 2: data maps (ConfigMap keys, annotations, labels).
  const openDataMaps = (tree: Tree): void => {
    for (const [key, child] of Object.entries(tree)) {
      if (typeof child !== "object") continue;
      if (Object.keys(child).some((k) => /[./]/.test(k))) Object.assign(tree, { [key]: "open" });
      else openDataMaps(child);
    }
  };
  openDataMaps(keys);

  // Rule 3: subcharts.
  for (const dependency of chart.dependencies ?? []) keys[dependency.alias ?? dependency.name] = "open";

  // Keys the templates read, and rule 4: what they pass through verbatim.
  const mark = (path: readonly string[], open: boolean) => {
    let tree = keys;
    for (const [i, key] of path.entries()) {
      const last = i === path.length - 1;
      const child = tree[key];
      if (child === "open") return;
      if (child === undefined) {
        tree[key] = last ? "open" : {};
      } else if (child === "value") {
        return;
      } else if (last && open) {
        tree[key] = "open";
      }
      const next = tree[key];
      if (typeof next !== "object") return;
      tree = next;
    }
  };
  const refs = (text: string) => [...text.matchAll(VALUES_REF)].map((m) => (m[1] ?? "").slice(1).split("."));
  for (const template of source.templates) {
    const actions = [...template.matchAll(/\{\{-?([\s\S]*?)-?\}\}/g)];
    actions.forEach((action, i) => {
      const body = action[1] ?? "";
      const passThrough =
        /\btoYaml\b|^\s*range\b/.test(body) ||
        (/^\s*with\b/.test(body) && /^\s*toYaml\s+\.(\s|\)|$)/.test(actions[i + 1]?.[1] ?? ""));
      for (const path of refs(body)) mark(path, passThrough);
    });
  }

  return {
    chart: chart.name,
    version: chart.version,
    appVersion: chart.appVersion ?? "",
    valuesSha256: createHash("sha256").update(source.valuesYaml).digest("hex"),
    ...(origin === undefined ? {} : { source: origin }),
    generatedBy: "scripts/chart-keys.ts",
    keys: sortTree(keys),
  };
}

function sortTree(tree: Tree): { [key: string]: KeyNode } {
  return Object.fromEntries(
    Object.keys(tree)
      .sort()
      .map((key) => {
        const child = tree[key] ?? "value";
        return [key, typeof child === "object" ? sortTree(child) : child];
      }),
  );
}

function templateFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { out: { type: "string" }, source: { type: "string" } },
    allowPositionals: true,
  });
  const dir = positionals[0];
  if (dir === undefined)
    throw new Error(
      "usage: npx tsx scripts/chart-keys.ts <chart directory> [--out <file>] [--source <where>]",
    );
  const data = deriveChartKeys(
    {
      chartYaml: readFileSync(join(dir, "Chart.yaml"), "utf8"),
      valuesYaml: readFileSync(join(dir, "values.yaml"), "utf8"),
      templates: templateFiles(join(dir, "templates")).map((f) => readFileSync(f, "utf8")),
    },
    values.source,
  );
  const out = values.out ?? join(__dirname, "..", "charts", "values-keys", `${data.chart}.json`);
  const options = (await resolveConfig(out)) ?? {};
  writeFileSync(out, await format(JSON.stringify(data), { ...options, parser: "json" }));
  console.log(`chart-keys: ${data.chart} ${data.version} → ${relative(process.cwd(), out)}`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
