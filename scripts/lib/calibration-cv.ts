/**
 * Calibration by cross-validation over people, shared by `npm run calibrate` and `npm run eval`.
 *
 * The celebrities are split into folds of FOLD_SIZE people. For each fold, its people stand in as
 * strangers (kept out of the gallery) and the others are enrolled with their first ENROL photos.
 * A threshold is always chosen on the other folds and measured on this one, so every reported
 * rate comes from people whom the threshold never saw as strangers.
 */
import { centre } from '../../src/classifier/centering.ts';
import { Matcher } from '../../src/classifier/matcher.ts';
import { cosine } from '../../src/util/vectors.ts';

/** People per fold. */
export const FOLD_SIZE = 5;
/** Photos per person enrolled; the rest are probes. */
export const ENROL = 10;
/** Share of strangers' photos that may be called "the celebrity themselves". */
export const TARGET_STRANGERS = 0.045;
/** Share of different-person pairs that /compare may call the same person. */
export const TARGET_PAIRS = 0.01;

/** One person's embeddings, one per photo (undefined where no face was found). */
export interface PersonVectors {
  name: string;
  photos: (Float32Array | undefined)[];
}

/** Same-person scores of one fold: strangers' photos and enrolled people's new photos. */
export interface SameRows {
  strangers: number[];
  known: number[];
  /** Top-1 confidence each stranger's photo got, and each enrolled person's new photo. */
  strangerConfidence: number[];
  knownConfidence: number[];
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

/** Share of `scores` at or above `t`. */
export function share(scores: number[], t: number): number {
  return scores.length === 0 ? 0 : scores.filter((x) => x >= t).length / scores.length;
}

/** The people in folds of FOLD_SIZE, in order. */
export function folds<T>(people: T[], size = FOLD_SIZE): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < people.length; i += size) out.push(people.slice(i, i + size));
  return out;
}

/**
 * The `same` scores with one fold's people as strangers. A stranger's photo counts with its
 * score only when the whole `same` rule holds for it (under whatever name); an enrolled person's
 * new photo only under their own name. Failing photos count as -∞: no threshold flags them.
 */
export function sameRows(people: PersonVectors[], strangers: Set<string>): SameRows {
  const enrolled = people.filter((p) => !strangers.has(p.name));
  const matcher = Matcher.train(
    enrolled.map((p) => ({ slug: p.name, name: p.name, embeddings: found(p.photos.slice(0, ENROL)) })),
    { prior: meanFace(enrolled), sameThreshold: -2 },
  );
  const rows: SameRows = { strangers: [], known: [], strangerConfidence: [], knownConfidence: [] };
  for (const p of people) {
    const stranger = strangers.has(p.name);
    for (const e of found(stranger ? p.photos : p.photos.slice(ENROL))) {
      const r = matcher.identify(e);
      if (!r.match) continue;
      (stranger ? rows.strangerConfidence : rows.knownConfidence).push(r.top[0]?.confidence ?? 0);
      if (stranger) rows.strangers.push(r.match.same ? r.sameScore : Number.NEGATIVE_INFINITY);
      else rows.known.push(r.match.same && r.match.slug === p.name ? r.sameScore : Number.NEGATIVE_INFINITY);
    }
  }
  return rows;
}

/** What cross-validating the `same` threshold found. */
export interface SameCalibration {
  /** Chosen on every fold together: the shipped value. */
  threshold: number;
  /** Each fold's threshold, chosen on the other folds. */
  foldThresholds: number[];
  /** Rates on each fold at its own out-of-fold threshold, pooled. */
  outOfSample: { strangers: number; known: number; strangerPhotos: number; knownPhotos: number };
  /** Every fold's rows, for the confidence spread. */
  rows: SameRows[];
}

/** Chooses the `same` threshold by people-split cross-validation and measures it out of sample. */
export function calibrateSame(people: PersonVectors[], target = TARGET_STRANGERS): SameCalibration {
  const groups = folds(people);
  const rows = groups.map((g) => sameRows(people, new Set(g.map((p) => p.name))));
  const pooled = (except: number) => rows.flatMap((r, i) => (i === except ? [] : r.strangers));
  const foldThresholds = rows.map((_, f) => lowestAllowed(pooled(f), target));
  let strangers = 0;
  let known = 0;
  let strangerPhotos = 0;
  let knownPhotos = 0;
  rows.forEach((r, f) => {
    const t = foldThresholds[f] as number;
    strangers += r.strangers.filter((x) => x >= t).length;
    known += r.known.filter((x) => x >= t).length;
    strangerPhotos += r.strangers.length;
    knownPhotos += r.known.length;
  });
  return {
    threshold: lowestAllowed(pooled(-1), target),
    foldThresholds,
    rows,
    outOfSample: {
      strangers: strangers / strangerPhotos,
      known: known / knownPhotos,
      strangerPhotos,
      knownPhotos,
    },
  };
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

/** Area under the ROC curve: the chance that a same-person pair scores above a different-person pair. */
export function auc(same: number[], diff: number[]): number {
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
