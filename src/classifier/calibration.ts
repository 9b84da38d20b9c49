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
 * Fits the temperature T and the "none of them" level by weighted maximum likelihood on held-out
 * faces (Guo et al. 2017's temperature scaling, plus one extra logit for nobody): enrolled people's
 * new photos teach how sure a margin is, strangers how low a best margin may be before nobody
 * enrolled is likelier. With logits θ·φ, φ = (z_c, 0) for class c and (0, 1) for nobody, the
 * negative log-likelihood is convex in θ = (1/T, none/T), so damped Newton steps find it.
 */
export function fitConfidence(samples: readonly HeldOut[]): ConfidenceFit {
  const strangers = samples.some((s) => s.y < 0);
  let beta = 1;
  let gamma = strangers ? 0 : Number.NEGATIVE_INFINITY;
  const nll = (b: number, g: number): number => {
    let total = 0;
    for (const s of samples) {
      let max = g;
      for (let t = 0; t < s.z.length; t++) max = Math.max(max, b * s.z[t]!);
      let sum = Math.exp(g - max);
      for (let t = 0; t < s.z.length; t++) sum += Math.exp(b * s.z[t]! - max);
      total += s.weight * (max + Math.log(sum) - (s.y < 0 ? g : b * s.z[s.y]!));
    }
    return total;
  };
  if (samples.length === 0) return { temperature: 1, none: Number.NEGATIVE_INFINITY };
  let current = nll(beta, gamma);
  for (let iter = 0; iter < 100; iter++) {
    // Gradient and Hessian of the NLL in (beta, gamma): sums of E_p[φ] - φ_y and Cov_p[φ].
    let gb = 0;
    let gg = 0;
    let hbb = 0;
    let hbg = 0;
    let hgg = 0;
    for (const s of samples) {
      let max = gamma;
      for (let t = 0; t < s.z.length; t++) max = Math.max(max, beta * s.z[t]!);
      const pn = Math.exp(gamma - max);
      let sum = pn;
      let ez = 0;
      let ez2 = 0;
      for (let t = 0; t < s.z.length; t++) {
        const e = Math.exp(beta * s.z[t]! - max);
        sum += e;
        ez += e * s.z[t]!;
        ez2 += e * s.z[t]! * s.z[t]!;
      }
      const mz = ez / sum;
      const mn = pn / sum;
      gb += s.weight * (mz - (s.y < 0 ? 0 : s.z[s.y]!));
      gg += s.weight * (mn - (s.y < 0 ? 1 : 0));
      hbb += s.weight * (ez2 / sum - mz * mz);
      hbg += s.weight * -mz * mn;
      hgg += s.weight * mn * (1 - mn);
    }
    let db: number;
    let dg = 0;
    if (strangers) {
      const det = hbb * hgg - hbg * hbg;
      if (!(det > 1e-12)) break;
      db = (hgg * gb - hbg * gg) / det;
      dg = (hbb * gg - hbg * gb) / det;
    } else {
      if (!(hbb > 1e-12)) break;
      db = gb / hbb;
    }
    let step = 1;
    let next = Number.POSITIVE_INFINITY;
    while (step > 1e-6) {
      next = nll(beta - step * db, strangers ? gamma - step * dg : gamma);
      if (next <= current) break;
      step /= 2;
    }
    if (!(next <= current)) break;
    beta -= step * db;
    if (strangers) gamma -= step * dg;
    const done = current - next < 1e-9 * Math.max(1, Math.abs(current));
    current = next;
    if (done) break;
  }
  // A non-positive slope would rank classes backwards: fall back to the plain softmax of margins.
  if (!(beta > 0) || !Number.isFinite(beta)) return { temperature: 1, none: Number.NEGATIVE_INFINITY };
  return { temperature: 1 / beta, none: strangers ? gamma / beta : Number.NEGATIVE_INFINITY };
}
