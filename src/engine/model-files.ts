import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The models/ folder at the repository root: two folders above src/engine, three above the compiled dist/src/engine. */
export const MODELS_DIR = fileURLToPath(
  new URL(`${import.meta.url.includes('/dist/src/') ? '../' : ''}../../models/`, import.meta.url),
);

/** One file listed in models/manifest.json. */
export interface ManifestFile {
  sha256: string;
  bytes: number;
}

/** models/manifest.json: where the model files came from and their checksums. */
export interface ModelManifest {
  source: { package: string; version: string };
  notes?: string[];
  files: Record<string, ManifestFile>;
}

/** Raised when a model file is missing or differs from the manifest. */
export class ModelIntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelIntegrityError';
  }
}

/** Hex sha256 of some bytes. */
export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Reads and parses the manifest of a models folder. */
export function readManifest(dir: string = MODELS_DIR): ModelManifest {
  const file = path.join(dir, 'manifest.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ModelManifest;
  } catch (err) {
    throw new ModelIntegrityError(
      `Model manifest ${file} is missing or unreadable: ${(err as Error).message}`,
    );
  }
}

/**
 * Reads one model file and checks it against the manifest, so that a truncated
 * download or a hand-edited model is caught at load rather than as bad answers.
 */
export function readVerified(dir: string, name: string, manifest: ModelManifest): Buffer {
  const entry = manifest.files[name];
  if (!entry)
    throw new ModelIntegrityError(`Model file ${name} is not listed in ${path.join(dir, 'manifest.json')}`);
  const file = path.join(dir, name);
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch {
    throw new ModelIntegrityError(
      `Model file ${file} is missing (run npm install, or restore models/ from git)`,
    );
  }
  const actual = sha256(data);
  if (actual !== entry.sha256) {
    throw new ModelIntegrityError(
      `Model file ${file} does not match models/manifest.json (sha256 ${actual.slice(0, 12)}…, expected ${entry.sha256.slice(0, 12)}…)`,
    );
  }
  return data;
}

/** Shapes used from a tfjs graph-model JSON file. */
export interface GraphModelJson {
  modelTopology: unknown;
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
  [key: string]: unknown;
}

/** Reads a graph model's JSON and its concatenated weights, optionally verifying each file. */
export function readGraphModel(
  dir: string,
  jsonName: string,
  manifest?: ModelManifest,
): { json: GraphModelJson; weights: ArrayBuffer } {
  const read = (name: string) =>
    manifest ? readVerified(dir, name, manifest) : readFileSync(path.join(dir, name));
  const json = JSON.parse(read(jsonName).toString('utf8')) as GraphModelJson;
  const parts = json.weightsManifest.flatMap((group) => group.paths.map((p) => read(p)));
  const all = Buffer.concat(parts);
  return { json, weights: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer };
}
