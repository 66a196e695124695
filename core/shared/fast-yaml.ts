/**
 * A fast path for `yaml`'s stringify (with `lineWidth: 0`) over the plain data the project writes:
 * maps, lists, single-line strings, integers, booleans and null, in block style.
 *
 * It returns exactly the text `yaml` would, or undefined for anything it does not cover (a
 * multi-line string, a control character, a nested list, a float, a class instance, …), and the
 * caller then uses `yaml` itself. Scalars follow yaml's own rules (stringify/stringifyString.js:
 * plainString and quotedString), and a string that yaml's core schema would read as something else
 * ("10", "true", "null", "0x1F", ".inf") is quoted by testing it against that schema's own tags.
 * test/shared/fast-yaml.test.ts compares it with `yaml` over generated data and strings.
 *
 * Why: generate writes one Application per app; `yaml.stringify` costs ~100 µs per object,
 * this ~3 µs, which is most of a 10,000-app run.
 */
import { Document } from "yaml";

/** yaml forces double quotes with escapes on these: left to yaml. */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u; // eslint-disable-line no-control-regex

/** yaml's plainString test for a string that cannot be written plain (it is quoted instead). */
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;

/** yaml writes strings that look like a document marker in block style or indented: left to yaml. */
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;

/** Keys longer than 1024 characters become explicit (`? key`) keys: left to yaml. */
const MAX_KEY_LENGTH = 1000;

/**
 * One test for every non-string tag of yaml's default (1.2 core) schema: a plain string matching it
 * would read back as null, a boolean or a number, so yaml quotes it.
 */
const NON_STRING: RegExp = (() => {
  const tests: RegExp[] = [];
  for (const tag of new Document().schema.tags) {
    const test = (tag as { test?: unknown }).test;
    if (tag.default && tag.tag !== "tag:yaml.org,2002:str" && test instanceof RegExp) tests.push(test);
  }
  if (tests.length === 0 || tests.some((t) => t.flags !== "")) {
    throw new Error("fast-yaml: yaml's core schema changed; review core/shared/fast-yaml.ts");
  }
  return new RegExp(tests.map((t) => `(?:${t.source})`).join("|"));
})();

/** A string scalar as yaml writes it (as a map value, list item or map key), or undefined. */
export function yamlString(value: string, isKey = false): string | undefined {
  if (value.includes("\n") || CONTROL.test(value) || DOCUMENT_MARKER.test(value)) return undefined;
  if (isKey && value.length > MAX_KEY_LENGTH) return undefined;
  if (!NOT_PLAIN.test(value) && !NON_STRING.test(value)) return value;
  // yaml's quotedString: single quotes when only double quotes occur, else double quotes, whose
  // escapes on one line without control characters are JSON's.
  return value.includes('"') && !value.includes("'") ? `'${value}'` : JSON.stringify(value);
}

/** Keys repeat across objects: remember how each is written. */
const keys = new Map<string, string | undefined>();

function yamlKey(key: string): string | undefined {
  let out = keys.get(key);
  if (out === undefined && !keys.has(key)) {
    out = yamlString(key, true);
    if (keys.size > 10_000) keys.clear();
    keys.set(key, out);
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A scalar on the line of its key or list dash, or undefined. */
function inlineScalar(value: unknown): string | undefined {
  switch (typeof value) {
    case "string":
      return yamlString(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      return Number.isSafeInteger(value) && !Object.is(value, -0) ? String(value) : undefined;
    case "object":
      return value === null ? "null" : undefined;
    default:
      return undefined;
  }
}

/** Signals a value the fast path does not cover. */
class Unsupported extends Error {}
const UNSUPPORTED = new Unsupported();

function mapLines(map: Record<string, unknown>, indent: string): string {
  let out = "";
  for (const rawKey of Object.keys(map)) {
    const key = yamlKey(rawKey);
    if (key === undefined) throw UNSUPPORTED;
    const value = map[rawKey];
    if (Array.isArray(value)) {
      out +=
        value.length === 0 ? `${indent}${key}: []\n` : `${indent}${key}:\n${listLines(value, `${indent}  `)}`;
    } else if (isPlainObject(value)) {
      out +=
        Object.keys(value).length === 0
          ? `${indent}${key}: {}\n`
          : `${indent}${key}:\n${mapLines(value, `${indent}  `)}`;
    } else {
      const scalar = inlineScalar(value);
      if (scalar === undefined) throw UNSUPPORTED;
      out += `${indent}${key}: ${scalar}\n`;
    }
  }
  return out;
}

function listLines(list: readonly unknown[], indent: string): string {
  let out = "";
  for (let i = 0; i < list.length; i++) {
    if (!(i in list)) throw UNSUPPORTED;
    const item = list[i];
    if (Array.isArray(item)) throw UNSUPPORTED;
    if (isPlainObject(item)) {
      if (Object.keys(item).length === 0) {
        out += `${indent}- {}\n`;
        continue;
      }
      // The map's first key goes on the dash's line; the rest line up under it.
      const lines = mapLines(item, `${indent}  `);
      out += `${indent}- ${lines.slice(indent.length + 2)}`;
    } else {
      const scalar = inlineScalar(item);
      if (scalar === undefined) throw UNSUPPORTED;
      out += `${indent}- ${scalar}\n`;
    }
  }
  return out;
}

/**
 * `value` as `yaml.stringify(value, { lineWidth: 0, aliasDuplicateObjects: false })` writes it,
 * when `value` is a non-empty map of what this covers; undefined otherwise.
 */
export function fastStringify(value: unknown): string | undefined {
  if (!isPlainObject(value) || Object.keys(value).length === 0) return undefined;
  try {
    return mapLines(value, "");
  } catch (error) {
    if (error === UNSUPPORTED) return undefined;
    throw error;
  }
}
