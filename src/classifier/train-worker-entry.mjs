// Like the inference workers: the compiled train-off-thread.js beside this file when there is one (dist/),
// else register tsx here, since the CLI registers it programmatically, and load the TypeScript.
import { existsSync } from 'node:fs';

const compiled = new URL('./train-off-thread.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./train-off-thread.ts');
}
