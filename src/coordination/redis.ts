import { Redis } from 'ioredis';
import { ACQUIRE, EXTEND, FENCED_WRITE, GCRA, RELEASE } from './scripts.ts';

/** Every key of shared state starts with this, beside the inference queue's `lookalike:` keys. */
export const SHARED_PREFIX = 'lookalike:shared:';

/** The scripts of `scripts.ts`, as ioredis commands on the connection. */
export interface CoordinationRedis extends Redis {
  lockAcquire(lock: string, fence: string, ttlMs: number): Promise<number>;
  lockRelease(lock: string, token: number): Promise<number>;
  lockExtend(lock: string, token: number, ttlMs: number): Promise<number>;
  fencedWrite(
    fence: string,
    state: string,
    index: string,
    token: number,
    json: string,
    channel: string,
  ): Promise<number>;
  gcra(key: string, intervalMs: number, capacity: number): Promise<number>;
}

/**
 * Closes a connection without waiting on a Redis that is down: QUIT would sit in the offline queue of a
 * connection that retries forever (BullMQ's), and keep the stopping process alive.
 */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
  else redis.disconnect();
}

/** Resolves with `work`, or after `ms` without it: shutting down must not wait on a Redis that is gone. */
export async function bounded(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work.catch(() => {}),
    new Promise((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

/**
 * Opens the connection for locks, game states and rate limits. It connects in the background, like the
 * store's: a bot whose Redis is down still starts, and recovers when Redis is back. Unlike BullMQ's
 * connection, commands fail after a few retries instead of waiting forever, so a member gets an answer.
 */
export function openCoordinationRedis(url: string): CoordinationRedis {
  const redis = new Redis(url, { maxRetriesPerRequest: 2, connectTimeout: 5_000 });
  // Failures surface on the commands that fail; without a listener ioredis prints every retry.
  redis.on('error', () => {});
  redis.defineCommand('lockAcquire', { numberOfKeys: 2, lua: ACQUIRE });
  redis.defineCommand('lockRelease', { numberOfKeys: 1, lua: RELEASE });
  redis.defineCommand('lockExtend', { numberOfKeys: 1, lua: EXTEND });
  redis.defineCommand('fencedWrite', { numberOfKeys: 3, lua: FENCED_WRITE });
  redis.defineCommand('gcra', { numberOfKeys: 1, lua: GCRA });
  return redis as CoordinationRedis;
}
