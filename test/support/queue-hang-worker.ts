// A child process for the queue tests: an inference worker whose engine never answers, so the test can
// kill it (SIGKILL) while it holds a photo. It prints `active` when it took one.
import { InferenceWorker } from '../../src/queue/inference-worker.ts';
import { hangingEngine } from './queue-fakes.ts';

const [url, lockMs] = process.argv.slice(2);
await InferenceWorker.start({
  url: url!,
  engine: hangingEngine(() => process.stdout.write('active\n')),
  lockMs: Number(lockMs),
});
process.stdout.write('ready\n');
