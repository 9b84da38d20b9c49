/**
 * The `same` threshold ("that's really them"), calibrated on strangers, for `npm run calibrate`
 * and `npm run eval` (docs/quality.md).
 *
 * Leave one person out, over every identity: each person in turn is the stranger, everyone else
 * is enrolled (their first photos), and the stranger's every photo is scored against the gallery.
 * So each of the photos is a stranger's photo exactly once, against a gallery that never saw that
 * person, and each held-out threshold is chosen without the person it is measured on.
 *
 * A stranger counts with the highest centred centroid cosine in the gallery, whatever the
 * classifier says: `same` also needs the classifier's best to be the centroid rule's best, which
 * can only remove false accepts, so the rate measured this way bounds the real one for any
 * classifier (issue 18 is replacing it). Enrolled people's new photos count with the whole rule,
 * in a gallery of everyone (one classifier trained; they never choose a threshold).
 *
 * The threshold is the lowest whose one-sided 95 % Clopper-Pearson upper bound on the strangers'
 * rate stays within the target: a margin for its own sampling error, not only the point estimate.
 */
import { centre, centroid, shrunkMean } from '../../src/classifier/centering.ts';
import { Matcher } from '../../src/classifier/matcher.ts';
import { cosine } from '../../src/util/vectors.ts';
import { ENROL, meanFace, type PersonVectors } from './calibration-cv.ts';

/** Share of strangers' photos that `same` may call the enrolled person: the bound, not the estimate. */
export const TARGET_STRANGERS = 0.03;
/** Confidence of the bound the threshold keeps within TARGET_STRANGERS (one-sided). */
export const CONFIDENCE = 0.95;

/** Photos each person enrols: ENROL, or half of theirs when they have fewer than 2·ENROL. */
export function enrolCount(photos: number): number {
  return Math.min(ENROL, Math.floor(photos / 2));
}

/** P(X ≤ k) for X ~ Binomial(n, p), summing log-terms built one from the last: O(k). */
function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n || p <= 0) return 1;
  if (p >= 1) return 0;
  const step = Math.log(p) - Math.log1p(-p);
  let log = n * Math.log1p(-p);
  let s = Math.exp(log);
  for (let i = 1; i <= k; i++) {
    log += Math.log((n - i + 1) / i) + step;
    s += Math.exp(log);
  }
  return Math.min(1, s);
}

/** Clopper-Pearson bounds on a rate from k of n, each with tail probability `alpha`. */
export function rateBounds(k: number, n: number, alpha: number): { lower: number; upper: number } {
  // Bisection on p for a tail probability that falls as p grows.
  const solve = (falling: (p: number) => number, level: number) => {
    let lo = 0;
    let hi = 1;
    for (let i = 0; i < 50; i++) {
      const mid = (lo + hi) / 2;
      if (falling(mid) > level) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  };
  return {
    // Upper: P(X ≤ k) falls to alpha. Lower: P(X ≥ k) rises to alpha, i.e. P(X ≤ k−1) falls to 1 − alpha.
    upper: k >= n ? 1 : solve((p) => binomialCdf(k, n, p), alpha),
    lower: k <= 0 ? 0 : solve((p) => binomialCdf(k - 1, n, p), 1 - alpha),
  };
}

/** Scores allowed to reach the threshold, by (n, target, confidence): it depends on n alone, and same-paired.ts asks often. */
const allowedCounts = new Map<string, number>();

/** The lowest threshold whose one-sided upper bound on the share of `scores` reaching it is ≤ target. */
export function safeThreshold(scores: number[], target = TARGET_STRANGERS, confidence = CONFIDENCE): number {
  const sorted = scores.filter(Number.isFinite).sort((a, b) => b - a);
  const key = `${scores.length}/${target}/${confidence}`;
  let k = allowedCounts.get(key) ?? -1;
  if (k < 0) {
    k = 0;
    while (k < scores.length && rateBounds(k + 1, scores.length, 1 - confidence).upper <= target) k++;
    allowedCounts.set(key, k);
  }
  return (sorted[k] ?? 0) + 1e-6;
}

/** One held-out person's scores. */
export interface HeldOutPerson {
  name: string;
  /** Each of their photos: the best centred centroid cosine in the gallery of everyone else. */
  strangers: number[];
  /** The same photos against every identity of that gallery: impostor pairs. */
  impostors: number[];
}

const found = (xs: (Float32Array | undefined)[]) => xs.filter((x): x is Float32Array => x !== undefined);

/** A gallery of each person's first photos, as the matcher centres it (centering.ts). */
function galleryOf(people: PersonVectors[]) {
  const gallery = people.map((p) => ({
    slug: p.name,
    name: p.name,
    embeddings: found(p.photos.slice(0, enrolCount(p.photos.length))),
  }));
  const prior = meanFace(people);
  const mean = shrunkMean(
    gallery.flatMap((g) => g.embeddings),
    prior,
  );
  const centroids = gallery.map((g) => centroid(g.embeddings.map((e) => centre(e, mean))));
  return { gallery, prior, scores: (e: Float32Array) => centroids.map((c) => cosine(c, centre(e, mean))) };
}

/** Strangers' scores with each person held out in turn; no classifier is trained. */
export function leaveOnePersonOut(people: PersonVectors[]): HeldOutPerson[] {
  return people.map((held) => {
    const { scores } = galleryOf(people.filter((p) => p !== held));
    const row: HeldOutPerson = { name: held.name, strangers: [], impostors: [] };
    for (const e of found(held.photos)) {
      const s = scores(e);
      row.strangers.push(Math.max(...s));
      row.impostors.push(...s);
    }
    return row;
  });
}

/**
 * Enrolled people's new photos with everyone enrolled: sameScore under the whole rule (-∞ when
 * named wrongly or disputed by the classifier), or, without `classifier`, under the centroid rule
 * alone (no training: fast enough to compare many configurations). No threshold is chosen on them.
 */
export function knownScores(people: PersonVectors[], classifier = true): number[] {
  const { gallery, prior, scores } = galleryOf(people);
  const matcher = classifier ? Matcher.train(gallery, { prior, sameThreshold: -2 }) : null;
  const out: number[] = [];
  people.forEach((p, i) => {
    for (const e of found(p.photos.slice(enrolCount(p.photos.length)))) {
      if (matcher) {
        const r = matcher.identify(e);
        out.push(r.match?.same && r.match.slug === p.name ? r.sameScore : Number.NEGATIVE_INFINITY);
      } else {
        const s = scores(e);
        const best = Math.max(...s);
        out.push(s[i] === best ? best : Number.NEGATIVE_INFINITY);
      }
    }
  });
  return out;
}

/** A rate with its two-sided 95 % Clopper-Pearson interval. */
export interface Rate {
  rate: number;
  lower: number;
  upper: number;
  /** Photos it is measured on. */
  n: number;
}

function rateOf(k: number, n: number): Rate {
  const b = rateBounds(k, n, 0.025);
  return { rate: n ? k / n : 0, lower: b.lower, upper: b.upper, n };
}

/** What calibrating `same` found. */
export interface SameCalibration {
  /** Chosen on every held-out person's photos together: the shipped value. */
  threshold: number;
  /** Each person's threshold, chosen without them. */
  foldThresholds: number[];
  /** Out of sample: each person's photos as a stranger at the threshold chosen without them. */
  strangers: Rate;
  /** One-sided 95 % upper bound on that rate. */
  strangersUpper95: number;
  /** Enrolled people's new photos accepted, averaged over the held-out thresholds. */
  known: Rate;
  rows: HeldOutPerson[];
  knownRows: number[];
}

/**
 * Held-out rates: each person's photos as a stranger at the threshold chosen on everyone else's.
 * The enrolled side is the share of new photos accepted, averaged over those thresholds, with the
 * interval of that many photos.
 */
export function calibrateSame(
  people: PersonVectors[],
  options: { target?: number; classifier?: boolean } = {},
): SameCalibration {
  const target = options.target ?? TARGET_STRANGERS;
  const rows = leaveOnePersonOut(people);
  const knownRows = knownScores(people, options.classifier ?? true);
  const all = (except: number) => rows.flatMap((r, i) => (i === except ? [] : r.strangers));
  const foldThresholds = rows.map((_, f) => safeThreshold(all(f), target));
  let flagged = 0;
  let strangerPhotos = 0;
  let accepted = 0;
  rows.forEach((r, f) => {
    const t = foldThresholds[f] as number;
    flagged += r.strangers.filter((x) => x >= t).length;
    strangerPhotos += r.strangers.length;
    accepted += knownRows.filter((x) => x >= t).length / rows.length;
  });
  return {
    threshold: safeThreshold(all(-1), target),
    foldThresholds,
    strangers: rateOf(flagged, strangerPhotos),
    strangersUpper95: rateBounds(flagged, strangerPhotos, 0.05).upper,
    // The fold thresholds differ, so `accepted` is a mean count: rounding it first would make the
    // rate move in steps of 1/n (0.5 point at 200 photos), coarser than the 0.3-point int8 bar.
    known: {
      ...rateOf(Math.round(accepted), knownRows.length),
      rate: accepted / Math.max(1, knownRows.length),
    },
    rows,
    knownRows,
  };
}

/** One point of the curve: strangers, impostor pairs and enrolled new photos at `t`. */
export function curvePoint(
  cal: Pick<SameCalibration, 'rows' | 'knownRows'>,
  t: number,
): { strangers: Rate; impostors: Rate; known: Rate } {
  const count = (xs: number[]) => xs.filter((x) => x >= t).length;
  const strangers = cal.rows.flatMap((r) => r.strangers);
  const impostors = cal.rows.flatMap((r) => r.impostors);
  return {
    strangers: rateOf(count(strangers), strangers.length),
    impostors: rateOf(count(impostors), impostors.length),
    known: rateOf(count(cal.knownRows), cal.knownRows.length),
  };
}
