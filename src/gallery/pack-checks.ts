// What an import checks in a pack beyond its format (pack.ts): a pack is a file from someone else's
// machine, so its embeddings and thumbnails are checked as the engine would have made them before one of
// them reaches the gallery, where a single poisoned embedding would change every answer.
import { createHash } from 'node:crypto';
import type { Tuning } from '../domain/tuning.ts';
import { UserError } from '../errors.ts';
import { sharp } from '../image/sharp.ts';
import type { TextContext } from '../user-texts.ts';
import type { Pack } from './pack.ts';

/** Most photos one pack may list: the ZIP limit counts entries, this counts the manifest's photos. */
export const MAX_PACK_PHOTOS = 5000;
/** How far a descriptor block's L2 norm may be from the engine's (float32 rounding is ~1e-7). */
const NORM_TOLERANCE = 0.01;
/** Largest thumbnail side accepted; the engine makes 112-pixel squares. */
const MAX_THUMBNAIL_SIDE = 1024;
const MIN_THUMBNAIL_SIDE = 16;

// A photo of the pack is named by its person and its index among that person's photos.
function refused(context: TextContext): UserError {
  return new UserError('bad_pack', context);
}

/**
 * The descriptor blocks an embedding of this tuning is made of, with each block's L2 norm: faceres
 * (1024) and dlib (128) are each unit vectors, weighted by √(1−w) and √w when fused (see `fuse`).
 */
export function descriptorBlocks(tuning: Pick<Tuning, 'descriptor' | 'dlibWeight'>): {
  length: number;
  norm: number;
}[] {
  if (tuning.descriptor === 'dlib') return [{ length: 128, norm: 1 }];
  if (tuning.descriptor === 'faceres') return [{ length: 1024, norm: 1 }];
  return [
    { length: 1024, norm: Math.sqrt(1 - tuning.dlibWeight) },
    { length: 128, norm: Math.sqrt(tuning.dlibWeight) },
  ];
}

/**
 * Why `embedding` is not one this tuning's engine makes (a value out of range, a block of the wrong norm),
 * or undefined when it could be. Finite values of at most 1 in magnitude cannot overflow any score.
 */
function embeddingProblem(
  embedding: Float32Array,
  tuning: Pick<Tuning, 'descriptor' | 'dlibWeight'>,
): TextContext | undefined {
  const blocks = descriptorBlocks(tuning);
  const length = blocks.reduce((n, b) => n + b.length, 0);
  if (embedding.length !== length) {
    return { text: 'pack_embedding_length', count: embedding.length, limit: length };
  }
  let at = 0;
  for (const block of blocks) {
    let sum = 0;
    for (let i = at; i < at + block.length; i++) {
      const v = embedding[i] as number;
      if (!Number.isFinite(v) || Math.abs(v) > 1) return { text: 'pack_embedding_range' };
      sum += v * v;
    }
    const norm = Math.sqrt(sum);
    if (Math.abs(norm - block.norm) > NORM_TOLERANCE) {
      return { text: 'pack_embedding_norm', value: norm.toFixed(3), limit: block.norm };
    }
    at += block.length;
  }
  return undefined;
}

/** Counts, hashes and thumbnail names: cheap checks before any thumbnail is decoded. */
export function checkPackShape(pack: Pack): void {
  const count = pack.identities.reduce((n, identity) => n + identity.photos.length, 0);
  if (count > MAX_PACK_PHOTOS) {
    throw refused({ text: 'pack_too_many_photos', count, limit: MAX_PACK_PHOTOS });
  }
  const hashes = new Set<string>();
  const thumbnails = new Set<string>();
  for (const identity of pack.identities) {
    for (const [i, photo] of identity.photos.entries()) {
      if (hashes.has(photo.hash))
        throw refused({ text: 'pack_repeated_hash', name: identity.name, index: i });
      hashes.add(photo.hash);
      // One thumbnail listed a thousand times would cost a thousand analyses for one face.
      const content = createHash('sha256').update(photo.thumbnail).digest('hex');
      if (thumbnails.has(content)) {
        throw refused({ text: 'pack_repeated_thumbnail', name: identity.name, index: i });
      }
      thumbnails.add(content);
    }
  }
}

/** Every embedding as this tuning's engine makes them (only for packs whose embeddings are used as they are). */
export function checkPackEmbeddings(pack: Pack, tuning: Pick<Tuning, 'descriptor' | 'dlibWeight'>): void {
  for (const identity of pack.identities) {
    for (const [i, photo] of identity.photos.entries()) {
      const problem = embeddingProblem(photo.embedding, tuning);
      if (problem) throw refused({ ...problem, name: identity.name, index: i });
    }
  }
}

/**
 * Decodes every thumbnail in full: a PNG of sensible size whose pixels all read. A thumbnail that is not
 * an image would otherwise fail every answer naming its person, long after the import.
 */
export async function checkPackThumbnails(pack: Pack, signal?: AbortSignal): Promise<void> {
  for (const identity of pack.identities) {
    for (const [i, photo] of identity.photos.entries()) {
      signal?.throwIfAborted();
      let problem: TextContext | undefined;
      try {
        const { info } = await sharp(photo.thumbnail, {
          failOn: 'error',
          limitInputPixels: MAX_THUMBNAIL_SIDE * MAX_THUMBNAIL_SIDE,
        })
          .raw()
          .toBuffer({ resolveWithObject: true });
        const meta = await sharp(photo.thumbnail).metadata();
        const sides = [info.width, info.height];
        if (meta.format !== 'png')
          problem = { text: 'pack_thumbnail_not_png', kind: meta.format ?? 'unknown' };
        else if (sides.some((s) => s < MIN_THUMBNAIL_SIDE || s > MAX_THUMBNAIL_SIDE)) {
          problem = { text: 'pack_thumbnail_size', width: info.width, height: info.height };
        }
      } catch (err) {
        // sharp's own reason, unless it is only "Input buffer contains unsupported image format".
        const why =
          err instanceof Error && !/Input (buffer|file)/.test(err.message) ? err.message : undefined;
        problem = { text: 'pack_bad_thumbnail', why: why?.slice(0, 78) };
      }
      if (problem) throw refused({ ...problem, name: identity.name, index: i });
    }
  }
}
