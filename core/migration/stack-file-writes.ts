/**
 * Writing settings into a `Pulumi.<stack>.yaml` with `yaml`'s Document API, so its comments,
 * order and every other key survive. A value the user wrote is never replaced: a different value
 * already there is an error naming the key, both values' sources and the fix.
 */
import { isMap as isYamlMap, isScalar, parseDocument } from "yaml";
import { shown } from "./diff";
import type { SettingWrite } from "./plan";

const PROJECT = "gitops-bootstrap";

export type WriteResult = { ok: true; text: string; written: string[] } | { ok: false; errors: string[] };

/** The key as the file spells it: stack files may leave the project's own keys unqualified. */
function fileKey(config: unknown, key: string): string {
  if (!isYamlMap(config)) return key;
  const bare = key.startsWith(`${PROJECT}:`) ? key.slice(PROJECT.length + 1) : key;
  return !config.has(key) && config.has(bare) ? bare : key;
}

/** `writes` applied to the stack file's `text` (already read and checked as YAML by the caller). */
export function applyWrites(text: string, file: string, writes: readonly SettingWrite[]): WriteResult {
  const doc = parseDocument(text);
  if (doc.errors.length > 0)
    return { ok: false, errors: [`${file}: is not valid YAML; fix the YAML syntax`] };
  if (doc.contents !== null && !isYamlMap(doc.contents))
    return { ok: false, errors: [`${file}: is not a Pulumi stack file: it must be a YAML mapping`] };
  const errors: string[] = [];
  const written: string[] = [];
  for (const write of writes) {
    const config = doc.get("config", true);
    const [head = "", ...rest] = write.path;
    const path = ["config", fileKey(config, head), ...rest];
    const name = [head, ...rest].join(".");
    let node: unknown;
    try {
      node = doc.getIn(path, true);
    } catch {
      node = undefined;
    }
    const existing =
      node === undefined ? undefined : isScalar(node) ? node.value : (node as { toJSON(): unknown }).toJSON();
    if (existing === undefined || existing === null) {
      if (write.default !== undefined && JSON.stringify(write.default) === JSON.stringify(write.value))
        continue;
      try {
        doc.setIn(path, doc.createNode(write.value, { flow: Array.isArray(write.value) }));
      } catch {
        errors.push(
          `${file}: ${name}: a key above it is not a mapping, so migrate cannot set it; fix the file's structure`,
        );
        continue;
      }
      written.push(`${name}: ${shown(write.value)}`);
    } else if (write.union === true && Array.isArray(existing) && Array.isArray(write.value)) {
      // Entries the user added (another root object) stay; the ones Terraform knows are added.
      const missing = write.value.filter(
        (v) => !existing.some((e) => JSON.stringify(e) === JSON.stringify(v)),
      );
      if (missing.length > 0) {
        doc.setIn(path, doc.createNode([...existing, ...missing], { flow: true }));
        written.push(`${name}: ${shown([...existing, ...missing])}`);
      }
    } else if (JSON.stringify(existing) !== JSON.stringify(write.value)) {
      const secure = typeof existing === "object" && existing !== null && "secure" in existing;
      errors.push(
        `${file}: ${name} is ${secure ? "a secret" : shown(existing)} but the Terragrunt state has ${shown(write.value)} (${write.from}): adopting under another name would replace the resource; set it to ${shown(write.value)}, or remove it and run migrate again`,
      );
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, text: doc.toString(), written };
}
