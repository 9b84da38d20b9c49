import { decodeFloat16, decodeFloat32, encodeFloat16, encodeFloat32 } from '../util/vectors.ts';
import type { SvmModel } from './svm.ts';

/** The stored form of an `SvmModel`: weights as float16 (2 bytes each), other arrays as base64. */
export interface SvmJSON {
  kind: 'linear-svm';
  version: 1;
  dim: number;
  C: number;
  loss: SvmModel['loss'];
  classWeight: SvmModel['classWeight'];
  k: number;
  full: boolean;
  temperature: number;
  /** Null for -Infinity (no strangers were held out). */
  none: number | null;
  weights: string;
  bias: string;
  candidates: string;
  fingerprints: string;
  supportVectors: string;
}

const bytes = (a: Int32Array | Uint32Array): string =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

/**
 * The model last encoded or decoded, beside its stored form: a retrain from that stored form (the
 * gallery's latest model) skips decoding 11.5 M float16 weights at 10,000 identities.
 */
let last: { json: SvmJSON; model: SvmModel } | null = null;

/** The model of a stored form when it is the one last encoded or decoded here, else null. */
export function knownModel(value: SvmJSON, labels: readonly string[]): SvmModel | null {
  if (last === null) return null;
  const { json, model } = last;
  const same = (Object.keys(json) as (keyof SvmJSON)[]).every((key) => json[key] === value[key]);
  return same && model.labels.length === labels.length && model.labels.every((l, c) => l === labels[c])
    ? model
    : null;
}

/** The stored form of a model. */
export function svmToJSON(m: SvmModel): SvmJSON {
  const json: SvmJSON = {
    kind: 'linear-svm',
    version: 1,
    dim: m.dim,
    C: m.C,
    loss: m.loss,
    classWeight: m.classWeight,
    k: m.k,
    full: m.full,
    temperature: m.temperature,
    none: Number.isFinite(m.none) ? m.none : null,
    weights: encodeFloat16(m.weights),
    bias: encodeFloat32([m.bias]),
    candidates: bytes(m.candidates),
    fingerprints: bytes(m.fingerprints),
    supportVectors: bytes(m.supportVectors),
  };
  last = { json, model: m };
  return json;
}

/**
 * Restores `svmToJSON` output for the identities `labels` (the matcher stores them once, beside
 * it); throws when it is not one, or holds non-finite numbers.
 */
export function svmFromJSON(value: unknown, labels: string[]): SvmModel {
  const m = value as Partial<SvmJSON> | null;
  const fail = (why: string): never => {
    throw new Error(`not a valid SVM model: ${why}`);
  };
  if (typeof m !== 'object' || m === null) return fail('not an object');
  if (m.kind !== 'linear-svm' || m.version !== 1) return fail(`unknown kind ${m.kind}/${m.version}`);
  const known = knownModel(m as SvmJSON, labels);
  if (known) return known;
  const { dim, k, C, temperature, loss, classWeight, full } = m;
  if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 1) return fail('bad dim');
  if (labels.length < 2) return fail('a classifier needs at least 2 identities');
  const n = labels.length;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > n) return fail('bad k');
  if (typeof C !== 'number' || !(C > 0) || !Number.isFinite(C)) return fail('bad C');
  if (typeof temperature !== 'number' || !(temperature > 0) || !Number.isFinite(temperature))
    return fail('bad temperature');
  const none = m.none === null ? Number.NEGATIVE_INFINITY : m.none;
  if (typeof none !== 'number' || Number.isNaN(none) || none === Number.POSITIVE_INFINITY)
    return fail('bad none');
  if (loss !== 'hinge' && loss !== 'squared-hinge') return fail('bad loss');
  if (classWeight !== 'balanced' && classWeight !== 'none') return fail('bad classWeight');
  if (typeof full !== 'boolean') return fail('bad full');
  const strings = [m.weights, m.bias, m.candidates, m.fingerprints, m.supportVectors];
  if (!strings.every((s) => typeof s === 'string')) return fail('missing arrays');
  try {
    const candidates = int32s(m.candidates!, n * k);
    if (candidates.some((c) => c < 0 || c >= n)) return fail('candidates out of range');
    const weights = decodeFloat16(m.weights!, n * dim);
    const bias = Float64Array.from(decodeFloat32(m.bias!, n, 1)[0]!);
    if (!weights.every(Number.isFinite) || !bias.every(Number.isFinite)) return fail('non-finite weights');
    const model: SvmModel = {
      dim,
      labels,
      C,
      loss,
      classWeight,
      k,
      full,
      temperature,
      none,
      weights,
      bias,
      candidates,
      fingerprints: new Uint32Array(int32s(m.fingerprints!, n).buffer),
      supportVectors: int32s(m.supportVectors!, n),
    };
    last = { json: m as SvmJSON, model };
    return model;
  } catch (err) {
    return fail((err as Error).message);
  }
}

/** Decodes `length` little-endian int32s (as every platform Node runs on) from base64; checks the size. */
function int32s(base64: string, length: number): Int32Array {
  const raw = Buffer.from(base64, 'base64');
  if (raw.length !== length * 4) throw new Error(`expected ${length} int32s, got ${raw.length} bytes`);
  return new Int32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
}
