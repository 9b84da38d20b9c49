import { decodeFloat16, decodeFloat32, encodeFloat16, encodeFloat32 } from '../util/vectors.ts';
import { type SvmModel, type SvmSettings, settingsOf } from './svm.ts';

/** The stored form of an `SvmModel`: weights as float16 (2 bytes each), other arrays as base64. */
export interface SvmJSON extends SvmSettings {
  kind: 'linear-svm';
  /**
   * 3: the anchor. Older models retrain on load (2 had no anchor, 1 weighed class weights on the
   * positives only).
   */
  version: 3;
  dim: number;
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
  const { labels: _, none, weights, bias, candidates, fingerprints, supportVectors, ...plain } = m;
  const json: SvmJSON = {
    kind: 'linear-svm',
    version: 3,
    ...plain,
    none: Number.isFinite(none) ? none : null,
    weights: encodeFloat16(weights),
    bias: encodeFloat32([bias]),
    candidates: bytes(candidates),
    fingerprints: bytes(fingerprints),
    supportVectors: bytes(supportVectors),
  };
  last = { json, model: m };
  return json;
}

/**
 * Restores `svmToJSON` output for the identities `labels` (the matcher stores them once, beside
 * it) and, when given, embeddings of `dim` values; throws when it is not one, or holds non-finite
 * numbers.
 */
export function svmFromJSON(value: unknown, labels: string[], dim?: number): SvmModel {
  const m = value as Partial<SvmJSON> | null;
  const fail = (why: string): never => {
    throw new Error(`not a valid SVM model: ${why}`);
  };
  if (typeof m !== 'object' || m === null) return fail('not an object');
  if (m.kind !== 'linear-svm' || m.version !== 3) return fail(`unknown kind ${m.kind}/${m.version}`);
  const n = labels.length;
  if (n < 2) return fail('a classifier needs at least 2 identities');
  const settings = settingsOf(m, n);
  if (typeof settings === 'string') return fail(settings);
  const checks: [boolean, string][] = [
    [Number.isInteger(m.dim) && Number(m.dim) >= 1 && (dim === undefined || m.dim === dim), 'bad dim'],
    [
      typeof m.temperature === 'number' && m.temperature > 0 && Number.isFinite(m.temperature),
      'bad temperature',
    ],
    [m.none === null || (typeof m.none === 'number' && m.none < Number.POSITIVE_INFINITY), 'bad none'],
    [
      [m.weights, m.bias, m.candidates, m.fingerprints, m.supportVectors].every((s) => typeof s === 'string'),
      'missing arrays',
    ],
  ];
  for (const [ok, why] of checks) if (!ok) return fail(why);
  const j = m as SvmJSON;
  const known = knownModel(j, labels);
  if (known) return known;
  try {
    const candidates = int32s(j.candidates, n * j.k);
    if (candidates.some((c) => c < 0 || c >= n)) return fail('candidates out of range');
    const weights = decodeFloat16(j.weights, n * j.dim);
    const bias = Float64Array.from(decodeFloat32(j.bias, n, 1)[0]!);
    if (!weights.every(Number.isFinite) || !bias.every(Number.isFinite)) return fail('non-finite weights');
    const model: SvmModel = {
      dim: j.dim,
      labels,
      ...settings,
      temperature: j.temperature,
      none: j.none ?? Number.NEGATIVE_INFINITY,
      weights,
      bias,
      candidates,
      fingerprints: new Uint32Array(int32s(j.fingerprints, n).buffer),
      supportVectors: int32s(j.supportVectors, n),
    };
    last = { json: j, model };
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
