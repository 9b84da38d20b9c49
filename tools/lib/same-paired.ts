/**
 * `same` for two configurations of the same photos (fp32 against int8), estimated finely enough to
 * test issue 19's 0.3-point bar, for `npm run eval`. The shipped calibration (same-calibration.ts)
 * is untouched: this only re-reads the scores it computes.
 *
 * Why: leaving one person out fixes a single partition, and each fold's threshold is the score of
 * one of the few highest-scoring strangers' photos. A stranger that moves by 0.002 lifts a threshold
 * over a known probe, so the figure moves in steps of a probe (0.5 point at 200) on noise.
 *
 * Here: the people are dealt at random into folds (FOLD_SIZE people each), a threshold is chosen
 * with safeThreshold on the strangers' photos of the other folds' people, and both the held-out
 * people's stranger photos and their known new photos are measured at it: nothing is measured on
 * a person who chose its threshold. Repeated over many seeded partitions and averaged, with the same
 * partitions for both configurations, so their difference is paired. How sure that difference is
 * comes from a paired bootstrap over people (a person's stranger and known photos resampled together,
 * both configurations from the same draw), each draw averaged over a few partitions of its own.
 */
import { Rng } from '../../src/util/rng.ts';
import { FOLD_SIZE, type PersonVectors } from './calibration-cv.ts';
import { enrolCount, type SameCalibration, safeThreshold, TARGET_STRANGERS } from './same-calibration.ts';

/** One person's `same` scores under one configuration. */
export interface PersonSame {
  /** Each of their photos as a stranger: the best score in a gallery of everyone else. */
  strangers: number[];
  /** Each of their new photos with everyone enrolled (-∞ when named wrongly). */
  known: number[];
}

/** Issue 19's bar on `same`, as a share. */
export const BAR = 0.003;

/** Splits calibrateSame's flat known scores back into people, in the order knownScores wrote them. */
export function perPerson(
  people: PersonVectors[],
  cal: Pick<SameCalibration, 'rows' | 'knownRows'>,
): PersonSame[] {
  let at = 0;
  return people.map((p, i) => {
    const n = p.photos.slice(enrolCount(p.photos.length)).filter((e) => e !== undefined).length;
    const known = cal.knownRows.slice(at, at + n);
    at += n;
    return { strangers: cal.rows[i]?.strangers ?? [], known };
  });
}

/** Rates from one partition: strangers flagged and known photos accepted, every fold measured at the others' threshold. */
interface Rates {
  known: number;
  strangers: number;
}

/**
 * Rates over one partition. `ids` are the distinct people drawn (indexes into `people`), `count`
 * how many times each was drawn (1 without the bootstrap); `fold` deals `ids` into folds.
 */
function partitionRates(
  people: PersonSame[],
  ids: number[],
  count: number[],
  fold: number[],
  folds: number,
  target: number,
): Rates {
  let accepted = 0;
  let known = 0;
  let flagged = 0;
  let strangers = 0;
  for (let f = 0; f < folds; f++) {
    const train: number[] = [];
    ids.forEach((id, i) => {
      if (fold[i] !== f)
        for (let c = 0; c < (count[i] as number); c++) train.push(...(people[id] as PersonSame).strangers);
    });
    const t = safeThreshold(train, target);
    ids.forEach((id, i) => {
      if (fold[i] !== f) return;
      const p = people[id] as PersonSame;
      const c = count[i] as number;
      accepted += c * p.known.filter((x) => x >= t).length;
      known += c * p.known.length;
      flagged += c * p.strangers.filter((x) => x >= t).length;
      strangers += c * p.strangers.length;
    });
  }
  return { known: accepted / Math.max(1, known), strangers: flagged / Math.max(1, strangers) };
}

/** Deals `n` people at random into `folds` folds of near-equal size. */
function deal(n: number, folds: number, rng: Rng): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  rng.shuffle(order, n);
  const fold = new Array<number>(n);
  order.forEach((person, i) => {
    fold[person] = i % folds;
  });
  return fold;
}

/** Both configurations over `repetitions` partitions of the same draw: mean rates and each partition's difference. */
function repeated(
  a: PersonSame[],
  b: PersonSame[],
  ids: number[],
  count: number[],
  split: { reps: number; folds: number; target: number },
  rng: Rng,
) {
  const { reps, target } = split;
  const folds = Math.min(split.folds, ids.length);
  const sum = { a: { known: 0, strangers: 0 }, b: { known: 0, strangers: 0 } };
  const diffs: Rates[] = [];
  for (let r = 0; r < reps; r++) {
    const fold = deal(ids.length, folds, rng);
    const ra = partitionRates(a, ids, count, fold, folds, target);
    const rb = partitionRates(b, ids, count, fold, folds, target);
    for (const k of ['known', 'strangers'] as const) {
      sum.a[k] += ra[k] / reps;
      sum.b[k] += rb[k] / reps;
    }
    diffs.push({ known: rb.known - ra.known, strangers: rb.strangers - ra.strangers });
  }
  return { a: sum.a, b: sum.b, diffs };
}

export interface PairedOptions {
  /** Partitions averaged for the point estimate. */
  repetitions?: number;
  /** Bootstrap draws of people. */
  draws?: number;
  /** Partitions averaged within each draw. */
  drawRepetitions?: number;
  foldSize?: number;
  target?: number;
  seed?: number;
}

/** Partitions for the point estimate, bootstrap draws, partitions within a draw (docs/engine-speed.md quotes them). */
export const PAIRED_DEFAULTS = { repetitions: 100, draws: 1000, drawRepetitions: 10 };

/** One rate, fp32 (a) against int8 (b). */
export interface PairedRate {
  a: number;
  b: number;
  /** b − a, averaged over the partitions. */
  diff: number;
  /** Standard deviation of b − a over the partitions: how much the partition alone moves it. */
  partitionSd: number;
  /** Paired bootstrap over people: 95 % and 90 % percentile intervals of b − a. */
  ci95: [number, number];
  ci90: [number, number];
  /** Share of bootstrap draws whose difference is within BAR. */
  withinShare: number;
  /**
   * within: the 90 % interval lies inside ±BAR (two one-sided tests at 5 %); over: it lies wholly
   * outside; undecided: it straddles the bar.
   */
  verdict: 'within' | 'over' | 'undecided';
}

export interface PairedSame {
  known: PairedRate;
  strangers: PairedRate;
  repetitions: number;
  draws: number;
  folds: number;
}

const quantile = (sorted: number[], q: number) => {
  const i = (sorted.length - 1) * q;
  const lo = Math.floor(i);
  return (sorted[lo] as number) + ((sorted[Math.ceil(i)] as number) - (sorted[lo] as number)) * (i - lo);
};

/** `same` of configuration b against a on the same people (a[i] and b[i] are one person). */
export function pairedSame(a: PersonSame[], b: PersonSame[], options: PairedOptions = {}): PairedSame {
  if (a.length !== b.length) throw new Error('pairedSame: both configurations need the same people');
  const o: Required<PairedOptions> = {
    ...PAIRED_DEFAULTS,
    foldSize: FOLD_SIZE,
    target: TARGET_STRANGERS,
    seed: 19,
    ...options,
  };
  const n = a.length;
  const all = Array.from({ length: n }, (_, i) => i);
  // The number of folds stays that of all the people, so a draw trains on the same share of people.
  const folds = Math.max(2, Math.round(n / o.foldSize));
  const split = { folds, target: o.target };
  const point = repeated(a, b, all, new Array(n).fill(1), { ...split, reps: o.repetitions }, new Rng(o.seed));
  const boot: Rates[] = [];
  const draw = new Rng(o.seed + 1);
  for (let d = 0; d < o.draws; d++) {
    const count = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) count[draw.int(n)]!++;
    const ids = all.filter((i) => (count[i] as number) > 0);
    const r = repeated(
      a,
      b,
      ids,
      ids.map((i) => count[i] as number),
      { ...split, reps: o.drawRepetitions },
      new Rng(o.seed + 2 + d),
    );
    boot.push({ known: r.b.known - r.a.known, strangers: r.b.strangers - r.a.strangers });
  }
  const rate = (k: keyof Rates): PairedRate => {
    const ds = point.diffs.map((x) => x[k]);
    const diff = ds.reduce((s, x) => s + x, 0) / ds.length;
    const sd = Math.sqrt(ds.reduce((s, x) => s + (x - diff) ** 2, 0) / Math.max(1, ds.length - 1));
    const sorted = boot.map((x) => x[k]).sort((p, q) => p - q);
    const ci95: [number, number] = [quantile(sorted, 0.025), quantile(sorted, 0.975)];
    const ci90: [number, number] = [quantile(sorted, 0.05), quantile(sorted, 0.95)];
    const eps = 1e-12;
    const verdict =
      ci90[0] >= -BAR - eps && ci90[1] <= BAR + eps
        ? 'within'
        : ci90[0] > BAR + eps || ci90[1] < -BAR - eps
          ? 'over'
          : 'undecided';
    return {
      a: point.a[k],
      b: point.b[k],
      diff,
      partitionSd: sd,
      ci95,
      ci90,
      withinShare: sorted.filter((x) => Math.abs(x) <= BAR + eps).length / Math.max(1, sorted.length),
      verdict,
    };
  };
  return {
    known: rate('known'),
    strangers: rate('strangers'),
    repetitions: o.repetitions,
    draws: o.draws,
    folds,
  };
}
