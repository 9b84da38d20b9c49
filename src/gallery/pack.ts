// Gallery packs: one ZIP that moves a whole gallery between servers and machines. It holds the names,
// each photo's aligned thumbnail and embedding, and the fingerprint of the engine that made the
// embeddings, so that an import knows whether it can use them or must embed the thumbnails again.
import { createHash } from 'node:crypto';
import { LANDMARK_COUNT } from '../domain/regions.ts';
import type { EngineFingerprint } from '../engine/fingerprint.ts';
import { UserError } from '../errors.ts';
import type { TextContext } from '../user-texts.ts';
import type { GallerySnapshot } from './types.ts';
import { writeZip, type ZipEntry } from './zip-archive.ts';

/** The entry that makes a ZIP a pack. */
export const PACK_MANIFEST = 'lookalike-pack.json';
/** The `format` every pack declares, so that a foreign file with the same entry name is still refused. */
export const PACK_FORMAT = 'lookalike-gallery-pack';
/** The pack layout this program writes; it reads this one and older ones. */
export const PACK_VERSION = 1;
const EMBEDDINGS_FILE = 'embeddings.f32';

/** One photo of a pack. */
export interface PackPhoto {
  /** sha256 of the photo file it was enrolled from: importing it twice is then a duplicate. */
  hash: string;
  thumbnail: Uint8Array;
  embedding: Float32Array;
  /** 68 landmarks in the thumbnail's pixels, when the photo was enrolled with them. */
  landmarks?: Float32Array;
  source?: string;
  addedAt: string;
}

/** A decoded pack. */
export interface Pack {
  version: number;
  createdAt: string;
  engine: EngineFingerprint;
  embeddingDim: number;
  identities: { name: string; photos: PackPhoto[] }[];
}

interface ManifestPhoto {
  hash: string;
  thumbnail: string;
  source?: string;
  addedAt: string;
  /** Optional in version 1: packs written before landmarks were kept have none. */
  landmarks?: number[];
}

interface Manifest {
  format: typeof PACK_FORMAT;
  version: number;
  createdAt: string;
  engine: EngineFingerprint;
  embeddingDim: number;
  embeddings: { file: string; sha256: string };
  identities: { name: string; photos: ManifestPhoto[] }[];
}

/** The last part of a path written on any system (`/home/a/b.png`, `C:\\x\\b.png` → `b.png`). */
export function baseName(source: string): string {
  return (
    source
      .split(/[\\/]/)
      .filter((part) => part !== '')
      .pop()
      ?.slice(0, 255) ?? ''
  );
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Writes a gallery snapshot as a pack. Only what the gallery holds goes in (admins' enrolments: names,
 * thumbnails, embeddings, file names and times), never who added a photo.
 */
export async function encodePack(snapshot: GallerySnapshot, engine: EngineFingerprint): Promise<Uint8Array> {
  const photos = snapshot.identities.flatMap((identity) => identity.photos);
  const dim = photos[0]?.embedding.length ?? 0;
  const embeddings = new Float32Array(photos.length * dim);
  for (const [i, photo] of photos.entries()) embeddings.set(photo.embedding, i * dim);
  // Float32Array is in the machine's byte order; every platform Node runs on is little-endian.
  const embeddingBytes = new Uint8Array(embeddings.buffer);
  const manifest: Manifest = {
    format: PACK_FORMAT,
    version: PACK_VERSION,
    createdAt: new Date().toISOString(),
    engine,
    embeddingDim: dim,
    embeddings: { file: EMBEDDINGS_FILE, sha256: sha256(embeddingBytes) },
    identities: snapshot.identities.map((identity) => ({
      name: identity.name,
      photos: identity.photos.map((photo) => {
        const entry: ManifestPhoto = {
          hash: photo.hash,
          thumbnail: `thumbnails/${photo.hash}.png`,
          addedAt: photo.addedAt,
        };
        // The file name only: a path would tell whoever gets the pack about the exporting machine.
        if (photo.source !== undefined) entry.source = baseName(photo.source);
        // Hundredths of a thumbnail pixel are far finer than the landmarks are accurate.
        if (photo.landmarks) entry.landmarks = Array.from(photo.landmarks, (v) => Math.round(v * 100) / 100);
        return entry;
      }),
    })),
  };
  return writeZip([
    { path: PACK_MANIFEST, data: new TextEncoder().encode(`${JSON.stringify(manifest, null, 1)}\n`) },
    { path: EMBEDDINGS_FILE, data: embeddingBytes },
    ...photos.map((photo) => ({
      path: `thumbnails/${photo.hash}.png`,
      data: photo.thumbnail,
      compress: false,
    })),
  ]);
}

/** Whether the archive's entries are a pack (rather than folders of photos). */
export function isPack(entries: ZipEntry[]): boolean {
  return entries.some((entry) => entry.path === PACK_MANIFEST);
}

function damaged(context: TextContext): UserError {
  return new UserError('bad_pack', context);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const HASH = /^[0-9a-f]{64}$/;

function checkPhoto(value: unknown): ManifestPhoto {
  if (!isObject(value)) throw damaged({ text: 'pack_photo_not_object' });
  const { hash, thumbnail, source, addedAt } = value;
  if (typeof hash !== 'string' || !HASH.test(hash)) throw damaged({ text: 'pack_photo_no_hash' });
  if (typeof thumbnail !== 'string')
    throw damaged({ text: 'pack_photo_no_thumbnail', name: hash.slice(0, 8) });
  if (typeof addedAt !== 'string' || Number.isNaN(Date.parse(addedAt))) {
    throw damaged({ text: 'pack_photo_no_time', name: hash.slice(0, 8) });
  }
  const photo: ManifestPhoto = { hash, thumbnail, addedAt };
  if (typeof source === 'string') photo.source = source;
  const { landmarks } = value;
  if (landmarks !== undefined) {
    const ok = Array.isArray(landmarks) && landmarks.length === LANDMARK_COUNT * 2;
    if (!ok || !landmarks.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw damaged({ text: 'pack_photo_landmarks', name: hash.slice(0, 8) });
    }
    photo.landmarks = landmarks;
  }
  return photo;
}

function checkEngine(value: unknown): EngineFingerprint {
  if (
    !isObject(value) ||
    typeof value.sha256 !== 'string' ||
    !isObject(value.models) ||
    !isObject(value.tuning)
  ) {
    throw damaged({ text: 'pack_no_fingerprint' });
  }
  return value as unknown as EngineFingerprint;
}

// Reads and checks the manifest: a foreign JSON file under the same name is refused as not a pack.
function readManifest(entries: Map<string, Uint8Array>): Manifest {
  const raw = entries.get(PACK_MANIFEST);
  if (raw === undefined) {
    throw new UserError('bad_pack', { text: 'pack_no_manifest', file: PACK_MANIFEST });
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch {
    throw damaged({ text: 'pack_not_json', file: PACK_MANIFEST });
  }
  if (!isObject(json) || json.format !== PACK_FORMAT) {
    throw new UserError('bad_pack', { text: 'pack_foreign', file: PACK_MANIFEST });
  }
  const version = json.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1)
    throw damaged({ text: 'pack_no_version' });
  if (version > PACK_VERSION) {
    throw new UserError('bad_pack', { text: 'pack_too_new', version, limit: PACK_VERSION });
  }
  const { embeddingDim, embeddings, identities, createdAt } = json;
  if (typeof embeddingDim !== 'number' || !Number.isInteger(embeddingDim) || embeddingDim < 0) {
    throw damaged({ text: 'pack_no_embedding_size' });
  }
  if (!isObject(embeddings) || typeof embeddings.file !== 'string' || typeof embeddings.sha256 !== 'string') {
    throw damaged({ text: 'pack_no_embeddings' });
  }
  if (!Array.isArray(identities)) throw damaged({ text: 'pack_no_people' });
  return {
    format: PACK_FORMAT,
    version,
    createdAt: typeof createdAt === 'string' ? createdAt : '',
    engine: checkEngine(json.engine),
    embeddingDim,
    embeddings: { file: embeddings.file, sha256: embeddings.sha256 },
    identities: identities.map((identity) => {
      if (!isObject(identity) || typeof identity.name !== 'string' || !Array.isArray(identity.photos)) {
        throw damaged({ text: 'pack_person_invalid' });
      }
      return { name: identity.name, photos: identity.photos.map(checkPhoto) };
    }),
  };
}

/**
 * Decodes a pack from its archive entries, checking everything it needs: the format and version, every
 * thumbnail present, and the embeddings' size and sha256. A foreign or damaged pack is a `bad_pack`
 * UserError that says which.
 */
export function decodePack(entries: ZipEntry[]): Pack {
  const files = new Map(entries.map((entry) => [entry.path, entry.data]));
  const manifest = readManifest(files);
  const count = manifest.identities.reduce((n, identity) => n + identity.photos.length, 0);
  const embeddingBytes = files.get(manifest.embeddings.file);
  if (embeddingBytes === undefined)
    throw damaged({ text: 'pack_file_missing', file: manifest.embeddings.file });
  if (embeddingBytes.byteLength !== count * manifest.embeddingDim * 4) {
    throw damaged({ text: 'pack_embeddings_size', file: manifest.embeddings.file, count });
  }
  if (sha256(embeddingBytes) !== manifest.embeddings.sha256) {
    throw damaged({ text: 'pack_embeddings_checksum', file: manifest.embeddings.file });
  }
  // Copied, so that the Float32Array is aligned whatever offset the unpacked bytes had.
  const all = new Float32Array(new Uint8Array(embeddingBytes).buffer);
  let row = 0;
  const identities = manifest.identities.map((identity) => ({
    name: identity.name,
    photos: identity.photos.map((photo) => {
      const thumbnail = files.get(photo.thumbnail);
      if (thumbnail === undefined || thumbnail.byteLength === 0)
        throw damaged({ text: 'pack_file_missing', file: photo.thumbnail });
      const dim = manifest.embeddingDim;
      const embedding = all.slice(row * dim, (row + 1) * dim);
      row++;
      const out: PackPhoto = { hash: photo.hash, thumbnail, embedding, addedAt: photo.addedAt };
      // Packs written before paths were cut carry them: only the file name is kept.
      if (photo.source !== undefined) out.source = baseName(photo.source);
      if (photo.landmarks !== undefined) out.landmarks = Float32Array.from(photo.landmarks);
      return out;
    }),
  }));
  return {
    version: manifest.version,
    createdAt: manifest.createdAt,
    engine: manifest.engine,
    embeddingDim: manifest.embeddingDim,
    identities,
  };
}
