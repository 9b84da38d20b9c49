import { Worker } from 'node:worker_threads';
import { type GalleryIdentity, Matcher, type MatcherJSON, type MatcherOptions } from './matcher.ts';
import type { SvmStats } from './svm.ts';
import type { TrainJob } from './train-worker.ts';

const ENTRY = new URL('./train-worker-entry.mjs', import.meta.url);

/** Below this many photos training takes a few hundred milliseconds, less than starting a thread. */
export const OFF_THREAD_MIN_PHOTOS = 100;

/**
 * Trains a matcher without blocking the event loop: with thousands of identities training takes
 * seconds, and a chat bot that stops reading its sockets for that long misses Discord's and
 * Slack's 3-second deadlines. Small galleries train inline. The embeddings travel packed in one
 * transferred buffer (10,000 x 10 photos are 400 MB: one copy, not a structured clone per photo).
 */
export async function trainOffThread(
  identities: readonly GalleryIdentity[],
  options: MatcherOptions = {},
): Promise<Matcher> {
  const photos = identities.reduce((n, i) => n + i.embeddings.length, 0);
  if (photos < OFF_THREAD_MIN_PHOTOS || identities.length < 2) return Matcher.train(identities, options);
  const dim = identities.find((i) => i.embeddings.length > 0)?.embeddings[0]?.length ?? 0;
  const packed = new Float32Array(photos * dim);
  let off = 0;
  for (const identity of identities) {
    for (const e of identity.embeddings) {
      if (e.length !== dim) return Matcher.train(identities, options); // let train report the mismatch
      packed.set(e, off);
      off += dim;
    }
  }
  const job: TrainJob = {
    identities: identities.map((i) => ({ slug: i.slug, name: i.name, count: i.embeddings.length })),
    dim,
    packed,
    options: {
      ...options,
      onStats: undefined,
      prior: options.prior ? Float32Array.from(options.prior) : null,
    },
  };
  const worker = new Worker(ENTRY);
  try {
    const json = await new Promise<MatcherJSON>((resolve, reject) => {
      worker.once(
        'message',
        (msg: { ok: boolean; json?: MatcherJSON; stats?: SvmStats; message?: string }) => {
          if (msg.stats) options.onStats?.(msg.stats);
          if (msg.ok && msg.json) resolve(msg.json);
          else reject(new Error(`training failed: ${msg.message}`));
        },
      );
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`training worker exited with code ${code}`)));
      worker.postMessage(job, [packed.buffer]);
    });
    return Matcher.fromJSON(json, identities, { sameThreshold: options.sameThreshold });
  } finally {
    await worker.terminate();
  }
}
