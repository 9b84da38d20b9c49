/**
 * The evaluation's similarity-only baselines (`npm run eval`, `npm run bench:gallery`): the
 * identity of the nearest photo, and of the nearest mean embedding.
 */
import { centre, centroid, shrunkMean } from '../../src/classifier/centering.ts';
import { type GalleryIdentity, maxCosine } from '../../src/classifier/matcher.ts';
import { cosine, similarityFromCosine } from '../../src/util/vectors.ts';

/** A nearest identity found by a similarity-only rule. */
export interface Neighbour {
  slug: string;
  name: string;
  cosine: number;
  similarity: number;
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

/**
 * The matcher's own centroid rule (what `same` ranks by): each photo centred on the gallery's mean
 * face shrunk towards `prior`, identities by their mean centred direction. The evaluation shows it
 * beside the SVM because on balanced few-photo galleries it names more faces (docs/classifier.md).
 */
export function centredCentroidClassifier(
  identities: readonly GalleryIdentity[],
  prior: ArrayLike<number>,
): (x: ArrayLike<number>) => string | undefined {
  const kept = identities.filter((identity) => identity.embeddings.length > 0);
  const mean = shrunkMean(
    kept.flatMap((identity) => identity.embeddings),
    prior,
  );
  const centroids = kept.map((identity) => centroid(identity.embeddings, mean));
  return (x) => {
    const q = centre(x, mean);
    let best = -1;
    let score = Number.NEGATIVE_INFINITY;
    centroids.forEach((c, i) => {
      const s = cosine(c, q);
      if (s > score) [best, score] = [i, s];
    });
    return kept[best]?.slug;
  };
}
