import { Worker } from 'node:worker_threads';
import { type GalleryIdentity, Matcher, type MatcherOptions } from './matcher.ts';
import type { SvmModel } from './svm.ts';
import { knownModel } from './svm-codec.ts';
import type { TrainJob, TrainReply } from './train-worker.ts';

const ENTRY = new URL('./train-worker-entry.mjs', import.meta.url);

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
    worker = new Worker(ENTRY);
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
