import { topK } from '../util/top-k.ts';
import { dot } from '../util/vectors.ts';
import { SHORTLIST } from './shortlist.ts';

/** What a warm start needs of a previous model (the evaluation's softmax passes its own). */
export interface WarmModel {
  dim: number;
  labels: string[];
  k: number;
  weights: Float32Array;
  bias: Float64Array;
  candidates: Int32Array;
  fingerprints: Uint32Array;
}

/** A retrain starts from the previous model while at most this share of classes changed. */
export const WARM_SHARE = 0.05;

/** A previous model carried over to a changed gallery. */
export interface WarmStart {
  weights: Float32Array;
  bias: Float64Array;
  candidates: Int32Array;
  /** Classes whose photos changed, new ones included. */
  changed: Uint8Array;
  /** Classes whose candidate list was recomputed (it named a removed class, or the class changed). */
  redo: Uint8Array;
  /** How many classes changed, removed ones included. */
  changes: number;
}

/**
 * The previous model's weights and candidates carried over to the new labels, with the classes to
 * retrain: those whose photos changed, their candidates, and the classes that list them. Null when
 * the previous model does not fit (another size) or too much changed for a warm start; the caller
 * checks its own settings. `dirs` holds each class's unit mean direction.
 */
export function warmStart(
  previous: WarmModel | null,
  labels: readonly string[],
  fingerprints: Uint32Array,
  dim: number,
  k: number,
  dirs: Float32Array,
): WarmStart | null {
  if (previous === null || previous.dim !== dim || previous.k !== k) return null;
  const classes = labels.length;
  const before = new Map(previous.labels.map((label, c) => [label, c]));
  const changed = new Uint8Array(classes);
  const oldToNew = new Int32Array(previous.labels.length).fill(-1);
  let changes = previous.labels.length - labels.filter((l) => before.has(l)).length;
  const weights = new Float32Array(classes * dim);
  const bias = new Float64Array(classes);
  labels.forEach((label, c) => {
    const old = before.get(label);
    if (old === undefined) {
      changed[c] = 1;
      changes++;
      return;
    }
    oldToNew[old] = c;
    weights.set(previous.weights.subarray(old * dim, (old + 1) * dim), c * dim);
    bias[c] = previous.bias[old]!;
    if (previous.fingerprints[old] !== fingerprints[c]) {
      changed[c] = 1;
      changes++;
    }
  });
  if (changes > Math.max(1, WARM_SHARE * classes)) return null;
  // Carry the candidate lists over; a list that named a removed class, and every changed class's
  // own list, is recomputed exactly; a changed class joins the lists it now ranks in.
  const candidates = new Int32Array(classes * k);
  const redo = Uint8Array.from(changed);
  for (const [label, old] of before) {
    const c = oldToNew[old]!;
    if (c < 0 || label !== labels[c]) continue;
    for (let t = 0; t < k; t++) {
      const mapped = oldToNew[previous.candidates[old * k + t]!]!;
      if (mapped < 0) redo[c] = 1;
      candidates[c * k + t] = mapped;
    }
  }
  const score = new Float64Array(classes);
  const cos = (a: number, b: number): number => dot(dirs, dirs, dim, a * dim, b * dim);
  for (let c = 0; c < classes; c++) {
    if (!redo[c]) continue;
    for (let j = 0; j < classes; j++) score[j] = cos(c, j);
    candidates[c * k] = c;
    candidates.set(topK(score, classes, k - 1, c), c * k + 1);
  }
  // Each list's least similar member, found once per list and only for lists a change may enter.
  const weakest = new Map<number, { t: number; sim: number }>();
  const weakestOf = (j: number): { t: number; sim: number } => {
    let found = weakest.get(j);
    if (found === undefined) {
      found = { t: 1, sim: Number.POSITIVE_INFINITY };
      for (let t = 1; t < k; t++) {
        const sim = cos(j, candidates[j * k + t]!);
        if (sim < found.sim) found = { t, sim };
      }
      weakest.set(j, found);
    }
    return found;
  };
  for (let c = 0; c < classes; c++) {
    if (!changed[c] || k < 2) continue;
    // Only the classes nearest c can rank it among their k: the SHORTLIST nearest are checked.
    for (let j = 0; j < classes; j++) score[j] = j === c || redo[j] ? Number.NEGATIVE_INFINITY : cos(j, c);
    for (const j of topK(score, classes, SHORTLIST)) {
      const list = candidates.subarray(j * k, (j + 1) * k);
      if (list.includes(c) || !(score[j]! > weakestOf(j).sim)) continue;
      list[weakestOf(j).t] = c;
      weakest.delete(j);
    }
  }
  return { weights, bias, candidates, changed, redo, changes };
}
