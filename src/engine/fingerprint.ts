import { createHash } from 'node:crypto';
import { DEFAULT_TUNING, type Tuning } from '../domain/tuning.ts';
import { MODELS_DIR, readManifest } from './model-files.ts';

/** What produced a set of embeddings: embeddings with different fingerprints are not comparable. */
export interface EngineFingerprint {
  /** sha256 hex over `models` and `tuning`, in a fixed order. */
  sha256: string;
  /** Model file name → its sha256 from models/manifest.json, sorted by name. */
  models: Record<string, string>;
  tuning: Tuning;
}

/** Options for `engineFingerprint`. */
export interface FingerprintOptions {
  /**
   * The manifest entries that shape embeddings (default: every entry). A caller that knows which models
   * its backend runs passes their names, so that adding an unused model (say an ONNX file for another
   * backend) does not invalidate every gallery pack made so far.
   */
  files?: readonly string[];
  /** The models folder (default models/). */
  dir?: string;
}

/**
 * The engine's fingerprint: the sha256 of the model files in use (as models/manifest.json lists them)
 * and of the tuning. Packs carry it, so that an import can tell whether its embeddings still fit.
 */
export function engineFingerprint(
  tuning: Tuning = DEFAULT_TUNING,
  options: FingerprintOptions = {},
): EngineFingerprint {
  const manifest = readManifest(options.dir ?? MODELS_DIR);
  const names = [...(options.files ?? Object.keys(manifest.files))].sort();
  const models: Record<string, string> = {};
  for (const name of names) {
    const entry = manifest.files[name];
    if (!entry) throw new Error(`engineFingerprint: ${name} is not listed in models/manifest.json`);
    models[name] = entry.sha256;
  }
  // Keys sorted, so that the same tuning written in another order hashes the same.
  const sortedTuning = Object.fromEntries(Object.entries(tuning).sort(([a], [b]) => keyOrder(a, b)));
  const sha256 = createHash('sha256')
    .update(JSON.stringify({ models, tuning: sortedTuning }))
    .digest('hex');
  return { sha256, models, tuning: { ...tuning } };
}

/**
 * The order `localeCompare` gives ASCII identifiers (letters by their lower case, a prefix first,
 * then lower case before upper case), which every fingerprint so far was hashed in. Written out
 * because the first `localeCompare` of a process sets up ICU's collator: about 9 ms of every start.
 */
export function keyOrder(a: string, b: string): number {
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  if (la !== lb) return la < lb ? -1 : 1;
  return a === b ? 0 : a > b ? -1 : 1;
}
