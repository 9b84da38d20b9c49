import { encodeFloat16, encodeFloat32 } from '../../../src/util/vectors.ts';

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

/** The stored form: binary arrays as base64, weights as float16 (2 bytes per weight). */
export interface SoftmaxJSON {
  kind: 'linear-softmax';
  version: 1;
  dim: number;
  labels: string[];
  k: number;
  C: number;
  temperature: number;
  offset: string;
  weights: string;
  bias: string;
  candidates: string;
  fingerprints: string;
}

/** The stored form of a model: bench:gallery compares its size with the SVM's. */
export function softmaxToJSON(m: SoftmaxModel): SoftmaxJSON {
  return {
    kind: 'linear-softmax',
    version: 1,
    dim: m.dim,
    labels: m.labels,
    k: m.k,
    C: m.C,
    temperature: m.temperature,
    offset: encodeFloat32([m.offset]),
    weights: encodeFloat16(m.weights),
    bias: encodeFloat32([m.bias]),
    candidates: Buffer.from(m.candidates.buffer, m.candidates.byteOffset, m.candidates.byteLength).toString(
      'base64',
    ),
    fingerprints: Buffer.from(
      m.fingerprints.buffer,
      m.fingerprints.byteOffset,
      m.fingerprints.byteLength,
    ).toString('base64'),
  };
}
