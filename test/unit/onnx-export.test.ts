import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { wasmBinariesDir } from '../../src/engine/backend.ts';
import { MODELS_DIR } from '../../src/engine/model-files.ts';
import { MODEL_SCHEME, registerModelRouter } from '../../src/engine/model-loader.ts';
import { DETECTOR_SIZE } from '../../src/engine/onnx/blazeface.ts';
import { loadOrt } from '../../src/engine/onnx/onnx-engine.ts';
import { resizeBilinear, toPlanar } from '../../src/engine/onnx/tf-image.ts';
import { decodeImage } from '../../src/image/decode.ts';
import { cosine } from '../../src/util/vectors.ts';
import { exportGraph } from '../../tools/lib/onnx/tfjs-to-onnx.ts';
import { dataDir, people } from '../fixtures/data.ts';
import { relMaxDiff } from '../support/numeric.ts';

// A file of its own: Human's tfjs registers the same model router, which tfjs refuses twice in one process.
const data = dataDir();
const ort = loadOrt();

async function session(name: string) {
  return ort.InferenceSession.create(path.join(MODELS_DIR, name), { intraOpNumThreads: 1 });
}

/** An image resized to a square side, as NHWC for tfjs and NCHW for ONNX, scaled as the model wants. */
async function inputs(file: string, side: number, mul: number, add: number) {
  const d = await decodeImage(readFileSync(file));
  const small = resizeBilinear(
    { data: Float32Array.from(d.data), width: d.width, height: d.height, channels: 3 },
    side,
    side,
  );
  const nhwc = small.data.map((v) => v * mul + add);
  const nchw = new Float32Array(nhwc.length);
  toPlanar(small, nchw, 0, mul, add);
  return { nhwc, nchw };
}

describe('ONNX export agrees with the TF.js originals on real photos', () => {
  before(async () => {
    tf.env().set('WASM_HAS_SIMD_SUPPORT', true);
    const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
    setWasmPaths(wasmBinariesDir());
    await tf.setBackend('wasm');
    registerModelRouter(tf, MODELS_DIR);
  });

  const sample = () => [
    path.join(data, 'bbt', 'group', 'bbt1.jpg'),
    path.join(data, 'bbt', 'penny', 'penny1.png'),
    path.join(data, 'bbt', 'raj', 'raj3.png'),
    ...people(path.join(data, 'celebs'))
      .slice(0, 5)
      .map((p) => p.files[0] as string),
  ];

  it('BlazeFace: every output within 1e-3 relative max difference', async () => {
    const graph = await loadGraphModel(`${MODEL_SCHEME}blazeface.json`);
    const s = await session('blazeface.onnx');
    for (const file of sample()) {
      const x = await inputs(file, DETECTOR_SIZE, 1 / 127.5, -1);
      const t = tf.tensor4d(x.nhwc, [1, DETECTOR_SIZE, DETECTOR_SIZE, 3]);
      const outs = graph.execute(t) as tf.Tensor[];
      const r = await s.run({
        image: new ort.Tensor('float32', x.nchw, [1, 3, DETECTOR_SIZE, DETECTOR_SIZE]),
      });
      assert.equal(Object.keys(r).length, 4);
      for (const [name, value] of Object.entries(r)) {
        const twin = outs.find((o) => o.shape.join() === value.dims.join());
        assert.ok(twin, `${name} ${value.dims} has a TF.js counterpart`);
        const d = relMaxDiff(twin.dataSync(), value.data as Float32Array);
        assert.ok(d < 1e-3, `${path.basename(file)} ${name}: relative max difference ${d}`);
      }
      tf.dispose([t, ...outs]);
    }
    graph.dispose();
    await s.release();
  });

  it('faceres: descriptors within 1e-3 relative max difference and cosine > 0.9999', async () => {
    const graph = await loadGraphModel(`${MODEL_SCHEME}faceres-fused.json`);
    const s = await session('faceres.onnx');
    for (const file of sample()) {
      const x = await inputs(file, 224, 1, 0);
      const t = tf.tensor4d(x.nhwc, [1, 224, 224, 3]);
      const outs = graph.execute(t) as tf.Tensor[];
      const twin = outs.find((o) => o.shape[1] === 1024);
      assert.ok(twin);
      const r = await s.run({ faces: new ort.Tensor('float32', x.nchw, [1, 3, 224, 224]) });
      const got = r.descriptor?.data as Float32Array;
      const want = twin.dataSync() as Float32Array;
      assert.ok(relMaxDiff(want, got) < 1e-3, `${path.basename(file)}: ${relMaxDiff(want, got)}`);
      assert.ok(cosine(want, got) > 0.9999, `${path.basename(file)}: cosine ${cosine(want, got)}`);
      tf.dispose([t, ...outs]);
    }
    graph.dispose();
    await s.release();
  });

  it('refuses a graph with an op it does not support, naming it', () => {
    assert.throws(
      () =>
        exportGraph({
          graph: {
            node: [
              { name: 'x', op: 'Placeholder' },
              { name: 'y', op: 'Atan2', input: ['x', 'x'] },
            ],
          },
          weights: new Map(),
          input: { tfName: 'x', onnxName: 'x', dims: [1, 3, 8, 8] },
          outputs: [{ tfName: 'y', onnxName: 'y' }],
          producerVersion: 'test',
          docString: '',
        }),
      /unsupported op Atan2/,
    );
  });
});
