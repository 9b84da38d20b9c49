/**
 * The two image ops of Human's face pipeline, written to TF.js's exact semantics (its CPU and
 * wasm kernels agree), so that the ONNX engine sees the same pixels as Human on tfjs and the
 * two engines' embeddings stay interchangeable. Images are float32, HWC, channel-interleaved.
 */

/** An image, HWC with `channels` interleaved: bytes as decoded, or floats between the steps. */
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
  const out = new Float32Array(width * height * src.channels);
  resizeInto(src, width, height, out, 0, 0, 1, 0);
  return { data: out, width, height, channels: src.channels };
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
  resizeInto(src, width, height, dest, offset, width * height, mul, add);
}

/** The resize behind both: interleaved output when `plane` is 0, else planar planes of `plane` values. */
function resizeInto(
  src: PixelImage,
  width: number,
  height: number,
  out: Float32Array,
  offset: number,
  plane: number,
  mul: number,
  add: number,
): void {
  const { data, channels: ch } = src;
  const rowRatio = src.height / height;
  const colRatio = src.width / width;
  const rowStride = src.width * ch;
  // Column sources are the same for every row: computed once.
  const left = new Int32Array(width);
  const right = new Int32Array(width);
  const colFrac = new Float32Array(width);
  for (let c = 0; c < width; c++) {
    const f = colRatio * c;
    const floor = Math.max(0, Math.floor(f));
    left[c] = floor * ch;
    right[c] = Math.min(src.width - 1, Math.ceil(f)) * ch;
    colFrac[c] = f - floor;
  }
  let o = offset;
  for (let r = 0; r < height; r++) {
    const f = rowRatio * r;
    const floor = Math.max(0, Math.floor(f));
    const rowFrac = f - floor;
    const top = floor * rowStride;
    const bottom = Math.min(src.height - 1, Math.ceil(f)) * rowStride;
    for (let c = 0; c < width; c++) {
      const l = left[c] as number;
      const rr = right[c] as number;
      const cf = colFrac[c] as number;
      for (let d = 0; d < ch; d++) {
        const tl = data[top + l + d] as number;
        const tr = data[top + rr + d] as number;
        const bl = data[bottom + l + d] as number;
        const br = data[bottom + rr + d] as number;
        const t = tl + (tr - tl) * cf;
        const b = bl + (br - bl) * cf;
        const v = t + (b - t) * rowFrac;
        if (plane === 0) out[o++] = v;
        else out[offset + d * plane + r * width + c] = Math.fround(v) * mul + add;
      }
    }
  }
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
  const { data, channels: ch } = src;
  const out = new Float32Array(width * height * ch);
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
  // Column sources are the same for every row: computed once (-1 marks a column outside the image).
  const left = new Int32Array(width);
  const right = new Int32Array(width);
  const frac = new Float64Array(width);
  for (let x = 0; x < width; x++) {
    const xi = width > 1 ? x1 * iw + x * wScale : 0.5 * (x1 + x2) * iw;
    const inside = xi >= 0 && xi <= iw;
    left[x] = inside ? Math.floor(xi) * ch : -1;
    right[x] = inside ? Math.ceil(xi) * ch : -1;
    frac[x] = inside ? xi - Math.floor(xi) : 0;
  }
  for (let y = 0; y < height; y++) {
    const yi = height > 1 ? y1 * ih + y * hScale : 0.5 * (y1 + y2) * ih;
    if (yi < 0 || yi > ih) continue;
    const top = Math.floor(yi) * rowStride;
    const bottom = Math.ceil(yi) * rowStride;
    const yl = yi - Math.floor(yi);
    for (let x = 0; x < width; x++) {
      const l = left[x] as number;
      if (l < 0) continue;
      const r = right[x] as number;
      const xl = frac[x] as number;
      const o = (y * width + x) * ch;
      for (let c = 0; c < ch; c++) {
        const tl = data[top + l + c] as number;
        const tr = data[top + r + c] as number;
        const bl = data[bottom + l + c] as number;
        const br = data[bottom + r + c] as number;
        const t = tl + (tr - tl) * xl;
        const b = bl + (br - bl) * xl;
        out[o + c] = (t + (b - t) * yl) * scale;
      }
    }
  }
  return { data: out, width, height, channels: ch };
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
