import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertBox, assertRgb } from '../../src/image/geometry.ts';

describe('assertRgb', () => {
  it('accepts exactly width x height x 3 bytes', () => {
    assertRgb(new Uint8Array(2 * 3 * 3), 2, 3);
  });

  it('refuses a buffer that does not match the size, and sizes that are not whole and positive', () => {
    assert.throws(() => assertRgb(new Uint8Array(10), 2, 2), RangeError);
    assert.throws(() => assertRgb(new Uint8Array(0), 0, 0), RangeError);
    assert.throws(() => assertRgb(new Uint8Array(6), 1.5, 1), RangeError);
  });
});

describe('assertBox', () => {
  it('accepts finite boxes of zero or positive size', () => {
    assertBox([-3, 4.5, 0, 10]);
  });

  it('rejects boxes with non-finite numbers or negative sizes', () => {
    assert.throws(() => assertBox([Number.NaN, 0, 1, 1]), RangeError);
    assert.throws(() => assertBox([0, 0, Number.POSITIVE_INFINITY, 1]), RangeError);
    assert.throws(() => assertBox([0, 0, -1, 1]), RangeError);
  });
});
