import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  humanBuildFile,
  parseBackendChoice,
  selectBackend,
  tfjsNodeAvailable,
  wasmBinariesDir,
} from '../src/engine/backend.ts';

describe('backend selection', () => {
  it('falls back to wasm when tfjs-node is absent', () => {
    assert.equal(
      selectBackend('auto', () => false),
      'wasm',
    );
  });

  it('prefers tfjs-node when it loads', () => {
    assert.equal(
      selectBackend('auto', () => true),
      'tensorflow',
    );
  });

  it('honours FACE_BACKEND=wasm even where tfjs-node is installed', () => {
    assert.equal(
      selectBackend('wasm', () => true),
      'wasm',
    );
  });

  it('refuses FACE_BACKEND=tensorflow without tfjs-node, naming the package', () => {
    assert.throws(() => selectBackend('tensorflow', () => false), /@tensorflow\/tfjs-node/);
  });

  it('chooses wasm on this machine, where tfjs-node cannot install', () => {
    assert.equal(tfjsNodeAvailable(), false, 'this test expects tfjs-node to be absent, as in CI');
    assert.equal(selectBackend(parseBackendChoice(undefined)), 'wasm');
  });

  it('parses FACE_BACKEND and rejects anything else', () => {
    assert.equal(parseBackendChoice(''), 'auto');
    assert.equal(parseBackendChoice(' WASM '), 'wasm');
    assert.equal(parseBackendChoice('tensorflow'), 'tensorflow');
    assert.throws(() => parseBackendChoice('gpu'), /FACE_BACKEND must be auto, tensorflow or wasm/);
  });

  it('finds the wasm build of Human and the wasm binaries on disk', () => {
    assert.ok(existsSync(humanBuildFile('wasm')), humanBuildFile('wasm'));
    assert.ok(existsSync(`${wasmBinariesDir()}tfjs-backend-wasm-simd.wasm`));
  });
});
