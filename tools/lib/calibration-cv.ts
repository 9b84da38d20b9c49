/**
 * Calibration by cross-validation over people, shared by `npm run calibrate` and `npm run eval`:
 * /compare's threshold and the fusion weight (`same` has its own, same-calibration.ts).
 *
 * The celebrities are split into folds of FOLD_SIZE people. A threshold is always chosen on the
 * other folds and measured on this one, so every reported rate comes from people it never saw.
 */
import { centre } from '../../src/classifier/centering.ts';
import { cosine } from '../../src/util/vectors.ts';

/** People per fold. */
export const FOLD_SIZE = 5;
/** Photos per person enrolled; the rest are probes. */
export const ENROL = 10;
/** Share of different-person pairs that /compare may call the same person. */
export const TARGET_PAIRS = 0.01;

/** One person's embeddings, one per photo (undefined where no face was found). */
export interface PersonVectors {
  name: string;
  photos: (Float32Array | undefined)[];
}

const found = (xs: (Float32Array | undefined)[]) => xs.filter((x): x is Float32Array => x !== undefined);

/** The mean of every photo's embedding: the prior mean face that centring shrinks towards. */
export function meanFace(people: PersonVectors[]): Float32Array {
  const all = people.flatMap((p) => found(p.photos));
  const mean = new Float32Array(all[0]?.length ?? 0);
  for (const e of all) for (let j = 0; j < mean.length; j++) mean[j]! += e[j]! / all.length;
  return mean;
}

/** The lowest threshold that lets at most `rate` of `scores` reach it. */
export function lowestAllowed(scores: number[], rate: number): number {
  const sorted = scores.filter(Number.isFinite).sort((a, b) => b - a);
  const k = Math.floor(rate * scores.length);
  return (sorted[k] ?? 0) + 1e-6;
}

/** The people in folds of FOLD_SIZE, in order. */
export function folds<T>(people: T[], size = FOLD_SIZE): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < people.length; i += size) out.push(people.slice(i, i + size));
  return out;
}

/** Centred cosines of every pair of photos, split into same-person and different-person pairs. */
export function pairScores(people: PersonVectors[], prior: Float32Array): { same: number[]; diff: number[] } {
  const flat = people.flatMap((p) => found(p.photos).map((e) => ({ who: p.name, e: centre(e, prior) })));
  const same: number[] = [];
  const diff: number[] = [];
  for (let i = 0; i < flat.length; i++)
    for (let j = i + 1; j < flat.length; j++) {
      const a = flat[i]!;
      const b = flat[j]!;
      (a.who === b.who ? same : diff).push(cosine(a.e, b.e));
    }
  return { same, diff };
}

/**
 * Area under the ROC curve (Mann–Whitney): the chance that a same-person pair scores above a
 * different-person pair, ties counting half.
 */
export function auc(same: readonly number[], diff: readonly number[]): number {
  const d = [...diff].sort((a, b) => a - b);
  let below = 0;
  let ties = 0;
  let total = 0;
  for (const s of [...same].sort((a, b) => a - b)) {
    while (below < d.length && (d[below] as number) < s) below++;
    ties = 0;
    while (below + ties < d.length && d[below + ties] === s) ties++;
    total += below + ties / 2;
  }
  return same.length && d.length ? total / same.length / d.length : 0;
}

/** What cross-validating /compare's threshold found. */
export interface PairCalibration {
  threshold: number;
  /** Pooled over folds, each at the threshold chosen on the other folds' people. */
  outOfSample: { differentSame: number; sameSame: number; auc: number };
}

/** Chooses /compare's threshold on pairs of other folds' people and measures it on each fold's own pairs. */
export function calibratePairs(people: PersonVectors[], target = TARGET_PAIRS): PairCalibration {
  const groups = folds(people);
  let diffHits = 0;
  let diffN = 0;
  let sameHits = 0;
  let sameN = 0;
  const aucs: number[] = [];
  groups.forEach((held) => {
    const names = new Set(held.map((p) => p.name));
    const train = people.filter((p) => !names.has(p.name));
    const prior = meanFace(train);
    const t = lowestAllowed(pairScores(train, prior).diff, target);
    const test = pairScores(held, prior);
    diffHits += test.diff.filter((x) => x >= t).length;
    diffN += test.diff.length;
    sameHits += test.same.filter((x) => x >= t).length;
    sameN += test.same.length;
    aucs.push(auc(test.same, test.diff));
  });
  const prior = meanFace(people);
  return {
    threshold: lowestAllowed(pairScores(people, prior).diff, target),
    outOfSample: {
      differentSame: diffHits / diffN,
      sameSame: sameHits / sameN,
      auc: aucs.reduce((a, b) => a + b, 0) / aucs.length,
    },
  };
}

/**
 * Chooses the fusion weight by people-split cross-validation: on each fold, the weight with the
 * best verification AUC on the other folds' pairs, then that weight's AUC on the fold's own pairs.
 */
export function chooseWeight(
  weights: number[],
  peopleAt: (w: number) => PersonVectors[],
): { weight: number; foldWeights: number[]; outOfSampleAuc: number } {
  const byWeight = new Map(weights.map((w) => [w, peopleAt(w)]));
  const best = (pick: (ps: PersonVectors[]) => PersonVectors[]) => {
    let top = { w: weights[0] as number, auc: -1 };
    for (const w of weights) {
      const ps = pick(byWeight.get(w) as PersonVectors[]);
      const s = pairScores(ps, meanFace(ps));
      const a = auc(s.same, s.diff);
      if (a > top.auc) top = { w, auc: a };
    }
    return top.w;
  };
  const groups = folds(byWeight.get(weights[0] as number) as PersonVectors[]).map(
    (g) => new Set(g.map((p) => p.name)),
  );
  const foldWeights: number[] = [];
  const aucs: number[] = [];
  for (const held of groups) {
    const w = best((ps) => ps.filter((p) => !held.has(p.name)));
    foldWeights.push(w);
    const ps = byWeight.get(w) as PersonVectors[];
    const train = ps.filter((p) => !held.has(p.name));
    const s = pairScores(
      ps.filter((p) => held.has(p.name)),
      meanFace(train),
    );
    aucs.push(auc(s.same, s.diff));
  }
  return {
    weight: best((ps) => ps),
    foldWeights,
    outOfSampleAuc: aucs.reduce((a, b) => a + b, 0) / aucs.length,
  };
}
