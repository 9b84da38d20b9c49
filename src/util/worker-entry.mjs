// Every worker thread starts here (see workers.ts): `workerData.module` is the worker's module, a file URL
// without its extension. Compiled (dist/), the JavaScript beside it is loaded; from the sources, worker
// threads do not inherit tsx from `node --import tsx` when the CLI registered it programmatically, so the
// worker registers it itself before loading the TypeScript.
import { existsSync } from 'node:fs';
import { workerData } from 'node:worker_threads';

const compiled = new URL(`${workerData.module}.js`);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(`${workerData.module}.ts`);
}
