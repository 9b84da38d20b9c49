import { ConfigError } from '../errors.ts';

/**
 * Stored records. Every record carries `schema`; readers go through the migrate functions below, so
 * records written by older versions stay readable. Bump CURRENT_SCHEMA and add a step when a shape changes.
 */
export const CURRENT_SCHEMA = 1;

/**
 * One enrolled photo inside an index document (the heavy parts live in the photo blob). The same fields as
 * `PhotoInfo` today, but a stored shape: it changes only with CURRENT_SCHEMA and a migration, the API's freely.
 */
export interface PhotoEntry {
  hash: string;
  addedBy: string;
  addedAt: string;
  source?: string;
}

/** One identity inside an index document. */
export interface IdentityEntry {
  slug: string;
  name: string;
  createdAt: string;
  photos: PhotoEntry[];
}

/** The per-scope index: the commit point of every gallery change (namespace 'gallery', key = scope). */
export interface GalleryIndex {
  schema: typeof CURRENT_SCHEMA;
  scope: string;
  /** Bumped by every committed change; 0 only for a scope that was never written. */
  version: number;
  updatedAt: string;
  identities: IdentityEntry[];
}

/** The content of one photo (namespace 'photos', key `<scope>/<hash>`). */
export interface PhotoBlob {
  schema: typeof CURRENT_SCHEMA;
  hash: string;
  embedding: Float32Array;
  thumbnail: Uint8Array;
  /** 68 face landmarks in the thumbnail's pixels (optional: older blobs have none, and are not explained). */
  landmarks?: Float32Array;
  /** Kept here too so that /forget can find blobs that no index references any more. */
  addedBy: string;
  /** When it was written; orphans younger than the GC grace period may belong to a running enrolment. */
  storedAt: string;
  /** The descriptors behind `embedding` (absent in photos stored before they were kept). */
  descriptors?: Partial<Record<'faceres' | 'dlib', Float32Array>>;
  /** sha256 of the fingerprint of the engine that made `embedding` (absent: unknown, an older engine). */
  engine?: string;
}

/** A cached trained model (namespace 'models', key = scope). */
export interface ModelRecord {
  schema: typeof CURRENT_SCHEMA;
  scope: string;
  /** The gallery version the model was trained on. */
  version: number;
  savedAt: string;
  model: unknown;
}

type Raw = Record<string, unknown>;

function corrupt(what: string, detail: string): Error {
  return new Error(`Unreadable ${what} in the store: ${detail}`);
}

function asRecord(value: unknown, what: string): Raw {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw corrupt(what, 'not an object');
  return value as Raw;
}

function str(raw: Raw, field: string, what: string): string {
  const value = raw[field];
  if (typeof value !== 'string') throw corrupt(what, `"${field}" is not a string`);
  return value;
}

function num(raw: Raw, field: string, what: string): number {
  const value = raw[field];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw corrupt(what, `"${field}" is not a number`);
  return value;
}

function arr(raw: Raw, field: string, what: string): unknown[] {
  const value = raw[field];
  if (!Array.isArray(value)) throw corrupt(what, `"${field}" is not a list`);
  return value;
}

// Reads `schema`, refusing data from a newer program rather than misreading it.
function schemaOf(raw: Raw, what: string): number {
  const schema = raw.schema;
  if (typeof schema !== 'number' || !Number.isInteger(schema) || schema < 1) {
    throw corrupt(what, 'missing schema version');
  }
  if (schema > CURRENT_SCHEMA) {
    throw new ConfigError(
      `The store holds a ${what} of schema ${schema}, written by a newer Lookalike; please upgrade.`,
    );
  }
  return schema;
}

function photoEntry(value: unknown): PhotoEntry {
  const raw = asRecord(value, 'gallery photo');
  const entry: PhotoEntry = {
    hash: str(raw, 'hash', 'gallery photo'),
    addedBy: str(raw, 'addedBy', 'gallery photo'),
    addedAt: str(raw, 'addedAt', 'gallery photo'),
  };
  if (typeof raw.source === 'string') entry.source = raw.source;
  return entry;
}

function identityEntry(value: unknown): IdentityEntry {
  const raw = asRecord(value, 'gallery identity');
  return {
    slug: str(raw, 'slug', 'gallery identity'),
    name: str(raw, 'name', 'gallery identity'),
    createdAt: str(raw, 'createdAt', 'gallery identity'),
    photos: arr(raw, 'photos', 'gallery identity').map(photoEntry),
  };
}

/** Reads a stored index document of any known schema as the current shape. */
export function migrateIndex(value: unknown): GalleryIndex {
  const raw = asRecord(value, 'gallery index');
  schemaOf(raw, 'gallery index');
  // Schema 1 is the current shape; later schemas add their upgrade steps here.
  return {
    schema: CURRENT_SCHEMA,
    scope: str(raw, 'scope', 'gallery index'),
    version: num(raw, 'version', 'gallery index'),
    updatedAt: str(raw, 'updatedAt', 'gallery index'),
    identities: arr(raw, 'identities', 'gallery index').map(identityEntry),
  };
}

function floats(value: unknown, field = 'embedding'): Float32Array {
  if (value instanceof Float32Array) return value;
  // Tolerates embeddings written as plain number lists (e.g. by hand or by an export tool).
  if (Array.isArray(value) && value.every((x) => typeof x === 'number')) return Float32Array.from(value);
  throw corrupt('photo', `"${field}" is not a Float32Array`);
}

/** Reads a stored photo blob of any known schema as the current shape. */
export function migratePhoto(value: unknown): PhotoBlob {
  const raw = asRecord(value, 'photo');
  schemaOf(raw, 'photo');
  if (!(raw.thumbnail instanceof Uint8Array)) throw corrupt('photo', '"thumbnail" is not bytes');
  const blob: PhotoBlob = {
    schema: CURRENT_SCHEMA,
    hash: str(raw, 'hash', 'photo'),
    embedding: floats(raw.embedding),
    thumbnail: raw.thumbnail,
    addedBy: str(raw, 'addedBy', 'photo'),
    storedAt: str(raw, 'storedAt', 'photo'),
  };
  // Optional within schema 1: blobs written before landmarks were kept simply have none.
  if (raw.landmarks !== undefined) blob.landmarks = floats(raw.landmarks, 'landmarks');
  // Both fields are additive: a blob without them is an older engine's, which re-embedding upgrades.
  if (typeof raw.engine === 'string') blob.engine = raw.engine;
  if (typeof raw.descriptors === 'object' && raw.descriptors !== null) {
    const d = raw.descriptors as Record<string, unknown>;
    blob.descriptors = {};
    if (d.faceres !== undefined) blob.descriptors.faceres = floats(d.faceres, 'descriptors');
    if (d.dlib !== undefined) blob.descriptors.dlib = floats(d.dlib, 'descriptors');
  }
  return blob;
}

/** Reads a stored model record of any known schema as the current shape. */
export function migrateModel(value: unknown): ModelRecord {
  const raw = asRecord(value, 'model');
  schemaOf(raw, 'model');
  return {
    schema: CURRENT_SCHEMA,
    scope: str(raw, 'scope', 'model'),
    version: num(raw, 'version', 'model'),
    savedAt: str(raw, 'savedAt', 'model'),
    model: raw.model,
  };
}

/** The blob that stores a photo's content. */
export function toBlob(
  photo: {
    hash: string;
    embedding: Float32Array;
    thumbnail: Uint8Array;
    landmarks?: Float32Array;
    descriptors?: PhotoBlob['descriptors'];
    engine?: string;
    addedBy: string;
  },
  storedAt: string,
): PhotoBlob {
  const { hash, embedding, thumbnail, landmarks, addedBy, descriptors, engine } = photo;
  const blob: PhotoBlob = { schema: CURRENT_SCHEMA, hash, embedding, thumbnail, addedBy, storedAt };
  if (landmarks !== undefined) blob.landmarks = landmarks;
  if (descriptors !== undefined) blob.descriptors = descriptors;
  if (engine !== undefined) blob.engine = engine;
  return blob;
}

/** A blob's content as training and explanations read it. */
export function blobContent(
  blob: PhotoBlob,
): Pick<PhotoBlob, 'embedding' | 'thumbnail' | 'landmarks' | 'descriptors' | 'engine'> {
  const { embedding, thumbnail, landmarks, descriptors, engine } = blob;
  const content: ReturnType<typeof blobContent> = { embedding, thumbnail };
  if (landmarks !== undefined) content.landmarks = landmarks;
  if (descriptors !== undefined) content.descriptors = descriptors;
  if (engine !== undefined) content.engine = engine;
  return content;
}

/** The index of a scope that has never been written. */
export function emptyIndex(scope: string): GalleryIndex {
  return { schema: CURRENT_SCHEMA, scope, version: 0, updatedAt: new Date(0).toISOString(), identities: [] };
}
