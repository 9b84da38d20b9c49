import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
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
  const expected = listedSha(dir, name, manifest);
  const file = path.join(dir, name);
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch {
    throw missing(file);
  }
  checkSha(file, sha256(data), expected);
  return data;
}

/**
 * The same check as readVerified without keeping the bytes: read through one small buffer and hashed as
 * it goes. Why: a 22 MB read into a fresh buffer costs more in page faults (and, counted as external
 * memory, in garbage collections) than the hashing itself (about 20 ms for 22 MB with SHA extensions);
 * WebCrypto's "async" digest was no help, its copy of the input alone took 110 ms on the main thread.
 */
export function verifyFile(dir: string, name: string, manifest: ModelManifest): void {
  const expected = listedSha(dir, name, manifest);
  const file = path.join(dir, name);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    throw missing(file);
  }
  const hash = createHash('sha256');
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    for (let read = readSync(fd, chunk); read > 0; read = readSync(fd, chunk))
      hash.update(chunk.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  checkSha(file, hash.digest('hex'), expected);
}

function listedSha(dir: string, name: string, manifest: ModelManifest): string {
  const entry = manifest.files[name];
  if (!entry)
    throw new ModelIntegrityError(`Model file ${name} is not listed in ${path.join(dir, 'manifest.json')}`);
  return entry.sha256;
}

function missing(file: string): ModelIntegrityError {
  return new ModelIntegrityError(
    `Model file ${file} is missing (run npm install, or restore models/ from git)`,
  );
}

function checkSha(file: string, actual: string, expected: string): void {
  if (actual !== expected) {
    throw new ModelIntegrityError(
      `Model file ${file} does not match models/manifest.json (sha256 ${actual.slice(0, 12)}…, expected ${expected.slice(0, 12)}…)`,
    );
  }
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
