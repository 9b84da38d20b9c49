// `npm run worker`: an inference worker process. It loads the local engine (the same pool `npm start`
// uses), takes photos off the Redis queue named by LOOKALIKE_QUEUE and sends each answer back to the bot
// process that asked. Run as many as the machines allow, on any machine that reaches that Redis.
import { createLogger } from '../chat/logger.ts';
import { loadWorkerConfig, queuePassword, quietOnnxRuntime, type WorkerConfig } from '../config/index.ts';
import { createFaceEngine, WorkerPool } from '../engine/index.ts';
import { isConfigError, isUserError } from '../errors.ts';
import { redactUrl } from '../store/url.ts';
import { InferenceWorker } from './inference-worker.ts';

async function main(): Promise<void> {
  let config: WorkerConfig;
  try {
    config = loadWorkerConfig();
  } catch (err) {
    console.error(isConfigError(err) || isUserError(err) ? err.message : err);
    process.exit(1);
  }
  quietOnnxRuntime();
  const password = queuePassword(config.queue);
  const logger = createLogger({ secrets: password ? [password] : [] });
  const log = (line: string, fields?: Record<string, unknown>) => logger.info(line, fields);
  const engine = await createFaceEngine({
    backend: config.faceBackend,
    precision: config.facePrecision,
    workers: config.workers,
    log,
  });
  // As many photos at once as the pool's workers hold (an engine without a pool takes one at a time).
  const atOnce = engine instanceof WorkerPool ? engine.size * engine.inFlight : 1;
  let worker: InferenceWorker;
  try {
    // No more than that, so photos wait in Redis, where any worker can take them.
    worker = await InferenceWorker.start({
      url: config.queue.url,
      engine,
      concurrency: atOnce,
      lockMs: config.queue.lockMs,
      log: (line, fields) => logger.warn(line, fields),
    });
  } catch (err) {
    await engine.close();
    throw err;
  }
  // The scale test and scripts wait for this line before they send photos.
  log(`inference worker ready on ${redactUrl(config.queue.url)}, ${atOnce} photo(s) at a time`);

  let stopping = false;
  const shutdown = (signal: string) => {
    // A second signal means the operator does not want to wait for the photos in hand.
    if (stopping) process.exit(130);
    stopping = true;
    log(`${signal} received: finishing the photos in hand`);
    worker
      .close()
      .then(() => engine.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error('inference worker shutdown failed', { error });
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(isConfigError(err) || isUserError(err) ? err.message : err);
  process.exit(1);
});
