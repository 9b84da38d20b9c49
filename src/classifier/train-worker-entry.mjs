// Like the inference workers: register tsx here, since the CLI registers it programmatically.
import { register } from 'tsx/esm/api';

register();
await import('./train-worker.ts');
