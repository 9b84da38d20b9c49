// Validation of resemblance regions on labelled photos (../shared/data/bbt): for each region, how well
// its Procrustes distance tells pairs of photos of the same person from pairs of different people (AUC,
// with a bootstrap over people), and the bar a region must clear to be shown.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Analysis } from '../../src/domain/face.ts';
import { isLandmarks, REGIONS, type RegionName } from '../../src/domain/regions.ts';
import { regionDistances, regionShapes, seededRandom } from '../../src/resemblance/baseline.ts';
import { normalisedShape, procrustesDistance } from '../../src/resemblance/procrustes.ts';
import { regionModels, type ShapeModel } from '../../src/resemblance/shape-model.ts';
import type { RegionValidation } from '../../src/resemblance/validated.ts';
import { dataDir, people } from './data.ts';
import { type LabelledLandmarks, trainShapeModel } from './shape-model-train.ts';

/** A region is shown only when its AUC is at least this… */
export const MIN_AUC = 0.6;
/** …and the lower end of its bootstrap 95% interval is above chance. */
export const MIN_LOW = 0.5;
/** The bar, in words, for the validation file and the README. */
export const BAR = `AUC >= ${MIN_AUC} and the bootstrap (over people) 95% interval's lower end > ${MIN_LOW}`;
const RESAMPLES = 2000;

/** Analyses every portrait of `../shared/data/<set>` (not group photos) and keeps its largest face's landmarks. */
export async function labelledLandmarks(
  set: string,
  analyze: (image: Uint8Array) => Promise<Analysis>,
): Promise<(LabelledLandmarks & { embedding: Float32Array })[]> {
  const out: (LabelledLandmarks & { embedding: Float32Array })[] = [];
  for (const person of people(path.join(dataDir(), set))) {
    for (const file of person.files) {
      const analysis = await analyze(new Uint8Array(readFileSync(file)));
      const face = analysis.faces[0];
      if (!face) continue;
      if (!isLandmarks(face.landmarks)) {
        throw new Error('the engine gave no 68-point landmarks (they need the onnx backend)');
      }
      // Procrustes removes position, size and rotation, so photo pixels serve as well as thumbnail ones.
      out.push({
        person: person.name,
        file: path.basename(file),
        landmarks: face.landmarks,
        embedding: face.embedding,
      });
    }
  }
  return out;
}

/** Per pair of photos, each region's distance (undefined where a region has none). */
export type PairDistance = (i: number, j: number) => (number | undefined)[];

/** Distances in a shape model's metric (default: the committed one). */
export function modelDistances(photos: readonly LabelledLandmarks[], model?: ShapeModel): PairDistance {
  const shapes = photos.map((p) => regionShapes(p.landmarks, model && regionModels(model)));
  return (i, j) => regionDistances(shapes[i]!, shapes[j]!);
}

/** Plain Procrustes distances, with no learned metric: what the raw landmark shapes say. */
export function plainDistances(photos: readonly LabelledLandmarks[]): PairDistance {
  const shapes = photos.map((p) => REGIONS.map((region) => normalisedShape(p.landmarks, region.points)));
  return (i, j) =>
    REGIONS.map((_, r) => {
      const a = shapes[i]![r];
      const b = shapes[j]![r];
      return a && b ? procrustesDistance(a, b) : undefined;
    });
}

/** The Mann–Whitney AUC that a same-person distance is smaller than a different-people one (ties count half). */
export function auc(same: readonly number[], different: readonly number[]): number {
  if (same.length === 0 || different.length === 0) return Number.NaN;
  const sorted = [...different].sort((a, b) => a - b);
  let wins = 0;
  for (const d of same) {
    // Different-people distances above d are wins, equal ones half.
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((sorted[mid] as number) < d) lo = mid + 1;
      else hi = mid;
    }
    let equal = lo;
    while (equal < sorted.length && sorted[equal] === d) equal++;
    wins += sorted.length - equal + (equal - lo) / 2;
  }
  return wins / (same.length * different.length);
}

/** Per region: distances of same-person and different-people pairs, given the pairs' photo indices. */
function pairDistances(
  matrix: (number | undefined)[][][],
  pairs: { i: number; j: number; same: boolean }[],
  r: number,
): { same: number[]; different: number[] } {
  const same: number[] = [];
  const different: number[] = [];
  for (const { i, j, same: isSame } of pairs) {
    const d = (i < j ? matrix[i]?.[j] : matrix[j]?.[i])?.[r];
    if (d !== undefined) (isSame ? same : different).push(d);
  }
  return { same, different };
}

/**
 * Every region's AUC on the photos, with a 95% interval from a bootstrap that resamples people (pairs
 * share photos and people, so resampling pairs would understate the uncertainty), and whether it passes.
 */
export function validateRegions(
  photos: readonly { person: string }[],
  distance: PairDistance,
  resamples = RESAMPLES,
): {
  regions: RegionValidation[];
  samePairs: number;
  differentPairs: number;
} {
  const n = photos.length;
  const matrix = photos.map((_, i) => photos.map((_, j) => (i < j ? distance(i, j) : [])));
  const pairs: { i: number; j: number; same: boolean }[] = [];
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) pairs.push({ i, j, same: photos[i]!.person === photos[j]!.person });
  const names = [...new Set(photos.map((p) => p.person))];
  const byPerson = new Map(
    names.map((name) => [name, photos.flatMap((p, i) => (p.person === name ? [i] : []))]),
  );
  const next = seededRandom(68);
  const resampled = REGIONS.map(() => [] as number[]);
  for (let b = 0; b < resamples; b++) {
    // Each drawn person is a separate copy: pairs within a copy are same-person pairs, and pairs
    // between two copies of one person are left out (they are neither).
    const drawn = names.map(() => names[Math.floor(next() * names.length)] as string);
    const slots = drawn.map((name) => byPerson.get(name) ?? []);
    const boot: { i: number; j: number; same: boolean }[] = [];
    slots.forEach((a, s) => {
      for (let x = 0; x < a.length; x++)
        for (let y = x + 1; y < a.length; y++) boot.push({ i: a[x]!, j: a[y]!, same: true });
      for (let t = s + 1; t < slots.length; t++) {
        if (drawn[s] === drawn[t]) continue;
        for (const i of a) for (const j of slots[t]!) boot.push({ i, j, same: false });
      }
    });
    REGIONS.forEach((_, r) => {
      const { same, different } = pairDistances(matrix, boot, r);
      const value = auc(same, different);
      if (Number.isFinite(value)) resampled[r]!.push(value);
    });
  }
  const regions = REGIONS.map((region, r): RegionValidation => {
    const { same, different } = pairDistances(matrix, pairs, r);
    const value = auc(same, different);
    const sorted = resampled[r]!.sort((a, b) => a - b);
    const low = sorted[Math.floor(0.025 * (sorted.length - 1))] ?? Number.NaN;
    const high = sorted[Math.ceil(0.975 * (sorted.length - 1))] ?? Number.NaN;
    const round = (x: number) => Math.round(x * 1000) / 1000;
    return {
      region: region.name as RegionName,
      auc: round(value),
      low: round(low),
      high: round(high),
      passed: value >= MIN_AUC && low > MIN_LOW,
    };
  });
  const samePairs = pairs.filter((p) => p.same).length;
  return { regions, samePairs, differentPairs: pairs.length - samePairs };
}

/** Regularisations tried for the shape metric (times the mean within-person variance). */
export const LAMBDAS = [1, 0.3, 0.1, 0.03, 0.01, 0.003];

/**
 * The regularisation with the best mean AUC over regions when the metric is trained on half of the
 * people and measured on the other half (four seeded splits of people), so bbt is never used to choose.
 */
export function chooseLambda(photos: readonly LabelledLandmarks[]): { lambda: number; auc: number }[] {
  const names = [...new Set(photos.map((p) => p.person))].sort();
  const next = seededRandom(1);
  const splits = Array.from({ length: 4 }, () => {
    const shuffled = names.map((name) => ({ name, key: next() })).sort((a, b) => a.key - b.key);
    return new Set(shuffled.slice(0, Math.floor(names.length / 2)).map((s) => s.name));
  });
  return LAMBDAS.map((lambda) => {
    let sum = 0;
    let count = 0;
    for (const train of splits) {
      const model = trainShapeModel(
        photos.filter((p) => train.has(p.person)),
        lambda,
        'split',
      );
      const held = photos.filter((p) => !train.has(p.person));
      for (const r of validateRegions(held, modelDistances(held, model), 0).regions) {
        sum += r.auc;
        count++;
      }
    }
    return { lambda, auc: Math.round((sum / count) * 1000) / 1000 };
  });
}

/**
 * Faces of the bbt group photos, named by the nearest portrait's embedding when it wins by a clear
 * margin (0.05 in cosine): natural photos, unlike the tight crops the metric was trained and validated
 * on, so comparing them with the portraits shows whether a region still holds across the two.
 */
export async function groupFaces(
  analyze: (image: Uint8Array) => Promise<Analysis>,
  portraits: readonly (LabelledLandmarks & { embedding: Float32Array })[],
): Promise<LabelledLandmarks[]> {
  const dir = path.join(dataDir(), 'bbt', 'group');
  const out: LabelledLandmarks[] = [];
  for (const file of readdirSync(dir).sort()) {
    const analysis = await analyze(new Uint8Array(readFileSync(path.join(dir, file))));
    for (const face of analysis.faces) {
      if (!isLandmarks(face.landmarks)) continue;
      const best = new Map<string, number>();
      for (const p of portraits) {
        let cos = 0;
        for (let i = 0; i < p.embedding.length; i++)
          cos += (p.embedding[i] as number) * (face.embedding[i] as number);
        best.set(p.person, Math.max(best.get(p.person) ?? -1, cos));
      }
      const [first, second] = [...best.entries()].sort((a, b) => b[1] - a[1]);
      if (first && second && first[1] - second[1] > 0.05)
        out.push({ person: first[0], file, landmarks: face.landmarks });
    }
  }
  return out;
}

/** Per region, the AUC of group faces against the portraits: their own person's closer than others'. */
export function crossAuc(
  faces: readonly LabelledLandmarks[],
  portraits: readonly LabelledLandmarks[],
  model?: ShapeModel,
): number[] {
  const models = model && regionModels(model);
  const p = portraits.map((x) => regionShapes(x.landmarks, models));
  const f = faces.map((x) => regionShapes(x.landmarks, models));
  return REGIONS.map((_, r) => {
    const same: number[] = [];
    const different: number[] = [];
    for (const [i, face] of f.entries()) {
      for (const [j, portrait] of p.entries()) {
        const d = regionDistances(face, portrait)[r];
        if (d !== undefined) (faces[i]!.person === portraits[j]!.person ? same : different).push(d);
      }
    }
    return Math.round(auc(same, different) * 1000) / 1000;
  });
}
