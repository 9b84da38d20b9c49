import { parentPort } from 'node:worker_threads';
import { type GalleryIdentity, Matcher, type MatcherOptions } from './matcher.ts';

/** A training job sent to the worker. */
export interface TrainJob {
  identities: GalleryIdentity[];
  options: MatcherOptions;
}

const port = parentPort;
if (!port) throw new Error('train-worker.ts must run in a worker thread');

port.on('message', (job: TrainJob) => {
  try {
    port.postMessage({ ok: true, json: Matcher.train(job.identities, job.options).toJSON() });
  } catch (err) {
    port.postMessage({ ok: false, message: (err as Error).message });
  }
});
