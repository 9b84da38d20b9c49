import { parentPort } from 'node:worker_threads';
import { type GalleryIdentity, type MatcherOptions, trainModel } from './matcher.ts';
import type { SvmModel, SvmStats } from './svm.ts';

/** A training job sent to the worker: identities with their photo counts, embeddings packed in order. */
export interface TrainJob {
  identities: { slug: string; name: string; count: number }[];
  dim: number;
  packed: Float32Array;
  options: MatcherOptions;
  /** The previous model decoded, when the main thread holds it (then `options.previous` is null). */
  previousModel: SvmModel | null;
}

/** The worker's answer: the model as it is in memory, its arrays transferred, not encoded. */
export type TrainReply =
  | { ok: true; model: SvmModel | null; stats?: SvmStats }
  | { ok: false; message: string };

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
    const model = trainModel(identities, { ...job.options, onStats: (s) => (stats = s) }, job.previousModel);
    const arrays = model
      ? [model.weights, model.bias, model.candidates, model.fingerprints, model.supportVectors]
      : [];
    const reply: TrainReply = { ok: true, model, stats };
    port.postMessage(reply, [...new Set(arrays.map((a) => a.buffer as ArrayBuffer))]);
  } catch (err) {
    port.postMessage({ ok: false, message: (err as Error).message } satisfies TrainReply);
  }
});
