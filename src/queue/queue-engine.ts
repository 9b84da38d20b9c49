import { randomUUID } from 'node:crypto';
import { type Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Analysis, AnalyzeOptions, BareFace, FaceEngine, ThumbnailOptions } from '../domain/face.ts';
import { UserError } from '../errors.ts';
import { connect, disconnect, queueOptions, STREAMS, sweepExpired } from './connection.ts';
import {
  ANALYZE_QUEUE,
  type AnalyzeJob,
  decodeAnalysis,
  decodeError,
  type ResultJob,
  resultsQueueName,
  toBase64,
} from './wire.ts';

/** Photos that may wait in the queue, over every bot process, before callers get `busy`. */
export const DEFAULT_QUEUE_LIMIT = 100;
/** How long a photo may wait and be analysed before the member is told to try again (and it is dropped). */
export const DEFAULT_QUEUE_TTL_MS = 60_000;

/** Options of `QueueEngine.open`. */
export interface QueueEngineOptions {
  /** redis:// or rediss:// URL of the queue's Redis. */
  url: string;
  /** Waiting photos before callers get `busy` (default 100). */
  limit?: number;
  /** A photo's time-to-live, waiting and running (default 60 s). */
  ttlMs?: number;
  log?: (line: string, fields?: Record<string, unknown>) => void;
}

interface Pending {
  /** Whether the caller asked for thumbnails, so the answer must carry one per face. */
  thumbnails: boolean;
  resolve: (analysis: Analysis<BareFace>) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * The face engine of a bot process when inference runs elsewhere: each photo is a BullMQ job on Redis,
 * analysed by whichever `npm run worker` process takes it, and the answer comes back as a job on this
 * process's own results queue (BullMQ's "results queue" pattern: nothing is lost while this process is
 * briefly disconnected, and no face data sits in event streams). A job whose worker dies is retried by
 * BullMQ's stalled-job check, so the same photo may be answered twice: answers are matched to callers by
 * job id and only the first settles the caller's promise.
 */
export class QueueEngine implements FaceEngine {
  /** Inference runs on the workers, whichever backend they chose. */
  readonly backend = 'queue';
  /** This process's id, naming its results queue. */
  readonly producerId = randomUUID();
  readonly #connection: Redis;
  readonly #queue: Queue<AnalyzeJob>;
  readonly #results: Worker<ResultJob>;
  readonly #limit: number;
  readonly #ttlMs: number;
  readonly #log: NonNullable<QueueEngineOptions['log']>;
  readonly #pending = new Map<string, Pending>();
  readonly #sweeper: NodeJS.Timeout;
  #adding: Promise<void> = Promise.resolve();
  #dropped = 0;
  #closed = false;

  private constructor(connection: Redis, options: QueueEngineOptions) {
    this.#connection = connection;
    this.#limit = options.limit ?? DEFAULT_QUEUE_LIMIT;
    this.#ttlMs = options.ttlMs ?? DEFAULT_QUEUE_TTL_MS;
    this.#log = options.log ?? (() => {});
    this.#queue = new Queue<AnalyzeJob>(ANALYZE_QUEUE, { ...queueOptions(connection), streams: STREAMS });
    this.#results = new Worker<ResultJob>(
      resultsQueueName(this.producerId),
      async (job: Job<ResultJob>) => this.#answer(job.data),
      // Settling a promise is cheap: take many answers at once so none waits behind another.
      { ...queueOptions(connection), concurrency: 16 },
    );
    this.#results.on('error', (error) => this.#log('inference queue: results worker error', { error }));
    this.#queue.on('error', (error) => this.#log('inference queue error', { error }));
    // Every bot process sweeps, so expired photos go even when the process that queued them died.
    this.#sweeper = setInterval(() => {
      sweepExpired(this.#connection, this.#queue, this.#ttlMs).catch((error: unknown) =>
        this.#log('inference queue: sweeping expired jobs failed', { error }),
      );
    }, this.#ttlMs / 2);
    this.#sweeper.unref();
  }

  /** Connects to the queue's Redis and starts listening for answers. */
  static async open(options: QueueEngineOptions): Promise<QueueEngine> {
    const engine = new QueueEngine(await connect(options.url), options);
    await Promise.all([engine.#queue.waitUntilReady(), engine.#results.waitUntilReady()]);
    return engine;
  }

  /** Answers that arrived for a caller already answered: a retried job's second answer, or a late one. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Callers waiting for an answer. */
  get waiting(): number {
    return this.#pending.size;
  }

  /** Queues one photo and resolves with the first answer any worker sends for it (FaceEngine.analyze). */
  analyze(image: Uint8Array, options?: ThumbnailOptions): Promise<Analysis>;
  analyze(image: Uint8Array, options?: AnalyzeOptions): Promise<Analysis<BareFace>>;
  async analyze(image: Uint8Array, options?: AnalyzeOptions): Promise<Analysis<BareFace>> {
    if (this.#closed) throw new Error('the face engine is closed');
    const jobId = randomUUID();
    const thumbnails = options?.thumbnails !== false;
    // Registered before the job exists, so that even an instant answer finds its caller.
    const answer = new Promise<Analysis<BareFace>>((resolve, reject) => {
      const timer = setTimeout(() => this.#expire(jobId), this.#ttlMs);
      this.#pending.set(jobId, { thumbnails, resolve, reject, timer });
    });
    // The caller handles it once we return it; until then a rejection must not count as unhandled.
    answer.catch(() => {});
    const data: AnalyzeJob = {
      image: toBase64(image),
      options,
      replyTo: resultsQueueName(this.producerId),
      expiresAt: Date.now() + this.#ttlMs,
    };
    // One check-and-add at a time in this process, so a burst cannot overshoot the bound here; bot
    // processes adding at the same instant may still overshoot it by one photo each, which is fine for
    // a bound that caps Redis memory and the members' wait.
    const added = this.#adding.then(() => this.#add(jobId, data));
    this.#adding = added.catch(() => {});
    try {
      await added;
    } catch (err) {
      this.#settle(jobId)?.reject(err as Error);
    }
    return answer;
  }

  async #add(jobId: string, data: AnalyzeJob): Promise<void> {
    if ((await this.#queue.getWaitingCount()) >= this.#limit) throw new UserError('busy');
    // Removed as soon as it is finished, either way: the photo must not outlive its job.
    await this.#queue.add('analyze', data, { jobId, removeOnComplete: true, removeOnFail: true });
  }

  #settle(jobId: string): Pending | undefined {
    const pending = this.#pending.get(jobId);
    if (!pending) return undefined;
    this.#pending.delete(jobId);
    clearTimeout(pending.timer);
    return pending;
  }

  #answer(result: ResultJob): void {
    const pending = this.#settle(result.jobId);
    if (!pending) {
      this.#dropped++;
      return;
    }
    if (!result.ok) {
      pending.reject(decodeError(result.error));
      return;
    }
    try {
      pending.resolve(decodeAnalysis(result.analysis, pending.thumbnails));
    } catch (err) {
      pending.reject(err as Error);
    }
  }

  #expire(jobId: string): void {
    const pending = this.#settle(jobId);
    if (!pending) return;
    pending.reject(new UserError('timeout', { text: 'analysis_slow' }));
    // A job still waiting goes now; one being analysed finishes, and its answer is dropped.
    this.#queue.remove(jobId).catch(() => {});
  }

  /** Stops listening; callers still waiting fail, and their photos are taken off the queue. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sweeper);
    const ids = [...this.#pending.keys()];
    for (const id of ids) this.#settle(id)?.reject(new Error('the face engine is closed'));
    await Promise.all(ids.map((id) => this.#queue.remove(id).catch(() => 0)));
    await this.#results.close();
    // Nobody reads this process's results any more; answers still on their way are dropped with it.
    const results = new Queue(resultsQueueName(this.producerId), queueOptions(this.#connection));
    await results.obliterate({ force: true }).catch(() => {});
    await results.close();
    await this.#queue.close();
    await disconnect(this.#connection);
  }
}
