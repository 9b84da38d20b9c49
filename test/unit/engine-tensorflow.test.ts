import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import type { Analysis, FaceImage } from '../../src/domain/face.ts';
import { selectBackend, tfjsNodeAvailable } from '../../src/engine/backend.ts';
import { HumanEngine } from '../../src/engine/human-engine.ts';
import { OnnxEngine } from '../../src/engine/onnx/onnx-engine.ts';
import { WorkerPool } from '../../src/engine/pool.ts';
import { loadTfjsNode } from '../../src/engine/tfjs-node.ts';
import { thumbnailLandmarks } from '../../src/resemblance/thumbnail-frame.ts';
import { cosine } from '../../src/util/vectors.ts';
import { dataDir, people, readData } from '../fixtures/data.ts';
import { assertInterchangeableGalleries } from '../support/cross-backend.ts';
import { assertPoolContract } from '../support/pool.ts';

// Human on tfjs-node, with face-api's own code for the landmarks and the dlib descriptor, against the
// default engine (ONNX Runtime). `npm test` runs `npm run setup:tfjs-node` first (pretest).
const data = dataDir();
if (!tfjsNodeAvailable())
  throw new Error(
    '@tensorflow/tfjs-node does not load here: run `npm run setup:tfjs-node` (npm test does it first)',
  );

/** Every shared photo: all bbt portraits and groups, 3 crops per celebrity, a blank. */
function photos(): string[] {
  return [
    ...people(path.join(data, 'bbt')).flatMap((p) => p.files),
    ...readdirSync(path.join(data, 'bbt', 'group')).map((f) => path.join(data, 'bbt', 'group', f)),
    ...people(path.join(data, 'celebs')).flatMap((p) => p.files.slice(0, 3)),
    path.join(data, 'misc', 'no-face-white.png'),
  ];
}

describe('the tensorflow backend (tfjs-node) gives what onnx gives', () => {
  let tensorflow: HumanEngine;
  let onnx: OnnxEngine;
  const results = new Map<string, { tensorflow: Analysis; onnx: Analysis }>();
  before(async () => {
    // The default tuning on both: faceres fused with face-api's dlib descriptor.
    [tensorflow, onnx] = await Promise.all([
      HumanEngine.create({ backend: 'tensorflow' }),
      OnnxEngine.create(),
    ]);
    for (const file of photos()) {
      const bytes = readFileSync(file);
      results.set(file, { tensorflow: await tensorflow.analyze(bytes), onnx: await onnx.analyze(bytes) });
    }
  });
  after(async () => {
    await Promise.all([tensorflow?.close(), onnx?.close()]);
  });

  it('runs on libtensorflow, with the same tuning and so the same embedding fingerprint', () => {
    const tf = loadTfjsNode() as { getBackend(): string };
    assert.equal(tf.getBackend(), 'tensorflow');
    assert.equal(selectBackend('tensorflow'), 'tensorflow');
    assert.deepEqual(tensorflow.tuning, onnx.tuning);
    assert.equal(tensorflow.tuning.descriptor, 'fused');
  });

  it('finds the same faces: same count, boxes within 2 px, on every shared photo', () => {
    assert.ok(results.size > 100, `${results.size} photos`);
    let faces = 0;
    for (const [file, r] of results) {
      assert.equal(r.tensorflow.faces.length, r.onnx.faces.length, `${file}: face count`);
      r.onnx.faces.forEach((f, i) => {
        const g = r.tensorflow.faces[i];
        assert.ok(g);
        const off = Math.max(...f.box.map((v, k) => Math.abs(v - (g.box[k] as number))));
        assert.ok(off <= 2, `${file} face ${i}: ${f.box} vs ${g.box}`);
        faces++;
      });
    }
    assert.ok(faces > 100, `${faces} faces compared`);
  });

  it('embeds them alike: fused, faceres and dlib cosines > 0.999, landmarks within a pixel', () => {
    for (const [file, r] of results)
      r.onnx.faces.forEach((f, i) => {
        const g = r.tensorflow.faces[i];
        assert.ok(g?.descriptors?.dlib && f.descriptors?.dlib && g.landmarks && f.landmarks, file);
        assert.equal(g.embedding.length, 1024 + 128);
        for (const [what, a, b] of [
          ['fused', f.embedding, g.embedding],
          ['faceres', f.descriptors.faceres, g.descriptors.faceres],
          ['dlib', f.descriptors.dlib, g.descriptors.dlib],
        ] as const) {
          const c = cosine(a as Float32Array, b as Float32Array);
          assert.ok(c > 0.999, `${file} face ${i}: ${what} cosine ${c}`);
        }
        const off = Math.max(
          ...Array.from(f.landmarks, (v, k) => Math.abs(v - (g.landmarks?.[k] as number))),
        );
        assert.ok(off < 1, `${file} face ${i}: landmarks ${off.toFixed(3)} px apart`);
      });
  });

  it('embeds cut-out face images as onnx does, so "Why?" works on this runtime', async () => {
    // Each bbt portrait's face as the explainer sees it: its thumbnail, with landmarks in its pixels.
    const images: FaceImage[] = [];
    for (const file of people(path.join(data, 'bbt')).flatMap((p) => p.files.slice(0, 2))) {
      const analysis = results.get(file)?.onnx;
      const face = analysis?.faces[0];
      assert.ok(analysis && face, file);
      const landmarks = await thumbnailLandmarks(face, analysis);
      assert.ok(landmarks, file);
      const { data: px, info } = await sharp(face.thumbnail).raw().toBuffer({ resolveWithObject: true });
      images.push({ data: new Uint8Array(px), width: info.width, height: info.height, landmarks });
    }
    const [byTensorflow, byOnnx] = await Promise.all([
      tensorflow.embedFaceImages(images),
      onnx.embedFaceImages(images),
    ]);
    assert.equal(byTensorflow.length, images.length);
    byTensorflow.forEach((e, i) => {
      assert.equal(e.length, 1024 + 128);
      // Both see the very same pixels here (unlike whole photos, decoded and cropped by each): the
      // cosine is 1 to 6 places; faceres on pixels scaled by 2 % off already falls to 0.99989–0.99996.
      const c = cosine(e, byOnnx[i] as Float32Array);
      assert.ok(c > 0.99999, `face image ${i}: cosine ${c}`);
    });
    assert.deepEqual(await tensorflow.embedFaceImages([]), []);
  });

  it('makes interchangeable galleries: enrolled on one backend, identified on the other', () => {
    const cast = people(path.join(data, 'bbt'));
    const embedding = (engine: 'tensorflow' | 'onnx', file: string) => {
      const face = results.get(file)?.[engine].faces[0];
      assert.ok(face, file);
      return face.embedding;
    };
    assert.equal(assertInterchangeableGalleries(cast, embedding, 'tensorflow', 'onnx'), 16);
  });
});

describe('worker pool on tfjs-node', () => {
  it('keeps the pool contract and frees every tensor it makes', async () => {
    const pool = new WorkerPool({ backend: 'tensorflow', workers: 1, queueLimit: 2 });
    try {
      await assertPoolContract(pool);
      const inputs = [readData('bbt', 'group', 'bbt1.jpg'), readData('misc', 'no-face-white.png')];
      await pool.analyze(inputs[0] as Uint8Array);
      const [before] = await pool.workerStats();
      for (let i = 0; i < 10; i++) await pool.analyze(inputs[i % 2] as Uint8Array);
      const [after] = await pool.workerStats();
      assert.ok(before && after);
      // The models' weights stay; nothing per photo may.
      assert.equal(after.tensors, before.tensors);
    } finally {
      await pool.close();
    }
  });
});
