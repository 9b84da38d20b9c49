import { readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort } from 'node:worker_threads';
import { UserError } from '../errors.ts';
import { sharp } from '../image/sharp.ts';
import { workerInput } from '../util/workers.ts';
import { createLocalEngine } from './local-engine.ts';
import type { WireError, WorkerInit, WorkerRequest, WorkerResponse } from './protocol.ts';

const WORKER_NICE = 10;
const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');

function toWire(err: unknown): WireError {
  if (err instanceof UserError)
    return { name: 'UserError', code: err.code, context: err.context, message: err.message };
  const e = err instanceof Error ? err : new Error(String(err));
  return { name: e.name, message: e.message, stack: e.stack };
}

// Inference keeps every core busy; below the main thread's priority it still uses all idle CPU, while the
// main thread's event loop (platform acknowledgements due within 3 s) gets the CPU when it needs it.
// Linux keeps a nice value per thread, so this lowers only this worker; elsewhere it would be the process.
if (process.platform === 'linux') {
  try {
    setPriority(WORKER_NICE);
  } catch {
    // Not allowed here (some containers): inference just keeps the same priority as the event loop.
  }
}

// Parallelism comes from the pool's workers; libvips threads on top would only fight them for the cores.
sharp.concurrency(1);
sharp.cache(false);

// Full collections, for `stats`: a test holds the pool's heap sizing (pool.ts) to running few of them.
let majorGcs = 0;
let forcedGcs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const { detail } = entry as PerformanceEntry & { detail?: { kind?: number } };
    if (detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majorGcs++;
  }
}).observe({ entryTypes: ['gc'] });

/**
 * Minor page faults this thread has taken (Linux: `minflt`, the tenth field of /proc/thread-self/stat),
 * or -1 where that file is absent. For `stats`: a test holds the sessions' memory settings
 * (onnx-engine.ts) to few faults a photo; process.resourceUsage() would add every other thread's.
 */
function threadFaults(): number {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]);
  } catch {
    return -1;
  }
}

/**
 * A full collection before the memory figures of `stats` (a diagnostic only tests ask for): without it
 * heapUsed + external swing by 50 MiB with the collector's timing over a few hundred photos, with no
 * trend, and a leak check read a swing as growth. `--expose-gc` set at run time shows `gc` only to
 * contexts made after it, hence the new context.
 */
async function collectGarbage(): Promise<void> {
  let gc: () => void;
  try {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  } catch {
    // No gc to be had: the figures are then as the collector left them.
    return;
  }
  // Twice, a turn of the event loop apart: native buffers are freed by finalizers the first one queues.
  forcedGcs += 2;
  gc();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
}

const send = (msg: WorkerResponse, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);

try {
  const engine = await createLocalEngine(workerInput() as WorkerInit);
  port.on('message', async (req: WorkerRequest) => {
    try {
      if (req.type === 'stats') {
        // Counted before this request's own collections: earlier requests' have been observed by now.
        const counted = majorGcs - forcedGcs;
        const minorFaults = threadFaults();
        await collectGarbage();
        const { heapUsed, external, arrayBuffers } = process.memoryUsage();
        const tensors = engine.tensorCount();
        send({
          id: req.id,
          type: 'stats',
          tensors,
          heapUsed,
          external,
          arrayBuffers,
          majorGcs: counted,
          minorFaults,
        });
        return;
      }
      if (req.type === 'embed') {
        if (!engine.embedFaceImages) throw new Error(`the ${engine.backend} engine cannot embed face images`);
        const embeddings = await engine.embedFaceImages(req.images);
        send(
          { id: req.id, type: 'embeddings', embeddings },
          embeddings.map((e) => e.buffer as ArrayBuffer),
        );
        return;
      }
      const analysis = await engine.analyze(req.image, req.options);
      // Hand the embedding and thumbnail buffers over instead of copying them.
      const transfer = analysis.faces.flatMap((f) =>
        'thumbnail' in f && f.thumbnail instanceof Uint8Array
          ? [f.embedding.buffer, f.thumbnail.buffer]
          : [f.embedding.buffer],
      ) as ArrayBuffer[];
      send({ id: req.id, type: 'result', analysis }, [...new Set(transfer)]);
    } catch (err) {
      send({ id: req.id, type: 'error', error: toWire(err) });
    }
  });
  send({ type: 'ready' });
} catch (err) {
  send({ type: 'fatal', error: toWire(err) });
}
