import type { Rng } from '../util/rng.ts';

/** One held-out face's decision values over the classes it was answered among, and its truth. */
export interface HeldOut {
  z: ArrayLike<number>;
  /** Index into `z` of its class, or -1 for a stranger (a person left out of that fold's gallery). */
  y: number;
  weight: number;
}

/** The fitted map from decision values to confidences: p_c ∝ exp(z_c / T), beside exp(none / T) for nobody. */
export interface ConfidenceFit {
  temperature: number;
  /** Decision value of "none of them"; -Infinity when no stranger was held out. */
  none: number;
}

/**
 * Weight of strangers among the held-out faces the confidence is fitted on. More makes strangers'
 * confidences lower and enrolled people's less sure (see docs/classifier.md for the trade-off):
 * with the anchor and C = 0.1 the 10 % chosen before cost the enrolled ECE 0.040; 3 % gave 0.024.
 */
const STRANGER_SHARE = 0.03;

/** Each stranger's weight, so that strangers weigh STRANGER_SHARE of the held-out faces whatever their count. */
export function strangerWeight(known: number, strangers: number): number {
  return (STRANGER_SHARE / (1 - STRANGER_SHARE)) * (known / Math.max(1, strangers));
}

/**
 * T and "none" measured once, with the SVM's defaults (svm.ts: C, the anchor) and STRANGER_SHARE,
 * on one-photo galleries of the celebrities (others as strangers): `npm run eval:confidence`. T
 * barely moves with the gallery, but "none" falls with its size (a stranger's best of more rivals
 * is higher), as −0.775 + 2.118 / classes. It is the whole fit where no enrolled person has a
 * second photo to hold out (fitted on strangers alone every confidence fell below 0.1: ECE 0.88
 * with one crop each), and the prior of every other fit.
 */
export const priorFit = (classes: number): ConfidenceFit => ({
  temperature: 0.0218,
  none: -0.775 + 2.118 / classes,
});
/**
 * Weight of `priorFit` against the gallery's own held-out faces (a penalty ½w|θ − θ₀|² on their
 * log-likelihood, `fitConfidence`). A gallery's held-out faces are few, and those of its one-photo
 * identities missing: fitted on them alone the ECE was 0.12 with two crops each, 0.32 with 8 of 20 people
 * enrolled from three photos and the rest from one, 0.22 on the bbt people with two portraits;
 * with the prior at weight 1, 0.063, 0.096 and 0.043, and 0.018 on ten crops each (0.024 alone).
 * More weight calibrates known faces further but raises strangers' confidences (docs/classifier.md).
 */
export const PRIOR_WEIGHT = 1;

/**
 * Fits the temperature T and the "none of them" level by weighted maximum likelihood on held-out
 * faces (Guo et al. 2017's temperature scaling, plus one extra logit for nobody): enrolled people's
 * new photos teach how sure a margin is, strangers how low a best margin may be before nobody
 * enrolled is likelier. With logits θ·φ, φ = (z_c, 0) for class c and (0, 1) for nobody, the
 * negative log-likelihood is convex in θ = (1/T, none/T), so damped Newton steps find it.
 */
export function fitConfidence(
  samples: readonly HeldOut[],
  prior?: { fit: ConfidenceFit; weight: number },
): ConfidenceFit {
  const strangers = samples.some((s) => s.y < 0);
  // The prior as a penalty ½w((β − β₀)² + (γ − γ₀)²) on the NLL: a maximum a posteriori fit.
  const w0 = prior?.weight ?? 0;
  const b0 = prior ? 1 / prior.fit.temperature : 0;
  const g0 = prior ? prior.fit.none / prior.fit.temperature : 0;
  // The NLL at (beta, gamma) = (1/T, none/T), its gradient (sums of E_p[φ] - φ_y) and Hessian (of Cov_p[φ]).
  const at = (beta: number, gamma: number) => {
    const r = { nll: 0, gb: 0, gg: 0, hbb: 0, hbg: 0, hgg: 0 };
    for (const { z, y, weight: w } of samples) {
      let max = gamma;
      for (let t = 0; t < z.length; t++) max = Math.max(max, beta * z[t]!);
      const pn = Math.exp(gamma - max);
      let sum = pn;
      let ez = 0;
      let ez2 = 0;
      for (let t = 0; t < z.length; t++) {
        const e = Math.exp(beta * z[t]! - max);
        sum += e;
        ez += e * z[t]!;
        ez2 += e * z[t]! * z[t]!;
      }
      const mz = ez / sum;
      const mn = pn / sum;
      r.nll += w * (max + Math.log(sum) - (y < 0 ? gamma : beta * z[y]!));
      r.gb += w * (mz - (y < 0 ? 0 : z[y]!));
      r.gg += w * (mn - (y < 0 ? 1 : 0));
      r.hbb += w * (ez2 / sum - mz * mz);
      r.hbg += w * -mz * mn;
      r.hgg += w * mn * (1 - mn);
    }
    if (w0 > 0) {
      r.nll += (w0 / 2) * ((beta - b0) ** 2 + (strangers ? (gamma - g0) ** 2 : 0));
      r.gb += w0 * (beta - b0);
      r.hbb += w0;
      if (strangers) {
        r.gg += w0 * (gamma - g0);
        r.hgg += w0;
      }
    }
    return r;
  };
  if (samples.length === 0) return { temperature: 1, none: Number.NEGATIVE_INFINITY };
  let beta = prior ? b0 : 1;
  let gamma = strangers ? (prior ? g0 : 0) : Number.NEGATIVE_INFINITY;
  let current = at(beta, gamma);
  for (let iter = 0; iter < 100; iter++) {
    // Without strangers gamma stays at -Infinity: a unit hgg makes the step Newton's in beta alone.
    const { gb, gg, hbb, hbg } = current;
    const hgg = strangers ? current.hgg : 1;
    const det = hbb * hgg - hbg * hbg;
    if (!(det > 1e-12)) break;
    const db = (hgg * gb - hbg * gg) / det;
    const dg = strangers ? (hbb * gg - hbg * gb) / det : 0;
    let step = 1;
    let next = current;
    for (; step > 1e-6; step /= 2) {
      next = at(beta - step * db, gamma - step * dg);
      if (next.nll <= current.nll) break;
    }
    if (!(next.nll <= current.nll)) break;
    beta -= step * db;
    gamma -= step * dg;
    const done = current.nll - next.nll < 1e-9 * Math.max(1, Math.abs(current.nll));
    current = next;
    if (done) break;
  }
  // A non-positive slope would rank classes backwards: fall back to the plain softmax of margins.
  if (!(beta > 0) || !Number.isFinite(beta)) return { temperature: 1, none: Number.NEGATIVE_INFINITY };
  return { temperature: 1 / beta, none: strangers ? gamma / beta : Number.NEGATIVE_INFINITY };
}

/**
 * Assigns each sample to one of `folds` folds, stratified by class: each class's samples are shuffled
 * and dealt round-robin, continuing where the previous class stopped so that fold sizes stay even.
 * libsvm shuffles without stratifying; stratifying keeps every class with >= 2 samples present in
 * every training split, which matters for one-vs-rest where the positive class is tiny.
 */
export function stratifiedFolds(classOf: ArrayLike<number>, folds: number, rng: Rng): Int32Array {
  const n = classOf.length;
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    if (!byClass.has(classOf[i]!)) byClass.set(classOf[i]!, []);
    byClass.get(classOf[i]!)!.push(i);
  }
  const fold = new Int32Array(n);
  let next = rng.int(folds);
  for (const c of [...byClass.keys()].sort((p, q) => p - q)) {
    const members = byClass.get(c)!;
    rng.shuffle(members, members.length);
    for (const i of members) {
      fold[i] = next;
      next = (next + 1) % folds;
    }
  }
  return fold;
}
