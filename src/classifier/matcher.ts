import type { Candidate, Match, Method } from '../domain/types.ts';
import { Sketch } from '../util/sketch.ts';
import { topK } from '../util/top-k.ts';
import {
  cosine,
  decodeFloat32,
  dot,
  encodeFloat32,
  scoreRows,
  similarityFromCosine,
} from '../util/vectors.ts';
import { centre, centroid, shrunkMean } from './centering.ts';
import { EXACT_CLASSES, SHORTLIST } from './shortlist.ts';
import { ANSWER_CANDIDATES, confidences, type SvmModel, type TrainSvmOptions, trainSvm } from './svm.ts';
import { type SvmJSON, svmFromJSON, svmToJSON } from './svm-codec.ts';

/**
 * Centred-centroid cosine at or above which a face is called that very person, when no
 * calibration is given; the service passes the value measured by tools/calibrate.ts.
 */
export const DEFAULT_SAME_THRESHOLD = 0.4;

/** One identity of a gallery with its enrolled embeddings. */
export interface GalleryIdentity {
  slug: string;
  name: string;
  embeddings: Float32Array[];
}

/** Options of `Matcher.train`: the classifier's plus the same-person threshold. */
export interface MatcherOptions extends Omit<TrainSvmOptions, 'offset' | 'previous'> {
  /** Default `DEFAULT_SAME_THRESHOLD`. */
  sameThreshold?: number;
  /** Prior mean face for centring (models/calibration.json); null centres on the gallery alone. */
  prior?: ArrayLike<number> | null;
  /** The stored form of a matcher of an earlier gallery version, to retrain only what changed. */
  previous?: MatcherJSON | null;
}

/** What `Matcher.identify` found for one face. */
export interface MatchResult {
  method: Method;
  /** The best candidate; null only when the gallery is empty. */
  match: Match | null;
  /** Up to 3 candidates, best first. */
  top: Candidate[];
  /** The score behind `match.same`: centred cosine to the best identity's centroid (-1 when none). */
  sameScore: number;
}

/**
 * The stored form of a trained matcher: the classifier and which identities it was trained on,
 * but not their embeddings, which the gallery already holds (`fromJSON` takes them from it).
 */
export interface MatcherJSON {
  kind: 'lookalike-matcher';
  version: 3;
  dim: number;
  identities: { slug: string; name: string; count: number }[];
  /** Null when fewer than 2 identities (no classifier is possible). */
  svm: SvmJSON | null;
  /** The prior mean face it was centred with (base64 float32), if any. */
  prior?: string | null;
}

/**
 * Names the identity of a face in a gallery: by a class-balanced linear SVM with 2+ identities,
 * its decision values turned into a confidence by a fitted temperature; by similarity with one.
 * Up to FULL_CLASSES identities the SVM weighs every identity; beyond, a face is scored against
 * every identity's centred centroid (exactly, or through a sketch and a shortlist in galleries of
 * thousands, see shortlist.ts) and the SVM weighs the nearest few.
 */
export class Matcher {
  /** Identities that have at least one embedding, in gallery order. */
  readonly identities: readonly GalleryIdentity[];
  readonly sameThreshold: number;
  readonly dim: number;
  private readonly model: SvmModel | null;
  /** The mean face, centroids and sketches: what the identities alone determine. */
  private readonly geometry: Geometry;
  /** The stored form of the model, encoded on the first `toJSON` (or kept from `fromJSON`). */
  private svmJSON: SvmJSON | null | undefined;

  private constructor(
    identities: GalleryIdentity[],
    model: SvmModel | null,
    sameThreshold: number | undefined,
    geometry: Geometry,
    svmJSON?: SvmJSON,
  ) {
    const threshold = sameThreshold ?? DEFAULT_SAME_THRESHOLD;
    if (!Number.isFinite(threshold)) throw new Error(`sameThreshold must be a number, got ${sameThreshold}`);
    this.identities = identities;
    this.sameThreshold = threshold;
    this.dim = identities[0]?.embeddings[0]?.length ?? 0;
    this.model = model;
    this.svmJSON = svmJSON;
    this.geometry = geometry;
  }

  /**
   * What a matcher computes from its identities alone (the mean face, centroids, their sketches):
   * `trainOffThread` computes it while the worker trains, and passes it to `fromModel`.
   */
  static geometry(
    identities: readonly GalleryIdentity[],
    prior: ArrayLike<number> | null | undefined,
  ): Geometry {
    const kept = checkIdentities(identities);
    const dim = kept[0]?.embeddings[0]?.length ?? 0;
    const own = prior && prior.length === dim ? Float32Array.from(prior) : null;
    // Without a prior, one identity's own mean would cancel its centroid out: do not centre then.
    const mean =
      own || kept.length >= 2
        ? shrunkMean(
            kept.flatMap((identity) => identity.embeddings),
            own,
          )
        : new Float32Array(dim);
    const centroids = new Float32Array(kept.length * dim);
    kept.forEach((identity, i) => {
      centroids.set(centroid(identity.embeddings, mean), i * dim);
    });
    const sketch = kept.length > EXACT_CLASSES ? new Sketch(dim) : null;
    const sketched = sketch ? sketch.rows(centroids, kept.length) : null;
    return { prior: own, mean, centroids, sketch, sketched };
  }

  /** Builds a matcher, training the classifier when the gallery has at least 2 identities with photos. */
  static train(identities: readonly GalleryIdentity[], options: MatcherOptions = {}): Matcher {
    const geometry = Matcher.geometry(identities, options.prior);
    return Matcher.fromModel(identities, trainModel(identities, options), geometry, options);
  }

  /**
   * A matcher over a model `trainModel` made of these identities (in the training worker), with the
   * geometry `Matcher.geometry` computed of them: nothing is encoded or decoded on the way.
   */
  static fromModel(
    identities: readonly GalleryIdentity[],
    model: SvmModel | null,
    geometry: Geometry,
    options: { sameThreshold?: number } = {},
  ): Matcher {
    return new Matcher(checkIdentities(identities), model, options.sameThreshold, geometry);
  }

  /**
   * Restores a matcher saved by `toJSON` over the gallery's identities (the embeddings it was
   * trained on); throws when the value is not one or was trained on other identities.
   */
  static fromJSON(
    json: unknown,
    identities: readonly GalleryIdentity[],
    options: { sameThreshold?: number } = {},
  ): Matcher {
    const m = json as Partial<MatcherJSON> | null;
    const fail = (why: string): never => {
      throw new Error(`not a valid matcher: ${why}`);
    };
    if (typeof m !== 'object' || m === null) return fail('not an object');
    if (m.kind !== 'lookalike-matcher' || m.version !== 3) return fail(`unknown kind ${m.kind}/${m.version}`);
    const kept = checkIdentities(identities);
    const dim = kept[0]?.embeddings[0]?.length ?? m.dim;
    if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 0 || m.dim !== dim) return fail('bad dim');
    const stored = Array.isArray(m.identities) ? m.identities : [];
    const same =
      stored.length === kept.length &&
      kept.every(({ slug, name, embeddings }, i) => {
        const entry = stored[i];
        return entry?.slug === slug && entry.name === name && entry.count === embeddings.length;
      });
    if (!same) return fail('it was trained on other identities or photos');
    if (kept.length < 2 && m.svm != null) return fail('a classifier needs at least 2 identities');
    const svm = kept.length >= 2 ? (m.svm as SvmJSON) : undefined;
    const slugs = kept.map((i) => i.slug);
    const model = svm === undefined ? null : svmFromJSON(svm, slugs, dim);
    const prior = typeof m.prior === 'string' ? decodeFloat32(m.prior, dim, 1)[0] : null;
    return new Matcher(kept, model, options.sameThreshold, Matcher.geometry(kept, prior), svm);
  }

  /** The stored form, to keep beside the gallery. */
  toJSON(): MatcherJSON {
    this.svmJSON ??= this.model ? svmToJSON(this.model) : null;
    return {
      kind: 'lookalike-matcher',
      version: 3,
      dim: this.dim,
      identities: this.identities.map(({ slug, name, embeddings }) => ({
        slug,
        name,
        count: embeddings.length,
      })),
      svm: this.svmJSON,
      prior: this.geometry.prior ? encodeFloat32([this.geometry.prior]) : null,
    };
  }

  /** Number of identities the matcher can name. */
  get size(): number {
    return this.identities.length;
  }

  /** What `lookalike train` reports: the classifier, what it was trained on, its support vectors. */
  get summary(): {
    classifier: 'linear-svm' | 'similarity' | 'none';
    identities: number;
    photos: number;
    supportVectors: number;
  } {
    let supportVectors = 0;
    for (const v of this.model?.supportVectors ?? []) supportVectors += v;
    return {
      classifier: this.model ? 'linear-svm' : this.size === 0 ? 'none' : 'similarity',
      identities: this.size,
      photos: this.identities.reduce((n, i) => n + i.embeddings.length, 0),
      supportVectors,
    };
  }

  /** How `identify` decides with this gallery. */
  get method(): Method {
    return this.size === 0 ? 'none' : this.model === null ? 'similarity' : 'svm';
  }

  /**
   * Identities nearest the centred face by centroid, best first, with their centred cosines:
   * every identity is scored exactly, or, past `EXACT_CLASSES`, a sketch shortlists `SHORTLIST`
   * of them for exact scoring. Either way the first is the centroid rule's answer.
   */
  private nearestCentroids(centred: Float32Array, count: number): { index: Int32Array; score: Float64Array } {
    const { size: n, dim } = this;
    const { sketch, sketched, centroids } = this.geometry;
    let pool: Int32Array | null = null;
    if (sketch !== null && sketched !== null) {
      const sk = new Float32Array(sketch.size);
      sketch.apply(centred, sk, 0);
      const approx = new Float64Array(n);
      scoreRows(sketched, sketch.size, null, sk, approx);
      pool = topK(approx, n, SHORTLIST);
    }
    const exact = new Float64Array(pool?.length ?? n);
    scoreRows(centroids, dim, pool, centred, exact);
    const best = topK(exact, exact.length, count);
    return {
      index: pool ? Int32Array.from(best, (t) => pool[t]!) : best,
      score: Float64Array.from(best, (t) => exact[t]!),
    };
  }

  /** Names the identity of one face embedding (L2-normalised, as the engine gives). */
  identify(embedding: ArrayLike<number>): MatchResult {
    if (this.size === 0) return { method: 'none', match: null, top: [], sameScore: -1 };
    if (embedding.length !== this.dim) {
      throw new Error(`expected an embedding of ${this.dim} values, got ${embedding.length}`);
    }
    for (let j = 0; j < embedding.length; j++) {
      if (!Number.isFinite(embedding[j])) throw new Error('the embedding has a non-finite value');
    }
    const centred = centre(embedding, this.geometry.mean);
    const nearest = (i: number): number => maxCosine(this.identities[i]!.embeddings, embedding);
    const candidate = (i: number, confidence: number, cos: number): Candidate => ({
      name: this.identities[i]!.name,
      slug: this.identities[i]!.slug,
      confidence,
      similarity: similarityFromCosine(cos),
    });
    if (this.model === null) {
      const cos = nearest(0);
      const only = candidate(0, similarityFromCosine(cos), cos);
      const sameScore = dot(this.geometry.centroids, centred, this.dim);
      return {
        method: 'similarity',
        match: { ...only, same: sameScore >= this.sameThreshold },
        top: [only],
        sameScore,
      };
    }
    const model = this.model;
    const near = this.nearestCentroids(centred, model.full ? this.size : ANSWER_CANDIDATES);
    const proba = confidences(model, embedding, near.index);
    // The nearest photo's cosine breaks ties and is shown for the top 3: computed only for those, since
    // a one-shot `lookalike infer` runs it cold, about 15 ns a value over every photo of the gallery.
    const cosines = new Map<number, number>();
    const cosOf = (i: number): number => {
      const known = cosines.get(i);
      if (known !== undefined) return known;
      const cos = nearest(i);
      cosines.set(i, cos);
      return cos;
    };
    const ranked = Array.from(near.index, (i, t) => ({ i, t, p: proba[t]! })).sort(
      (x, y) => y.p - x.p || cosOf(y.i) - cosOf(x.i) || x.i - y.i,
    );
    const best = ranked[0]!;
    const top = ranked.slice(0, 3).map(({ i, p }) => candidate(i, p, cosOf(i)));
    const first = top[0]!;
    const sameScore = near.score[best.t]!;
    // Same person only when the face is close to that identity's centre AND the classifier and the
    // centroid rule agree: a close photo of someone the classifier ranks lower is a lookalike, not a proof.
    const same = sameScore >= this.sameThreshold && near.index[0] === best.i;
    return { method: 'svm', match: { ...first, same }, top, sameScore };
  }
}

/** The part of a matcher that depends on its identities only, not on its classifier. */
export interface Geometry {
  prior: Float32Array | null;
  mean: Float32Array;
  centroids: Float32Array;
  sketch: Sketch | null;
  sketched: Float32Array | null;
}

/** Trains the classifier of a gallery's identities: none below 2 identities with photos. */
export function trainModel(
  identities: readonly GalleryIdentity[],
  options: MatcherOptions,
  previousModel: SvmModel | null = null,
): SvmModel | null {
  const kept = checkIdentities(identities);
  if (kept.length < 2) return null;
  const { sameThreshold, prior, previous, ...rest } = options;
  const rows = kept.flatMap((identity) => identity.embeddings);
  const classOf = Int32Array.from(kept.flatMap((identity, c) => identity.embeddings.map(() => c)));
  let before = previousModel;
  try {
    before ??= previous?.svm
      ? svmFromJSON(
          previous.svm,
          previous.identities.map((i) => i.slug),
        )
      : null;
  } catch {
    // An unreadable earlier model only costs a full training.
  }
  const dim = rows[0]!.length;
  const offset = prior && prior.length === dim ? prior : null;
  const labels = kept.map((identity) => identity.slug);
  return trainSvm(rows, classOf, labels, { ...rest, offset, previous: before });
}

/** The cosine of the most similar of some photos. */
export function maxCosine(embeddings: readonly ArrayLike<number>[], x: ArrayLike<number>): number {
  let best = Number.NEGATIVE_INFINITY;
  for (const e of embeddings) {
    const c = cosine(e, x);
    if (c > best) best = c;
  }
  return best;
}

/** Drops identities without photos; throws on duplicate slugs or mixed dimensions. */
function checkIdentities(identities: readonly GalleryIdentity[]): GalleryIdentity[] {
  const kept = identities.filter((identity) => identity.embeddings.length > 0);
  const slugs = new Set<string>();
  const dim = kept[0]?.embeddings[0]?.length;
  for (const identity of kept) {
    if (slugs.has(identity.slug)) throw new Error(`duplicate identity slug ${identity.slug}`);
    slugs.add(identity.slug);
    for (const e of identity.embeddings) {
      if (e.length !== dim)
        throw new Error(`${identity.slug} has an embedding of ${e.length} values, expected ${dim}`);
    }
  }
  return kept;
}
