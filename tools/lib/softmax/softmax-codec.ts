import { int32s } from '../../../src/classifier/svm-codec.ts';
import { decodeFloat16, decodeFloat32, encodeFloat16, encodeFloat32 } from '../../../src/util/vectors.ts';

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

/** The stored form of a model. */
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

/** Restores `softmaxToJSON` output; throws when it is not one. */
export function softmaxFromJSON(value: unknown): SoftmaxModel {
  const m = value as Partial<SoftmaxJSON> | null;
  const fail = (why: string): never => {
    throw new Error(`not a valid softmax model: ${why}`);
  };
  if (typeof m !== 'object' || m === null) return fail('not an object');
  if (m.kind !== 'linear-softmax' || m.version !== 1) return fail(`unknown kind ${m.kind}/${m.version}`);
  const { dim, labels, k, C, temperature } = m;
  if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 1) return fail('bad dim');
  if (!Array.isArray(labels) || labels.length < 2 || !labels.every((l) => typeof l === 'string')) {
    return fail('labels must be at least 2 strings');
  }
  const n = labels.length;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > n) return fail('bad k');
  if (typeof C !== 'number' || !(C > 0)) return fail('bad C');
  if (typeof temperature !== 'number' || !(temperature > 0) || !Number.isFinite(temperature)) {
    return fail('bad temperature');
  }
  const strings = [m.offset, m.weights, m.bias, m.candidates, m.fingerprints];
  if (!strings.every((s) => typeof s === 'string')) return fail('missing arrays');
  try {
    const candidates = int32s(m.candidates!, n * k);
    if (candidates.some((c) => c < 0 || c >= n)) return fail('candidates out of range');
    return {
      dim,
      labels,
      k,
      C,
      temperature,
      offset: Float64Array.from(decodeFloat32(m.offset!, dim, 1)[0]!),
      weights: decodeFloat16(m.weights!, n * dim),
      bias: Float64Array.from(decodeFloat32(m.bias!, n, 1)[0]!),
      candidates,
      fingerprints: new Uint32Array(int32s(m.fingerprints!, n).buffer),
    };
  } catch (err) {
    return fail((err as Error).message);
  }
}
