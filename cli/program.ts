/**
 * Loads a project's Pulumi program (`index.ts`) for `synth`, as CommonJS, the way Pulumi loads it.
 *
 * This project's own program is imported statically, so `npm run build` compiles it into synth's
 * bundle (evaluated only here, after the mock runtime is installed): synth needs no TypeScript
 * loader and shares one copy of yaml and zod with it. Any other program (another `--project`) is
 * loaded through tsx's CommonJS hook (a devDependency, installed by npm ci).
 */
import { realpathSync } from "node:fs";
import { join, resolve } from "node:path";

/** Set to true by the build (esbuild `define`); undefined when run from the TypeScript sources. */
declare const GITOPS_BOOTSTRAP_COMPILED: boolean | undefined;

const COMPILED = typeof GITOPS_BOOTSTRAP_COMPILED !== "undefined" && GITOPS_BOOTSTRAP_COMPILED;

/** The repository this code belongs to: above cli/, or above cli/dist/ when compiled. */
const REPOSITORY = COMPILED ? join(__dirname, "..", "..") : join(__dirname, "..");

/** Another project's program is a CommonJS module found at run time: plain `require`. */
const load: NodeJS.Require = require;

/** Imports `<projectDir>/index.ts` and returns its exports (the stack outputs, `export =`). */
export async function loadProgram(projectDir: string): Promise<unknown> {
  const entry = realpathSync(resolve(projectDir, "index.ts"));
  if (entry === realpathSync(join(REPOSITORY, "index.ts"))) {
    const loaded = (await import("../index")) as { default?: unknown };
    return loaded.default ?? loaded;
  }
  if (COMPILED && load.extensions[".ts"] === undefined) {
    (load("tsx/cjs/api") as { register(): unknown }).register();
  }
  return load(entry);
}
