import { Worker } from 'node:worker_threads';
import { type GalleryIdentity, Matcher, type MatcherJSON, type MatcherOptions } from './matcher.ts';

const ENTRY = new URL('./train-worker-entry.mjs', import.meta.url);

/** Below this many photos training takes milliseconds, less than starting a thread. */
export const OFF_THREAD_MIN_PHOTOS = 400;

/**
 * Trains a matcher without blocking the event loop: with hundreds of identities the SVM takes
 * seconds, and a chat bot that stops reading its sockets for that long misses Discord's and
 * Slack's 3-second deadlines. Small galleries train inline.
 */
export async function trainOffThread(
  identities: readonly GalleryIdentity[],
  options: MatcherOptions = {},
): Promise<Matcher> {
  const photos = identities.reduce((n, i) => n + i.embeddings.length, 0);
  if (photos < OFF_THREAD_MIN_PHOTOS || identities.length < 2) return Matcher.train(identities, options);
  const worker = new Worker(ENTRY);
  try {
    const json = await new Promise<MatcherJSON>((resolve, reject) => {
      worker.once('message', (msg: { ok: boolean; json?: MatcherJSON; message?: string }) =>
        msg.ok && msg.json ? resolve(msg.json) : reject(new Error(`training failed: ${msg.message}`)),
      );
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`training worker exited with code ${code}`)));
      worker.postMessage({
        identities,
        options: { ...options, prior: options.prior ? Float32Array.from(options.prior) : null },
      });
    });
    return Matcher.fromJSON(json, { sameThreshold: options.sameThreshold });
  } finally {
    await worker.terminate();
  }
}
