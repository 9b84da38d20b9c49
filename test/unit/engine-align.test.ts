import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { DEFAULT_TUNING, embeddingDim, resolveTuning } from '../../src/domain/tuning.ts';
import {
  around,
  eyeAngle,
  recognitionChip,
  referencePoints,
  warp,
  warpToPlanar,
} from '../../src/engine/align.ts';
import { OnnxEngine } from '../../src/engine/onnx/onnx-engine.ts';
import { fuse } from '../../src/engine/pipeline.ts';
import { cosine } from '../../src/util/vectors.ts';
import { readData } from '../fixtures/data.ts';

/** A 68-point face: eyes level at y=100, 60 px apart, mouth 50 px below, turned by `degrees` about (100, 120). */
function face(degrees = 0): Float32Array {
  const points = new Float32Array(136);
  const set = (i: number, x: number, y: number) => {
    points[2 * i] = x;
    points[2 * i + 1] = y;
  };
  for (let i = 0; i < 68; i++) set(i, 100, 120);
  for (let i = 36; i < 42; i++) set(i, 70 + (i % 2), 100);
  for (let i = 42; i < 48; i++) set(i, 130 + (i % 2), 100);
  for (let i = 48; i < 68; i++) set(i, 100, 150);
  const t = (degrees * Math.PI) / 180;
  for (let i = 0; i < 68; i++) {
    const x = (points[2 * i] as number) - 100;
    const y = (points[2 * i + 1] as number) - 120;
    set(i, 100 + x * Math.cos(t) - y * Math.sin(t), 120 + x * Math.sin(t) + y * Math.cos(t));
  }
  return points;
}

describe('alignment geometry', () => {
  it('measures the roll from the eye line', () => {
    assert.ok(Math.abs(eyeAngle(face())) < 1e-9);
    assert.ok(Math.abs(eyeAngle(face(20)) - (20 * Math.PI) / 180) < 1e-6);
    assert.ok(Math.abs(eyeAngle(face(-35)) + (35 * Math.PI) / 180) < 1e-6);
  });

  it("puts the eyes and mouth where face-api's chip has them, upright whatever the roll", () => {
    for (const degrees of [0, 25, -40]) {
      const t = recognitionChip(face(degrees), 150);
      // Where each reference point lands in the chip: invert x = a·u − b·v + tx, y = b·u + a·v + ty,
      // with points in continuous coordinates (a pixel's centre at +0.5) and u, v in pixel indices.
      const toChip = ([x, y]: [number, number]) => {
        const dx = x - 0.5 - t.tx;
        const dy = y - 0.5 - t.ty;
        const n = t.a * t.a + t.b * t.b;
        return [(t.a * dx + t.b * dy) / n, (-t.b * dx + t.a * dy) / n] as const;
      };
      const [l, r, m] = referencePoints(face(degrees)).map(toChip) as [
        readonly [number, number],
        readonly [number, number],
        readonly [number, number],
      ];
      assert.ok(Math.abs(l[1] - r[1]) < 1e-6, `eyes level at ${degrees}°`);
      assert.ok(l[0] < r[0] && m[1] > l[1], 'left eye left, mouth below');
      // The centroid of eyes and mouth at (0.5, 0.43) of the chip (pixel centres at +0.5).
      assert.ok(Math.abs((l[0] + r[0] + m[0]) / 3 + 0.5 - 75) < 1e-6);
      assert.ok(Math.abs((l[1] + r[1] + m[1]) / 3 + 0.5 - 0.43 * 150) < 1e-6);
    }
  });

  it('warps an image by a similarity: identity copies it, a half-size square averages it', () => {
    const side = 8;
    const data = Float32Array.from({ length: side * side * 3 }, (_, i) => i % 97);
    const img = { data, width: side, height: side, channels: 3 };
    const same = warp(img, around(4, 4, 8, 0, 8), 8);
    for (let i = 0; i < data.length; i++)
      assert.ok(Math.abs((same.data[i] as number) - (data[i] as number)) < 1e-4);
    const flat = { data: new Float32Array(64 * 64 * 3).fill(200), width: 64, height: 64, channels: 3 };
    // A 4× shrink samples a 4×4 grid per output pixel: a flat image stays flat, with no aliasing.
    const small = warp(flat, around(32, 32, 64, 0.3, 16), 16);
    const centre = small.data[(8 * 16 + 8) * 3] as number;
    assert.ok(Math.abs(centre - 200) < 1e-3);
  });

  it('warpToPlanar (WebAssembly) writes exactly the numbers of warp (JavaScript), then the normalised planar copy', () => {
    // Bytes, as the engine passes the decoded photo, and floats (explanations' face images); transforms
    // that enlarge, shrink (up to 6×6 samples a pixel), turn, and reach past every edge.
    const w = 90;
    const h = 70;
    const bytes = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 7919) % 251);
    const floats = Float32Array.from(bytes, (v, i) => v / 255 + (i % 7) * 1e-3);
    const mean = [122.782, 117.001, 104.298] as const;
    const transforms = (side: number) => [
      around(45, 35, 40, 0.2, side),
      around(40, 30, 150, -0.4, side),
      around(5, 5, 30, 1, side),
      around(45, 35, 200, 0.7, side),
      around(-20, 80, 60, 2, side),
      around(89.4, 69.6, 3, 0, side),
    ];
    // 24-pixel chips shrink up to 6×6 samples a pixel; dlib's 150-pixel chip has enough samples that
    // rounding each sum to float32 before normalising shows.
    for (const data of [bytes, floats]) {
      const img = { data, width: w, height: h, channels: 3 };
      for (const side of [24, 150]) {
        for (const t of transforms(side)) {
          const chip = warp(img, t, side);
          const plane = side * side;
          const want = new Float32Array(7 + 3 * plane + 5).fill(-1);
          for (let i = 0; i < plane; i++)
            for (let c = 0; c < 3; c++)
              want[7 + c * plane + i] = ((chip.data[i * 3 + c] as number) - (mean[c] as number)) / 255;
          const got = new Float32Array(7 + 3 * plane + 5).fill(-1);
          warpToPlanar(img, t, side, { dest: got, offset: 7, mean, div: 255 });
          assert.ok(
            Buffer.from(got.buffer).equals(Buffer.from(want.buffer)),
            `${data.constructor.name} ${side} ${JSON.stringify(t)}`,
          );
        }
      }
    }
    // Another photo of the same size is read afresh, not the last one the kernel copied in.
    const other = { data: Uint8Array.from(bytes, (v) => 255 - v), width: w, height: h, channels: 3 };
    const t = transforms(24)[0]!;
    const a = new Float32Array(3 * 24 * 24);
    const b = new Float32Array(3 * 24 * 24);
    warpToPlanar({ data: bytes, width: w, height: h, channels: 3 }, t, 24, {
      dest: a,
      offset: 0,
      mean,
      div: 255,
    });
    warpToPlanar(other, t, 24, { dest: b, offset: 0, mean, div: 255 });
    const chip = warp(other, t, 24);
    assert.equal(b[0], Math.fround(((chip.data[0] as number) - mean[0]) / 255));
    assert.notDeepEqual(a, b);
    // A transform that is not a number gives NaN, as the loops did, instead of reading anywhere.
    const nan = new Float32Array(3 * 24 * 24);
    warpToPlanar(other, { ...t, tx: Number.NaN }, 24, { dest: nan, offset: 0, mean, div: 255 });
    assert.ok(nan.every(Number.isNaN));
  });

  it('fuses descriptors so that cosines add with the weights', () => {
    const unit = (n: number, seed: number) => {
      const v = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + seed));
      const norm = Math.hypot(...v);
      return v.map((x) => x / norm);
    };
    const [f1, f2, d1, d2] = [unit(1024, 1), unit(1024, 2), unit(128, 3), unit(128, 4)];
    const tuning = { ...DEFAULT_TUNING, dlibWeight: 0.9 };
    const a = fuse(f1, d1, tuning);
    const b = fuse(f2, d2, tuning);
    assert.equal(a.length, embeddingDim(tuning));
    assert.ok(Math.abs(cosine(a, b) - (0.1 * cosine(f1, f2) + 0.9 * cosine(d1, d2))) < 1e-5);
    assert.ok(Math.abs(cosine(a, a) - 1) < 1e-6);
  });

  it('runs faceres alone where face-api cannot run (Human on tfjs)', () => {
    const wasm = resolveTuning('wasm');
    assert.equal(wasm.descriptor, 'faceres');
    assert.equal(wasm.landmarks, false);
    assert.equal(embeddingDim(wasm), 1024);
    assert.equal(resolveTuning('onnx').descriptor, 'fused');
  });
});

describe('landmarks and descriptors on real photos (ONNX engine)', () => {
  let engine: OnnxEngine;
  before(async () => {
    engine = await OnnxEngine.create({ threads: 1 });
  });
  after(() => engine.close());

  it('gives 68 landmarks inside each face, both descriptors and the fused embedding', async () => {
    const analysis = await engine.analyze(readData('bbt', 'group', 'bbt1.jpg'));
    assert.equal(analysis.faces.length, 4);
    for (const f of analysis.faces) {
      assert.equal(f.landmarks?.length, 136);
      const [x, y, w, h] = f.box;
      const [l, r, m] = referencePoints(f.landmarks as Float32Array);
      for (const [px, py] of [l, r, m])
        assert.ok(px > x && px < x + w && py > y && py < y + h, 'inside the box');
      assert.ok(m[1] > l[1] && m[1] > r[1], 'mouth below the eyes');
      assert.equal(f.descriptors?.faceres?.length, 1024);
      assert.equal(f.descriptors?.dlib?.length, 128);
      assert.equal(f.embedding.length, 1152);
      assert.ok(Math.abs(Math.hypot(...f.embedding) - 1) < 1e-4);
    }
  });

  it('follows a tilted head, and its aligned descriptor barely moves', async () => {
    const photo = readData('bbt', 'sheldon', 'sheldon1.png');
    const upright = (await engine.analyze(photo)).faces[0];
    const turned = await sharp(photo).rotate(25, { background: '#808080' }).png().toBuffer();
    const tilted = (await engine.analyze(turned)).faces[0];
    assert.ok(upright?.landmarks && tilted?.landmarks, 'a face in both');
    const roll = ((eyeAngle(tilted.landmarks) - eyeAngle(upright.landmarks)) * 180) / Math.PI;
    assert.ok(Math.abs(roll - 25) < 6, `measured a ${roll.toFixed(1)}° turn`);
    const same = cosine(upright.descriptors?.dlib as Float32Array, tilted.descriptors?.dlib as Float32Array);
    assert.ok(same > 0.9, `dlib descriptor cosine ${same}`);
  });
});
