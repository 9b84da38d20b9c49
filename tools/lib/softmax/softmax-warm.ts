import { warmStart as warmCarry } from '../../../src/classifier/warm.ts';
import type { SoftmaxModel } from './softmax-model.ts';
import type { SoftmaxParams } from './softmax-train.ts';

/** A previous model carried over to a changed gallery. */
export interface WarmStart {
  params: SoftmaxParams;
  candidates: Int32Array;
  fresh: Uint8Array;
  changed: Uint8Array;
  changes: number;
}

/** The shared warm start (src/classifier/warm.ts), refused when the softmax's C or offset moved. */
export function warmStart(
  previous: SoftmaxModel | null,
  labels: readonly string[],
  fingerprints: Uint32Array,
  dim: number,
  C: number,
  k: number,
  offset: Float64Array,
  dirs: Float32Array,
): WarmStart | null {
  if (previous === null || previous.C !== C || previous.offset.some((v, j) => v !== offset[j])) return null;
  const warm = warmCarry(previous, labels, fingerprints, dim, k, dirs);
  if (warm === null) return null;
  const { weights, bias, candidates, changed, changes } = warm;
  const known = new Set(previous.labels);
  const fresh = Uint8Array.from(labels, (label) => (known.has(label) ? 0 : 1));
  return { params: { weights, bias }, candidates, fresh, changed, changes };
}
