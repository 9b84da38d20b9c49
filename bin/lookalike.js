#!/usr/bin/env -S GLIBC_TUNABLES=glibc.malloc.hugetlb=1:${GLIBC_TUNABLES} node
// Transparent huge pages for malloc (glibc 2.35+; ignored elsewhere): a one-shot `lookalike infer` maps tens
// of MB fresh, and on a virtual machine whose 4 KiB page faults cost 11 µs that was 50-60 ms of its
// start-up (docs/engine-speed.md). The tunable must be set before the process starts, hence here; a
// GLIBC_TUNABLES of the user's own is kept after it.
// Runs the compiled CLI: `npm install` builds dist/ (the `prepare` script), and Node refuses to strip types
// under node_modules, so an installed package could not run the TypeScript sources anyway.
import { existsSync } from 'node:fs';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('lookalike is not built: run `npm run build` in its folder (`npm install` does it too).');
  process.exit(1);
}
await import(main.href);
