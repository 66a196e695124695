/**
 * A fast path for the commonest kustomization.yaml: a few `key: value` lines and a `resources:`
 * list of plain names. A 10,000-entry list costs ~100 ms to parse as a YAML document and as much
 * again to rewrite; read line by line it costs a few.
 *
 * Both functions answer exactly what the `yaml` path would, or undefined for any text outside
 * that shape (flow lists, quotes, nested blocks, anchors, tabs, CRLF, …), and the caller then
 * takes the `yaml` path. test/catalog/fast-kustomization.test.ts checks both against `yaml` over
 * generated texts.
 */
import { yamlString } from "../shared/fast-yaml";

/** One `resources:` entry: its value and where it starts (1-based, as yaml's LineCounter says). */
export interface PlainEntry {
  value: string;
  line: number;
  column: number;
}

interface Scanned {
  /** Lines before the `resources:` line (comments and `key: value` lines), each without "\n". */
  before: string[];
  entries: PlainEntry[];
  after: string[];
  /** Whether comments or blank lines appear anywhere but at the top. */
  loose: boolean;
}

const KEY_LINE = /^([A-Za-z][A-Za-z0-9_./-]*):(?: +(.*))?$/;
const ENTRY_LINE = /^( *)- +(.*)$/;

/** A plain scalar on one line, without a trailing comment, that yaml reads back as this string. */
function plain(text: string): string | undefined {
  const hash = text.search(/ #/);
  const value = (hash === -1 ? text : text.slice(0, hash)).replace(/ +$/, "");
  return value !== "" && yamlString(value) === value ? value : undefined;
}

function scan(text: string): Scanned | undefined {
  if (!text.endsWith("\n") || /[\r\t\ufeff]/.test(text)) return undefined;
  const lines = text.slice(0, -1).split("\n");
  const seen = new Set<string>();
  const out: Scanned = { before: [], entries: [], after: [], loose: false };
  let state: "before" | "list" | "after" = "before";
  let indent: number | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (/^ *(#.*)?$/.test(line)) {
      // A comment or blank line, which yaml ignores; only comment lines on top are in generate's form.
      if (state !== "before" || seen.size > 0 || !line.startsWith("#")) out.loose = true;
      if (state !== "list") (state === "before" ? out.before : out.after).push(line);
      continue;
    }
    const entry = state === "list" ? ENTRY_LINE.exec(line) : null;
    if (entry !== null) {
      const [, spaces = "", rest = ""] = entry;
      if (indent !== undefined && spaces.length !== indent) return undefined;
      indent = spaces.length;
      const value = plain(rest);
      if (value === undefined) return undefined;
      if (rest !== value || spaces.length !== 2) out.loose = true;
      out.entries.push({ value, line: i + 1, column: line.length - rest.length + 1 });
      continue;
    }
    const pair = KEY_LINE.exec(line);
    if (pair === null) return undefined;
    const [, key = "", rest] = pair;
    if (seen.has(key) || yamlString(key, true) !== key) return undefined;
    seen.add(key);
    if (state === "list") state = "after";
    if (key === "resources") {
      if (rest !== undefined) return undefined;
      state = "list";
      continue;
    }
    const value = rest === undefined ? undefined : plain(rest);
    if (value === undefined) return undefined;
    if (value !== rest) out.loose = true;
    (state === "before" ? out.before : out.after).push(line);
  }
  return out;
}

/**
 * The `resources:` entries of a plain kustomization, in order, with their positions ([] when it
 * has none), or undefined when the text is not of that shape.
 */
export function plainKustomizationResources(text: string): PlainEntry[] | undefined {
  return scan(text)?.entries;
}

/**
 * generate's merge of a kustomization.yaml in the form generate itself writes (comment lines on
 * top, `key: value` lines, a `resources:` list indented by two, nothing else): the entries it does
 * not own stay first, then `ours`, an owned entry keeping its spelling (`./a.yaml`). Undefined for
 * any other text.
 */
export function mergePlainKustomization(
  existing: string,
  ours: readonly string[],
  owned: ReadonlySet<string>,
): string | undefined {
  const scanned = scan(existing);
  if (scanned === undefined || scanned.loose || scanned.entries.length === 0) return undefined;
  const kept: string[] = [];
  const reuse = new Map<string, string>();
  for (const { value } of scanned.entries) {
    const normal = value.replace(/^\.\//, "");
    if (owned.has(normal)) reuse.set(normal, value);
    else kept.push(value);
  }
  let list = "";
  for (const value of kept) list += `  - ${value}\n`;
  for (const name of ours) {
    const value = reuse.get(name) ?? yamlString(name);
    if (value === undefined) return undefined;
    list += `  - ${value}\n`;
  }
  const lines = (part: string[]) => part.map((line) => `${line}\n`).join("");
  // An empty list is written in flow style, as yaml does.
  return `${lines(scanned.before)}resources:${list === "" ? " []\n" : `\n${list}`}${lines(scanned.after)}`;
}
