import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertRgb,
  clampBox,
  cropFace,
  squareAround,
  toOriginalBox,
  unpadBox,
} from '../../src/image/geometry.ts';

/** A width x height image whose pixel (x, y) is [x, y, 7], so crops can be checked by value. */
function coordinates(width: number, height: number) {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([x, y, 7], (y * width + x) * 3);
  return { data, width, height };
}

describe('clampBox', () => {
  it('rounds outwards to whole pixels and clamps to the image', () => {
    assert.deepEqual(clampBox([10.4, 5.6, 20.2, 10], 100, 50), [10, 5, 21, 11]);
    assert.deepEqual(clampBox([-10, -5, 30, 30], 100, 50), [0, 0, 20, 25]);
    assert.deepEqual(clampBox([90, 40, 30, 30], 100, 50), [90, 40, 10, 10]);
  });

  it('keeps at least one pixel even for empty or outside boxes', () => {
    assert.deepEqual(clampBox([5, 5, 0, 0], 10, 10), [5, 5, 1, 1]);
    assert.deepEqual(clampBox([50, 50, 5, 5], 10, 10), [9, 9, 1, 1]);
  });

  it('rejects boxes with non-finite numbers or negative sizes', () => {
    assert.throws(() => clampBox([Number.NaN, 0, 1, 1], 10, 10), RangeError);
    assert.throws(() => clampBox([0, 0, -1, 1], 10, 10), RangeError);
  });
});

describe('cropFace', () => {
  it('cuts exactly the box out of the raw RGB image', () => {
    const img = coordinates(40, 30);
    const crop = cropFace(img, [5, 10, 4, 3]);
    assert.deepEqual([crop.width, crop.height], [4, 3]);
    assert.deepEqual([...crop.data.subarray(0, 3)], [5, 10, 7]);
    assert.deepEqual([...crop.data.subarray(crop.data.length - 3)], [8, 12, 7]);
  });

  it('clamps a box that hangs over the edge', () => {
    const crop = cropFace(coordinates(40, 30), [35, -5, 10, 10]);
    assert.deepEqual([crop.width, crop.height], [5, 5]);
    assert.deepEqual([...crop.data.subarray(0, 3)], [35, 0, 7]);
  });

  it('refuses a buffer that does not match the size', () => {
    assert.throws(
      () => cropFace({ data: new Uint8Array(10), width: 2, height: 2 }, [0, 0, 1, 1]),
      RangeError,
    );
    assert.throws(() => assertRgb(new Uint8Array(0), 0, 0), RangeError);
  });
});

describe('squareAround', () => {
  it('centres a square with a margin on the box', () => {
    assert.deepEqual(squareAround([40, 50, 20, 40], 200, 200), [26, 46, 48, 48]);
  });

  it('shifts the square inside the image and shrinks it when too big', () => {
    assert.deepEqual(squareAround([0, 0, 20, 20], 100, 100), [0, 0, 24, 24]);
    assert.deepEqual(squareAround([90, 90, 20, 20], 100, 100), [76, 76, 24, 24]);
    assert.deepEqual(squareAround([0, 0, 100, 100], 80, 60), [20, 0, 60, 60]);
  });
});

describe('box mapping', () => {
  it('maps decoded and padded boxes back to original pixels', () => {
    assert.deepEqual(toOriginalBox([10, 20, 30, 40], 0.5), [20, 40, 60, 80]);
    assert.deepEqual(unpadBox([30, 40, 10, 10], { x: 28, y: 28 }), [2, 12, 10, 10]);
  });
});
