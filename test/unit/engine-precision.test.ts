import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Analysis } from '../../src/domain/face.ts';
import { DEFAULT_TUNING, resolveTuning } from '../../src/domain/tuning.ts';
import { recognitionChip, warp } from '../../src/engine/align.ts';
import { readCalibration } from '../../src/engine/calibration.ts';
import { engineFingerprint } from '../../src/engine/fingerprint.ts';
import { readManifest } from '../../src/engine/model-files.ts';
import { CHIP_SIDE } from '../../src/engine/onnx/face-api-nets.ts';
import { modelFile, OnnxEngine } from '../../src/engine/onnx/onnx-engine.ts';
import { preparePhoto } from '../../src/engine/pipeline.ts';
import { cpuHasVnni, resolvePrecision } from '../../src/engine/precision.ts';
import { cosine } from '../../src/util/vectors.ts';
import { readData } from '../fixtures/data.ts';

const cpuinfo = (flags: string) => `processor\t: 0\nmodel name\t: Some CPU\nflags\t\t: fpu sse2 ${flags}\n`;

describe('FACE_PRECISION', () => {
  it('auto is int8 only where /proc/cpuinfo lists AVX-512 VNNI or AVX-VNNI', () => {
    assert.equal(resolvePrecision('auto', cpuinfo('avx2 avx512f avx512_vnni')), 'int8');
    assert.equal(resolvePrecision('auto', cpuinfo('avx2 avx_vnni')), 'int8');
    assert.equal(resolvePrecision('auto', cpuinfo('avx2 avx512f avx512vl')), 'fp32');
    assert.equal(resolvePrecision('auto', ''), 'fp32');
    assert.equal(cpuHasVnni(cpuinfo('avx512_vnnix')), false, 'whole flags only');
    assert.equal(resolvePrecision('fp32', cpuinfo('avx512_vnni')), 'fp32');
    assert.equal(resolvePrecision('int8', cpuinfo('')), 'int8');
  });

  it('int8 loads the quantised faceres and keeps BlazeFace, the landmark net and dlib-resnet in fp32', () => {
    const manifest = readManifest();
    assert.equal(modelFile('faceres', 'int8', manifest), 'faceres.int8.onnx');
    // dlib-resnet carries 0.9 of the fused embedding and its int8 error moved `same` (docs/engine-speed.md).
    assert.equal(modelFile('dlib-resnet', 'int8', manifest), 'dlib-resnet.onnx');
    assert.equal(modelFile('blazeface', 'int8', manifest), 'blazeface.onnx');
    assert.equal(modelFile('landmarks68', 'int8', manifest), 'landmarks68.onnx');
    assert.equal(modelFile('faceres', 'fp32', manifest), 'faceres.onnx');
  });

  it('is part of the fingerprint and has its own calibration profile; tfjs backends stay fp32', () => {
    const int8 = { ...DEFAULT_TUNING, precision: 'int8' as const };
    assert.notEqual(engineFingerprint(int8).sha256, engineFingerprint(DEFAULT_TUNING).sha256);
    const a = readCalibration(DEFAULT_TUNING);
    const b = readCalibration(int8);
    assert.equal(a.tuning.precision, 'fp32');
    assert.equal(b.tuning.precision, 'int8');
    assert.notEqual(a.prior, b.prior);
    assert.equal(resolveTuning('wasm', { precision: 'int8' }).precision, 'fp32');
    assert.equal(resolveTuning('onnx', { precision: 'int8' }).precision, 'int8');
  });
});

describe('int8 engine against fp32 on shared photos', () => {
  const photos = ['bbt/amy/amy1.png', 'bbt/penny/penny2.png', 'bbt/group/bbt1.jpg'];
  const results = new Map<string, Analysis[]>();
  before(async () => {
    for (const precision of ['fp32', 'int8'] as const) {
      const engine = await OnnxEngine.create({ tuning: { precision }, warmup: false });
      const out: Analysis[] = [];
      for (const p of photos) out.push(await engine.analyze(readData(...p.split('/'))));
      results.set(precision, out);
      await engine.close();
    }
  });
  after(() => results.clear());

  it('finds the same faces and embeds each within cosine 0.98 (fused embedding > 0.99)', () => {
    const fp32 = results.get('fp32') ?? [];
    const int8 = results.get('int8') ?? [];
    assert.ok(
      fp32.some((a) => a.faces.length > 1),
      'a group photo is among them',
    );
    for (const [i, a] of fp32.entries()) {
      const b = int8[i] as Analysis;
      assert.equal(b.faces.length, a.faces.length, photos[i]);
      for (const [j, f] of a.faces.entries()) {
        const g = b.faces[j];
        assert.deepEqual(g?.box, f.box, 'BlazeFace runs in fp32 in both');
        assert.ok(cosine(f.embedding, g.embedding) > 0.99, `${photos[i]} face ${j}`);
        assert.ok(
          cosine(f.descriptors?.faceres as Float32Array, g.descriptors?.faceres as Float32Array) > 0.98,
        );
        assert.deepEqual(g.descriptors?.dlib, f.descriptors?.dlib, 'dlib-resnet runs in fp32 in both');
      }
    }
  });
});

describe('embedChips', () => {
  it('gives the dlib descriptor analyze made, from the same aligned chip, in one batch', async () => {
    const engine = await OnnxEngine.create({ warmup: false });
    try {
      const bytes = readData('bbt', 'amy', 'amy1.png');
      const face = (await engine.analyze(bytes)).faces[0];
      assert.ok(face?.landmarks && face.descriptors?.dlib);
      // The chip is cut from the photo as the engine saw it (with its grey border): landmarks mapped back in.
      const photo = await preparePhoto(bytes, DEFAULT_TUNING);
      const { offset, decoded, rgb } = photo;
      const points = face.landmarks.map((v, i) => v * decoded.scale + (i % 2 ? offset.y : offset.x));
      const pixels = { data: rgb.data, width: rgb.width, height: rgb.height, channels: 3 };
      const chip = warp(pixels, recognitionChip(points, CHIP_SIDE), CHIP_SIDE);
      const [a, b] = await engine.embedChips([chip, chip]);
      assert.ok(cosine(a as Float32Array, face.descriptors.dlib) > 0.9999);
      assert.deepEqual(a, b);
      await assert.rejects(engine.embedChips([{ ...chip, width: 100 }]), /150×150/);
    } finally {
      await engine.close();
    }
  });
});
