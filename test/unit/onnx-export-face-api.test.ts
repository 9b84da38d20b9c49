import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import sharp from 'sharp';
import { MODELS_DIR } from '../../src/engine/model-files.ts';
import { loadOrt } from '../../src/engine/onnx/onnx-engine.ts';
import { cosine } from '../../src/util/vectors.ts';
import { faceApiExports, recognitionGraph, type WeightMap } from '../../tools/lib/onnx/face-api-graphs.ts';
import { exportGraph } from '../../tools/lib/onnx/tfjs-to-onnx.ts';
import { dataDir, people } from '../fixtures/data.ts';
import { relMaxDiff } from '../support/numeric.ts';

// face-api itself (its node build on the tfjs CPU backend) is the reference: the ONNX graphs are
// written from its source, so they must compute what its own code computes on the same pixels.
const require = createRequire(import.meta.url);
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
const tf = faceapi.tf;
const ort = loadOrt();
const MODEL_DIR = path.join(path.dirname(require.resolve('@vladmandic/face-api')), '..', 'model');
const MEAN = [122.782, 117.001, 104.298];

function weights(name: string): WeightMap {
  const manifest = JSON.parse(readFileSync(path.join(MODEL_DIR, `${name}-weights_manifest.json`), 'utf8'));
  const bin = readFileSync(path.join(MODEL_DIR, `${name}.bin`));
  const decoded = tf.io.decodeWeights(
    bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
    manifest.flatMap((g: { weights: unknown[] }) => g.weights),
  );
  return new Map(
    Object.entries(decoded).map(([k, t]) => [
      k,
      { shape: (t as { shape: number[] }).shape, data: (t as { dataSync(): Float32Array }).dataSync() },
    ]),
  );
}

/** A photo squeezed to side×side RGB bytes, and the same as face-api-normalised NCHW floats. */
async function pixels(file: string, side: number) {
  const rgb = new Uint8Array(
    await sharp(readFileSync(file)).resize(side, side, { fit: 'fill' }).removeAlpha().raw().toBuffer(),
  );
  const nchw = new Float32Array(3 * side * side);
  for (let i = 0; i < side * side; i++)
    for (let c = 0; c < 3; c++)
      nchw[c * side * side + i] = ((rgb[i * 3 + c] as number) - (MEAN[c] as number)) / 255;
  return { rgb, nchw };
}

describe("face-api's nets on ONNX Runtime agree with face-api's own code on real photos", () => {
  before(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
    faceapi.nets.faceRecognitionNet.loadFromWeightMap(toTensors(weights('face_recognition_model')));
    faceapi.nets.faceLandmark68Net.loadFromWeightMap(toTensors(weights('face_landmark_68_model')));
  });

  function toTensors(map: WeightMap) {
    return Object.fromEntries([...map].map(([k, w]) => [k, tf.tensor(w.data, w.shape)]));
  }

  const data = dataDir();
  // Tight celebrity crops and ordinary portraits (face-api's CPU reference takes about a second each).
  const sample = () => [
    ...people(path.join(data, 'celebs'))
      .slice(0, 4)
      .map((p) => p.files[0] as string),
    ...people(path.join(data, 'bbt'))
      .filter((p) => p.name !== 'group')
      .slice(0, 2)
      .map((p) => p.files[0] as string),
  ];

  it('the recognition net: the same 128-d descriptor', async () => {
    const session = await ort.InferenceSession.create(path.join(MODELS_DIR, 'dlib-resnet.onnx'));
    for (const file of sample()) {
      const { rgb, nchw } = await pixels(file, 150);
      const ref = (await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(
        tf.tensor3d(rgb, [150, 150, 3], 'int32'),
      )) as Float32Array;
      const out = await session.run({ chips: new ort.Tensor('float32', nchw, [1, 3, 150, 150]) });
      const got = out.descriptor?.data as Float32Array;
      assert.equal(got.length, 128);
      assert.ok(relMaxDiff(ref, got) < 1e-3, `${file}: relative difference ${relMaxDiff(ref, got)}`);
      assert.ok(cosine(ref, got) > 0.9999, `${file}: cosine ${cosine(ref, got)}`);
    }
    await session.release();
  });

  it('the 68-landmark net: the same points', async () => {
    const session = await ort.InferenceSession.create(path.join(MODELS_DIR, 'landmarks68.onnx'));
    for (const file of sample()) {
      const { rgb, nchw } = await pixels(file, 112);
      const ref = (
        await faceapi.nets.faceLandmark68Net.detectLandmarks(tf.tensor3d(rgb, [112, 112, 3], 'int32'))
      ).relativePositions.flatMap((p: { x: number; y: number }) => [p.x, p.y]);
      const out = await session.run({ faces: new ort.Tensor('float32', nchw, [1, 3, 112, 112]) });
      const got = out.landmarks?.data as Float32Array;
      assert.equal(got.length, 136);
      // In pixels of the 112-pixel input: well under a hundredth of a pixel apart.
      for (let i = 0; i < 136; i++)
        assert.ok(Math.abs((ref[i] as number) - (got[i] as number)) * 112 < 0.01, `${file}: point ${i >> 1}`);
    }
    await session.release();
  });

  it('the committed models are byte for byte what the exporter writes from the installed package', () => {
    const version = JSON.parse(readFileSync(path.join(MODEL_DIR, '..', 'package.json'), 'utf8')).version;
    for (const [file, spec] of Object.entries(faceApiExports(weights, version))) {
      const { bytes } = exportGraph(spec);
      assert.ok(
        Buffer.from(bytes).equals(readFileSync(path.join(MODELS_DIR, file))),
        `${file}: rebuild with npm run build:models`,
      );
    }
  });

  it('refuses a weight map that lacks a layer, naming it', () => {
    const partial = weights('face_recognition_model');
    partial.delete('conv64_1/conv2/scale/weights');
    assert.throws(() => recognitionGraph(partial), /conv64_1\/conv2\/scale\/weights is missing/);
  });
});
