import { type Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { FaceEngine } from '../domain/face.ts';
import { isUserError } from '../errors.ts';
import { connect, disconnect, queueOptions, STREAMS } from './connection.ts';
import {
  ANALYZE_QUEUE,
  type AnalyzeJob,
  encodeAnalysis,
  encodeError,
  fromBase64,
  type ResultJob,
} from './wire.ts';

/**
 * How long a job's lock lasts before BullMQ considers its worker dead and gives the photo to another
 * (default 10 s). Inference runs in worker threads, so the event loop renews the lock on time however
 * long a photo takes; a short lock only means a killed worker's photo is retried sooner.
 */
export const DEFAULT_LOCK_MS = 10_000;

/** Options of `InferenceWorker.start`. */
export interface InferenceWorkerOptions {
  /** redis:// or rediss:// URL of the queue's Redis. */
  url: string;
  /** The local engine that analyses the photos (normally `createFaceEngine`'s pool). */
  engine: FaceEngine;
  /** Photos analysed at once; the pool's size, so that it never queues (default 1). */
  concurrency?: number;
  lockMs?: number;
  log?: (line: string, fields?: Record<string, unknown>) => void;
}

/** Takes photos off the analyze queue, runs the local engine and sends each answer to the asking process. */
export class InferenceWorker {
  readonly #connection: Redis;
  readonly #engine: FaceEngine;
  readonly #worker: Worker<AnalyzeJob>;
  readonly #log: NonNullable<InferenceWorkerOptions['log']>;
  // One producer per bot process: a few open queues, closed when a process has been quiet for long.
  readonly #replies = new LRUCache<string, Queue<ResultJob>>({
    max: 64,
    dispose: (queue) => void queue.close().catch(() => {}),
  });
  #analysed = 0;

  private constructor(connection: Redis, options: InferenceWorkerOptions) {
    this.#connection = connection;
    this.#engine = options.engine;
    this.#log = options.log ?? (() => {});
    const lockDuration = options.lockMs ?? DEFAULT_LOCK_MS;
    this.#worker = new Worker<AnalyzeJob>(ANALYZE_QUEUE, (job) => this.#process(job), {
      ...queueOptions(connection),
      concurrency: options.concurrency ?? 1,
      lockDuration,
      // Checked twice per lock period, so a dead worker's photo waits at most about 1.5 locks.
      stalledInterval: Math.max(500, Math.round(lockDuration / 2)),
      // One retry after a worker died; a photo that kills two workers in a row fails instead of a third.
      maxStalledCount: 1,
    });
    this.#worker.on('error', (error) => this.#log('inference worker: queue error', { error }));
    this.#worker.on('stalled', (jobId) => this.#log('inference worker: retrying a stalled job', { jobId }));
    // Only a photo whose workers died twice gets here (analysis errors are answers); its member times out.
    this.#worker.on('failed', (job, error) =>
      this.#log('inference worker: a photo failed for good', { jobId: job?.id, error: error.message }),
    );
  }

  /** Connects to the queue's Redis and starts taking photos. */
  static async start(options: InferenceWorkerOptions): Promise<InferenceWorker> {
    const worker = new InferenceWorker(await connect(options.url), options);
    await worker.#worker.waitUntilReady();
    return worker;
  }

  /** Photos analysed by this worker so far. */
  get analysed(): number {
    return this.#analysed;
  }

  async #process(job: Job<AnalyzeJob>): Promise<null> {
    const { image, options, replyTo, expiresAt } = job.data;
    // Past its deadline the bot already told the member to try again: analysing it would waste the worker.
    if (Date.now() > expiresAt) return null;
    let result: ResultJob;
    try {
      const analysis = await this.#engine.analyze(fromBase64(image), options);
      result = { jobId: job.id!, attempt: job.attemptsStarted, ok: true, analysis: encodeAnalysis(analysis) };
    } catch (err) {
      // A member's bad photo is their answer; anything else is ours to look into, and also their answer.
      if (!isUserError(err)) this.#log('inference worker: analysis failed', { jobId: job.id, error: err });
      result = { jobId: job.id!, attempt: job.attemptsStarted, ok: false, error: encodeError(err) };
    }
    await this.#reply(replyTo).add('result', result, { removeOnComplete: true, removeOnFail: true });
    this.#analysed++;
    // The answer went to the results queue; a null return value keeps face data out of the event stream.
    return null;
  }

  #reply(name: string): Queue<ResultJob> {
    let queue = this.#replies.get(name);
    if (!queue) {
      queue = new Queue<ResultJob>(name, { ...queueOptions(this.#connection), streams: STREAMS });
      this.#replies.set(name, queue);
    }
    return queue;
  }

  /** Finishes the photos in hand, stops taking new ones and disconnects; the engine stays the caller's. */
  async close(): Promise<void> {
    await this.#worker.close();
    for (const queue of this.#replies.values()) await queue.close().catch(() => {});
    this.#replies.clear();
    await disconnect(this.#connection);
  }
}
