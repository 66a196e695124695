/**
 * The first run's effect, before it happens: the release's values as the Terragrunt layer set them
 * against the values the stack installs, and the live root Application against the one the root
 * chart renders, key by key, each difference with the setting that keeps today's behaviour.
 *
 * A value Terraform marks sensitive is never shown: it is {@link SENSITIVE} here, and printed as
 * "(sensitive)".
 */
import { formatValuesPath, isMap, type Values } from "../shared/values";

/** Stands for a value Terraform marks sensitive; printed as "(sensitive)", compared as unequal. */
export const SENSITIVE: unique symbol = Symbol("sensitive");

export interface Difference {
  /** The path, as `pulumi config set --path` spells it under the setting. */
  path: string;
  /** Today's value (undefined: unset). */
  current: unknown;
  /** The value after the first run (undefined: unset). */
  ours: unknown;
  /** What keeps today's behaviour: a setting and value, or why none does. */
  keep: string;
}

/** Every leaf path of a values tree (lists are leaves: Helm replaces a list whole). */
function leaves(
  node: unknown,
  path: string[] = [],
  out = new Map<string, { path: string[]; value: unknown }>(),
) {
  if (isMap(node) && Object.keys(node).length > 0) {
    for (const [key, value] of Object.entries(node)) leaves(value, [...path, key], out);
  } else if (path.length > 0) out.set(JSON.stringify(path), { path, value: node });
  return out;
}

function same(a: unknown, b: unknown): boolean {
  if (a === SENSITIVE || b === SENSITIVE) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A value as a diff line shows it: JSON, shortened; sensitive values never. */
export function shown(value: unknown): string {
  if (value === SENSITIVE) return "(sensitive)";
  if (value === undefined) return "(unset)";
  const text = JSON.stringify(value, (_k, v: unknown) => (v === SENSITIVE ? "(sensitive)" : v));
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

/**
 * The differing leaves of `current` and `ours`; `keep(path, current)` says what keeps today's
 * value at that path.
 */
export function treeDiff(
  current: unknown,
  ours: unknown,
  keep: (path: string[], current: unknown, ours: unknown) => string,
): Difference[] {
  const a = leaves(current);
  const b = leaves(ours);
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  const out: Difference[] = [];
  for (const key of keys) {
    const path = (a.get(key) ?? b.get(key))?.path ?? [];
    // A parent that is a leaf on one side (a scalar) and a map on the other shows as its leaves.
    const now = a.get(key)?.value;
    const then = b.get(key)?.value;
    if (same(now, then)) continue;
    out.push({ path: formatValuesPath(path), current: now, ours: then, keep: keep(path, now, then) });
  }
  return out;
}

/**
 * Differences of the engine's Helm values. `refused(path, value)` is the config error the stack
 * would give for `<valuesKey>.<path>: value` (a key a typed setting writes, or one the chart does
 * not have), or undefined when the setting is accepted.
 */
export function valuesDiff(
  current: Values,
  ours: Values,
  valuesKey: string,
  refused: (path: string[], value: unknown) => string | undefined,
): Difference[] {
  // A secret Terraform did not mark (a password written into a values document) is still hidden.
  const hidden = (tree: Values) => hideSecretKeys(tree) as Values;
  return treeDiff(hidden(current), hidden(ours), (path, now) => {
    const key = `${valuesKey}.${formatValuesPath(path)}`;
    if (now === SENSITIVE) {
      return `${key} (today's value is a secret, so it is not shown: put it in a Secret the chart reads, or set it with pulumi config set --secret --path)`;
    }
    // Helm removes a key set to null, which brings back the chart's default, as when it was unset.
    const value = now === undefined ? null : now;
    const problem = refused(path, value);
    return problem === undefined ? `${key}: ${shown(value)}` : `no ${valuesKey} entry: ${problem}`;
  });
}

/** Keys whose values are secrets by their name, wherever they are in a values tree. */
const SECRET_KEY = /password|secret|token|private.?key|credential|passphrase/i;

/** `tree` with the value of every {@link SECRET_KEY} key replaced by {@link SENSITIVE}. */
function hideSecretKeys(tree: unknown): unknown {
  if (!isMap(tree)) return tree;
  return Object.fromEntries(
    Object.entries(tree).map(([key, value]) => [
      key,
      SECRET_KEY.test(key) && !isMap(value) && value !== undefined && value !== null
        ? SENSITIVE
        : hideSecretKeys(value),
    ]),
  );
}

/** The setting that decides each part of the root Application, by path under the object. */
const ROOT_SETTINGS: Array<[RegExp, (rootKey: string) => string]> = [
  [/^spec\.source\.repoURL$/, () => "repo.url"],
  [/^spec\.source\.targetRevision$/, () => "repo.revision"],
  [/^spec\.source\.path$/, () => "repo.path"],
  [/^spec\.project$/, (root) => `${root}.project`],
  [/^spec\.syncPolicy\.automated\.selfHeal$/, (root) => `${root}.selfHeal`],
  [/^spec\.syncPolicy\.retry/, (root) => `${root}.retry`],
  [/^spec\.ignoreDifferences/, (root) => `${root}.ignoreDifferences`],
  [/^spec\.syncPolicy\.syncOptions/, (root) => `${root}.syncOptions`],
  [/^metadata\.finalizers$/, (root) => `${root}.resourcesFinalizer`],
  [/^metadata\.name$/, (root) => `${root}.name`],
];

/**
 * Differences of the live root Application (as Terraform's kubernetes_manifest declared it) and the
 * one the root chart renders, over `metadata.name`, `metadata.finalizers` and `spec`.
 * `rootKey` is the settings key of the root (`argocd.root`).
 */
export function rootDiff(live: Values, ours: Values, rootKey: string): Difference[] {
  const pick = (object: Values) => {
    const metadata = isMap(object.metadata) ? object.metadata : {};
    return {
      metadata: {
        name: metadata.name,
        ...(metadata.finalizers === undefined ? {} : { finalizers: metadata.finalizers }),
      },
      spec: object.spec,
    };
  };
  return treeDiff(pick(live), pick(ours), (path, now) => {
    const dotted = path.join(".");
    const rule = ROOT_SETTINGS.find(([pattern]) => pattern.test(dotted));
    if (rule === undefined) return "no setting: the root chart always renders it so";
    const setting = rule[1](rootKey);
    if (setting.endsWith("resourcesFinalizer"))
      return `${setting}: true keeps the finalizer (a cascading delete); the migration removes it from the old object first, on purpose`;
    if (setting.endsWith(".syncOptions"))
      return `${setting}: ${shown(now ?? [])} (a list you write replaces the default)`;
    if (setting.endsWith(".retry") || setting.endsWith(".ignoreDifferences"))
      return `${setting} (set it to what the live Application has)`;
    return `${setting}: ${shown(now === undefined ? null : now)}`;
  });
}

/** A diff as readable lines: `path: current -> ours` and the setting that keeps today's. */
export function formatDiff(title: string, differences: readonly Difference[]): string[] {
  if (differences.length === 0) return [`${title}: no difference`];
  return [
    `${title}: ${differences.length} difference${differences.length === 1 ? "" : "s"} (today -> after the first pulumi up)`,
    ...differences.flatMap((d) => [
      `  ${d.path}: ${shown(d.current)} -> ${shown(d.ours)}`,
      `    to keep today's: ${d.keep}`,
    ]),
  ];
}
