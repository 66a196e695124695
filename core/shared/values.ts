/**
 * Helm values as plain data: the escape hatch (`argocd.values`, `flux.values`) merged over the
 * values we compute, and checked against the value keys of the pinned chart.
 *
 * Precedence (docs/engines.md): the user's `values` win over ours, key by key. Maps merge
 * recursively; anything else (a string, a number, a list, null) replaces what we set whole, as
 * Helm's own `-f` files do (a list is never merged item by item; null deletes the key, as in Helm).
 * The one exception: a chart key we compute from a typed setting (`argocd.replicas.server` →
 * `server.replicas`) belongs to that setting, and `values` may not change it; that is an error
 * naming both keys, never a silent override in either direction.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { closest } from "./messages";

/**
 * What the key data knows about a values key: a map of known keys, `open` (any keys below: a
 * free-form map such as `configs.cm`, annotations, a subchart's values), or `value` (a string,
 * number, boolean or list: nothing below it).
 */
export type KeyNode = "value" | "open" | { readonly [key: string]: KeyNode };

/** The value keys of one chart version, as scripts/chart-keys.ts writes them into charts/values-keys/. */
export interface ChartKeys {
  readonly chart: string;
  readonly version: string;
  readonly appVersion: string;
  /** sha256 of the values.yaml the keys were read from, to check the data against the chart. */
  readonly valuesSha256: string;
  /** Where the chart's files came from, when not a pulled chart archive (repository, commit, directory). */
  readonly source?: string;
  readonly generatedBy: string;
  readonly keys: { readonly [key: string]: KeyNode };
}

export type Values = Record<string, unknown>;

/** A problem with a stack's `values`, reported like every config error. */
export interface ValuesProblem {
  /** The stack key to name, under the project: `argocd.values`. */
  key: string;
  message: string;
}

export function isMap(value: unknown): value is Values {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** `theirs` over `ours`: maps merge key by key, anything else in `theirs` replaces ours whole. */
export function mergeValues(ours: Values, theirs: Values): Values {
  const merged: Values = { ...ours };
  for (const [key, value] of Object.entries(theirs)) {
    const mine = merged[key];
    merged[key] = isMap(mine) && isMap(value) ? mergeValues(mine, value) : structuredClone(value);
  }
  return merged;
}

/** A values path as `pulumi config set --path` spells it: `configs.cm["admin.enabled"]`. */
export function formatValuesPath(path: readonly string[]): string {
  return path
    .map((key, i) =>
      /^[A-Za-z_][\w-]*$/.test(key) ? `${i === 0 ? "" : "."}${key}` : `[${JSON.stringify(key)}]`,
    )
    .join("");
}

/** The value at `path`, or undefined when a step is missing or not a map. */
export function valueAt(values: unknown, path: readonly string[]): unknown {
  let node = values;
  for (const key of path) {
    if (!isMap(node)) return undefined;
    node = node[key];
  }
  return node;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  if (isMap(a) && isMap(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

/**
 * Every key of `values` the chart does not have, each with a "did you mean" when one is close.
 * Below an `open` key anything goes; a map where the chart has a single value (or a single value
 * where it has a map, which Helm would drop with only a warning) is refused too.
 */
export function unknownValueKeys(values: Values, data: ChartKeys): string[] {
  const chart = `the ${data.chart} chart ${data.version}`;
  const problems: string[] = [];
  const walk = (given: Values, known: { readonly [key: string]: KeyNode }, path: string[]) => {
    for (const [key, value] of Object.entries(given)) {
      const at = [...path, key];
      const node = known[key];
      if (node === undefined) {
        const guess = closest(key, Object.keys(known));
        const hint = guess === undefined ? "" : `; did you mean ${formatValuesPath([...path, guess])}?`;
        problems.push(`${formatValuesPath(at)} is not a value of ${chart}${hint}`);
      } else if (node === "open" || value === null) {
        continue;
      } else if (node === "value") {
        if (isMap(value))
          problems.push(`${formatValuesPath(at)} is a single value in ${chart}, not a map: set it directly`);
      } else if (isMap(value)) {
        walk(value, node, at);
      } else {
        problems.push(
          `${formatValuesPath(at)} is a map in ${chart} (keys such as ${Object.keys(node).slice(0, 3).join(", ")}); Helm would ignore ${JSON.stringify(value)} there: give a map, or null to drop the chart's default`,
        );
      }
    }
  };
  walk(values, data.keys, []);
  return problems;
}

/** A chart key we compute from a typed setting, which `values` may therefore not change. */
export interface OwnedValue {
  readonly path: readonly string[];
  /** The setting that writes it, as a stack key under the project (`argocd.replicas.server`). */
  readonly setting: string;
  /** What to do instead, when more than "set <setting>" helps. */
  readonly instead?: string;
}

/**
 * The owned keys whose value `values` would change: merging must leave each exactly as the typed
 * setting computed it (setting the same value is allowed, so a pasted values file need not be
 * pruned of what agrees).
 */
export function ownedValueConflicts(
  ours: Values,
  theirs: Values,
  owned: readonly OwnedValue[],
  valuesKey: string,
): Array<{ setting: string; message: string }> {
  const merged = mergeValues(ours, theirs);
  return owned
    .filter((o) => !deepEqual(valueAt(merged, o.path), valueAt(ours, o.path)))
    .map((o) => ({
      setting: o.setting,
      message: `${formatValuesPath(o.path)} is written from gitops-bootstrap:${o.setting}, so ${valuesKey} may not change it: ${o.instead ?? `set ${o.setting} instead, and remove it from ${valuesKey}`}`,
    }));
}

/** Every leaf path of a values object (a map's keys recursively; anything else is a leaf). */
export function leafPaths(values: Values, path: string[] = []): string[][] {
  return Object.entries(values).flatMap(([key, value]) =>
    isMap(value) && Object.keys(value).length > 0 ? leafPaths(value, [...path, key]) : [[...path, key]],
  );
}

/**
 * Reads a data file the repository keeps under charts/ (pins, value keys) at run time, from the
 * nearest directory above this module that has it: the path is the same from the TypeScript
 * sources and from a compiled bundle, and a bump of the data file takes effect without a rebuild.
 */
export function readChartData(relativePath: string): unknown {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const file = join(dir, relativePath);
    if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8"));
    if (dirname(dir) === dir) throw new Error(`${relativePath}: not found above ${__dirname}`);
  }
}
