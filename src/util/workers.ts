import { Worker, type WorkerOptions, workerData } from 'node:worker_threads';

const ENTRY = new URL('./worker-entry.mjs', import.meta.url);

/**
 * Starts a worker thread running `module`, a URL without its extension (`new URL('./worker',
 * import.meta.url)`): worker-entry.mjs loads the compiled JavaScript when it is beside it, else the
 * TypeScript through tsx. `data` reaches the worker as `workerInput()`.
 */
export function startWorker(
  module: URL,
  data: unknown,
  options: Omit<WorkerOptions, 'workerData'> = {},
): Worker {
  return new Worker(ENTRY, { ...options, workerData: { module: module.href, data } });
}

/** In a worker `startWorker` started, the `data` it was given; elsewhere undefined. */
export function workerInput(): unknown {
  return (workerData as { data?: unknown } | null)?.data;
}
