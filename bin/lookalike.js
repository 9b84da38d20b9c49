#!/usr/bin/env node
// Runs the compiled CLI: `npm install` builds dist/ (the `prepare` script), and Node refuses to strip types
// under node_modules, so an installed package could not run the TypeScript sources anyway.
import { existsSync } from 'node:fs';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('lookalike is not built: run `npm run build` in its folder (`npm install` does it too).');
  process.exit(1);
}
await import(main.href);
