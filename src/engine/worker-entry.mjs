// Worker threads do not inherit tsx from `node --import tsx` when the CLI registered it
// programmatically, so every worker registers it itself before loading the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
