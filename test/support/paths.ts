import { symlinkSync } from "node:fs";
import { join } from "node:path";

/** The project's root directory, for tests that read its files. */
export const REPO_ROOT = join(__dirname, "..", "..");

/** What a project directory needs to run the real program (Pulumi.yaml, sources, charts, packages). */
const PROGRAM_ENTRIES = ["index.ts", "stacks", "components", "core", "charts", "node_modules", "Pulumi.yaml"];

/**
 * Links the real program into `dir`, plus `extra` entries of the project, so a test can add stack
 * files of its own; one list, so a moved folder cannot be forgotten in one copy of it.
 */
export function linkProgram(dir: string, extra: readonly string[] = []): void {
  for (const entry of [...PROGRAM_ENTRIES, ...extra]) symlinkSync(join(REPO_ROOT, entry), join(dir, entry));
}
