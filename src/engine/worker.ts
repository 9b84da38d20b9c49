import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import sharp from 'sharp';
import { UserError } from '../errors.ts';
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

const send = (msg: WorkerResponse, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);

try {
  const engine = await createLocalEngine(workerData as WorkerInit);
  port.on('message', async (req: WorkerRequest) => {
    try {
      if (req.type === 'stats') {
        const { heapUsed, external, arrayBuffers } = process.memoryUsage();
        send({ id: req.id, type: 'stats', tensors: engine.tensorCount(), heapUsed, external, arrayBuffers });
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
