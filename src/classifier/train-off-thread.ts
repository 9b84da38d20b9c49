import { isMainThread, parentPort, type Worker } from 'node:worker_threads';
import { startWorker, workerInput } from '../util/workers.ts';
import { type GalleryIdentity, Matcher, type MatcherOptions, trainModel } from './matcher.ts';
import type { SvmModel, SvmStats } from './svm.ts';
import { knownModel } from './svm-codec.ts';

/** The worker runs this very module, which its input tells apart from the side that starts it. */
const MODULE = new URL('./train-off-thread', import.meta.url);
const WORKER = 'lookalike-train';

/** A training job sent to the worker: identities with their photo counts, embeddings packed in order. */
interface TrainJob {
  identities: { slug: string; name: string; count: number }[];
  dim: number;
  packed: Float32Array;
  options: MatcherOptions;
  /** The previous model decoded, when the main thread holds it (then `options.previous` is null). */
  previousModel: SvmModel | null;
}

/** The worker's answer: the model as it is in memory, its arrays transferred, not encoded. */
type TrainReply = { ok: true; model: SvmModel | null; stats?: SvmStats } | { ok: false; message: string };

/** Below this many photos training takes a few hundred milliseconds, less than starting a thread. */
export const OFF_THREAD_MIN_PHOTOS = 100;

/**
 * Trains a matcher without blocking the event loop: with thousands of identities training takes
 * seconds, and a chat bot that stops reading its sockets for that long misses Discord's and
 * Slack's 3-second deadlines. Small galleries train inline. The embeddings travel packed in one
 * shared buffer, kept for the next training: 10,000 x 10 photos are 460 MB, and touching that much
 * fresh memory costs over a second of page faults each time, copying into warm memory a tenth of it.
 * The model comes back as typed arrays (transferred), and while the worker trains this thread
 * computes the matcher's centroids, which need no model.
 */
export async function trainOffThread(
  identities: readonly GalleryIdentity[],
  options: MatcherOptions = {},
): Promise<Matcher> {
  const photos = identities.reduce((n, i) => n + i.embeddings.length, 0);
  if (photos < OFF_THREAD_MIN_PHOTOS || identities.length < 2) return Matcher.train(identities, options);
  const dim = identities.find((i) => i.embeddings.length > 0)?.embeddings[0]?.length ?? 0;
  // Let train report a dimension mismatch.
  if (identities.some((i) => i.embeddings.some((e) => e.length !== dim)))
    return Matcher.train(identities, options);
  const packed = packBuffer(photos * dim);
  let off = 0;
  for (const identity of identities) {
    for (const e of identity.embeddings) {
      packed.set(e, off);
      off += dim;
    }
  }
  // The previous model as this thread holds it, when it does: the worker need not decode it.
  const { previous } = options;
  const previousModel = previous?.svm
    ? knownModel(
        previous.svm,
        previous.identities.map((i) => i.slug),
      )
    : null;
  const job: TrainJob = {
    identities: identities.map((i) => ({ slug: i.slug, name: i.name, count: i.embeddings.length })),
    dim,
    packed,
    options: {
      ...options,
      onStats: undefined,
      prior: options.prior ? Float32Array.from(options.prior) : null,
      previous: previousModel ? null : previous,
    },
    previousModel,
  };
  let worker: Worker | null = null;
  try {
    worker = startWorker(MODULE, WORKER);
    const w = worker;
    const trained = new Promise<SvmModel | null>((resolve, reject) => {
      w.once('message', (msg: TrainReply) => {
        if (!msg.ok) return reject(new Error(`training failed: ${msg.message}`));
        if (msg.stats) options.onStats?.(msg.stats);
        resolve(msg.model);
      });
      w.once('error', reject);
      w.once('exit', (code) => reject(new Error(`training worker exited with code ${code}`)));
      w.postMessage(job);
    });
    trained.catch(() => {}); // awaited below, unless the geometry throws first (duplicate slugs)
    const geometry = Matcher.geometry(identities, options.prior);
    const model = await trained;
    return Matcher.fromModel(identities, model, geometry, { sameThreshold: options.sameThreshold });
  } finally {
    await worker?.terminate();
    if (packed.buffer === shared?.buffer) busy = false;
  }
}

/** The packing buffer kept between trainings, and whether a training is using it. */
let shared: Float32Array | null = null;
let busy = false;

/** `floats` of the kept shared buffer (grown when too small), or fresh memory while it is in use. */
function packBuffer(floats: number): Float32Array {
  if (busy) return new Float32Array(new SharedArrayBuffer(floats * 4));
  // A quarter to spare: the next version of a gallery is usually a little larger.
  if (shared === null || shared.length < floats)
    shared = new Float32Array(new SharedArrayBuffer(Math.ceil(floats * 1.25) * 4));
  busy = true;
  return shared.subarray(0, floats);
}

if (!isMainThread && workerInput() === WORKER) {
  const port = parentPort!;
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
      const model = trainModel(
        identities,
        { ...job.options, onStats: (s) => (stats = s) },
        job.previousModel,
      );
      const arrays = model
        ? [model.weights, model.bias, model.candidates, model.fingerprints, model.supportVectors]
        : [];
      const reply: TrainReply = { ok: true, model, stats };
      port.postMessage(reply, [...new Set(arrays.map((a) => a.buffer as ArrayBuffer))]);
    } catch (err) {
      port.postMessage({ ok: false, message: (err as Error).message } satisfies TrainReply);
    }
  });
}
