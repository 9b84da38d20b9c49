import type { Analysis, AnalyzeOptions, BareFace, FaceImage } from '../domain/face.ts';
import type { Tuning } from '../domain/tuning.ts';
import type { TextContext } from '../user-texts.ts';
import type { Backend } from './backend.ts';

/** Data handed to each worker at start. */
export interface WorkerInit {
  backend: Backend;
  tuning?: Partial<Tuning>;
  modelsDir?: string;
  /** Warm the models up before reporting ready (undefined: yes). */
  warmup?: boolean;
}

/** Messages from the pool to a worker. */
export type WorkerRequest =
  | { id: number; type: 'analyze'; image: Uint8Array; options?: AnalyzeOptions }
  | { id: number; type: 'embed'; images: FaceImage[] }
  | { id: number; type: 'stats' };

/** An error as it crosses the thread boundary. */
export interface WireError {
  name: string;
  message: string;
  code?: string;
  /** A UserError's data, from which the pool rebuilds it (its text is never sent). */
  context?: TextContext;
  stack?: string;
}

/** Messages from a worker to the pool. */
export type WorkerResponse =
  | { type: 'ready' }
  | { type: 'fatal'; error: WireError }
  /** Faces carry their thumbnail unless the request's options said `thumbnails: false`. */
  | { id: number; type: 'result'; analysis: Analysis<BareFace> }
  | { id: number; type: 'embeddings'; embeddings: Float32Array[] }
  | {
      id: number;
      type: 'stats';
      tensors: number;
      heapUsed: number;
      external: number;
      arrayBuffers: number;
      /** Full collections the worker has run, less the ones its stats asked for. */
      majorGcs: number;
      /** Minor page faults of the worker's own thread so far (-1 where the system does not say). */
      minorFaults: number;
    }
  | { id: number; type: 'error'; error: WireError };
