import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MODELS_DIR, ModelIntegrityError, readManifest } from '../../src/engine/model-files.ts';
import { modelFile, type OnnxModel } from '../../src/engine/onnx/models.ts';
import { OnnxEngine } from '../../src/engine/onnx/onnx-engine.ts';
import { prestartedDigest, prestartOnnx } from '../../src/engine/onnx/prestart.ts';
import { readData } from '../fixtures/data.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'lookalike-prestart-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const MODELS: OnnxModel[] = ['blazeface', 'faceres', 'landmarks68', 'dlib-resnet'];
const photos = [readData('bbt', 'amy', 'amy1.png'), readData('bbt', 'group', 'bbt1.jpg')];

/** Boxes, scores, embeddings and landmarks of every face of both photos: every one of the four nets runs. */
async function answers(sessionCache: string[] | false): Promise<unknown[]> {
  const engine = await OnnxEngine.create({ sessionCache, warmup: false });
  const out: unknown[] = [];
  for (const photo of photos) {
    const { faces } = await engine.analyze(photo);
    out.push(faces.map((f) => [f.box, f.score, [...f.embedding], f.landmarks]));
  }
  await engine.close();
  return out;
}

/** A copy of models/ with one file changed by `alter` (the manifest left as it was). */
function modelsWith(name: string, file: string, alter: (file: string) => void): string {
  const dir = path.join(tmp, name);
  cpSync(MODELS_DIR, dir, { recursive: true });
  alter(path.join(dir, file));
  return dir;
}

describe('the ONNX Runtime helper thread of one-shot commands (prestart)', () => {
  const cache = path.join(tmp, 'cache');
  before(async () => {
    // Every fp32 entry saved, so the engines below start from the cache: the path the helper serves.
    await answers([cache]);
  });

  it('hashes exactly the files the engine opens, at either precision, to the sha256 the manifest lists', async () => {
    const manifest = readManifest();
    for (const precision of ['int8', 'fp32'] as const) {
      prestartOnnx({ precision });
      for (const model of MODELS) {
        const file = modelFile(model, precision, manifest);
        const digest = prestartedDigest(path.join(MODELS_DIR, file));
        assert.ok(digest, `${precision}: no digest for ${file}`);
        assert.equal((await digest)?.sha, manifest.files[file]?.sha256, `${precision}: ${file}`);
        assert.equal(prestartedDigest(path.join(MODELS_DIR, file)), undefined, 'a digest handed out twice');
      }
    }
  });

  it('gives the same answers bit for bit as an engine started without it', async () => {
    const reference = await answers(false);
    prestartOnnx({ precision: 'fp32' });
    const helped = await answers([cache]);
    for (const model of MODELS)
      assert.equal(prestartedDigest(path.join(MODELS_DIR, `${model}.onnx`)), undefined, `${model}: unused`);
    assert.deepEqual(helped, reference);
  });

  it('still catches a model file that differs from the manifest, with the usual error', async () => {
    const models = modelsWith('altered', 'dlib-resnet.onnx', (file) => {
      const bytes = readFileSync(file);
      bytes[bytes.length - 10] = (bytes[bytes.length - 10] as number) ^ 0xff;
      writeFileSync(file, bytes);
    });
    prestartOnnx({ precision: 'fp32', modelsDir: models });
    await assert.rejects(
      OnnxEngine.create({ sessionCache: [cache], modelsDir: models, warmup: false }),
      (err: Error) =>
        err instanceof ModelIntegrityError &&
        err.message.includes('dlib-resnet.onnx') &&
        err.message.includes('does not match'),
    );
    // The helper's digest was the one checked: nothing is left for the engine to hash itself.
    assert.equal(prestartedDigest(path.join(models, 'dlib-resnet.onnx')), undefined);
  });

  it('names a missing model file as missing, as the engine does on its own', async () => {
    const models = modelsWith('missing', 'landmarks68.onnx', unlinkSync);
    prestartOnnx({ precision: 'fp32', modelsDir: models });
    await assert.rejects(
      OnnxEngine.create({ sessionCache: [cache], modelsDir: models, warmup: false }),
      (err: Error) => err instanceof ModelIntegrityError && /landmarks68\.onnx is missing/.test(err.message),
    );
  });

  it('does nothing where the models folder has no manifest (the engine reports it)', () => {
    const empty = mkdtempSync(path.join(tmp, 'empty-'));
    prestartOnnx({ precision: 'fp32', modelsDir: empty });
    assert.equal(prestartedDigest(path.join(empty, 'blazeface.onnx')), undefined);
  });
});
