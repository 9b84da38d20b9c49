import { addRows, addUnitCentred } from '../util/row-sums.ts';

/**
 * faceres embeddings come out of a ReLU and a global mean, so every one of them lies in the
 * positive orthant and any two faces have a cosine well above zero. Subtracting the mean face
 * before comparing removes that shared component; what is left separates people far better
 * (see README, "Calibration"). The mean is the gallery's own, shrunk towards a prior mean
 * measured once on other photos, so that a gallery of one or two people is centred sensibly too.
 */

/** Pseudo-count of the prior mean: a gallery with this many photos weighs as much as the prior. */
export const PRIOR_WEIGHT = 50;

/** The mean of the gallery's embeddings, shrunk towards `prior`. */
export function shrunkMean(
  embeddings: readonly Float32Array[],
  prior: ArrayLike<number> | null,
): Float32Array {
  const dim = prior?.length ?? embeddings[0]?.length ?? 0;
  const sum = new Float64Array(dim);
  addRows(embeddings, sum);
  const weight = prior ? PRIOR_WEIGHT : 0;
  const n = embeddings.length + weight;
  const mean = new Float32Array(dim);
  if (n === 0) return mean;
  for (let j = 0; j < dim; j++) mean[j] = (sum[j]! + weight * (prior?.[j] ?? 0)) / n;
  return mean;
}

/** `x - mean`, renormalised to unit length. */
export function centre(x: ArrayLike<number>, mean: ArrayLike<number>): Float32Array {
  const out = new Float32Array(x.length);
  let norm = 0;
  for (let j = 0; j < x.length; j++) {
    const v = x[j]! - (mean[j] ?? 0);
    out[j] = v;
    norm += v * v;
  }
  norm = Math.sqrt(norm);
  if (norm > 0) for (let j = 0; j < out.length; j++) out[j]! /= norm;
  return out;
}

/**
 * The unit-length mean of some unit vectors (an identity's centroid direction), each first centred
 * on `mean` as `centre` does when a mean is given.
 */
export function centroid(embeddings: readonly Float32Array[], mean?: ArrayLike<number>): Float32Array {
  const dim = embeddings[0]?.length ?? 0;
  const sum = new Float64Array(dim);
  addUnitCentred(embeddings, mean ?? sum.slice(), sum);
  let norm = 0;
  for (let j = 0; j < dim; j++) norm += sum[j]! * sum[j]!;
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  const out = new Float32Array(dim);
  for (let j = 0; j < dim; j++) out[j] = sum[j]! * inv;
  return out;
}
