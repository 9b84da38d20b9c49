import { type Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { FireFn, GameTimers } from '../games/sync.ts';
import { queueOptions, STREAMS } from '../queue/connection.ts';
import { bounded } from './redis.ts';

/** The BullMQ queue of game deadlines, beside the inference queue under the `lookalike` prefix. */
export const TIMERS_QUEUE = 'game-timers';

/** The longest a stopping process waits for the timers' worker and queue to close. */
const CLOSE_MS = 5_000;

/** Tuning of the shared game timers. */
export interface TimerOptions {
  /** How long a process that took a due deadline may go silent before another takes it (default 10 s). */
  lockMs?: number;
}

interface DeadlineJob {
  key: string;
  gameId: string;
  at: number;
}

/** One id per channel, game and deadline: arming the same deadline twice, from any process, adds one job. */
function jobId(key: string, gameId: string, at: number): string {
  // BullMQ ids may not contain ':', which channel keys do.
  return `${encodeURIComponent(key)}|${gameId}|${at}`;
}

/**
 * Game deadlines as BullMQ delayed jobs: the job waits in Redis, not in a process, so whichever bot
 * process is alive when it is due takes it, and BullMQ's stalled-job check hands a deadline whose process
 * died while firing it to another. A deadline that an answer moved is not removed: it fires, finds the
 * game's deadline moved on, and does nothing (GameManager checks under the channel's lock).
 */
export class RedisGameTimers implements GameTimers {
  readonly #connection: Redis;
  readonly #queue: Queue<DeadlineJob>;
  readonly #lockMs: number;
  readonly #log: (line: string, fields?: Record<string, unknown>) => void;
  #worker: Worker<DeadlineJob> | undefined;

  constructor(
    connection: Redis,
    options: TimerOptions,
    log: (line: string, fields?: Record<string, unknown>) => void,
  ) {
    this.#connection = connection;
    this.#lockMs = options.lockMs ?? 10_000;
    this.#log = log;
    this.#queue = new Queue<DeadlineJob>(TIMERS_QUEUE, { ...queueOptions(connection), streams: STREAMS });
    this.#queue.on('error', (error) => log('game timers: queue error', { error }));
  }

  /** Arms the deadline `at` (null: nothing to arm; an armed one will find nothing to do). */
  async schedule(key: string, gameId: string, at: number | null): Promise<void> {
    if (at === null) return;
    await this.#queue.add(
      'deadline',
      { key, gameId, at },
      {
        jobId: jobId(key, gameId, at),
        delay: Math.max(0, at - Date.now()),
        // A failed firing (Redis hiccup, busy lock) is tried again, here or in another process.
        attempts: 5,
        backoff: { type: 'exponential', delay: 200 },
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }

  /** Takes due deadlines from now on, in this process, as one of the competing consumers. */
  async start(fire: FireFn): Promise<void> {
    this.#worker = new Worker<DeadlineJob>(
      TIMERS_QUEUE,
      async (job: Job<DeadlineJob>) => fire(job.data.key, job.data.gameId, job.data.at),
      {
        ...queueOptions(this.#connection),
        concurrency: 16,
        lockDuration: this.#lockMs,
        stalledInterval: Math.max(500, Math.round(this.#lockMs / 2)),
        // A deadline whose process died is handed on a few times: firing is safe to repeat.
        maxStalledCount: 3,
      },
    );
    this.#worker.on('error', (error) => this.#log('game timers: worker error', { error }));
    this.#worker.on('stalled', (jobId) =>
      this.#log('game timers: taking over a stalled deadline', { jobId }),
    );
    await this.#worker.waitUntilReady();
  }

  /** Stops taking deadlines; the armed ones stay in Redis for the other processes. */
  async stop(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (!worker) return;
    // Closed without waiting for the deadlines being fired: GameManager.stop waits for those itself, and
    // BullMQ's wait would hang on a Redis that has gone before ioredis noticed. A deadline whose job could
    // not be marked done is handed on and found already fired (firing re-checks the game).
    await bounded(worker.close(true), CLOSE_MS);
  }

  /** Stops and closes the queue. */
  async close(): Promise<void> {
    await this.stop();
    await bounded(this.#queue.close(), CLOSE_MS);
  }
}
