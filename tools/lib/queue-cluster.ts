// A whole scaled-out Lookalike on loopback, for the scale test and `npm run bench:queue`: a throwaway
// Redis, inference worker processes (`npm run worker`'s entry) and bot-side producer processes.
import type { ChildProcess } from 'node:child_process';
import { type Child, spawnTsx } from '../../test/fixtures/child.ts';
import { startRedis, stopRedis } from '../../test/fixtures/redis-server.ts';
import type { ProducerAnswer } from './queue-producer.ts';

/** What one burst brought back. */
export interface BurstResult {
  answers: ProducerAnswer[];
  /** Wall-clock milliseconds from sending the burst to the last answer. */
  ms: number;
  /** Answers the producers dropped as second answers to a photo already answered. */
  dropped: number;
}

let bursts = 0;

/** Games in a producer (game-bot.ts): their timings, and `hang` for one that freezes on due deadlines. */
export interface GameArgs {
  revealMs: number;
  pauseMs: number;
  hang?: boolean;
}

/** Redis plus the worker and producer processes started on it; `stop()` ends every one of them. */
export class QueueCluster {
  readonly url: string;
  readonly workers: Child[] = [];
  readonly producers: Child[] = [];
  readonly #redis: ChildProcess;

  private constructor(port: number, redis: ChildProcess) {
    this.url = `redis://127.0.0.1:${port}`;
    this.#redis = redis;
  }

  /** Starts a throwaway Redis on a free loopback port. */
  static async start(): Promise<QueueCluster> {
    const redis = await startRedis();
    return new QueueCluster(redis.port, redis.child);
  }

  /**
   * Starts one inference worker process with one inference thread on wasm (the CI backend), and waits
   * until its models are loaded. `lockSeconds` is how soon a killed worker's photo is retried.
   */
  async addWorker(lockSeconds = 2): Promise<Child> {
    const worker = spawnTsx('src/queue/worker-main.ts', [], {
      LOOKALIKE_QUEUE: this.url,
      LOOKALIKE_WORKERS: '1',
      LOOKALIKE_QUEUE_LOCK: String(lockSeconds),
      FACE_BACKEND: 'wasm',
    });
    this.workers.push(worker);
    await worker.waitFor((line) => line.includes('inference worker ready'));
    return worker;
  }

  /**
   * Starts one bot-side producer process (with `games`, also a game bot sharing games through the Redis)
   * whose queue bound is `limit` waiting photos. Its TTL is long
   * (10 min by default): a burst far past what a bot would queue must measure throughput, not time out.
   */
  async addProducer(limit = 1_000, ttlMs = 600_000, games: GameArgs | undefined = undefined): Promise<Child> {
    const gameArgs = games
      ? ['games', String(games.revealMs), String(games.pauseMs), ...(games.hang ? ['hang'] : [])]
      : [];
    const producer = spawnTsx('tools/lib/queue-producer.ts', [
      this.url,
      String(limit),
      String(ttlMs),
      ...gameArgs,
    ]);
    this.producers.push(producer);
    await producer.waitFor((line) => line === 'ready');
    return producer;
  }

  /**
   * Sends `files` over the producers (round robin), all at once or one after another, and waits for
   * every producer to report its share done. `onAnswer` sees each answer as it arrives.
   */
  async burst(
    files: string[],
    options: {
      sequential?: boolean;
      /** Send from these producers only (default every one). */
      producers?: Child[];
      onAnswer?: (answer: ProducerAnswer, count: number) => void;
    } = {},
  ): Promise<BurstResult> {
    const producers = options.producers ?? this.producers;
    const id = `b${++bursts}`;
    const answers: ProducerAnswer[] = [];
    let dropped = 0;
    const start = performance.now();
    await Promise.all(
      producers.map((producer, p) => {
        const share = files.filter((_, i) => i % producers.length === p);
        const done = producer.waitFor((line) => {
          if (!line.startsWith(`{"burst":"${id}"`)) return false;
          const message = JSON.parse(line) as ProducerAnswer & { done?: boolean; dropped?: number };
          if (message.done) {
            dropped += message.dropped ?? 0;
            return true;
          }
          answers.push(message);
          options.onAnswer?.(message, answers.length);
          return false;
        }, 600_000);
        producer.send(JSON.stringify({ burst: id, files: share, sequential: options.sequential }));
        return done;
      }),
    );
    return { answers, ms: performance.now() - start, dropped };
  }

  /** Stops every producer and worker, then Redis. */
  async stop(): Promise<void> {
    for (const producer of this.producers) producer.send('exit');
    await Promise.all(
      this.producers.map((p) => p.waitFor((line) => line === 'closed', 10_000).catch(() => {})),
    );
    await Promise.all([...this.producers, ...this.workers].map((child) => child.stop('SIGKILL')));
    await stopRedis(this.#redis);
  }
}

/** Photos per second of a burst. */
export function throughput(result: BurstResult): number {
  return result.answers.length / (result.ms / 1000);
}

let gameRequests = 0;

/** Sends one game request (game-bot.ts) to a producer and resolves with its answer line, parsed. */
export async function askGame(
  producer: Child,
  request: {
    op: 'guess' | 'press' | 'state';
    user?: string;
    channel?: string;
    rounds?: number;
    button?: string;
  },
): Promise<{ text?: string; title?: string; pid?: number; state?: Record<string, unknown> | null }> {
  const id = `g${++gameRequests}`;
  const answer = producer.waitFor((line) => line.startsWith(`{"game":"${id}"`), 60_000);
  producer.send(JSON.stringify({ game: id, ...request }));
  return JSON.parse(await answer);
}
