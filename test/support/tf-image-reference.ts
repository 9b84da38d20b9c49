/**
 * The plain JavaScript loops that src/engine/onnx/bilinear-kernel.ts replaced, kept as the oracle
 * the WebAssembly kernel must match bit for bit (same f64 arithmetic, same float32 roundings).
 */
import type { PixelImage } from '../../src/engine/onnx/tf-image.ts';

/** tf.image.resizeBilinear (legacy coordinates); planar planes of `plane` values, or interleaved when 0. */
export function referenceResize(
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
  const colFrac = new Float32Array(width);
  let o = offset;
  for (let c = 0; c < width; c++) colFrac[c] = colRatio * c - Math.max(0, Math.floor(colRatio * c));
  for (let r = 0; r < height; r++) {
    const f = rowRatio * r;
    const floor = Math.max(0, Math.floor(f));
    const rowFrac = f - floor;
    const top = floor * rowStride;
    const bottom = Math.min(src.height - 1, Math.ceil(f)) * rowStride;
    for (let c = 0; c < width; c++) {
      const l = Math.max(0, Math.floor(colRatio * c)) * ch;
      const rr = Math.min(src.width - 1, Math.ceil(colRatio * c)) * ch;
      const cf = colFrac[c] as number;
      for (let d = 0; d < ch; d++) {
        const t =
          (data[top + l + d] as number) +
          ((data[top + rr + d] as number) - (data[top + l + d] as number)) * cf;
        const b =
          (data[bottom + l + d] as number) +
          ((data[bottom + rr + d] as number) - (data[bottom + l + d] as number)) * cf;
        const v = t + (b - t) * rowFrac;
        if (plane === 0) out[o++] = v;
        else out[offset + d * plane + r * width + c] = Math.fround(v) * mul + add;
      }
    }
  }
}

/** tf.image.cropAndResize of one pixel box [x1, y1, x2, y2], extrapolating 0. */
export function referenceCrop(
  src: PixelImage,
  box: [number, number, number, number],
  width: number,
  height: number,
  scale: number,
): Float32Array {
  const { data, channels: ch } = src;
  const out = new Float32Array(width * height * ch);
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
  for (let y = 0; y < height; y++) {
    const yi = height > 1 ? y1 * ih + y * hScale : 0.5 * (y1 + y2) * ih;
    if (yi < 0 || yi > ih) continue;
    const top = Math.floor(yi) * src.width * ch;
    const bottom = Math.ceil(yi) * src.width * ch;
    const yl = yi - Math.floor(yi);
    for (let x = 0; x < width; x++) {
      const xi = width > 1 ? x1 * iw + x * wScale : 0.5 * (x1 + x2) * iw;
      if (xi < 0 || xi > iw) continue;
      const [l, r, xl] = [Math.floor(xi) * ch, Math.ceil(xi) * ch, xi - Math.floor(xi)];
      for (let c = 0; c < ch; c++) {
        const tl = data[top + l + c] as number;
        const bl = data[bottom + l + c] as number;
        const t = tl + ((data[top + r + c] as number) - tl) * xl;
        const b = bl + ((data[bottom + r + c] as number) - bl) * xl;
        out[(y * width + x) * ch + c] = (t + (b - t) * yl) * scale;
      }
    }
  }
  return out;
}
