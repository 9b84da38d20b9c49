import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import type { Worker } from 'node:worker_threads';
import type {
  Analysis,
  AnalyzeOptions,
  BareFace,
  EngineLoad,
  FaceEngine,
  FaceImage,
  ThumbnailOptions,
} from '../domain/face.ts';
import { resolveTuning, type Tuning } from '../domain/tuning.ts';
import { UserError, userErrorFrom } from '../errors.ts';
import { startWorker } from '../util/workers.ts';
import type { Backend } from './backend.ts';
import type { WireError, WorkerInit, WorkerRequest, WorkerResponse } from './protocol.ts';
import { applyTensorflowDefaults } from './tfjs-node.ts';

/** One worker's memory figures. */
export interface WorkerStats {
  tensors: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** Full (mark-compact) collections so far, not counting those `workerStats` itself runs. */
  majorGcs: number;
  /** Minor page faults of the worker's thread so far, where the ONNX sessions run (-1: unknown). */
  minorFaults: number;
}

/** Options of the inference pool. */
export interface PoolOptions {
  backend: Backend;
  /** Worker threads (default: one per core). */
  workers?: number;
  /** Requests that may wait for a free worker before callers get `busy` (default 100 per worker). */
  queueLimit?: number;
  /**
   * Callers get `busy` when their expected wait would pass this (default 30 s): Discord allows 15
   * minutes after a deferral, so a burst is better queued than refused, up to what a person waits.
   */
  maxWaitMs?: number;
  /** Image bytes that may wait in the queue (default 256 MiB): bounds memory when photos are large. */
  maxQueuedBytes?: number;
  /**
   * Requests each worker holds at once (default: 2 on ONNX Runtime, 1 on the tfjs backends). With one,
   * a worker idles while sharp decodes its photo on libuv's threads, and between its answer and its
   * next photo; with two, its next photo fills those gaps: a 2-worker int8 pool on 2 cores answered
   * single-face photos 9–26 % faster, group photos the same (docs/engine-speed.md). The ONNX engine's
   * steps may interleave (its one shared buffer, the resampler's copy of the photo, is checked by
   * identity on every use); Human keeps per-instance state between frames, so it gets one at a time.
   */
  inFlight?: number;
  /**
   * The old generation each worker's heap starts with, in MB (default WORKER_INITIAL_OLD_SPACE_MB; 0 is
   * V8's own sizing). It is a V8 flag, read as each worker's isolate is made: pools made one after
   * another, each ready before the next, may differ (the bench's side-by-side does).
   */
  workerOldSpaceMb?: number;
  tuning?: Partial<Tuning>;
  modelsDir?: string;
  /** Each worker warms its models up before it reports ready (default true; see EngineOptions.warmup). */
  warmup?: boolean;
}

interface Task {
  id: number;
  request: WorkerRequest;
  bytes: number;
  started?: number;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  /** Requests sent to the worker and not answered yet, oldest first. */
  tasks: Task[];
  /** When the worker last answered: a request's cost is counted from then when it waited inside the worker. */
  lastAnswer: number;
}

/**
 * Work that arrives is refused only past this many times `maxWaitMs`, while `load()` admits by
 * `maxWaitMs` itself: a photo a caller admitted by `load()` reaches the pool after its download, and the
 * measured time per photo may have grown meanwhile (issue 12's soak: 15 % of a burst was refused after
 * its deferral without this slack).
 */
const SUBMIT_SLACK = 2;

const WORKER_MODULE = new URL('./worker', import.meta.url);

/**
 * Each worker's stack, in MB (Node's default is 4). The entry points turn ONNX Runtime's telemetry off
 * (config's quietOnnxRuntime), which removes the deep recursion in its set-up; this is the second line for
 * hosts that do not (tests, scripts) or an operator who set ORT_DISABLE_TELEMETRY=0. That set-up needs
 * about 290 bytes of stack per byte of the process's arguments; measured on onnxruntime-node 1.30, Node 20:
 * 4 MB survives 14 KB of arguments, 32 MB survives 113 KB (Linux caps one argument at 128 KB). Only the
 * pages a thread touches are committed, so the reservation costs address space, not memory.
 */
const WORKER_STACK_MB = 32;

/**
 * The old generation a worker's heap starts with, in MB. A worker keeps about 9 MB of live objects, and
 * V8 sets a heap that small a limit that each photo's promoted objects pass every few photos: an int8
 * worker ran a full mark-compact every 4 to 5 single-face photos (37 in 180, Node 20; 46 on Node 24),
 * about a seventh of the pool's CPU with its concurrent marking. From 64 MB it ran none in those 180
 * photos on Node 20, and about one in 24 photos on Node 24, whose V8 also collects on other grounds
 * (docs/engine-speed.md). Worker's `execArgv` refuses V8 flags, and V8 reads this one when it
 * creates an isolate: set here, it applies to the isolates made after it (the workers, and the
 * classifier's training worker), not to the main thread's heap, which is already made.
 */
const WORKER_INITIAL_OLD_SPACE_MB = 64;

function fromWire(err: WireError): Error {
  if (err.name === 'UserError' && err.code) return userErrorFrom(err.code, err.context);
  const e = new Error(err.message);
  e.name = err.name;
  if (err.stack) e.stack = err.stack;
  return e;
}

/**
 * A pool of inference workers, each with its own Human and models, behind a bounded
 * queue: when the queue is full callers get a `busy` UserError at once rather than
 * waiting behind work they cannot see, and the chat adapters answer "busy, try again".
 */
/** Longest a closing pool waits for photos already inside a worker (the decoder's own limit is 20 s). */
const CLOSE_DRAIN_MS = 25_000;

export class WorkerPool implements FaceEngine {
  readonly backend: Backend;
  readonly tuning: Tuning;
  readonly size: number;
  readonly inFlight: number;
  private readonly queueLimit: number;
  private readonly maxWaitMs: number;
  private readonly maxQueuedBytes: number;
  private queuedBytes = 0;
  /** Mean time a worker spends on one request, smoothed; seeds with a typical photo's cost. */
  private serviceMs = 100;
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;
  private readonly init: WorkerInit;
  private readonly readyPromise: Promise<void>;

  constructor(options: PoolOptions) {
    this.backend = options.backend;
    this.tuning = resolveTuning(options.backend, options.tuning);
    this.size = Math.max(1, options.workers ?? availableParallelism());
    this.inFlight = Math.max(1, options.inFlight ?? (options.backend === 'onnx' ? 2 : 1));
    this.queueLimit = options.queueLimit ?? this.size * 100;
    this.maxWaitMs = options.maxWaitMs ?? 30_000;
    this.maxQueuedBytes = options.maxQueuedBytes ?? 256 * 1024 * 1024;
    this.init = {
      backend: options.backend,
      tuning: options.tuning,
      modelsDir: options.modelsDir,
      warmup: options.warmup,
    };
    // Workers get a copy of the environment, which libtensorflow never sees: its settings go in here.
    if (options.backend === 'tensorflow') applyTensorflowDefaults();
    const oldSpaceMb = Math.max(0, Math.round(options.workerOldSpaceMb ?? WORKER_INITIAL_OLD_SPACE_MB));
    setFlagsFromString(`--initial-old-space-size=${oldSpaceMb}`);
    const starts: Promise<void>[] = [];
    for (let i = 0; i < this.size; i++) starts.push(this.spawn(i));
    this.readyPromise = Promise.all(starts).then(() => undefined);
    // Callers await ready(); an unobserved start failure must not crash the process.
    this.readyPromise.catch(() => {});
  }

  /** Resolves once every worker has loaded its models and warmed up. */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  /** Requests waiting for a worker. */
  get pending(): number {
    return this.queue.length;
  }

  private spawn(index: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = startWorker(WORKER_MODULE, this.init, {
        resourceLimits: { stackSizeMb: WORKER_STACK_MB },
      });
      const slot: Slot = { worker, ready: false, tasks: [], lastAnswer: 0 };
      this.slots[index] = slot;
      worker.on('message', (msg: WorkerResponse) => {
        if (msg.type === 'ready') {
          slot.ready = true;
          resolve();
          this.dispatch();
        } else if (msg.type === 'fatal') {
          reject(fromWire(msg.error));
        } else {
          const at = slot.tasks.findIndex((t) => t.id === msg.id);
          const task = slot.tasks[at];
          if (!task) return;
          slot.tasks.splice(at, 1);
          // The worker's time for this request: from its dispatch, or from the worker's previous answer
          // when it was busy with that one, so requests sharing a worker are not counted twice.
          const now = performance.now();
          const took = now - Math.max(task.started ?? now, slot.lastAnswer);
          slot.lastAnswer = now;
          this.serviceMs = 0.8 * this.serviceMs + 0.2 * took;
          if (msg.type === 'error') task.reject(fromWire(msg.error));
          else if (msg.type === 'result') task.resolve(msg.analysis);
          else if (msg.type === 'embeddings') task.resolve(msg.embeddings);
          else task.resolve(msg.tensors);
          this.dispatch();
        }
      });
      worker.on('error', (err) => {
        reject(err);
        for (const task of slot.tasks.splice(0))
          task.reject(new Error(`inference worker crashed: ${err.message}`));
      });
      worker.on('exit', (code) => {
        if (this.closed) return;
        for (const task of slot.tasks.splice(0))
          task.reject(new Error(`inference worker exited with code ${code}`));
        slot.ready = false;
        // A crashed worker is replaced so that one bad image cannot shrink the pool for good.
        if (slot.worker === worker) this.spawn(index).catch(() => {});
      });
    });
  }

  /** Sends queued requests to workers: every idle worker first, then each up to `inFlight`. */
  private dispatch(): void {
    for (let depth = 0; depth < this.inFlight; depth++) {
      for (const slot of this.slots) {
        if (!slot.ready || slot.tasks.length > depth) continue;
        const task = this.queue.shift();
        if (!task) return;
        this.queuedBytes -= task.bytes;
        task.started = performance.now();
        slot.tasks.push(task);
        slot.worker.postMessage(task.request);
      }
    }
  }

  /**
   * How loaded the pool is now: requests ahead of a new one, and how long it would wait. `extra` counts
   * requests a caller has admitted but not submitted yet (photos still downloading), as if queued.
   */
  load(extra = 0): EngineLoad {
    const running = this.slots.reduce((n, s) => n + s.tasks.length, 0);
    const ahead = this.queue.length + running + extra;
    // A new request waits while `ahead - size + 1` of those are answered, spread over the workers; serviceMs is
    // a worker's own time per request, so this holds however many requests each worker has in hand.
    const expectedWaitMs = (Math.max(0, ahead - this.size + 1) * this.serviceMs) / this.size;
    return { ahead, expectedWaitMs, accepting: this.admits(0, expectedWaitMs, extra) };
  }

  private admits(bytes: number, expectedWaitMs: number, extra = 0, maxWaitMs = this.maxWaitMs): boolean {
    const free = this.slots.filter((s) => s.ready && s.tasks.length === 0).length;
    if (free > extra && this.queue.length === 0) return true;
    return (
      this.queue.length + extra < this.queueLimit &&
      this.queuedBytes + bytes <= this.maxQueuedBytes &&
      expectedWaitMs <= maxWaitMs
    );
  }

  private submit<T>(make: (id: number) => WorkerRequest, bytes = 0): Promise<T> {
    // Closed means the process is stopping: a caller still on its way gets the same answer as the queue.
    if (this.closed) return Promise.reject(new UserError('busy'));
    const { expectedWaitMs } = this.load();
    if (!this.admits(bytes, expectedWaitMs, 0, this.maxWaitMs * SUBMIT_SLACK)) {
      return Promise.reject(new UserError('busy'));
    }
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ id, request: make(id), bytes, resolve: resolve as (v: unknown) => void, reject });
      this.queuedBytes += bytes;
      this.dispatch();
    });
  }

  /** Embeds cut-out face images in one batch on the next free worker (FaceEngine.embedFaceImages). */
  embedFaceImages(images: FaceImage[]): Promise<Float32Array[]> {
    const bytes = images.reduce((sum, img) => sum + img.data.byteLength, 0);
    return this.submit((id) => ({ id, type: 'embed', images }), bytes);
  }

  /** Analyses one photo on the next free worker (FaceEngine.analyze). */
  analyze(image: Uint8Array, options?: ThumbnailOptions): Promise<Analysis>;
  analyze(image: Uint8Array, options?: AnalyzeOptions): Promise<Analysis<BareFace>>;
  analyze(image: Uint8Array, options?: AnalyzeOptions): Promise<Analysis<BareFace>> {
    return this.submit((id) => ({ id, type: 'analyze', image, options }), image.byteLength);
  }

  /** Live tensors in each worker, to show that nothing leaks. */
  async tensorCounts(): Promise<number[]> {
    return (await this.workerStats()).map((s) => s.tensors);
  }

  /** Each worker's live tfjs tensors and JS heap and native buffer memory, for leak checks. */
  async workerStats(): Promise<WorkerStats[]> {
    await this.ready();
    return Promise.all(
      this.slots.map(
        (slot) =>
          new Promise<WorkerStats>((resolve) => {
            const id = this.nextId++;
            const onMessage = (msg: WorkerResponse) => {
              if (msg.type === 'stats' && msg.id === id) {
                slot.worker.off('message', onMessage);
                const { tensors, heapUsed, external, arrayBuffers, majorGcs, minorFaults } = msg;
                resolve({ tensors, heapUsed, external, arrayBuffers, majorGcs, minorFaults });
              }
            };
            slot.worker.on('message', onMessage);
            slot.worker.postMessage({ id, type: 'stats' } satisfies WorkerRequest);
          }),
      ),
    );
  }

  /**
   * Test hook: kills worker `index` the way a fatal native error or an out-of-memory kill would (its
   * photo fails with "inference worker exited", and the pool replaces it). Resolves once it is dead.
   */
  async crashWorker(index = 0): Promise<void> {
    const slot = this.slots[index];
    if (!slot) throw new RangeError(`the pool has no worker ${index}`);
    await slot.worker.terminate();
  }

  /** The worker thread id in slot `index`, so a test can tell that a crashed worker was replaced. */
  workerId(index = 0): number | undefined {
    return this.slots[index]?.worker.threadId;
  }

  /**
   * Stops the workers. Queued and running requests fail with `busy`: the process is stopping (a restart),
   * and "try again in a few seconds" is what their callers should hear, not an unexpected error or nothing.
   */
  async close(drainMs = CLOSE_DRAIN_MS): Promise<void> {
    this.closed = true;
    const unfinished = [...this.queue.splice(0), ...this.slots.flatMap((s) => s.tasks)];
    for (const task of unfinished) task.reject(new UserError('busy'));
    this.queuedBytes = 0;
    // Terminating a worker inside a native ONNX Runtime call aborts the whole process ("terminate called
    // after throwing an instance of 'Napi::Error'", exit 134): running photos are answered `busy` at once,
    // but their workers are stopped only once the native call has returned (or after drainMs).
    const deadline = Date.now() + drainMs;
    while (this.slots.some((s) => s.tasks.length > 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (const slot of this.slots) slot.tasks = [];
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
