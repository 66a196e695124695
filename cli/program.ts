/**
 * Loads a project's Pulumi program (`index.ts`) for `synth`, as CommonJS, the way Pulumi loads it.
 *
 * Compiled (`npm run build`), this project's own program is the precompiled `cli/dist/program.js`,
 * built from the same sources (a test fails when it is stale), so synth needs no TypeScript
 * loader. Any other program (another `--project`) is loaded through tsx's CommonJS hook.
 */
import { realpathSync } from "node:fs";
import { join, resolve } from "node:path";

/** Set to true by the build (esbuild `define`); undefined when run from the TypeScript sources. */
declare const GITOPS_BOOTSTRAP_COMPILED: boolean | undefined;

/** Whether this code runs from the compiled bundles in cli/dist. */
function isCompiled(): boolean {
  return typeof GITOPS_BOOTSTRAP_COMPILED !== "undefined" && GITOPS_BOOTSTRAP_COMPILED;
}

/** A program is a CommonJS module found at run time: plain `require`, as Pulumi loads it. */
const load: NodeJS.Require = require;

/** Imports `<projectDir>/index.ts` and returns its exports (the stack outputs). */
export function loadProgram(projectDir: string): unknown {
  const entry = realpathSync(resolve(projectDir, "index.ts"));
  if (isCompiled()) {
    // cli/dist/program.js was built from <repository>/index.ts, two levels above this bundle.
    if (entry === realpathSync(join(__dirname, "..", "..", "index.ts")))
      return load(join(__dirname, "program.js"));
    // Another project's TypeScript: tsx's CommonJS hook (a devDependency, installed by npm ci).
    if (load.extensions[".ts"] === undefined) (load("tsx/cjs/api") as { register(): unknown }).register();
  }
  return load(entry);
}
