// Trains the per-region shape metric (src/resemblance/shape-model.ts) from labelled landmarks: the
// mean shape by generalised Procrustes, then the within-person covariance, regularised and factored.

import { REGIONS, type Region } from '../../src/domain/regions.ts';
import { alignedTo, normalisedShape, type Shape } from '../../src/resemblance/procrustes.ts';
import type { RegionModel, ShapeModel } from '../../src/resemblance/shape-model.ts';

/** One labelled photo's 68 landmarks. */
export interface LabelledLandmarks {
  person: string;
  file: string;
  landmarks: ArrayLike<number>;
}

// Generalised Procrustes: the normalised mean of the shapes, each turned onto the mean of the last round.
function meanShape(shapes: Shape[]): Shape {
  let mean = shapes[0] as Shape;
  for (let round = 0; round < 6; round++) {
    const sum = new Float64Array(mean.length);
    for (const shape of shapes) {
      const turned = alignedTo(shape, mean);
      for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] as number) + (turned[i] as number);
    }
    const norm = Math.hypot(...sum);
    mean = sum.map((v) => v / norm);
  }
  return mean;
}

// The lower-triangular R with R Rᵀ = s (s symmetric positive definite), row-major.
function cholesky(s: Float64Array, n: number): number[] {
  const r = new Array<number>(n * n).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = s[i * n + j] as number;
      for (let k = 0; k < j; k++) sum -= (r[i * n + k] as number) * (r[j * n + k] as number);
      r[i * n + j] = i === j ? Math.sqrt(Math.max(sum, 1e-18)) : sum / (r[j * n + j] as number);
    }
  }
  return r;
}

/** One region's model from labelled photos: within-person covariance plus `lambda` × its mean variance. */
export function trainRegion(
  photos: readonly LabelledLandmarks[],
  region: Region,
  lambda: number,
): RegionModel {
  const shaped = photos.flatMap((p) => {
    const shape = normalisedShape(p.landmarks, region.points);
    return shape ? [{ person: p.person, shape }] : [];
  });
  const mean = meanShape(shaped.map((s) => s.shape));
  const n = mean.length;
  const byPerson = new Map<string, Shape[]>();
  for (const { person, shape } of shaped)
    byPerson.set(person, [...(byPerson.get(person) ?? []), alignedTo(shape, mean)]);
  const scatter = new Float64Array(n * n);
  let count = 0;
  for (const list of byPerson.values()) {
    if (list.length < 2) continue;
    const centre = new Float64Array(n);
    for (const v of list)
      for (let i = 0; i < n; i++) centre[i] = (centre[i] as number) + (v[i] as number) / list.length;
    for (const v of list) {
      count++;
      for (let i = 0; i < n; i++) {
        const di = (v[i] as number) - (centre[i] as number);
        for (let j = 0; j < n; j++)
          scatter[i * n + j] =
            (scatter[i * n + j] as number) + di * ((v[j] as number) - (centre[j] as number));
      }
    }
  }
  let trace = 0;
  for (let i = 0; i < n * n; i++) scatter[i] = (scatter[i] as number) / Math.max(1, count);
  for (let i = 0; i < n; i++) trace += scatter[i * n + i] as number;
  for (let i = 0; i < n; i++) scatter[i * n + i] = (scatter[i * n + i] as number) + (lambda * trace) / n;
  const round = (x: number) => Number(x.toPrecision(6));
  return { region: region.name, mean: Array.from(mean, round), factor: cholesky(scatter, n).map(round) };
}

/** The model of every region. */
export function trainShapeModel(
  photos: readonly LabelledLandmarks[],
  lambda: number,
  data: string,
): ShapeModel {
  return {
    schema: 1,
    trained: { data, people: new Set(photos.map((p) => p.person)).size, photos: photos.length, lambda },
    regions: REGIONS.map((region) => trainRegion(photos, region, lambda)),
  };
}
