import { Rng } from '../util/rng.ts';
import { dot, roundFloat16 } from '../util/vectors.ts';
import {
  type ConfidenceFit,
  fitConfidence,
  type HeldOut,
  PRIOR_WEIGHT,
  priorFit,
  strangerWeight,
  stratifiedFolds,
} from './calibration.ts';
import { centre, shrunkMean } from './centering.ts';
import { type Loss, solveBinary } from './linear-svm.ts';
import { membersOf, nearestClasses, symmetric } from './shortlist.ts';
import { warmStart } from './warm.ts';

/**
 * What a model was trained with: a warm retrain needs the previous model's to be equal, and the
 * stored form keeps them. `{ C: 1, anchor: 0 }` is sklearn's LinearSVC (class weights aside, see
 * `trainSvm`); the defaults are measured in docs/classifier.md.
 */
export interface SvmSettings {
  /** Inverse regularisation strength (default `DEFAULT_C`). */
  C: number;
  /** Default 'squared-hinge' (hinge is measured against it in docs/classifier.md). */
  loss: Loss;
  /**
   * 'balanced' (default): class c's photos weigh n / (classes · n_c) in every problem, as positives
   * and as negatives, so a one-photo identity beside packs of twenty is neither outvoted in its own
   * problem nor pushed aside in the others (see `trainSvm`).
   */
  classWeight: 'balanced' | 'none';
  /**
   * λ: each class's w is regularised towards λ times its centred centroid direction, ½|w − λ·d_c|²,
   * not towards 0 (default `ANCHOR`; 0 is sklearn's LinearSVC). See `ANCHOR`.
   */
  anchor: number;
  /** Candidate classes per class, itself first (default 32): each problem's hard negatives. */
  k: number;
  /** True when every class trained against every photo, and answers weigh every class. */
  full: boolean;
}

const SETTINGS = ['C', 'loss', 'classWeight', 'anchor', 'k', 'full'] as const;

/** The settings of `value` (a model or its stored form), or why they are not valid for `classes` classes. */
export function settingsOf(value: Partial<SvmSettings>, classes: number): SvmSettings | string {
  const { C, loss, classWeight, anchor, k, full } = value;
  if (!(typeof C === 'number' && C > 0 && Number.isFinite(C))) return `C must be a positive number, got ${C}`;
  if (!(typeof anchor === 'number' && anchor >= 0 && Number.isFinite(anchor)))
    return `anchor must be ≥ 0, got ${anchor}`;
  if (loss !== 'hinge' && loss !== 'squared-hinge') return `bad loss ${loss}`;
  if (classWeight !== 'balanced' && classWeight !== 'none') return `bad classWeight ${classWeight}`;
  if (!(Number.isInteger(k) && Number(k) >= 1 && Number(k) <= classes)) return `bad k ${k}`;
  if (typeof full !== 'boolean') return 'bad full';
  return { C, loss, classWeight, anchor, k: Number(k), full };
}

/** Whether two models were trained with the same settings. */
export const sameSettings = (a: SvmSettings, b: SvmSettings): boolean =>
  SETTINGS.every((key) => a[key] === b[key]);

/** Options of `trainSvm`: the settings (defaults in `SvmSettings`) and what shapes one training. */
export interface TrainSvmOptions extends Partial<Omit<SvmSettings, 'full'>> {
  /** Weight of the measured prior in the confidence's fit (default `PRIOR_WEIGHT`; 0: the gallery alone). */
  priorWeight?: number;
  /** Subtracted before finding each class's nearest classes (the prior mean face); default the gallery mean. */
  offset?: ArrayLike<number> | null;
  /** Up to this many classes every problem trains against every photo (default `FULL_CLASSES`). */
  fullClasses?: number;
  /** Solver tolerance (default 0.1, LIBLINEAR's) and pass cap (default 1000). */
  eps?: number;
  maxIter?: number;
  /** A model of an earlier version of this gallery: only changed classes and their rivals retrain. */
  previous?: SvmModel | null;
  onStats?: (stats: SvmStats) => void;
}

/** What `trainSvm` did. */
export interface SvmStats {
  warm: boolean;
  /** Binary problems solved for the final model. */
  trainedClasses: number;
  changedClasses: number;
  /** Held-out photos the temperature was fitted on. */
  heldOut: number;
  /** Nonzero dual variables over the problems solved for the final model. */
  supportVectors: number;
}

/** A trained one-vs-rest linear SVM with its confidence's temperature, in memory. */
export interface SvmModel extends SvmSettings {
  dim: number;
  /** Identity slugs, in gallery order. */
  labels: string[];
  /** Confidence of c = exp(z_c / T) / (Σ exp(z_j / T) + exp(none / T)). */
  temperature: number;
  /** The decision value of "none of them" (-Infinity: not fitted, the confidences sum to 1). */
  none: number;
  weights: Float32Array;
  bias: Float64Array;
  candidates: Int32Array;
  fingerprints: Uint32Array;
  /** Nonzero dual variables of each class's problem. */
  supportVectors: Int32Array;
}

/**
 * Past this many identities each class's problem holds its own photos and its candidates' only:
 * on the synthetic galleries of `npm run bench:gallery` restricting lost no top-1, and the full
 * problems' cost grows with classes² (see docs/classifier.md).
 */
export const FULL_CLASSES = 64;
/** Identities a face is scored against past FULL_CLASSES: its nearest by centroid. */
export const ANSWER_CANDIDATES = 8;
/** Photos above which one held-out fold (of 3, and a sample of it) fits the temperature. */
const FULL_CV_ROWS = 4000;
const SAMPLED_CLASSES = 200;
/** Below this many identities no third of them can be left out as strangers and leave a gallery. */
const MIN_CLASSES_FOR_STRANGERS = 6;
/**
 * The solver's tolerance up to FULL_CLASSES identities. LIBLINEAR's 0.1 stops early enough to cost
 * right answers on few-photo galleries (one crop each, 10 draws, C = 1 without anchor: 1851 of 2000
 * against sklearn's 1867 at 1e-4), and there a tighter solve costs milliseconds. With C = 0.1 the
 * dual variables are ten times smaller, so the tolerance is too: 0.01 named 1876, 0.001 and 1e-4
 * 1878. Past FULL_CLASSES training time counts (10,000 identities in 60 s): LIBLINEAR's 0.1 stays.
 */
const SMALL_GALLERY_EPS = 0.001;
/**
 * The anchor λ (biased regularisation, as adaptive SVMs: Yang et al. 2007) and C. Regularised
 * towards 0, a one-photo identity's hyperplane is whatever separates that photo from its rivals'
 * support vectors, and the plain centroid named more new faces than any C or class weighting (one
 * crop each: 1888 of 2000 against 1868); towards its centred centroid, the photos move the
 * hyperplane only where they disagree with it. A smaller C alone wins the one-photo galleries too
 * but loses a pack's faces to four tight portraits; with the anchor it does not. Both were chosen
 * on half the people and checked on the other half (docs/classifier.md, "The anchor").
 */
const ANCHOR = 1;
const DEFAULT_C = 0.1;

/**
 * Trains a one-vs-rest linear SVM on labelled embeddings (`rows[i]` of class `classOf[i]`) by dual
 * coordinate descent, plus the temperature of its confidence on out-of-sample decision values.
 *
 * Class weights apply to every photo in every problem. LIBLINEAR (and so sklearn's `LinearSVC`)
 * weighs both sides of a two-class problem but only the positives of its one-vs-rest problems: there
 * a pack of twenty crops pushes twenty times as hard as a one-photo identity against every other
 * identity's hyperplane, and on galleries mixing one and ten photos a person that cost 30 of 2,000
 * new faces (docs/classifier.md). Weighing the negatives too is LIBLINEAR's two-class rule applied
 * to each one-vs-rest problem; with two classes the two are the same.
 */
export function trainSvm(
  rows: readonly Float32Array[],
  classOf: Int32Array,
  labels: readonly string[],
  options: TrainSvmOptions = {},
): SvmModel {
  const classes = labels.length;
  const dim = rows[0]?.length ?? 0;
  if (classes < 2) throw new Error(`an SVM needs at least 2 classes, got ${classes}`);
  const { priorWeight = PRIOR_WEIGHT, previous: prev } = options;
  const settings = settingsOf(
    {
      C: options.C ?? DEFAULT_C,
      loss: options.loss ?? 'squared-hinge',
      classWeight: options.classWeight ?? 'balanced',
      anchor: options.anchor ?? ANCHOR,
      k: Math.min(options.k ?? 32, classes),
      full: classes <= (options.fullClasses ?? FULL_CLASSES),
    },
    classes,
  );
  if (typeof settings === 'string') throw new Error(settings);
  const { C, classWeight, anchor, k, full } = settings;
  const rng = new Rng(1);
  const solver = {
    loss: settings.loss,
    eps: options.eps ?? (full ? SMALL_GALLERY_EPS : 0.1),
    maxIter: options.maxIter ?? 1000,
    bias: 1,
    rng,
  };
  const members = membersOf(classOf, classes);
  const fingerprints = Uint32Array.from(members, (own) => fingerprint(rows, own));
  const offset = options.offset ?? shrunkMean(rows, null);
  const dirs = unitMeans(rows, members, dim, offset);
  const fits = prev && !full && !prev.full && sameSettings(prev, settings);
  const warm = fits ? warmStart(prev, labels, fingerprints, dim, k, dirs) : null;
  const candidates = warm?.candidates ?? nearestClasses(dirs, classes, dim, k);
  const { offsets, lists } = symmetric(candidates, classes, k);
  const weightOf = Float64Array.from(members, (own) =>
    classWeight === 'balanced' ? rows.length / classes / Math.max(1, own.length) : 1,
  );
  const weights = warm?.weights ?? new Float32Array(classes * dim);
  const bias = warm?.bias ?? new Float64Array(classes);
  const supportVectors = new Int32Array(classes);

  /**
   * Solves each class of `mask` (or all) against its rivals (or everyone) over the included rows,
   * anchored at λ times `at`'s unit directions (the included rows' own, so held-out folds see none
   * of their photos in it). Two classes are one problem, anchored halfway: λ(d₀ − d₁)/2.
   */
  const solveAll = (
    mask: Uint8Array | null,
    include: Uint8Array | null,
    outW: Float32Array,
    outB: Float64Array,
    at: Float32Array,
  ) => {
    let trained = 0;
    for (let c = 0; c < classes; c++) {
      if (mask && !mask[c]) continue;
      if (classes === 2 && c === 1) {
        // Two classes: one problem, as LIBLINEAR, mirrored.
        for (let j = 0; j < dim; j++) outW[dim + j] = -outW[j]!;
        outB[1] = -outB[0]!;
        supportVectors[1] = supportVectors[0]!;
        continue;
      }
      const own = full
        ? members
        : Array.from(lists.subarray(offsets[c]!, offsets[c + 1]!), (r) => members[r]!);
      const picked: number[] = [];
      for (const m of own) for (const i of m) if (!include || include[i]) picked.push(i);
      const idx = Int32Array.from(picked);
      const y = Int8Array.from(idx, (i) => (classOf[i] === c ? 1 : -1));
      const cost = Float64Array.from(idx, (i) => C * weightOf[classOf[i]!]!);
      const s = solveBinary({ x: rows, dim, rows: idx, y, cost, anchor: anchorOf(at, c) }, solver);
      outW.set(s.w, c * dim);
      outB[c] = s.b;
      supportVectors[c] = s.supportVectors;
      trained++;
    }
    return trained;
  };
  const anchorOf = (at: Float32Array, c: number): Float32Array | undefined => {
    if (anchor === 0) return undefined;
    const d = at.subarray(c * dim, (c + 1) * dim);
    if (classes === 2) return Float32Array.from(d, (v, j) => (anchor * (v - at[dim + j]!)) / 2);
    return Float32Array.from(d, (v) => anchor * v);
  };
  const finish = (block: Uint8Array | null, fit: ConfidenceFit, heldOut: number): SvmModel => {
    const trainedClasses = solveAll(block, null, weights, bias, dirs);
    let sv = 0;
    for (let c = 0; c < classes; c++) if (!block || block[c]) sv += supportVectors[c]!;
    const changedClasses = warm?.changes ?? classes;
    options.onStats?.({ warm: block !== null, trainedClasses, changedClasses, heldOut, supportVectors: sv });
    return {
      dim,
      labels: [...labels],
      ...settings,
      temperature: fit.temperature,
      none: fit.none,
      weights: roundFloat16(weights),
      bias: Float64Array.from(Float32Array.from(bias)),
      candidates,
      fingerprints,
      supportVectors,
    };
  };

  if (warm !== null && prev) {
    // Retrain the changed classes, the classes whose lists moved, and every class that lists them.
    const block = Uint8Array.from(warm.changed, (v, c) => v | warm.redo[c]!);
    for (let c = 0; c < classes; c++) {
      if (!warm.changed[c] && !warm.redo[c]) continue;
      for (let t = offsets[c]!; t < offsets[c + 1]!; t++) block[lists[t]!] = 1;
    }
    return finish(block, prev, 0);
  }

  // Out-of-sample decision values for the confidence, on folds split by photo and by person: in
  // fold f a third of the people are strangers (left out entirely), and the others' photos of
  // fold f are new photos of enrolled people. Each is scored over the classes it would be answered
  // among (every enrolled class, or its class's nearest candidates).
  const fold = stratifiedFolds(classOf, 3, rng);
  const folds = rows.length <= FULL_CV_ROWS ? 3 : 1;
  const personFold = Int32Array.from({ length: classes }, (_, c) => c % 3);
  rng.shuffle(personFold, classes);
  const withStrangers = classes >= MIN_CLASSES_FOR_STRANGERS;
  const width = Math.min(ANSWER_CANDIDATES, k);
  const sampled = new Uint8Array(classes).fill(folds === 3 ? 1 : 0);
  if (folds === 1) for (let t = 0; t < Math.min(SAMPLED_CLASSES, classes); t++) sampled[rng.int(classes)] = 1;
  const heldOut: HeldOut[] = [];
  const foldW = new Float32Array(classes * dim);
  const foldB = new Float64Array(classes);
  for (let f = 0; f < folds; f++) {
    const stranger = Uint8Array.from(personFold, (pf) => (withStrangers && pf === f ? 1 : 0));
    const include = Uint8Array.from(fold, (v, i) => (v === f || stranger[classOf[i]!] ? 0 : 1));
    const trainedOf = membersOf(classOf, classes, include);
    const enrolled = (c: number) => !stranger[c] && trainedOf[c]!.length > 0;
    const answerSet = (y: number): number[] => {
      const pool = full
        ? Array.from({ length: classes }, (_, c) => c)
        : Array.from(candidates.subarray(y * k, (y + 1) * k));
      const set = pool.filter((c) => c !== y && enrolled(c)).slice(0, full ? classes : width - 1);
      return stranger[y] ? set : [y, ...set];
    };
    const needed = new Uint8Array(classes);
    const probes: { i: number; set: number[] }[] = [];
    for (let i = 0; i < rows.length; i++) {
      const y = classOf[i]!;
      // A photo whose person has no other photo says nothing about how sure a known face is.
      if (!sampled[y] || (!stranger[y] && (include[i] || !enrolled(y)))) continue;
      const set = answerSet(y);
      if (set.length === 0) continue;
      probes.push({ i, set });
      for (const c of set) needed[c] = 1;
    }
    if (probes.length === 0) continue;
    solveAll(classes === 2 ? null : needed, include, foldW, foldB, unitMeans(rows, trainedOf, dim, offset));
    for (const { i, set } of probes) {
      const z = set.map((c) => decision(foldW, foldB, dim, c, rows[i]!));
      heldOut.push({ z, y: stranger[classOf[i]!] ? -1 : 0, weight: 1 });
    }
  }
  const nKnown = heldOut.filter((h) => h.y >= 0).length;
  const weight = strangerWeight(nKnown, heldOut.length - nKnown);
  for (const h of heldOut) if (h.y < 0) h.weight = weight;
  return finish(
    null,
    nKnown > 0 ? fitConfidence(heldOut, { fit: priorFit(classes), weight: priorWeight }) : priorFit(classes),
    heldOut.length,
  );
}

/** w_c · x + b_c. */
export function decision(
  weights: Float32Array,
  bias: Float64Array,
  dim: number,
  c: number,
  x: ArrayLike<number>,
): number {
  return dot(weights, x, dim, c * dim) + bias[c]!;
}

/**
 * The confidence of each class among `classes`: exp(z_c / T) over the same sum plus nobody's
 * exp(none / T), so a face far from every identity gets low confidences that need not sum to 1. A
 * non-finite decision value (a broken model or face) counts as no support at all; with none
 * finite, every class is equally likely.
 */
export function confidences(model: SvmModel, x: ArrayLike<number>, classes: ArrayLike<number>): Float64Array {
  const z = Float64Array.from(
    Array.from(classes),
    (c) => decision(model.weights, model.bias, model.dim, c, x) / model.temperature,
  );
  const none = model.none / model.temperature;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of z) if (Number.isFinite(v) && v > max) max = v;
  if (max === Number.NEGATIVE_INFINITY) return z.fill(1 / Math.max(1, z.length));
  if (none > max) max = none;
  let sum = Math.exp(none - max);
  for (let t = 0; t < z.length; t++) {
    z[t] = Number.isFinite(z[t]!) ? Math.exp(z[t]! - max) : 0;
    sum += z[t]!;
  }
  for (let t = 0; t < z.length; t++) z[t] = z[t]! / sum;
  return z;
}

/** Each class's mean less `offset`, as a unit vector (row-major float32): the direction candidates are found by. */
export function unitMeans(
  rows: readonly Float32Array[],
  members: Int32Array[],
  dim: number,
  offset: ArrayLike<number> = [],
): Float32Array {
  const out = new Float32Array(members.length * dim);
  for (const [c, own] of members.entries()) {
    const mean = shrunkMean(
      Array.from(own, (i) => rows[i]!),
      null,
    );
    out.set(centre(mean, offset), c * dim);
  }
  return out;
}

/** FNV-1a over the float32 bits of a class's photos, in order: a retrain finds what changed by it. */
export function fingerprint(rows: readonly Float32Array[], own: Int32Array): number {
  let h = 0x811c9dc5;
  for (const i of own) {
    const x = rows[i]!;
    const u = new Uint32Array(x.buffer, x.byteOffset, x.length);
    for (let j = 0; j < u.length; j++) h = Math.imul(h ^ u[j]!, 0x01000193) >>> 0;
  }
  return h;
}
