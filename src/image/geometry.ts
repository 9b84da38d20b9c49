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

/** Clamps a box to the image and rounds it to whole pixels; the result is at least 1x1 so it can always be cut. */
export function clampBox(box: Box, width: number, height: number): Box {
  assertBox(box);
  const x0 = Math.min(Math.max(Math.floor(box[0]), 0), width - 1);
  const y0 = Math.min(Math.max(Math.floor(box[1]), 0), height - 1);
  const x1 = Math.min(Math.max(Math.ceil(box[0] + box[2]), x0 + 1), width);
  const y1 = Math.min(Math.max(Math.ceil(box[1] + box[3]), y0 + 1), height);
  return [x0, y0, x1 - x0, y1 - y0];
}

/** Cuts a box (clamped to the image) out of a raw RGB image. */
export function cropFace(image: RgbImage, box: Box): RgbImage {
  assertRgb(image.data, image.width, image.height);
  const [x, y, w, h] = clampBox(box, image.width, image.height);
  const out = new Uint8Array(w * h * 3);
  const rowBytes = w * 3;
  for (let row = 0; row < h; row++) {
    const start = ((y + row) * image.width + x) * 3;
    out.set(image.data.subarray(start, start + rowBytes), row * rowBytes);
  }
  return { data: out, width: w, height: h };
}

/**
 * The square around a box's centre, grown by `margin` of its longest side on each side, then shifted
 * (and if need be shrunk) to lie inside the image, so a face near an edge still gets a square crop.
 */
export function squareAround(box: Box, width: number, height: number, margin = 0.1): Box {
  assertBox(box);
  const wanted = Math.max(box[2], box[3]) * (1 + 2 * margin);
  const side = Math.max(1, Math.min(Math.round(wanted), width, height));
  const cx = box[0] + box[2] / 2;
  const cy = box[1] + box[3] / 2;
  const left = Math.min(Math.max(Math.round(cx - side / 2), 0), width - side);
  const top = Math.min(Math.max(Math.round(cy - side / 2), 0), height - side);
  return [left, top, side, side];
}

/** Maps a box from decoded-image pixels back to upright-original pixels (`scale` is decoded / original). */
export function toOriginalBox(box: Box, scale: number): Box {
  return [box[0] / scale, box[1] / scale, box[2] / scale, box[3] / scale];
}

/** Maps a box from padded-image pixels back to the pixels of the image before padding. */
export function unpadBox(box: Box, offset: { x: number; y: number }): Box {
  return [box[0] - offset.x, box[1] - offset.y, box[2], box[3]];
}
