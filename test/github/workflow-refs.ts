/** Reads which Actions secrets and variables a parsed workflow references. Shared by the wiring tests. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

export const WORKFLOW_DIR = join(__dirname, "..", "..", ".github", "workflows");
export const WORKFLOW_FILES = ["preview.yml", "up.yml", "publish-manifests.yml", "drift.yml"] as const;

/** Every string anywhere in a parsed document (keys excluded: expressions live in values). */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(strings);
  return [];
}

/** `secrets.X` and `vars.X` references in expressions and `if:` conditions; GITHUB_TOKEN excluded. */
export function references(doc: unknown): { secrets: Set<string>; variables: Set<string> } {
  const secrets = new Set<string>();
  const variables = new Set<string>();
  for (const s of strings(doc)) {
    for (const m of s.matchAll(/\b(secrets|vars)\.([A-Za-z_][A-Za-z0-9_]*)/g)) {
      const name = m[2] as string;
      if (m[1] === "secrets") secrets.add(name);
      else variables.add(name);
    }
  }
  // Provided by GitHub, not by the stack.
  secrets.delete("GITHUB_TOKEN");
  return { secrets, variables };
}

/** The union of the references of all the workflows, parsed from the files. */
export function workflowReferences(): { secrets: Set<string>; variables: Set<string> } {
  const all = { secrets: new Set<string>(), variables: new Set<string>() };
  for (const file of WORKFLOW_FILES) {
    const refs = references(parse(readFileSync(join(WORKFLOW_DIR, file), "utf8")));
    refs.secrets.forEach((s) => all.secrets.add(s));
    refs.variables.forEach((v) => all.variables.add(v));
  }
  return all;
}
