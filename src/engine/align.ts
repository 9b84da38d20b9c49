/**
 * Face alignment from 68 landmarks (iBUG 300-W order): the similarity transforms that cut each
 * descriptor's input out of the photo upright, and the warp that samples it.
 */
import { warpPlanar } from './onnx/bilinear-kernel.ts';
import type { PixelImage } from './onnx/tf-image.ts';

/**
 * A planar CHW destination for `warpToPlanar`, which writes a model input directly: each sample is
 * rounded to float32 (as the chip image would have stored it), then written as `(value − mean[c]) / div`,
 * the same numbers as warping into a chip and copying it over (face-api's normalisation).
 */
export interface PlanarSink {
  dest: Float32Array;
  offset: number;
  mean: readonly [number, number, number];
  div: number;
}

/** A similarity transform from output pixels (u, v) to source pixels: x = a·u − b·v + tx, y = b·u + a·v + ty. */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

function centre(points: Float32Array, from: number, to: number): [number, number] {
  let x = 0;
  let y = 0;
  for (let i = from; i < to; i++) {
    x += points[2 * i] as number;
    y += points[2 * i + 1] as number;
  }
  return [x / (to - from), y / (to - from)];
}

/** Centres of the eye on the image's left (points 36–41), the other eye (42–47) and the mouth (48–67). */
export function referencePoints(
  points: Float32Array,
): [[number, number], [number, number], [number, number]] {
  return [centre(points, 36, 42), centre(points, 42, 48), centre(points, 48, 68)];
}

/** Roll of the face: the angle of the line between the eyes, in radians (0 when they are level). */
export function eyeAngle(points: Float32Array): number {
  const [l, r] = referencePoints(points);
  return Math.atan2(r[1] - l[1], r[0] - l[0]);
}

/**
 * The chip that face-api feeds its recognition net, made upright. face-api cuts a square whose
 * side is the mean eye-to-mouth distance / 0.45, with the centroid of the eyes and mouth at
 * (0.5, 0.43) of it, without rotating: dlib's chips, which the net was trained on, are rotated
 * so the eyes are level, so this transform also rotates by the eye line.
 */
export function recognitionChip(points: Float32Array, side: number): Similarity {
  const [l, r, m] = referencePoints(points);
  const dist = (p: [number, number]) => Math.hypot(m[0] - p[0], m[1] - p[1]);
  const size = (dist(l) + dist(r)) / 2 / 0.45;
  const cx = (l[0] + r[0] + m[0]) / 3;
  const cy = (l[1] + r[1] + m[1]) / 3;
  return around(cx, cy, size, eyeAngle(points), side, 0.5, 0.43);
}

/** A square box of `size` source pixels centred at (cx, cy), rotated by `angle`, onto a `side`-pixel output. */
export function around(
  cx: number,
  cy: number,
  size: number,
  angle: number,
  side: number,
  fx = 0.5,
  fy = 0.5,
): Similarity {
  const s = size / side;
  const a = Math.cos(angle) * s;
  const b = Math.sin(angle) * s;
  // Output pixel centres map to source pixel centres; the anchor (fx, fy) of the output lands on (cx, cy).
  const u0 = fx * side - 0.5;
  const v0 = fy * side - 0.5;
  return { a, b, tx: cx - 0.5 - (a * u0 - b * v0), ty: cy - 0.5 - (b * u0 + a * v0) };
}

/**
 * Samples `src` through `t` into a `side`×`side` image (bilinear, black outside, `× scale`).
 * When the transform shrinks by more than 1.5×, each output pixel averages a k×k grid of samples:
 * plain bilinear would alias a large face down to 150 pixels.
 */
export function warp(
  src: PixelImage,
  t: Similarity,
  side: number,
  scale = 1,
): PixelImage & { data: Float32Array } {
  const out = new Float32Array(side * side * src.channels);
  warpInto(src, t, side, scale, out);
  return { data: out, width: side, height: side, channels: src.channels };
}

/**
 * `warp` of an RGB image straight into a planar model input (the dlib chip): no interleaved chip, no
 * copy, and in WebAssembly (bilinear-kernel.ts: the same float32s as warp's loops, which a one-shot
 * `lookalike infer` ran cold, 13 ms for one face).
 */
export function warpToPlanar(src: PixelImage, t: Similarity, side: number, sink: PlanarSink): void {
  if (src.channels !== 3) throw new Error('warpToPlanar: RGB images only');
  const k = samplesPerSide(t);
  warpPlanar(src, t, side, k, 1 / (k * k), sink);
}

/** Sub-samples per side of an output pixel: k×k of them when the transform shrinks by more than 1.5×. */
function samplesPerSide(t: Similarity): number {
  const shrink = Math.hypot(t.a, t.b);
  return shrink > 1.5 ? Math.min(6, Math.ceil(shrink)) : 1;
}

function warpInto(src: PixelImage, t: Similarity, side: number, scale: number, out: Float32Array): void {
  const { data, width, height, channels: ch } = src;
  const k = samplesPerSide(t);
  const weight = scale / (k * k);
  // The sub-sample offsets, the same numbers for every pixel.
  const offsets = Float64Array.from({ length: k }, (_, s) => (s + 0.5) / k);
  // Three running sums (the photo's channels) as locals, or an array for other channel counts.
  const acc = new Float64Array(ch);
  for (let v = 0; v < side; v++) {
    for (let u = 0; u < side; u++) {
      let c0 = 0;
      let c1 = 0;
      let c2 = 0;
      if (ch !== 3) acc.fill(0);
      for (let sy = 0; sy < k; sy++) {
        const vv = v + (offsets[sy] as number) - 0.5;
        for (let sx = 0; sx < k; sx++) {
          const uu = u + (offsets[sx] as number) - 0.5;
          const x = t.a * uu - t.b * vv + t.tx;
          const y = t.b * uu + t.a * vv + t.ty;
          if (x < 0 || y < 0 || x > width - 1 || y > height - 1) continue;
          const x0 = Math.floor(x);
          const y0 = Math.floor(y);
          const fx = x - x0;
          const fy = y - y0;
          const p00 = (y0 * width + x0) * ch;
          const dx = x0 + 1 < width ? ch : 0;
          const dy = y0 + 1 < height ? width * ch : 0;
          if (ch === 3) {
            c0 = addSample(c0, data, p00, dx, dy, fx, fy);
            c1 = addSample(c1, data, p00 + 1, dx, dy, fx, fy);
            c2 = addSample(c2, data, p00 + 2, dx, dy, fx, fy);
          } else
            for (let c = 0; c < ch; c++) acc[c] = addSample(acc[c] as number, data, p00 + c, dx, dy, fx, fy);
        }
      }
      const o = (v * side + u) * ch;
      if (ch === 3) {
        out[o] = c0 * weight;
        out[o + 1] = c1 * weight;
        out[o + 2] = c2 * weight;
      } else for (let c = 0; c < ch; c++) out[o + c] = (acc[c] as number) * weight;
    }
  }
}

/**
 * `sum` plus one channel's bilinear sample at `p` (top-left; `dx`, `dy` to the right and lower
 * neighbours), added as `sum + top + (bottom − top) · fy` in that order, so sums round as they always did.
 */
function addSample(
  sum: number,
  data: PixelImage['data'],
  p: number,
  dx: number,
  dy: number,
  fx: number,
  fy: number,
): number {
  const tl = data[p] as number;
  const bl = data[p + dy] as number;
  const top = tl + ((data[p + dx] as number) - tl) * fx;
  return sum + top + (bl + ((data[p + dy + dx] as number) - bl) * fx - top) * fy;
}
