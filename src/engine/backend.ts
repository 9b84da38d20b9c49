import { createRequire } from 'node:module';
import path from 'node:path';
import { onnxAvailable } from './onnx/runtime.ts';
import { loadTfjsNode } from './tfjs-node.ts';

const require = createRequire(import.meta.url);

/** What FACE_BACKEND may ask for. */
export type BackendChoice = 'auto' | 'onnx' | 'tensorflow' | 'wasm';

/** A backend the engine can run on: ONNX Runtime, or Human on one of the tfjs backends. */
export type Backend = 'onnx' | TfjsBackend;

/** The tfjs backends that Human runs on (the reference engine and the fallback). */
export type TfjsBackend = 'tensorflow' | 'wasm';

/** Which optional native runtimes load on this machine (injectable for tests). */
export interface Availability {
  onnx: () => boolean;
  tensorflow: () => boolean;
}

/** True when @tensorflow/tfjs-node is installed and its native binding loads. */
export function tfjsNodeAvailable(): boolean {
  try {
    // Its install script downloads libtensorflow; where that failed npm removed it (npm run setup:tfjs-node
    // brings it back), or the package may exist without a binding.
    loadTfjsNode();
    return true;
  } catch {
    return false;
  }
}

const AVAILABLE: Availability = { onnx: onnxAvailable, tensorflow: tfjsNodeAvailable };

/** Picks the backend: ONNX Runtime where it loads, then tfjs-node, then wasm, unless overridden. */
export function selectBackend(choice: BackendChoice, available: Availability = AVAILABLE): Backend {
  if (choice === 'wasm') return 'wasm';
  if (choice === 'onnx') {
    if (!available.onnx()) {
      throw new Error(
        'FACE_BACKEND=onnx but onnxruntime-node is not installed or its native library failed to load; use FACE_BACKEND=wasm or auto',
      );
    }
    return 'onnx';
  }
  if (choice === 'tensorflow') {
    if (!available.tensorflow()) {
      throw new Error(
        'FACE_BACKEND=tensorflow but @tensorflow/tfjs-node is not installed or its native library failed to load; use FACE_BACKEND=wasm or auto',
      );
    }
    return 'tensorflow';
  }
  if (available.onnx()) return 'onnx';
  return available.tensorflow() ? 'tensorflow' : 'wasm';
}

/** Folder of the @vladmandic/human package (its `exports` map hides package.json). */
export function humanPackageDir(): string {
  return path.resolve(path.dirname(require.resolve('@vladmandic/human')), '..');
}

/** Path of the Human build for a tfjs backend: the wasm build is not reachable through the package's exports. */
export function humanBuildFile(backend: TfjsBackend): string {
  return path.join(humanPackageDir(), 'dist', backend === 'wasm' ? 'human.node-wasm.js' : 'human.node.js');
}

/** Folder holding the tfjs wasm binaries, which the wasm backend reads from disk. */
export function wasmBinariesDir(): string {
  return `${path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}${path.sep}`;
}
