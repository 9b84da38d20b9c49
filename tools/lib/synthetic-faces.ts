import type { Rng } from '../../src/util/rng.ts';

/** Per-dimension statistics of real face embeddings, to draw synthetic ones like them. */
export interface Spread {
  mean: Float64Array;
  /** Standard deviation of photos around their identity's mean, per dimension. */
  within: Float64Array;
  /** Standard deviation of identity means around the mean face, per dimension. */
  between: Float64Array;
  withinRms: number;
  betweenRms: number;
}

/**
 * Measures the mean face and the within- and between-identity spreads of some identities' photos.
 * The spread of identity means includes the noise of estimating each from a few photos
 * (within^2 / photos); that part is taken off, so that synthetic identities are not spread wider.
 */
export function measureSpread(groups: readonly Float32Array[][]): Spread {
  const dim = groups[0]![0]!.length;
  const all = groups.flat();
  const mean = new Float64Array(dim);
  for (const e of all) for (let j = 0; j < dim; j++) mean[j]! += e[j]! / all.length;
  const within = new Float64Array(dim);
  const between = new Float64Array(dim);
  let photosPerIdentity = 0;
  for (const g of groups) {
    const m = new Float64Array(dim);
    for (const e of g) for (let j = 0; j < dim; j++) m[j]! += e[j]! / g.length;
    for (const e of g) for (let j = 0; j < dim; j++) within[j]! += (e[j]! - m[j]!) ** 2;
    for (let j = 0; j < dim; j++) between[j]! += (m[j]! - mean[j]!) ** 2;
    photosPerIdentity += g.length / groups.length;
  }
  for (let j = 0; j < dim; j++) {
    within[j] = within[j]! / (all.length - groups.length);
    between[j] = Math.max(0, between[j]! / (groups.length - 1) - within[j]! / photosPerIdentity);
  }
  const rms = (v: Float64Array) => Math.sqrt(v.reduce((a, b) => a + b, 0) / dim);
  const out = { mean, within, between, withinRms: rms(within), betweenRms: rms(between) };
  for (let j = 0; j < dim; j++) {
    within[j] = Math.sqrt(within[j]!);
    between[j] = Math.sqrt(between[j]!);
  }
  return out;
}

/**
 * `n` synthetic identity centres around the mean face, and a drawer of photos around a centre:
 * Gaussian per dimension with the measured spreads, then a ReLU and L2 normalisation, as faceres
 * embeddings are. Real identities are correlated (by age, sex, lighting), these are not, so
 * synthetic top-1 is an optimistic figure; the real celebrities stay the accuracy test.
 */
export function syntheticFaces(
  spread: Spread,
  n: number,
  rng: Rng,
): { identities: Float64Array[]; photos: (centre: Float64Array, count: number) => Float32Array[] } {
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const dim = spread.mean.length;
  const identities = Array.from({ length: n }, () =>
    Float64Array.from(spread.mean, (m, j) => m + spread.between[j]! * gauss()),
  );
  const photos = (centre: Float64Array, count: number): Float32Array[] =>
    Array.from({ length: count }, () => {
      const v = new Float32Array(dim);
      let norm = 0;
      for (let j = 0; j < dim; j++) {
        const x = Math.max(0, centre[j]! + spread.within[j]! * gauss());
        v[j] = x;
        norm += x * x;
      }
      const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let j = 0; j < dim; j++) v[j]! *= inv;
      return v;
    });
  return { identities, photos };
}
