// What "92%" means: a region's distance between two faces, ranked against the same region's distances
// between photos of different people in the gallery.
import { REGIONS, type RegionName } from '../domain/regions.ts';
import { embedRegion, type RegionModel, regionModels } from './shape-model.ts';

/** Pairs of different people sampled at most, so a large gallery's baseline stays fast to build. */
export const MAX_BASELINE_PAIRS = 20_000;
/** Fewer pairs of different people than this give no percentile: the ranking would mean little. */
export const MIN_BASELINE_PAIRS = 20;

/** A photo's region shapes in the model's metric, in REGIONS order (undefined where one is degenerate). */
export type RegionShapes = (Float64Array | undefined)[];

/** Every region's shape from a 68-point landmark set, in the metric of `models` (default: the committed model). */
export function regionShapes(
  landmarks: ArrayLike<number>,
  models: readonly (RegionModel | undefined)[] = regionModels(),
): RegionShapes {
  return REGIONS.map((region, r) => {
    const model = models[r];
    return model ? embedRegion(landmarks, model, region.points) : undefined;
  });
}

function euclidean(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += ((a[i] as number) - (b[i] as number)) ** 2;
  return Math.sqrt(sum);
}

/** Per region, the distance between two photos' shapes (undefined where either is degenerate). */
export function regionDistances(a: RegionShapes, b: RegionShapes): (number | undefined)[] {
  return REGIONS.map((_, r) => {
    const sa = a[r];
    const sb = b[r];
    return sa && sb ? euclidean(sa, sb) : undefined;
  });
}

/** A small seeded generator (mulberry32) of numbers in [0, 1): samples are the same on every run. */
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

/** The pairs (i, j) of photos of different people: all of them, or a seeded sample of `maxPairs`. */
export function differentPairs(people: readonly string[], maxPairs = MAX_BASELINE_PAIRS): [number, number][] {
  const n = people.length;
  let total = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (people[i] !== people[j]) total++;
  const pairs: [number, number][] = [];
  if (total <= maxPairs) {
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) if (people[i] !== people[j]) pairs.push([i, j]);
    return pairs;
  }
  const next = seededRandom(n);
  while (pairs.length < maxPairs) {
    const i = Math.floor(next() * n);
    const j = Math.floor(next() * n);
    if (people[i] !== people[j]) pairs.push([i, j]);
  }
  return pairs;
}

/** Each region's sorted distances between different people, and the percentile of a new distance. */
export class RegionBaseline {
  readonly #sorted: Map<RegionName, Float64Array>;

  private constructor(sorted: Map<RegionName, Float64Array>) {
    this.#sorted = sorted;
  }

  /** The baseline of photos (each with its person's id and region shapes) over pairs of different people. */
  static build(
    photos: readonly { person: string; shapes: RegionShapes }[],
    maxPairs = MAX_BASELINE_PAIRS,
  ): RegionBaseline {
    const pairs = differentPairs(
      photos.map((p) => p.person),
      maxPairs,
    );
    const lists = REGIONS.map(() => [] as number[]);
    for (const [i, j] of pairs) {
      const distances = regionDistances(photos[i]!.shapes, photos[j]!.shapes);
      distances.forEach((d, r) => {
        if (d !== undefined) lists[r]!.push(d);
      });
    }
    const sorted = new Map<RegionName, Float64Array>();
    REGIONS.forEach((region, r) => {
      const list = lists[r]!;
      if (list.length >= MIN_BASELINE_PAIRS) sorted.set(region.name, Float64Array.from(list).sort());
    });
    return new RegionBaseline(sorted);
  }

  /** How many pairs of different people the region's ranking uses (0: none, so no percentile). */
  pairs(region: RegionName): number {
    return this.#sorted.get(region)?.length ?? 0;
  }

  /**
   * The percentage (0–100, whole) of different-people pairs whose region is less alike than `distance`:
   * 92 means "more alike than 92% of pairs of different people in this gallery".
   */
  percentile(region: RegionName, distance: number): number | undefined {
    const sorted = this.#sorted.get(region);
    if (sorted === undefined || !Number.isFinite(distance)) return undefined;
    // The first index whose distance is above `distance`: everything from there on is less alike.
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((sorted[mid] as number) <= distance) lo = mid + 1;
      else hi = mid;
    }
    return Math.round((100 * (sorted.length - lo)) / sorted.length);
  }
}
