/** A trained candidate softmax (see softmax-train.ts), in memory. */
export interface SoftmaxModel {
  dim: number;
  /** Class labels (identity slugs), in the gallery's order. */
  labels: string[];
  /** Candidates per class in training. */
  k: number;
  C: number;
  /** p = softmax(logits / temperature), fitted on held-out photos. */
  temperature: number;
  /** Subtracted from faces before the weights apply. */
  offset: Float64Array;
  weights: Float32Array;
  bias: Float64Array;
  /** `classes * k` training candidates, kept so that a retrain can start from them. */
  candidates: Int32Array;
  /** Per class, a checksum of its photos: a retrain retrains only the classes whose checksum moved. */
  fingerprints: Uint32Array;
}
