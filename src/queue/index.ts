import type { QueueConfig } from '../config/index.ts';
import { redactUrl } from '../store/url.ts';
import { QueueEngine } from './queue-engine.ts';

export { QueueEngine } from './queue-engine.ts';

/** The bot side of the Redis inference queue, from LOOKALIKE_QUEUE and its tuning; logs where it queues. */
export async function openQueueEngine(
  config: QueueConfig,
  log: (line: string, fields?: Record<string, unknown>) => void,
): Promise<QueueEngine> {
  const engine = await QueueEngine.open({ url: config.url, limit: config.limit, ttlMs: config.ttlMs, log });
  log(`face engine: inference queue at ${redactUrl(config.url)}, run \`npm run worker\` to analyse photos`);
  return engine;
}
