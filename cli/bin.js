#!/usr/bin/env node
// Entry point of `npx gitops-bootstrap <command>`: runs the compiled CLI in cli/dist/, which
// `npm run build` makes from the TypeScript sources and which is committed (npm ci runs no build).
// Node 22+ caches the compiled code between runs; older versions lack the function and skip it.
require("node:module").enableCompileCache?.();
require("./dist/main.js").run(process.argv.slice(2));
