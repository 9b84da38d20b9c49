// Validation of occlusion attribution (docs/resemblance.md): the deletion test (removing the top-ranked
// regions first must lower the similarity faster than removing them in a random order, compared at equal
// masked area), the stability of rankings across photos of one person, and bootstrap intervals over people.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Analysis, FaceImage } from '../../src/domain/face.ts';
import { REGIONS } from '../../src/domain/regions.ts';
import { faceImage } from '../../src/resemblance/explainer.ts';
import {
  attributionImages,
  attributionOf,
  blurred,
  dot,
  type EmbedImages,
  type FacePair,
  type MaskKind,
  maskArea,
  masked,
  regionMask,
} from '../../src/resemblance/occlusion.ts';
import { thumbnailLandmarks } from '../../src/resemblance/thumbnail-frame.ts';
import { dataDir, people } from '../../test/fixtures/data.ts';

/** One portrait's largest face, as the explainer sees it. */
export interface Portrait {
  person: string;
  file: string;
  embedding: Float32Array;
  image: FaceImage;
}

/** Analyses every portrait of `../shared/data/<set>` (not group photos) and keeps its largest face. */
export async function portraits(
  set: string,
  analyze: (image: Uint8Array) => Promise<Analysis>,
  perPerson = Number.POSITIVE_INFINITY,
): Promise<Portrait[]> {
  const out: Portrait[] = [];
  for (const person of people(path.join(dataDir(), set))) {
    for (const file of person.files.slice(0, perPerson)) {
      const analysis = await analyze(new Uint8Array(readFileSync(file)));
      const face = analysis.faces[0];
      const landmarks = face && (await thumbnailLandmarks(face, analysis));
      if (!face || !landmarks) continue;
      const image = await faceImage(face.thumbnail, landmarks);
      out.push({ person: person.name, file: path.basename(file), embedding: face.embedding, image });
    }
  }
  return out;
}

/** A seeded generator (mulberry32) of numbers in [0, 1), so that every run draws the same orders. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: readonly T[], next: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Area under a curve of points (x ascending from 0 to 1), by trapezoids. */
export function trapezoid(points: readonly [number, number][]): number {
  let area = 0;
  for (let i = 1; i < points.length; i++) {
    const [x0, y0] = points[i - 1] as [number, number];
    const [x1, y1] = points[i] as [number, number];
    area += ((x1 - x0) * (y0 + y1)) / 2;
  }
  return area;
}

/** One pair's deletion test under one mask: the area under the deletion curve, ranked and random. */
export interface Deletion {
  similarity: number;
  drops: number[];
  ranked: number;
  random: number;
}

/**
 * Removes regions cumulatively from each face in turn (the other left whole), ranked by the pair's own
 * attribution and in `randomOrders` random orders. The curve's x is the masked area as a fraction of all
 * regions' area, y the similarity as a fraction of the unmasked one: the lower its area, the faster the
 * order destroys the resemblance. Every image of the pair goes through the engine in one batch.
 */
export async function deletion(
  embed: EmbedImages,
  pair: FacePair,
  kind: MaskKind,
  randomOrders: number,
  seed: number,
): Promise<Deletion> {
  const base = attributionImages(pair, kind);
  const n = REGIONS.length;
  const baseEmbeddings = await embed(base);
  const firstPass = attributionOf(baseEmbeddings);
  const whole = [baseEmbeddings[0] as Float32Array, baseEmbeddings[1] as Float32Array];
  const s0 = firstPass.similarity;
  const ranked = REGIONS.map((_, r) => r).sort(
    (a, b) => (firstPass.drops[b] as number) - (firstPass.drops[a] as number),
  );
  const next = seededRandom(seed);
  const orders = [ranked, ...Array.from({ length: randomOrders }, () => shuffled(ranked, next))];
  const sides = [pair.face, pair.photo];
  const fills = sides.map((img) => (kind === 'blur' ? blurred(img) : undefined));
  const totals = sides.map((img) => maskArea(regionMask(REGIONS, img.landmarks, img.width, img.height)));
  // Prefixes 1 … n−1 of every order on both sides; the full prefix is the same for every order.
  const images: FaceImage[] = [];
  const areas: number[] = [];
  for (const order of orders)
    for (const [s, img] of sides.entries())
      for (let k = 1; k <= n; k++) {
        const mask = regionMask(
          order.slice(0, k).map((r) => REGIONS[r]!),
          img.landmarks,
          img.width,
          img.height,
        );
        images.push(masked(img, mask, kind, fills[s]));
        areas.push(maskArea(mask) / (totals[s] as number));
      }
  const embeddings = await embed(images);
  const aucs = orders.map((_, o) => {
    let sum = 0;
    for (let s = 0; s < 2; s++) {
      const curve: [number, number][] = [[0, 1]];
      for (let k = 1; k <= n; k++) {
        const i = (o * 2 + s) * n + (k - 1);
        const sim = dot(embeddings[i] as Float32Array, whole[1 - s] as Float32Array);
        curve.push([areas[i] as number, sim / s0]);
      }
      sum += trapezoid(curve);
    }
    return sum / 2;
  });
  const random = aucs.slice(1).reduce((a, b) => a + b, 0) / Math.max(1, randomOrders);
  return { similarity: s0, drops: firstPass.drops, ranked: aucs[0] as number, random };
}

/** Spearman's rank correlation of two vectors (average ranks for ties). */
export function spearman(a: readonly number[], b: readonly number[]): number {
  const ranks = (v: readonly number[]) => {
    const idx = v.map((x, i) => [x, i] as const).sort((p, q) => p[0] - q[0]);
    const r = new Array<number>(v.length);
    for (let i = 0; i < idx.length; ) {
      let j = i;
      while (j + 1 < idx.length && idx[j + 1]![0] === idx[i]![0]) j++;
      for (let k = i; k <= j; k++) r[idx[k]![1]] = (i + j) / 2;
      i = j + 1;
    }
    return r;
  };
  const ra = ranks(a);
  const rb = ranks(b);
  const mean = (ra.length - 1) / 2;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < ra.length; i++) {
    num += (ra[i]! - mean) * (rb[i]! - mean);
    da += (ra[i]! - mean) ** 2;
    db += (rb[i]! - mean) ** 2;
  }
  return da > 0 && db > 0 ? num / Math.sqrt(da * db) : 0;
}

/** The mean of a statistic over people, with a 95% bootstrap interval that resamples people. */
export function bootstrapPeople(
  values: readonly { person: string; value: number }[],
  resamples = 2000,
  seed = 7,
): { mean: number; low: number; high: number; people: number } {
  const byPerson = new Map<string, number[]>();
  for (const v of values) byPerson.set(v.person, [...(byPerson.get(v.person) ?? []), v.value]);
  const groups = [...byPerson.values()];
  const mean = (vs: number[]) => vs.reduce((a, b) => a + b, 0) / vs.length;
  const all = values.map((v) => v.value);
  const next = seededRandom(seed);
  const stats: number[] = [];
  for (let r = 0; r < resamples; r++) {
    const pick: number[] = [];
    for (let g = 0; g < groups.length; g++)
      pick.push(...(groups[Math.floor(next() * groups.length)] as number[]));
    stats.push(mean(pick));
  }
  stats.sort((a, b) => a - b);
  return {
    mean: mean(all),
    low: stats[Math.floor(0.025 * resamples)] as number,
    high: stats[Math.ceil(0.975 * resamples) - 1] as number,
    people: groups.length,
  };
}
