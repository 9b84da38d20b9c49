import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** What FACE_BACKEND may ask for. */
export type BackendChoice = 'auto' | 'tensorflow' | 'wasm';

/** A backend the engine can run on. */
export type Backend = 'tensorflow' | 'wasm';

/** True when @tensorflow/tfjs-node is installed and its native binding loads. */
export function tfjsNodeAvailable(): boolean {
  try {
    // Its install script downloads libtensorflow; where that failed the package may exist without a binding.
    require('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

/** Parses FACE_BACKEND, refusing anything but auto|tensorflow|wasm. */
export function parseBackendChoice(value: string | undefined): BackendChoice {
  const v = (value ?? 'auto').trim().toLowerCase() || 'auto';
  if (v === 'auto' || v === 'tensorflow' || v === 'wasm') return v;
  throw new Error(`FACE_BACKEND must be auto, tensorflow or wasm (got "${value}")`);
}

/** Picks the backend: tfjs-node where it is installed, wasm otherwise, unless overridden. */
export function selectBackend(choice: BackendChoice, available: () => boolean = tfjsNodeAvailable): Backend {
  if (choice === 'wasm') return 'wasm';
  if (choice === 'tensorflow') {
    if (!available()) {
      throw new Error(
        'FACE_BACKEND=tensorflow but @tensorflow/tfjs-node is not installed or its native library failed to load; use FACE_BACKEND=wasm or auto',
      );
    }
    return 'tensorflow';
  }
  return available() ? 'tensorflow' : 'wasm';
}

/** Folder of the @vladmandic/human package (its `exports` map hides package.json). */
export function humanPackageDir(): string {
  return path.resolve(path.dirname(require.resolve('@vladmandic/human')), '..');
}

/** Path of the Human build for a backend: the wasm build is not reachable through the package's exports. */
export function humanBuildFile(backend: Backend): string {
  return path.join(humanPackageDir(), 'dist', backend === 'wasm' ? 'human.node-wasm.js' : 'human.node.js');
}

/** Folder holding the tfjs wasm binaries, which the wasm backend reads from disk. */
export function wasmBinariesDir(): string {
  return `${path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}${path.sep}`;
}
