// Occlusion attribution: which regions make two faces alike to the recognizer. Each region is removed
// from one face at a time (member's and celebrity's, separately), the masked faces are embedded again
// with the same fused embedding that matched them, and the similarity each removal costs becomes that
// region's share. Removing a region from one side and not the other avoids a shared artefact (two grey
// patches in the same place) that would itself make the faces alike.
import type { FaceImage } from '../domain/face.ts';
import { type Point, REGIONS, type RegionName, regionPolygons } from '../domain/regions.ts';
import type { RegionScore } from '../domain/resemblance.ts';

/**
 * How a region is removed: a flat mid-grey, or the face's own pixels blurred beyond recognition. Grey is
 * shipped: on the deletion test (docs/resemblance.md) both rank regions equally faithfully (the gaps to
 * random order agree within their intervals), grey lowers the similarity a little faster on both pair
 * sets (blur leaves a region's colour and coarse shape behind), and it needs no blur pass.
 */
export type MaskKind = 'grey' | 'blur';
export const SHIPPED_MASK: MaskKind = 'grey';

/** The blur's radius (three box passes ≈ a Gaussian), in units of the eye spacing: wide enough to erase features. */
const BLUR_RADIUS = 0.2;

/** Whether (x, y) lies inside the polygon (even-odd rule). */
function inside(poly: readonly Point[], x: number, y: number): boolean {
  let hit = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i] as Point;
    const [xj, yj] = poly[j] as Point;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) hit = !hit;
  }
  return hit;
}

/** One byte per pixel, 1 where any of `regions` covers the pixel's centre. */
export function regionMask(
  regions: readonly RegionName[],
  landmarks: ArrayLike<number>,
  width: number,
  height: number,
): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (const region of regions) {
    for (const poly of regionPolygons(region, landmarks)) {
      let x0 = width;
      let x1 = 0;
      let y0 = height;
      let y1 = 0;
      for (const [x, y] of poly) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
      for (let y = Math.max(0, Math.floor(y0)); y < Math.min(height, Math.ceil(y1) + 1); y++)
        for (let x = Math.max(0, Math.floor(x0)); x < Math.min(width, Math.ceil(x1) + 1); x++)
          if (inside(poly, x + 0.5, y + 0.5)) mask[y * width + x] = 1;
    }
  }
  return mask;
}

/** How many pixels a mask covers. */
export function maskArea(mask: Uint8Array): number {
  let n = 0;
  for (const v of mask) n += v;
  return n;
}

// One horizontal and one vertical box pass of radius r over RGB, clamped at the edges.
function boxPass(src: Float32Array, width: number, height: number, r: number): Float32Array {
  const tmp = new Float32Array(src.length);
  const out = new Float32Array(src.length);
  const n = 2 * r + 1;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let k = -r; k <= r; k++)
          s += src[(y * width + Math.min(width - 1, Math.max(0, x + k))) * 3 + c] as number;
        tmp[(y * width + x) * 3 + c] = s / n;
      }
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let k = -r; k <= r; k++)
          s += tmp[(Math.min(height - 1, Math.max(0, y + k)) * width + x) * 3 + c] as number;
        out[(y * width + x) * 3 + c] = s / n;
      }
  return out;
}

/** The face blurred beyond recognition (three box passes, ≈ Gaussian), as the blur mask's fill. */
export function blurred(image: FaceImage): Uint8Array {
  const l = image.landmarks;
  let dx = 0;
  let dy = 0;
  for (let i = 0; i < 6; i++) {
    dx += ((l[2 * (42 + i)] as number) - (l[2 * (36 + i)] as number)) / 6;
    dy += ((l[2 * (42 + i) + 1] as number) - (l[2 * (36 + i) + 1] as number)) / 6;
  }
  const r = Math.max(2, Math.round(BLUR_RADIUS * Math.hypot(dx, dy)));
  let f: Float32Array = Float32Array.from(image.data);
  for (let pass = 0; pass < 3; pass++) f = boxPass(f, image.width, image.height, r);
  return Uint8Array.from(f, (v) => Math.round(v));
}

/** A copy of `image` with the masked pixels replaced by grey or by `fill` (its blurred copy). */
export function masked(image: FaceImage, mask: Uint8Array, kind: MaskKind, fill?: Uint8Array): FaceImage {
  const data = Uint8Array.from(image.data);
  const source = kind === 'blur' ? (fill ?? blurred(image)) : undefined;
  for (let p = 0; p < mask.length; p++) {
    if (!mask[p]) continue;
    for (let c = 0; c < 3; c++) data[3 * p + c] = source ? (source[3 * p + c] as number) : 128;
  }
  return { ...image, data };
}

/** A face and the enrolled photo it is compared with, both cut out with their landmarks. */
export interface FacePair {
  face: FaceImage;
  photo: FaceImage;
}

/** Embeds a batch of face images (FaceEngine.embedFaceImages). */
export type EmbedImages = (images: FaceImage[]) => Promise<Float32Array[]>;

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

/** The images whose embeddings an attribution needs: both faces, then every region off each face. */
export function attributionImages(pair: FacePair, kind: MaskKind): FaceImage[] {
  const sides = [pair.face, pair.photo].map((img) => {
    const fill = kind === 'blur' ? blurred(img) : undefined;
    return REGIONS.map((r) => masked(img, regionMask([r], img.landmarks, img.width, img.height), kind, fill));
  });
  return [pair.face, pair.photo, ...(sides[0] as FaceImage[]), ...(sides[1] as FaceImage[])];
}

/** The measured attribution: the unmasked similarity and each region's cost, in REGIONS order. */
export interface Attribution {
  similarity: number;
  drops: number[];
}

/** Reads an attribution from the embeddings of `attributionImages`. */
export function attributionOf(embeddings: readonly Float32Array[]): Attribution {
  const [face, photo] = embeddings as [Float32Array, Float32Array];
  const similarity = dot(face, photo);
  const n = REGIONS.length;
  const drops = REGIONS.map((_, r) => {
    const offFace = dot(embeddings[2 + r] as Float32Array, photo);
    const offPhoto = dot(face, embeddings[2 + n + r] as Float32Array);
    return similarity - (offFace + offPhoto) / 2;
  });
  return { similarity, drops };
}

/** Measures every region's cost on one pair, in one batch. */
export async function attribute(
  embed: EmbedImages,
  pair: FacePair,
  kind: MaskKind = SHIPPED_MASK,
): Promise<Attribution> {
  return attributionOf(await embed(attributionImages(pair, kind)));
}

/**
 * Each region's share of the total cost, largest first; regions whose removal costs nothing (or
 * raises the similarity) get no share. Empty when no region costs anything.
 */
export function shares(drops: readonly number[]): RegionScore[] {
  const positive = drops.map((d) => (Number.isFinite(d) && d > 0 ? d : 0));
  const total = positive.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return [];
  return REGIONS.map((region, r) => ({ region, share: (positive[r] as number) / total }))
    .filter((s) => s.share > 0)
    .sort((a, b) => b.share - a.share);
}
