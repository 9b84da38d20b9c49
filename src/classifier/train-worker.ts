import { parentPort } from 'node:worker_threads';
import { type GalleryIdentity, Matcher, type MatcherOptions } from './matcher.ts';
import type { SvmStats } from './svm.ts';

/** A training job sent to the worker: identities with their photo counts, embeddings packed in order. */
export interface TrainJob {
  identities: { slug: string; name: string; count: number }[];
  dim: number;
  packed: Float32Array;
  options: MatcherOptions;
}

const port = parentPort;
if (!port) throw new Error('train-worker.ts must run in a worker thread');

port.on('message', (job: TrainJob) => {
  try {
    let off = 0;
    const identities: GalleryIdentity[] = job.identities.map(({ slug, name, count }) => {
      const embeddings = Array.from({ length: count }, (_, i) =>
        job.packed.subarray(off + i * job.dim, off + (i + 1) * job.dim),
      );
      off += count * job.dim;
      return { slug, name, embeddings };
    });
    let stats: SvmStats | undefined;
    const json = Matcher.trainToJSON(identities, { ...job.options, onStats: (s) => (stats = s) });
    port.postMessage({ ok: true, json, stats });
  } catch (err) {
    port.postMessage({ ok: false, message: (err as Error).message });
  }
});
