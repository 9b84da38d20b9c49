import type { Box } from '../domain/face.ts';

/** A raw, tightly packed 8-bit RGB image (3 bytes per pixel, row-major, no padding). */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Throws when `data` cannot be a width x height RGB image, so a mismatch fails loudly instead of reading garbage. */
export function assertRgb(data: Uint8Array, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`Invalid RGB image size ${width}x${height}`);
  }
  if (data.length !== width * height * 3) {
    throw new RangeError(
      `RGB buffer has ${data.length} bytes, expected ${width * height * 3} for ${width}x${height}`,
    );
  }
}

/** Throws on a box with non-finite numbers or a negative size. */
export function assertBox(box: Box): void {
  if (!box.every(Number.isFinite) || box[2] < 0 || box[3] < 0) {
    throw new RangeError(`Invalid box [${box.join(', ')}]`);
  }
}
