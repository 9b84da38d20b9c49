import type { Candidate, Match, Method } from '../core/types.ts';
import { centre, centroid, shrunkMean } from './centering.ts';
import { decodeFloat32, encodeFloat32 } from './embedding-codec.ts';
import { cosine, similarityFromCosine } from './similarity.ts';
import { parseSvmModel, predictProba, type SvmModel, type TrainSvmOptions, trainSvm } from './svm.ts';

/**
 * Centred-centroid cosine at or above which a face is called that very person, when no
 * calibration is given; the service passes the value measured by scripts/calibrate.ts.
 */
export const DEFAULT_SAME_THRESHOLD = 0.4;

/** One identity of a gallery with its enrolled embeddings. */
export interface GalleryIdentity {
  slug: string;
  name: string;
  embeddings: Float32Array[];
}

/** Options of `Matcher.train`: the SVM's plus the same-person threshold. */
export interface MatcherOptions extends Omit<TrainSvmOptions, 'onStats'> {
  /** Default `DEFAULT_SAME_THRESHOLD`. */
  sameThreshold?: number;
  /** Prior mean face for centring (models/calibration.json); null centres on the gallery alone. */
  prior?: ArrayLike<number> | null;
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

/** The stored form of a trained matcher: plain JSON, embeddings as base64 float32. */
export interface MatcherJSON {
  kind: 'lookalike-matcher';
  version: 1;
  dim: number;
  identities: { slug: string; name: string; count: number; embeddings: string }[];
  /** Null when fewer than 2 identities (no SVM is possible). */
  svm: SvmModel | null;
  /** The prior mean face it was centred with (base64 float32), if any. */
  prior?: string | null;
}

/** A nearest identity found by a similarity-only rule. */
export interface Neighbour {
  slug: string;
  name: string;
  cosine: number;
  similarity: number;
}

/** Names the identity of a face in a gallery: by SVM with 2+ identities, by similarity with one. */
export class Matcher {
  /** Identities that have at least one embedding, in gallery order. */
  readonly identities: readonly GalleryIdentity[];
  readonly sameThreshold: number;
  readonly dim: number;
  private readonly svm: SvmModel | null;
  /** For each SVM label, the index of its identity. */
  private readonly svmToIdentity: number[];
  private readonly prior: Float32Array | null;
  private readonly mean: Float32Array;
  /** Each identity's centroid direction after centring. */
  private readonly centroids: Float32Array[];

  private constructor(
    identities: GalleryIdentity[],
    svm: SvmModel | null,
    sameThreshold: number | undefined,
    prior: ArrayLike<number> | null | undefined,
  ) {
    const threshold = sameThreshold ?? DEFAULT_SAME_THRESHOLD;
    if (!Number.isFinite(threshold)) throw new Error(`sameThreshold must be a number, got ${sameThreshold}`);
    this.identities = identities;
    this.sameThreshold = threshold;
    this.dim = identities[0]?.embeddings[0]?.length ?? 0;
    this.svm = svm;
    const bySlug = new Map(identities.map((identity, i) => [identity.slug, i]));
    this.svmToIdentity = svm === null ? [] : svm.labels.map((slug) => bySlug.get(slug)!);
    this.prior = prior && prior.length === this.dim ? Float32Array.from(prior) : null;
    // Without a prior, one identity's own mean would cancel its centroid out: do not centre then.
    this.mean =
      this.prior || identities.length >= 2
        ? shrunkMean(
            identities.flatMap((identity) => identity.embeddings),
            this.prior,
          )
        : new Float32Array(this.dim);
    this.centroids = identities.map((identity) =>
      centroid(identity.embeddings.map((e) => centre(e, this.mean))),
    );
  }

  /** Builds a matcher, training the SVM when the gallery has at least 2 identities with photos. */
  static train(identities: readonly GalleryIdentity[], options: MatcherOptions = {}): Matcher {
    const { sameThreshold, prior, ...svmOptions } = options;
    const kept = checkIdentities(identities);
    const svm =
      kept.length >= 2
        ? trainSvm(
            kept.flatMap((identity) =>
              identity.embeddings.map((embedding) => ({ label: identity.slug, embedding })),
            ),
            svmOptions,
          )
        : null;
    return new Matcher(kept, svm, sameThreshold, prior);
  }

  /** Restores a matcher saved by `toJSON`; throws when the value is not one. */
  static fromJSON(json: unknown, options: { sameThreshold?: number } = {}): Matcher {
    const m = json as Partial<MatcherJSON> | null;
    const fail = (why: string): never => {
      throw new Error(`not a valid matcher: ${why}`);
    };
    if (typeof m !== 'object' || m === null) return fail('not an object');
    if (m.kind !== 'lookalike-matcher' || m.version !== 1) return fail(`unknown kind ${m.kind}/${m.version}`);
    const { dim, identities } = m;
    if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 0) return fail('bad dim');
    if (!Array.isArray(identities)) return fail('identities must be an array');
    const restored = identities.map((entry, i): GalleryIdentity => {
      const { slug, name, count, embeddings } = entry ?? {};
      if (typeof slug !== 'string' || typeof name !== 'string' || typeof embeddings !== 'string') {
        return fail(`identity ${i} lacks slug, name or embeddings`);
      }
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 1)
        return fail(`bad count in ${slug}`);
      return { slug, name, embeddings: decodeFloat32(embeddings, dim, count) };
    });
    checkIdentities(restored);
    let svm: SvmModel | null = null;
    if (restored.length >= 2) {
      svm = parseSvmModel(m.svm);
      const slugs = restored.map((identity) => identity.slug).sort();
      if (svm.dim !== dim || svm.labels.join('\n') !== slugs.join('\n')) {
        return fail('the SVM does not match the identities');
      }
    } else if (m.svm !== null && m.svm !== undefined) {
      return fail('an SVM needs at least 2 identities');
    }
    const prior = typeof m.prior === 'string' ? decodeFloat32(m.prior, dim, 1)[0] : null;
    return new Matcher(restored, svm, options.sameThreshold, prior);
  }

  /** The plain-JSON form, to store beside the gallery. */
  toJSON(): MatcherJSON {
    return {
      kind: 'lookalike-matcher',
      version: 1,
      dim: this.dim,
      identities: this.identities.map((identity) => ({
        slug: identity.slug,
        name: identity.name,
        count: identity.embeddings.length,
        embeddings: encodeFloat32(identity.embeddings),
      })),
      svm: this.svm,
      prior: this.prior ? encodeFloat32([this.prior]) : null,
    };
  }

  /** Number of identities the matcher can name. */
  get size(): number {
    return this.identities.length;
  }

  /** How `identify` decides with this gallery. */
  get method(): Method {
    return this.size === 0 ? 'none' : this.svm === null ? 'similarity' : 'svm';
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
    const nearest = this.identities.map((identity) => maxCosine(identity.embeddings, embedding));
    const centred = centre(embedding, this.mean);
    const toCentroid = this.centroids.map((c) => cosine(c, centred));
    const candidate = (i: number, confidence: number): Candidate => ({
      name: this.identities[i]!.name,
      slug: this.identities[i]!.slug,
      confidence,
      similarity: similarityFromCosine(nearest[i]!),
    });
    if (this.svm === null) {
      const only = candidate(0, similarityFromCosine(nearest[0]!));
      const sameScore = toCentroid[0]!;
      return {
        method: 'similarity',
        match: { ...only, same: sameScore >= this.sameThreshold },
        top: [only],
        sameScore,
      };
    }
    const proba = predictProba(this.svm, embedding);
    const ranked = proba
      .map((p, label) => ({ i: this.svmToIdentity[label]!, p }))
      .sort((x, y) => y.p - x.p || nearest[y.i]! - nearest[x.i]! || x.i - y.i);
    const best = ranked[0]!;
    let byCentroid = best.i;
    for (let i = 0; i < toCentroid.length; i++) if (toCentroid[i]! > toCentroid[byCentroid]!) byCentroid = i;
    const top = ranked.slice(0, 3).map(({ i, p }) => candidate(i, p));
    const first = top[0]!;
    const sameScore = toCentroid[best.i]!;
    // Same person only when the face is close to that identity's centre AND the SVM and the
    // centroid rule agree: a close photo of someone the SVM ranks lower is a lookalike, not a proof.
    const same = sameScore >= this.sameThreshold && byCentroid === best.i;
    return { method: 'svm', match: { ...first, same }, top, sameScore };
  }
}

/** The identity with the most similar single photo, or null when there are no photos. */
export function nearestNeighbour(
  identities: readonly GalleryIdentity[],
  x: ArrayLike<number>,
): Neighbour | null {
  let best: Neighbour | null = null;
  for (const identity of identities) {
    if (identity.embeddings.length === 0) continue;
    const c = maxCosine(identity.embeddings, x);
    if (best === null || c > best.cosine) {
      best = { slug: identity.slug, name: identity.name, cosine: c, similarity: similarityFromCosine(c) };
    }
  }
  return best;
}

/** A classifier by the nearest per-identity mean embedding (renormalised), for evaluation baselines. */
export function centroidClassifier(
  identities: readonly GalleryIdentity[],
): (x: ArrayLike<number>) => Neighbour | null {
  const centroids = identities
    .filter((identity) => identity.embeddings.length > 0)
    .map((identity) => {
      const mean = new Float32Array(identity.embeddings[0]!.length);
      for (const e of identity.embeddings) for (let j = 0; j < mean.length; j++) mean[j]! += e[j]!;
      const norm = Math.sqrt(cosine(mean, mean));
      if (norm > 0) for (let j = 0; j < mean.length; j++) mean[j]! /= norm;
      return { slug: identity.slug, name: identity.name, embeddings: [mean] };
    });
  return (x) => nearestNeighbour(centroids, x);
}

function maxCosine(embeddings: readonly ArrayLike<number>[], x: ArrayLike<number>): number {
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
