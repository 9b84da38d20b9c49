import type { FaceEngine, FaceImage } from '../domain/face.ts';
import type { Tuning } from '../domain/tuning.ts';
import type { Backend } from './backend.ts';
import { OnnxEngine } from './onnx/onnx-engine.ts';

/** One engine on the calling thread: what each worker of the pool runs. */
export interface LocalEngine {
  readonly backend: Backend;
  readonly tuning: Tuning;
  analyze: FaceEngine['analyze'];
  /** See FaceEngine.embedFaceImages. */
  embedFaceImages?(images: FaceImage[]): Promise<Float32Array[]>;
  /** Live tfjs tensors (always 0 on ONNX Runtime, which holds no tfjs state). */
  tensorCount(): number;
  close(): Promise<void>;
}

/** Options for a local engine. */
export interface LocalEngineOptions {
  backend: Backend;
  tuning?: Partial<Tuning>;
  modelsDir?: string;
  /** Skip the warm-up run (a one-shot command answers one photo and exits). */
  warmup?: boolean;
}

/** Creates the engine for a backend: ONNX Runtime natively, or Human on tfjs (the reference engine). */
export async function createLocalEngine(options: LocalEngineOptions): Promise<LocalEngine> {
  if (options.backend === 'onnx')
    return OnnxEngine.create({
      tuning: options.tuning,
      modelsDir: options.modelsDir,
      warmup: options.warmup,
    });
  // Human and tfjs load only off ONNX Runtime: a one-shot `lookalike infer` on onnx never reads them.
  const { HumanEngine } = await import('./human-engine.ts');
  return HumanEngine.create({
    backend: options.backend,
    tuning: options.tuning,
    modelsDir: options.modelsDir,
  });
}
