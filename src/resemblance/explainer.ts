// Explains a match region by region. Per scope and gallery version it keeps every enrolled photo's
// region shapes and the baseline of distances between different people, built once per version (the
// celebrity side costs nothing per answer: its landmarks were stored at enrolment).

import { isLandmarks, REGIONS, type RegionName } from '../domain/regions.ts';
import type { RegionScore, Resemblance } from '../domain/resemblance.ts';
import type { Scope } from '../domain/types.ts';
import type { GallerySnapshot } from '../gallery/types.ts';
import {
  MAX_BASELINE_PAIRS,
  RegionBaseline,
  type RegionShapes,
  regionDistances,
  regionShapes,
} from './baseline.ts';
import { passingRegions } from './validated.ts';

/** What the explainer reads from the gallery. */
export interface ShapeSource {
  version(scope: Scope): Promise<number>;
  snapshot(scope: Scope): Promise<GallerySnapshot>;
}

/** Options of `new ResemblanceExplainer`. */
export interface ExplainerOptions {
  /** Regions that may be shown (default: those that passed validation, validated-regions.json). */
  regions?: readonly RegionName[];
  /** Pairs of different people sampled for a baseline at most. */
  maxPairs?: number;
}

interface ShapedPhoto {
  hash: string;
  embedding: Float32Array;
  thumbnail: Uint8Array;
  landmarks: Float32Array;
  shapes: RegionShapes;
}

interface ScopeShapes {
  people: Map<string, ShapedPhoto[]>;
  baseline: RegionBaseline;
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

/** Scores every allowed region of two shape sets against a baseline, best first. */
export function scoreRegions(
  face: RegionShapes,
  photo: RegionShapes,
  baseline: RegionBaseline,
  allowed: ReadonlySet<RegionName>,
): RegionScore[] {
  const distances = regionDistances(face, photo);
  const scores: RegionScore[] = [];
  REGIONS.forEach((region, r) => {
    const d = distances[r];
    if (!allowed.has(region.name) || d === undefined) return;
    const percentile = baseline.percentile(region.name, d);
    if (percentile !== undefined) scores.push({ region: region.name, percentile });
  });
  // Stable: ties keep REGIONS order, so answers do not flicker between runs.
  return scores.sort((a, b) => b.percentile - a.percentile);
}

/** Region-by-region explanations of matches, cached per scope and gallery version. */
export class ResemblanceExplainer {
  readonly #source: ShapeSource;
  readonly #allowed: ReadonlySet<RegionName>;
  readonly #maxPairs: number;
  readonly #cache = new Map<Scope, { version: number; shapes: Promise<ScopeShapes> }>();

  constructor(source: ShapeSource, options: ExplainerOptions = {}) {
    this.#source = source;
    this.#allowed = new Set(options.regions ?? passingRegions());
    this.#maxPairs = options.maxPairs ?? MAX_BASELINE_PAIRS;
  }

  /** The regions this explainer may show. */
  get regions(): RegionName[] {
    return REGIONS.map((r) => r.name).filter((name) => this.#allowed.has(name));
  }

  async #shapes(scope: Scope): Promise<ScopeShapes> {
    const version = await this.#source.version(scope);
    const cached = this.#cache.get(scope);
    if (cached && cached.version === version) return cached.shapes;
    const shapes = this.#source.snapshot(scope).then((snapshot) => this.#build(snapshot));
    this.#cache.set(scope, { version, shapes });
    shapes.catch(() => this.#cache.delete(scope));
    return shapes;
  }

  #build(snapshot: GallerySnapshot): ScopeShapes {
    const people = new Map<string, ShapedPhoto[]>();
    const all: { person: string; shapes: RegionShapes }[] = [];
    for (const identity of snapshot.identities) {
      const photos: ShapedPhoto[] = [];
      for (const photo of identity.photos) {
        // Photos enrolled before landmarks existed are left out until they are embedded again.
        if (!isLandmarks(photo.landmarks)) continue;
        const { hash, embedding, thumbnail, landmarks } = photo;
        const shaped = { hash, embedding, thumbnail, landmarks, shapes: regionShapes(landmarks) };
        photos.push(shaped);
        all.push({ person: identity.slug, shapes: shaped.shapes });
      }
      if (photos.length > 0) people.set(identity.slug, photos);
    }
    return { people, baseline: RegionBaseline.build(all, this.#maxPairs) };
  }

  /**
   * Why a face (its embedding, and its landmarks in its thumbnail's pixels) resembles `slug` in `scope`:
   * compared with that person's enrolled photo nearest to the face, or undefined when nothing can be said
   * (no landmarks on either side, no validated region, or too few people for a baseline).
   */
  async explain(
    scope: Scope,
    slug: string,
    face: { embedding: Float32Array; landmarks?: Float32Array },
  ): Promise<Resemblance | undefined> {
    if (this.#allowed.size === 0 || !isLandmarks(face.landmarks)) return undefined;
    const { people, baseline } = await this.#shapes(scope);
    const photos = people.get(slug);
    if (!photos) return undefined;
    let best = photos[0] as ShapedPhoto;
    for (const photo of photos)
      if (dot(photo.embedding, face.embedding) > dot(best.embedding, face.embedding)) best = photo;
    const regions = scoreRegions(regionShapes(face.landmarks), best.shapes, baseline, this.#allowed);
    if (regions.length === 0) return undefined;
    return {
      regions,
      face: face.landmarks,
      photo: { hash: best.hash, thumbnail: best.thumbnail, landmarks: best.landmarks },
    };
  }
}
