import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  type Availability,
  humanBuildFile,
  selectBackend,
  tfjsNodeAvailable,
  wasmBinariesDir,
} from '../../src/engine/backend.ts';
import { onnxAvailable } from '../../src/engine/onnx/onnx-engine.ts';

const having = (onnx: boolean, tensorflow: boolean): Availability => ({
  onnx: () => onnx,
  tensorflow: () => tensorflow,
});

describe('backend selection', () => {
  it('auto prefers ONNX Runtime, then tfjs-node, then wasm', () => {
    assert.equal(selectBackend('auto', having(true, true)), 'onnx');
    assert.equal(selectBackend('auto', having(false, true)), 'tensorflow');
    assert.equal(selectBackend('auto', having(false, false)), 'wasm');
  });

  it('honours FACE_BACKEND=wasm even where the native runtimes load', () => {
    assert.equal(selectBackend('wasm', having(true, true)), 'wasm');
  });

  it('honours FACE_BACKEND=tensorflow over ONNX Runtime', () => {
    assert.equal(selectBackend('tensorflow', having(true, true)), 'tensorflow');
  });

  it('refuses an explicit backend whose runtime does not load, naming the package', () => {
    assert.throws(() => selectBackend('tensorflow', having(true, false)), /@tensorflow\/tfjs-node/);
    assert.throws(() => selectBackend('onnx', having(false, true)), /onnxruntime-node/);
  });

  it('chooses onnx on this machine, where both native runtimes load (tfjs-node after npm run setup:tfjs-node)', () => {
    assert.equal(
      tfjsNodeAvailable(),
      true,
      'tfjs-node should load: npm test runs npm run setup:tfjs-node first',
    );
    assert.equal(onnxAvailable(), true, 'onnxruntime-node should load (npm install brings its CPU library)');
    assert.equal(selectBackend('auto'), 'onnx');
  });

  it('finds the wasm build of Human and the wasm binaries on disk', () => {
    assert.ok(existsSync(humanBuildFile('wasm')), humanBuildFile('wasm'));
    assert.ok(existsSync(`${wasmBinariesDir()}tfjs-backend-wasm-simd.wasm`));
  });
});
