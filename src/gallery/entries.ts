import { isLandmarks, LANDMARK_COUNT } from '../domain/regions.ts';
import type { IdentityInfo, PhotoInfo } from '../domain/types.ts';
import { UserError } from '../errors.ts';
import {
  blobContent,
  type GalleryIndex,
  type IdentityEntry,
  type PhotoBlob,
  type PhotoEntry,
} from './records.ts';
import { slugify } from './slug.ts';
import type { Descriptors, NewPhoto, PhotoRecord } from './types.ts';

/** Largest magnitude of an embedding value: the engine's are unit vectors, with float rounding to spare. */
export const MAX_EMBEDDING_VALUE = 1.001;

/**
 * Whether an embedding can enter training and scoring: every value finite and within the range. A plain
 * loop: a one-shot `lookalike infer` checks every gallery photo once, before V8 has optimised anything,
 * and `every` with a callback took 14 ms for 400 photos there.
 */
export function usableEmbedding(embedding: Float32Array): boolean {
  for (let j = 0; j < embedding.length; j++) {
    // NaN fails the comparison too.
    if (!(Math.abs(embedding[j]!) <= MAX_EMBEDDING_VALUE)) return false;
  }
  return true;
}

/** Shortest hash prefix accepted when naming a photo to remove. */
export const MIN_HASH_PREFIX = 8;

const SCOPE = /^[A-Za-z0-9][A-Za-z0-9:._-]{0,127}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Checks a scope id (`global`, `discord:<id>`, `slack:<id>`, …); a bad one is a programming error. */
export function checkScope(scope: string): string {
  if (typeof scope !== 'string' || !SCOPE.test(scope)) throw new TypeError(`Bad gallery scope "${scope}"`);
  return scope;
}

/** The key of a photo blob: per scope, so that deleting from one scope never touches another. */
export function blobKey(scope: string, hash: string): string {
  return `${scope}/${hash}`;
}

/** The scope and hash of a blob key. */
export function parseBlobKey(key: string): { scope: string; hash: string } | undefined {
  const at = key.lastIndexOf('/');
  if (at <= 0) return undefined;
  return { scope: key.slice(0, at), hash: key.slice(at + 1) };
}

/** Validates a photo's descriptors: finite Float32Arrays under known names. */
export function checkDescriptors(descriptors: Descriptors): Descriptors {
  const out: Descriptors = {};
  for (const [name, d] of Object.entries(descriptors)) {
    if (name !== 'faceres' && name !== 'dlib')
      throw new UserError('bad_photo', { text: 'descriptor_unknown', name });
    if (!(d instanceof Float32Array) || d.length === 0 || !d.every(Number.isFinite))
      throw new UserError('bad_photo', { text: 'descriptor_invalid', name });
    out[name] = d;
  }
  return out;
}

/** Validates a photo to enrol and fills in defaults; problems are `bad_photo`. */
export function checkPhoto(photo: NewPhoto, embeddingDim: number): NewPhoto & { addedAt: string } {
  const hash = typeof photo.hash === 'string' ? photo.hash.toLowerCase() : '';
  if (!SHA256_HEX.test(hash)) throw new UserError('bad_photo', { text: 'photo_hash_invalid' });
  const { embedding, thumbnail } = photo;
  if (!(embedding instanceof Float32Array) || embedding.length !== embeddingDim) {
    throw new UserError('bad_photo', { text: 'embedding_size', count: embeddingDim });
  }
  if (!embedding.every(Number.isFinite)) throw new UserError('bad_photo', { text: 'embedding_not_finite' });
  // The engine's embeddings are unit vectors (or unit blocks), so no value exceeds 1; 3e38 would pass
  // isFinite and overflow every score it enters.
  if (!embedding.every((v) => Math.abs(v) <= MAX_EMBEDDING_VALUE))
    throw new UserError('bad_photo', { text: 'embedding_too_large', limit: MAX_EMBEDDING_VALUE });
  if (!(thumbnail instanceof Uint8Array) || thumbnail.length === 0) {
    throw new UserError('bad_photo', { text: 'thumbnail_invalid' });
  }
  if (typeof photo.addedBy !== 'string' || photo.addedBy.trim() === '') {
    throw new UserError('bad_photo', { text: 'added_by_missing' });
  }
  const addedAt = photo.addedAt ?? new Date().toISOString();
  if (Number.isNaN(Date.parse(addedAt))) throw new UserError('bad_photo', { text: 'added_at_invalid' });
  const checked: NewPhoto & { addedAt: string } = {
    hash,
    embedding,
    thumbnail,
    addedBy: photo.addedBy,
    addedAt,
  };
  if (photo.source !== undefined) checked.source = String(photo.source).slice(0, 255);
  if (photo.landmarks !== undefined) {
    if (!isLandmarks(photo.landmarks)) {
      throw new UserError('bad_photo', { text: 'landmarks_invalid', count: LANDMARK_COUNT * 2 });
    }
    checked.landmarks = photo.landmarks;
  }
  if (photo.descriptors !== undefined) checked.descriptors = checkDescriptors(photo.descriptors);
  if (photo.engine !== undefined) {
    if (!SHA256_HEX.test(photo.engine)) throw new UserError('bad_photo', { text: 'fingerprint_invalid' });
    checked.engine = photo.engine;
  }
  return checked;
}

/** The identity called `nameOrSlug` (case and accents ignored), if any. */
export function findIdentity(index: GalleryIndex, nameOrSlug: string): IdentityEntry | undefined {
  const query = nameOrSlug.trim();
  if (query === '') return undefined;
  const slug = slugify(query);
  const lower = query.toLowerCase();
  return index.identities.find((identity) => identity.slug === slug || identity.name.toLowerCase() === lower);
}

/** Like findIdentity, but an unknown name raises `not_found`. */
export function requireIdentity(index: GalleryIndex, nameOrSlug: string): IdentityEntry {
  const identity = findIdentity(index, nameOrSlug);
  if (identity === undefined) {
    throw new UserError('not_found', { text: 'no_such_person', name: nameOrSlug.trim() });
  }
  return identity;
}

/**
 * The photo whose hash is `hashOrPrefix`, or starts with it (at least MIN_HASH_PREFIX characters),
 * so that people can copy the short hash a listing shows.
 */
export function findPhoto(
  index: GalleryIndex,
  hashOrPrefix: string,
): { identity: IdentityEntry; photo: PhotoEntry } {
  const query = hashOrPrefix.trim().toLowerCase();
  const matches: { identity: IdentityEntry; photo: PhotoEntry }[] = [];
  for (const identity of index.identities) {
    for (const photo of identity.photos) {
      if (photo.hash === query) return { identity, photo };
      if (query.length >= MIN_HASH_PREFIX && photo.hash.startsWith(query)) matches.push({ identity, photo });
    }
  }
  const [only, ...more] = matches;
  if (only !== undefined && more.length === 0) return only;
  if (only !== undefined) {
    throw new UserError('ambiguous', { text: 'photo_prefix_ambiguous', name: query });
  }
  throw new UserError('not_found', { text: 'no_such_photo', name: hashOrPrefix.trim() });
}

/** A caller's copy of a stored photo entry. */
export function photoInfo(photo: PhotoEntry): PhotoInfo {
  const info: PhotoInfo = { hash: photo.hash, addedBy: photo.addedBy, addedAt: photo.addedAt };
  if (photo.source !== undefined) info.source = photo.source;
  return info;
}

/** A caller's copy of a stored identity. */
export function identityInfo(identity: IdentityEntry): IdentityInfo {
  return { name: identity.name, slug: identity.slug, photos: identity.photos.map(photoInfo) };
}

/** Index entries with their blobs' content, in order; entries whose blob is missing are left out. */
export function photoRecords(
  photos: readonly PhotoEntry[],
  blobs: ReadonlyMap<string, PhotoBlob>,
): PhotoRecord[] {
  return photos.flatMap((photo) => {
    const blob = blobs.get(photo.hash);
    return blob === undefined ? [] : [{ ...photoInfo(photo), ...blobContent(blob) }];
  });
}
