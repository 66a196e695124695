#!/usr/bin/env node
// Entry point of `npx gitops-bootstrap <command>`: loads the TypeScript CLI through tsx.
require("tsx/cjs");
require("./main.ts")
  .main(process.argv.slice(2))
  .then((code) => process.exit(code));
