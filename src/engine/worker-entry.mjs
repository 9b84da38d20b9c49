// The pool's worker threads start here. Compiled (dist/src/engine, beside worker.js) it loads the JavaScript;
// from the sources, worker threads do not inherit tsx from `node --import tsx` when the CLI registered it
// programmatically, so every worker registers it itself before loading the TypeScript worker.
import { existsSync } from 'node:fs';

const compiled = new URL('./worker.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./worker.ts');
}
