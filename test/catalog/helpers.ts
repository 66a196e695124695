/** Helpers for the catalog and generate tests: an in-memory repository and the CRD validators. */
import { strict as assert } from "node:assert";
import { cpSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CatalogError } from "../../core/catalog/catalog";
import { listedRepo, type RepoView } from "../../core/catalog/repo-view";
import { validateKubernetesObject } from "../support/validate";

export const FIXTURES = join(__dirname, "fixtures");

/** A repository held in memory: path → content. Directories exist when a file is below them. */
export function memoryRepo(
  files: Record<string, string>,
  links: ReadonlyMap<string, string> = new Map(),
): RepoView {
  return listedRepo(Object.keys(files).sort(), (path) => files[path], links);
}

/** A repository with a kustomization.yaml in each of `dirs`. */
export function repoWithDirs(dirs: readonly string[], extra: Record<string, string> = {}): RepoView {
  const files: Record<string, string> = { ...extra };
  for (const dir of dirs) files[`${dir}/kustomization.yaml`] = "resources: []\n";
  return memoryRepo(files);
}

/** A fixture directory copied to a fresh temporary directory (tests may write into it). */
export function copyFixture(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `gitops-catalog-${name}-`));
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

/** Every file below `dir` → content, for comparing whole trees. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out.set(path.slice(dir.length + 1), readFileSync(path, "utf8"));
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Schema validation of one generated object: the project's shared kubernetes-models helper. */
export { validateKubernetesObject as validateObject } from "../support/validate";

/** The CatalogError a call throws (fails the test when it does not throw one). */
export function catalogError(run: () => unknown): CatalogError {
  try {
    run();
  } catch (error) {
    if (error instanceof CatalogError) return error;
    throw error;
  }
  assert.fail("expected a CatalogError");
}

/**
 * Proves the CRD schema knows a field: the validators ignore unknown fields, so a misspelt key
 * would pass `validateObject`; a wrong-typed value at a known path must fail, naming the path.
 */
export async function assertSchemaKnows(object: unknown, path: readonly string[]): Promise<void> {
  const copy = structuredClone(object) as Record<string, unknown>;
  let node: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = path[path.length - 1] ?? "";
  assert.ok(last in node, `${path.join(".")} is not set in the object`);
  node[last] = typeof node[last] === "string" ? 12345 : `not a ${typeof node[last]}`;
  await assert.rejects(
    validateKubernetesObject(copy as never),
    (error: Error) => error.message.includes(`data/${path.join("/")} must be`),
    `the schema does not know ${path.join(".")}`,
  );
}
