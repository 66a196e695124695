import { join } from "node:path";

/** The project's root directory, for tests that read its files. */
export const REPO_ROOT = join(__dirname, "..", "..");
