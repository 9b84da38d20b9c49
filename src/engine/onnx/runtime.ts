import { createRequire } from 'node:module';
import type * as Ort from 'onnxruntime-node';

const require = createRequire(import.meta.url);

// Apart from onnx-engine.ts so that choosing the backend (backend.ts) loads neither the engine nor sharp:
// the CLI starts its pool before the main thread loads those (cli/main.ts).

/** Loads onnxruntime-node, or explains why it cannot be used. */
export function loadOrt(): typeof Ort {
  return require('onnxruntime-node') as typeof Ort;
}

/** True when onnxruntime-node is installed and its native library loads on this machine. */
export function onnxAvailable(): boolean {
  try {
    loadOrt();
    return true;
  } catch {
    return false;
  }
}
