import type { FaceEngine } from '../domain/face.ts';
import type { Tuning } from '../domain/tuning.ts';
import { type BackendChoice, selectBackend } from './backend.ts';
import { WorkerPool } from './pool.ts';
import { type PrecisionChoice, resolvePrecision } from './precision.ts';

export type { FaceEngine } from '../domain/face.ts';
export { WorkerPool } from './pool.ts';
export type { PrecisionChoice } from './precision.ts';

/** Options for the face engine used by the app. */
export interface EngineOptions {
  /** What FACE_BACKEND asked for (parsed in src/config); default auto. */
  backend?: BackendChoice;
  /** What FACE_PRECISION asked for (default auto); an explicit `tuning.precision` wins. */
  precision?: PrecisionChoice;
  workers?: number;
  queueLimit?: number;
  tuning?: Partial<Tuning>;
  /** Receives the one start-up line naming the backend. */
  log?: (line: string) => void;
  /**
   * Run on the calling thread instead of a pool: for a one-shot command with a photo or two,
   * where starting workers (each loading its runtime and models) costs more than the work.
   */
  inline?: boolean;
  /**
   * Warm each worker's models up with a run on a blank input before it takes photos (default true):
   * servers should not make their first member wait; a one-shot command's first photo warms them anyway.
   */
  warmup?: boolean;
  /**
   * Return the pool at once and let its workers load in the background (its `ready()` says when): the
   * playground serves its page meanwhile instead of after the warm-up (6.8–12.9 s, issue 20).
   */
  background?: boolean;
}

/** The tuning an engine is asked for: the options' tuning with FACE_PRECISION resolved on this CPU. */
export function requestedTuning(options: EngineOptions): Partial<Tuning> {
  return { ...options.tuning, precision: options.tuning?.precision ?? resolvePrecision(options.precision) };
}

/** Starts the inference pool on the chosen backend (auto: ONNX Runtime, then tfjs-node, then wasm). */
export async function createFaceEngine(options: EngineOptions = {}): Promise<FaceEngine> {
  const choice = options.backend ?? 'auto';
  const backend = selectBackend(choice);
  const log = options.log ?? ((line) => console.error(line));
  const tuning = requestedTuning(options);
  const precision =
    backend === 'onnx' ? `, ${tuning.precision} (FACE_PRECISION=${options.precision ?? 'auto'})` : '';
  if (options.inline) {
    // Loaded here only: the pool's callers (and the CLI, which starts its pool first) never load the
    // engine's own modules (sharp, the ONNX pipeline) on their thread for it.
    const { createLocalEngine } = await import('./local-engine.ts');
    // A one-shot run's first photo is its only one: warming up would just run the models twice.
    const engine = await createLocalEngine({ backend, tuning, warmup: false });
    log(`face engine: ${backend} backend (FACE_BACKEND=${choice})${precision}, on this thread`);
    return engine;
  }
  const pool = new WorkerPool({
    backend,
    workers: options.workers,
    queueLimit: options.queueLimit,
    tuning,
    warmup: options.warmup,
  });
  log(
    `face engine: ${backend} backend (FACE_BACKEND=${choice})${precision}, ${pool.size} worker${pool.size === 1 ? '' : 's'}`,
  );
  if (!options.background) await pool.ready();
  return pool;
}
