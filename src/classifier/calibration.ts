/**
 * The temperature T minimising the held-out negative log-likelihood of softmax(z / T) (Guo et
 * al. 2017). The NLL is convex in 1/T, so a bisection on the sign of its derivative finds it.
 * `logits` holds `k` values per sample with the true class first.
 */
export function fitTemperature(logits: Float64Array, k: number): number {
  const m = logits.length / k;
  if (m === 0) return 1;
  // d NLL / d beta = sum_i (E_p[z] - z_y): increasing in beta.
  const slope = (beta: number): number => {
    let g = 0;
    for (let i = 0; i < m; i++) {
      const base = i * k;
      let max = Number.NEGATIVE_INFINITY;
      for (let t = 0; t < k; t++) max = Math.max(max, logits[base + t]!);
      let sum = 0;
      let ez = 0;
      for (let t = 0; t < k; t++) {
        const e = Math.exp(beta * (logits[base + t]! - max));
        sum += e;
        ez += e * logits[base + t]!;
      }
      g += ez / sum - logits[base]!;
    }
    return g;
  };
  let lo = Math.log(1e-3);
  let hi = Math.log(1e3);
  if (slope(Math.exp(hi)) < 0) return Math.exp(-hi);
  if (slope(Math.exp(lo)) > 0) return Math.exp(-lo);
  for (let it = 0; it < 50; it++) {
    const mid = (lo + hi) / 2;
    if (slope(Math.exp(mid)) > 0) hi = mid;
    else lo = mid;
  }
  return Math.exp(-(lo + hi) / 2);
}
