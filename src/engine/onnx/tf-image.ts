/**
 * The two image ops of Human's face pipeline, written to TF.js's exact semantics (its CPU and
 * wasm kernels agree), so that the ONNX engine sees the same pixels as Human on tfjs and the
 * two engines' embeddings stay interchangeable. Images are float32, HWC, channel-interleaved.
 * The per-sample loop is bilinear-kernel.ts's; here are TF.js's source coordinates.
 */

import { bilinear } from './bilinear-kernel.ts';

/**
 * An image, HWC with `channels` interleaved: bytes as decoded, or floats between the steps. Never
 * written once made: the resampler keeps the last `data` it copied and knows it again by identity.
 */
export interface PixelImage {
  data: Float32Array | Uint8Array;
  width: number;
  height: number;
  channels: number;
}

/** tf.image.resizeBilinear with alignCorners = false and halfPixelCenters = false (TF.js's default). */
export function resizeBilinear(
  src: PixelImage,
  width: number,
  height: number,
): PixelImage & { data: Float32Array } {
  return { data: resizeInto(src, width, height, 0, 1, 0).slice(), width, height, channels: src.channels };
}

/**
 * `resizeBilinear` then each value × 255 truncated, as tfjs's cast to int32 does (the thumbnail's
 * pixels from a crop in [0, 1]), read straight from the resampler's memory: no float image is made.
 */
export function resizeToBytes(src: PixelImage, width: number, height: number): Uint8Array {
  const floats = resizeInto(src, width, height, 0, 1, 0);
  const out = new Uint8Array(floats.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.trunc((floats[i] as number) * 255);
  return out;
}

/**
 * `resizeBilinear` then `toPlanar(…, mul, add)` in one pass, with the same numbers: each sample is
 * rounded to float32 (as the interleaved image would store it) before `* mul + add`. It saves the
 * interleaved copy and a second pass over it for every model input cut this way.
 */
export function resizeToPlanar(
  src: PixelImage,
  width: number,
  height: number,
  dest: Float32Array,
  offset: number,
  mul = 1,
  add = 0,
): void {
  dest.set(resizeInto(src, width, height, width * height, mul, add), offset);
}

/**
 * The resize behind all three: interleaved output when `plane` is 0, else planar planes of `plane`
 * values; a view of the resampler's memory, valid until its next call.
 */
function resizeInto(
  src: PixelImage,
  width: number,
  height: number,
  plane: number,
  mul: number,
  add: number,
): Float32Array {
  const ch = src.channels;
  const rowRatio = src.height / height;
  const colRatio = src.width / width;
  const rowStride = src.width * ch;
  const layout =
    plane === 0 ? { channel: 1, row: width * ch, column: ch } : { channel: plane, row: width, column: 1 };
  return bilinear(
    src,
    [width, height],
    (row) => {
      for (let r = 0; r < height; r++) {
        const f = rowRatio * r;
        const floor = Math.max(0, Math.floor(f));
        row(r, floor * rowStride, Math.min(src.height - 1, Math.ceil(f)) * rowStride, f - floor);
      }
    },
    (col) => {
      for (let c = 0; c < width; c++) {
        const f = colRatio * c;
        const floor = Math.max(0, Math.floor(f));
        // TF.js keeps the column fractions in a float32 tensor.
        col(c, floor * ch, Math.min(src.width - 1, Math.ceil(f)) * ch, Math.fround(f - floor));
      }
    },
    layout,
    { mul, add, round: plane !== 0 },
  );
}

/**
 * tf.image.cropAndResize (bilinear, extrapolation 0) of one box given in pixels of `src`
 * as [x1, y1, x2, y2]; parts of the box outside the image come out black, as in Human.
 */
export function cropAndResize(
  src: PixelImage,
  box: [number, number, number, number],
  width: number,
  height: number,
  scale = 1,
): PixelImage & { data: Float32Array } {
  const ch = src.channels;
  // TF.js holds the normalised box in a float32 tensor; rounding the same way keeps the samples identical.
  const [x1, y1, x2, y2] = [
    box[0] / src.width,
    box[1] / src.height,
    box[2] / src.width,
    box[3] / src.height,
  ].map(Math.fround) as [number, number, number, number];
  const ih = src.height - 1;
  const iw = src.width - 1;
  const hScale = height > 1 ? ((y2 - y1) * ih) / (height - 1) : 0;
  const wScale = width > 1 ? ((x2 - x1) * iw) / (width - 1) : 0;
  const rowStride = src.width * ch;
  const out = bilinear(
    src,
    [width, height],
    (row) => {
      for (let y = 0; y < height; y++) {
        const yi = height > 1 ? y1 * ih + y * hScale : 0.5 * (y1 + y2) * ih;
        if (yi < 0 || yi > ih) row(y, -1, 0, 0);
        else row(y, Math.floor(yi) * rowStride, Math.ceil(yi) * rowStride, yi - Math.floor(yi));
      }
    },
    (col) => {
      for (let x = 0; x < width; x++) {
        const xi = width > 1 ? x1 * iw + x * wScale : 0.5 * (x1 + x2) * iw;
        if (xi < 0 || xi > iw) col(x, -1, 0, 0);
        else col(x, Math.floor(xi) * ch, Math.ceil(xi) * ch, xi - Math.floor(xi));
      }
    },
    { channel: 1, row: width * ch, column: ch },
    { mul: scale, add: 0, round: false },
  );
  return { data: out.slice(), width, height, channels: ch };
}

/** Copies an HWC image into planar CHW at `offset` of `dest`, as `value * mul + add`. */
export function toPlanar(src: PixelImage, dest: Float32Array, offset: number, mul = 1, add = 0): void {
  const { data, width, height, channels: ch } = src;
  const plane = width * height;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = (y * width + x) * ch;
      const d = offset + y * width + x;
      for (let c = 0; c < ch; c++) dest[d + c * plane] = (data[s + c] as number) * mul + add;
    }
  }
}
