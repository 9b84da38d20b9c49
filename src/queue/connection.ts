import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { UserError } from '../errors.ts';
import { redactUrl } from '../store/url.ts';
import { QUEUE_PREFIX } from './wire.ts';

/** How long opening the queue may take before start-up fails with a message naming the URL. */
const CONNECT_TIMEOUT_MS = 10_000;

/** Bounded event streams: BullMQ keeps one per queue, and ours carry job ids only, never photos. */
export const STREAMS = { events: { maxLen: 1_000 } };

/** Options every Lookalike queue, worker and results queue shares. */
export function queueOptions(connection: Redis): { connection: Redis; prefix: string } {
  return { connection, prefix: QUEUE_PREFIX };
}

/**
 * Opens the ioredis connection BullMQ shares. `maxRetriesPerRequest: null` is what BullMQ's workers need:
 * a command waits for Redis to come back instead of failing, so a Redis restart only pauses the queue.
 */
export async function connect(url: string): Promise<Redis> {
  const connection = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true });
  // Errors surface as failed commands; without a listener ioredis would also print each retry.
  connection.on('error', () => {});
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      connection.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), CONNECT_TIMEOUT_MS);
      }),
    ]);
  } catch (err) {
    connection.disconnect();
    // A UserError, so that start-up fails with this one line rather than a stack.
    throw new UserError('store_unavailable', {
      text: 'queue_unreachable',
      url: redactUrl(url),
      why: (err as Error).message,
    });
  } finally {
    clearTimeout(timer);
  }
  return connection;
}

/** Closes a connection that `connect` opened, without waiting on a Redis that went away. */
export async function disconnect(connection: Redis): Promise<void> {
  await connection.quit().catch(() => connection.disconnect());
}

/**
 * Removes photos and results that waited longer than `ttlMs`: nobody waits for them any more (the bot
 * answered "try again" at its deadline), and no selfie may outlive its job, even when the bot process
 * that asked died. Uses BullMQ's own `clean`; the results queues are found by their meta keys.
 */
export async function sweepExpired(connection: Redis, analyze: Queue, ttlMs: number): Promise<number> {
  let removed = (await analyze.clean(ttlMs, 1_000, 'wait')).length;
  const pattern = `${QUEUE_PREFIX}:results-*:meta`;
  let cursor = '0';
  do {
    const [next, keys] = await connection.scan(cursor, 'MATCH', pattern, 'COUNT', 100);
    cursor = next;
    for (const key of keys) {
      const name = key.slice(QUEUE_PREFIX.length + 1, -':meta'.length);
      const results = new Queue(name, queueOptions(connection));
      removed += (await results.clean(ttlMs, 1_000, 'wait')).length;
      await results.close();
    }
  } while (cursor !== '0');
  return removed;
}
