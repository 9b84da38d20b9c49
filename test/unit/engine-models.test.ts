import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { humanPackageDir } from '../../src/engine/backend.ts';
import {
  MODELS_DIR,
  ModelIntegrityError,
  readGraphModel,
  readManifest,
  sha256,
} from '../../src/engine/model-files.ts';
import { MODEL_SCHEME, registerModelRouter } from '../../src/engine/model-loader.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'lookalike-models-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('models/ and its manifest', () => {
  it('lists every model file with its source package, version and sha256', () => {
    const manifest = readManifest();
    const human = JSON.parse(readFileSync(path.join(humanPackageDir(), 'package.json'), 'utf8')) as {
      version: string;
    };
    assert.deepEqual(manifest.source, { package: '@vladmandic/human', version: human.version });
    for (const name of [
      'blazeface.json',
      'blazeface.bin',
      'faceres-fused.json',
      'faceres-fused.bin',
      'blazeface.onnx',
      'faceres.onnx',
    ]) {
      const entry = manifest.files[name];
      assert.ok(entry, `${name} missing from manifest`);
      assert.equal(sha256(readFileSync(path.join(MODELS_DIR, name))), entry.sha256, name);
    }
  });

  it('names an altered file', () => {
    const dir = path.join(tmp, 'altered');
    cpSync(MODELS_DIR, dir, { recursive: true });
    const bin = path.join(dir, 'blazeface.bin');
    const bytes = readFileSync(bin);
    bytes[100] = (bytes[100] as number) ^ 0xff;
    writeFileSync(bin, bytes);
    assert.throws(
      () => readGraphModel(dir, 'blazeface.json', readManifest(dir)),
      (err: Error) => err instanceof ModelIntegrityError && err.message.includes('blazeface.bin'),
    );
  });

  it('names a missing file', () => {
    const dir = path.join(tmp, 'missing');
    cpSync(MODELS_DIR, dir, { recursive: true });
    rmSync(path.join(dir, 'faceres-fused.bin'));
    assert.throws(
      () => readGraphModel(dir, 'faceres-fused.json', readManifest(dir)),
      (err: Error) => err instanceof ModelIntegrityError && /faceres-fused\.bin is missing/.test(err.message),
    );
  });

  it('fused faceres computes the same embedding as the shipped faceres', async () => {
    await tf.setBackend('wasm');
    registerModelRouter(tf, MODELS_DIR);
    registerModelRouter(tf, path.join(humanPackageDir(), 'models'), {
      scheme: 'human-test://',
      verify: false,
    });
    const fused = await loadGraphModel(`${MODEL_SCHEME}faceres-fused.json`);
    const shipped = await loadGraphModel('human-test://faceres.json');
    const x = tf.mul(tf.randomUniform([2, 224, 224, 3], 0, 1, 'float32', 7), 255);
    const pick = (out: tf.Tensor[]) => out.find((t) => t.shape[1] === 1024) as tf.Tensor;
    const a = await pick(fused.execute(x) as tf.Tensor[]).data();
    const b = await pick(shipped.execute(x) as tf.Tensor[]).data();
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
    assert.ok(worst < 1e-3, `max difference ${worst}`);
    // The fused graph takes any input size; the shipped one only 224.
    const small = tf.zeros([1, 160, 160, 3]);
    assert.equal(pick(fused.execute(small) as tf.Tensor[]).shape[1], 1024);
  });
});
