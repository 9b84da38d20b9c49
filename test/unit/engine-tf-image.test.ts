import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { anchors, nonMaxSuppression } from '../../src/engine/onnx/blazeface.ts';
import {
  cropAndResize,
  resizeBilinear,
  resizeToBytes,
  resizeToPlanar,
  toPlanar,
} from '../../src/engine/onnx/tf-image.ts';
import { referenceCrop, referenceResize } from '../support/tf-image-reference.ts';

// Deterministic pseudo-random bytes, so a failure reproduces.
function bytes(n: number, seed = 7): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs((a[i] as number) - (b[i] as number)));
  return d;
}

describe("Human's image ops outside tfjs match TF.js's kernels", () => {
  before(async () => {
    await tf.setBackend('cpu');
  });
  const img = { data: bytes(97 * 61 * 3), width: 97, height: 61, channels: 3 };
  const tensor = () => tf.tensor4d(Float32Array.from(img.data), [1, 61, 97, 3]);

  it('resizeBilinear, down and up, to 1e-4', () => {
    for (const [w, h] of [
      [256, 256],
      [40, 30],
      [97, 61],
    ] as const) {
      const want = tf.image.resizeBilinear(tensor(), [h, w]).dataSync();
      assert.ok(maxDiff(resizeBilinear(img, w, h).data, want) < 1e-4, `${w}x${h}`);
    }
  });

  it('cropAndResize, including boxes that reach outside the image, to 1e-4', () => {
    for (const box of [
      [10, 5, 60, 50],
      [-20, -10, 80, 70],
      [50, 30, 130, 100],
    ] as [number, number, number, number][]) {
      const norm = [[box[1] / 61, box[0] / 97, box[3] / 61, box[2] / 97]];
      const want = tf.image.cropAndResize(tensor(), norm, [0], [32, 32]).dataSync();
      assert.ok(maxDiff(cropAndResize(img, box, 32, 32).data, want) < 1e-4, `${box}`);
    }
  });

  it('resizeToPlanar gives exactly resizeBilinear then toPlanar, at an offset', () => {
    const src = {
      data: Uint8Array.from({ length: 37 * 23 * 3 }, (_, i) => (i * 37) % 256),
      width: 37,
      height: 23,
      channels: 3,
    };
    for (const [w, h, mul, add] of [
      [16, 16, 1 / 127.5, -1],
      [50, 31, 255, 0],
      [9, 40, 1, 0],
    ] as const) {
      const want = new Float32Array(5 + 3 * w * h);
      toPlanar(resizeBilinear(src, w, h), want, 5, mul, add);
      const got = new Float32Array(5 + 3 * w * h);
      resizeToPlanar(src, w, h, got, 5, mul, add);
      assert.deepEqual(got, want, `${w}x${h}`);
    }
  });

  it('toPlanar moves channels to planes, scaled', () => {
    const small = { data: Uint8Array.of(1, 2, 3, 4, 5, 6), width: 2, height: 1, channels: 3 };
    const out = new Float32Array(6);
    toPlanar(small, out, 0, 2, 1);
    assert.deepEqual([...out], [3, 9, 5, 11, 7, 13]);
  });
});

describe('the WebAssembly resampler gives the JavaScript loops bit for bit', () => {
  const same = (got: Float32Array, want: Float32Array, what: string) =>
    assert.equal(Buffer.compare(Buffer.from(got.buffer), Buffer.from(want.buffer)), 0, what);
  const sizes = [
    [256, 256],
    [224, 224],
    [112, 112],
    [40, 30],
    [1, 1],
  ] as const;

  for (const [w, h] of [
    [150, 150],
    [97, 61],
    [1024, 768],
    [33, 400],
  ] as const) {
    const photo = { data: bytes(w * h * 3, w), width: w, height: h, channels: 3 };
    it(`resizes and crops a ${w}x${h} photo, bytes and floats, boxes inside and past the edges`, () => {
      for (const [ow, oh] of sizes) {
        const want = new Float32Array(7 + 3 * ow * oh);
        const got = new Float32Array(7 + 3 * ow * oh);
        referenceResize(photo, ow, oh, want, 7, ow * oh, 1 / 127.5, -1);
        resizeToPlanar(photo, ow, oh, got, 7, 1 / 127.5, -1);
        same(got, want, `planar ${ow}x${oh}`);
        const interleaved = new Float32Array(3 * ow * oh);
        referenceResize(photo, ow, oh, interleaved, 0, 0, 1, 0);
        same(resizeBilinear(photo, ow, oh).data, interleaved, `interleaved ${ow}x${oh}`);
        for (const box of [
          [10, 5, w - 3, h - 7],
          [-20, -10, w + 30, h + 5],
          [w / 3, h / 4, w / 2, h / 2],
        ] as [number, number, number, number][]) {
          const crop = cropAndResize(photo, box, ow, oh, 1 / 255);
          same(crop.data, referenceCrop(photo, box, ow, oh, 1 / 255), `crop ${box} to ${ow}x${oh}`);
          // A float source, as faceres's input is cut from the crop.
          const wantF = new Float32Array(3 * 24 * 20);
          const gotF = new Float32Array(3 * 24 * 20);
          referenceResize(crop, 24, 20, wantF, 0, 24 * 20, 255, 0);
          resizeToPlanar(crop, 24, 20, gotF, 0, 255);
          same(gotF, wantF, `float source from ${box} to ${ow}x${oh}`);
        }
      }
    });
  }

  it("resizeToBytes gives a thumbnail's pixels: the resize × 255, truncated as tfjs casts to int32", () => {
    const photo = { data: bytes(150 * 150 * 3, 3), width: 150, height: 150, channels: 3 };
    const crops = [
      cropAndResize(photo, [20, 10, 130, 140], 256, 256, 1 / 255),
      cropAndResize(photo, [-30, -30, 170, 170], 256, 256, 1 / 255),
    ];
    const thumbs = crops.map((crop) => resizeToBytes(crop, 112, 112));
    crops.forEach((crop, i) => {
      const floats = new Float32Array(3 * 112 * 112);
      referenceResize(crop, 112, 112, floats, 0, 0, 1, 0);
      const want = Uint8Array.from(floats, (v) => Math.trunc(v * 255));
      // Each call owns its bytes: the second crop's resize leaves the first thumbnail as it was.
      assert.deepEqual(thumbs[i], want, `crop ${i}`);
      // What the tfjs engine makes of the same crop (human-engine.ts's thumbnails).
      const tfjs = tf.tidy(() =>
        tf
          .cast(
            tf.mul(tf.image.resizeBilinear(tf.tensor4d(crop.data, [1, 256, 256, 3]), [112, 112]), 255),
            'int32',
          )
          .dataSync(),
      );
      assert.deepEqual(thumbs[i], Uint8Array.from(tfjs), `crop ${i} against tfjs`);
    });
  });

  it('never answers from the previous photo when the next has the same size', () => {
    const a = { data: bytes(64 * 48 * 3, 1), width: 64, height: 48, channels: 3 };
    const b = { data: bytes(64 * 48 * 3, 2), width: 64, height: 48, channels: 3 };
    for (const img of [a, b, a]) {
      same(
        cropAndResize(img, [4, 4, 40, 40], 16, 16, 1).data,
        referenceCrop(img, [4, 4, 40, 40], 16, 16, 1),
        'crop',
      );
    }
  });
});

describe('BlazeFace decoding', () => {
  it('lays out 896 anchors: 16x16 cells x 2, then 8x8 x 6', () => {
    const a = anchors();
    assert.equal(a.length, 896 * 2);
    assert.deepEqual([a[0], a[1], a[2], a[3]], [8, 8, 8, 8]);
    assert.deepEqual([a[512 * 2], a[512 * 2 + 1]], [16, 16]);
  });

  it('suppresses overlaps as TF.js does: highest score first, ties by lower index', () => {
    const boxes: [number, number, number, number][] = [
      [0, 0, 10, 10],
      [1, 1, 11, 11],
      [50, 50, 60, 60],
      [0, 0, 10, 10],
    ];
    const scores = Float32Array.of(0.9, 0.95, 0.5, 0.95);
    assert.deepEqual(nonMaxSuppression(boxes, scores, 10, 0.1, 0.3), [1, 2]);
    const want = tf.image.nonMaxSuppression(tf.tensor2d(boxes), tf.tensor1d(scores), 10, 0.1, 0.3).dataSync();
    assert.deepEqual([...want], [1, 2]);
    assert.deepEqual(nonMaxSuppression(boxes, scores, 10, 0.1, 0.6), [1]);
  });
});
