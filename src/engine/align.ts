/**
 * Face alignment from 68 landmarks (iBUG 300-W order): the similarity transforms that cut each
 * descriptor's input out of the photo upright, and the warp that samples it.
 */
import type { PixelImage } from './onnx/tf-image.ts';

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
  const { data, width, height, channels: ch } = src;
  const out = new Float32Array(side * side * ch);
  const shrink = Math.hypot(t.a, t.b);
  const k = shrink > 1.5 ? Math.min(6, Math.ceil(shrink)) : 1;
  const weight = scale / (k * k);
  const acc = new Float64Array(ch);
  for (let v = 0; v < side; v++) {
    for (let u = 0; u < side; u++) {
      acc.fill(0);
      for (let sy = 0; sy < k; sy++) {
        for (let sx = 0; sx < k; sx++) {
          const uu = u + (sx + 0.5) / k - 0.5;
          const vv = v + (sy + 0.5) / k - 0.5;
          const x = t.a * uu - t.b * vv + t.tx;
          const y = t.b * uu + t.a * vv + t.ty;
          if (x < 0 || y < 0 || x > width - 1 || y > height - 1) continue;
          const x0 = Math.floor(x);
          const y0 = Math.floor(y);
          const x1 = Math.min(x0 + 1, width - 1);
          const y1 = Math.min(y0 + 1, height - 1);
          const fx = x - x0;
          const fy = y - y0;
          const r0 = y0 * width;
          const r1 = y1 * width;
          for (let c = 0; c < ch; c++) {
            const tl = data[(r0 + x0) * ch + c] as number;
            const tr = data[(r0 + x1) * ch + c] as number;
            const bl = data[(r1 + x0) * ch + c] as number;
            const br = data[(r1 + x1) * ch + c] as number;
            const top = tl + (tr - tl) * fx;
            acc[c] = (acc[c] as number) + top + (bl + (br - bl) * fx - top) * fy;
          }
        }
      }
      const o = (v * side + u) * ch;
      for (let c = 0; c < ch; c++) out[o + c] = (acc[c] as number) * weight;
    }
  }
  return { data: out, width: side, height: side, channels: ch };
}
