/** A fitted sigmoid: P(y = +1 | f) = 1 / (1 + exp(a * f + b)), as libsvm's probA/probB. */
export interface Sigmoid {
  a: number;
  b: number;
}

/** Outcome of `fitSigmoid`, with diagnostics. */
export interface SigmoidFit extends Sigmoid {
  iterations: number;
  /** False when Newton's method hit its iteration cap or its line search failed. */
  converged: boolean;
}

/** log(1 + exp(z)) without overflow. */
function softplus(z: number): number {
  return z >= 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/**
 * Platt scaling by the improved algorithm of Lin, Lin & Weng (2007), line for line as libsvm's
 * `sigmoid_train`: Newton's method with backtracking on the regularised targets
 * (N+ + 1) / (N+ + 2) and 1 / (N- + 2), computed in a form that cannot overflow.
 */
export function fitSigmoid(dec: ArrayLike<number>, positive: ArrayLike<boolean | number>): SigmoidFit {
  const l = dec.length;
  if (positive.length !== l) throw new Error(`got ${l} decision values but ${positive.length} labels`);
  let prior1 = 0;
  for (let i = 0; i < l; i++) if (positive[i]) prior1++;
  const prior0 = l - prior1;
  const maxIter = 100;
  const minStep = 1e-10;
  const sigma = 1e-12;
  const eps = 1e-5;
  const hiTarget = (prior1 + 1) / (prior1 + 2);
  const loTarget = 1 / (prior0 + 2);
  const t = new Float64Array(l);
  for (let i = 0; i < l; i++) t[i] = positive[i] ? hiTarget : loTarget;
  const objective = (a: number, b: number): number => {
    let f = 0;
    for (let i = 0; i < l; i++) {
      const z = dec[i]! * a + b;
      // t*z + log(1+exp(-z)) == (t-1)*z + log(1+exp(z)); pick the branch without overflow.
      f += z >= 0 ? t[i]! * z + softplus(-z) : (t[i]! - 1) * z + softplus(z);
    }
    return f;
  };
  let a = 0;
  let b = Math.log((prior0 + 1) / (prior1 + 1));
  let fval = objective(a, b);
  let iter = 0;
  let converged = false;
  for (; iter < maxIter; iter++) {
    let h11 = sigma;
    let h22 = sigma;
    let h21 = 0;
    let g1 = 0;
    let g2 = 0;
    for (let i = 0; i < l; i++) {
      const f = dec[i]!;
      const z = f * a + b;
      let p: number;
      let q: number;
      if (z >= 0) {
        const e = Math.exp(-z);
        p = e / (1 + e);
        q = 1 / (1 + e);
      } else {
        const e = Math.exp(z);
        p = 1 / (1 + e);
        q = e / (1 + e);
      }
      const d2 = p * q;
      h11 += f * f * d2;
      h22 += d2;
      h21 += f * d2;
      const d1 = t[i]! - p;
      g1 += f * d1;
      g2 += d1;
    }
    if (Math.abs(g1) < eps && Math.abs(g2) < eps) {
      converged = true;
      break;
    }
    const det = h11 * h22 - h21 * h21;
    const dA = -(h22 * g1 - h21 * g2) / det;
    const dB = -(-h21 * g1 + h11 * g2) / det;
    const gd = g1 * dA + g2 * dB;
    let step = 1;
    while (step >= minStep) {
      const newA = a + step * dA;
      const newB = b + step * dB;
      const newF = objective(newA, newB);
      if (newF < fval + 0.0001 * step * gd) {
        a = newA;
        b = newB;
        fval = newF;
        break;
      }
      step /= 2;
    }
    if (step < minStep) break;
  }
  return { a, b, iterations: iter, converged };
}
