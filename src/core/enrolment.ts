import { createHash } from 'node:crypto';
import type { Face, FaceEngine } from '../domain/face.ts';
import type { IdentityInfo, NamedImage, Skipped } from '../domain/types.ts';
import { UserError } from '../errors.ts';
import type { Prepared } from '../gallery/zip-import.ts';
import { thumbnailLandmarks } from '../resemblance/index.ts';
import { skipReason } from '../user-texts.ts';
import { mapLimit } from '../util/concurrency.ts';
import { mainFace } from './main-face.ts';

/** One photo that enrolment accepted, before it is committed. */
export interface Accepted extends Prepared {
  /** Smaller faces or edge slivers in the photo that were left out (see mainFace). */
  ignoredFaces: number;
  descriptors?: Face['descriptors'];
}

/** Progress of a bulk enrolment, for the CLI's progress bar. */
export type ProgressFn = (done: number, total: number) => void;

/** Accepted photos as the gallery stores them, stamped with the engine (fingerprint sha256) that embedded them. */
export function toPhotos(accepted: Accepted[], addedBy: string, engine: string) {
  const addedAt = new Date().toISOString();
  return accepted.map((a) => ({
    hash: a.hash,
    embedding: a.embedding,
    thumbnail: a.thumbnail,
    ...(a.landmarks ? { landmarks: a.landmarks } : {}),
    ...(a.descriptors ? { descriptors: a.descriptors } : {}),
    engine,
    addedBy,
    addedAt,
    source: a.file,
  }));
}

/** A skipped file with its code and the text the command line prints. */
export function skip(file: string, code: string, faces?: number): Skipped {
  return { file, code, ...(faces === undefined ? {} : { faces }), reason: skipReason(code, { faces }) };
}

/** An identity as the service reports it. */
export function toInfo(identity: {
  name: string;
  slug: string;
  photos: { hash: string; addedBy: string; addedAt: string; source?: string }[];
}): IdentityInfo {
  return {
    name: identity.name,
    slug: identity.slug,
    photos: identity.photos.map((p) => ({
      hash: p.hash,
      addedBy: p.addedBy,
      addedAt: p.addedAt,
      source: p.source,
    })),
  };
}

/** Analyses photos for enrolment: one main face each (see mainFace), or a reason to skip. */
export async function preparePhotos(
  engine: FaceEngine,
  images: NamedImage[],
  concurrency: number,
  onProgress?: ProgressFn,
  signal?: AbortSignal,
): Promise<{ accepted: Accepted[]; skipped: Skipped[] }> {
  const skipped: Skipped[] = [];
  const accepted: Accepted[] = [];
  let done = 0;
  const results = await mapLimit(images, concurrency, async (img): Promise<Skipped | Accepted> => {
    // An abandoned import stops here: photos already with the engine finish, no new one is sent.
    signal?.throwIfAborted();
    try {
      const analysis = await engine.analyze(img.data);
      if (analysis.faces.length === 0) return skip(img.name, 'no_face');
      const main = mainFace(analysis);
      if (!main) return skip(img.name, 'too_many_faces', analysis.faces.length);
      const { face, ignored } = main;
      const hash = createHash('sha256').update(img.data).digest('hex');
      const landmarks = await thumbnailLandmarks(face, analysis);
      const { embedding, thumbnail, descriptors } = face;
      const kept = landmarks ? { landmarks, photoLandmarks: face.landmarks } : {};
      return { file: img.name, hash, embedding, thumbnail, ...kept, ignoredFaces: ignored, descriptors };
    } catch (err) {
      if (err instanceof UserError) return { ...skip(img.name, err.code), reason: err.message };
      throw err;
    } finally {
      onProgress?.(++done, images.length);
    }
  });
  for (const r of results) {
    if ('reason' in r) skipped.push(r);
    else accepted.push(r);
  }
  return { accepted, skipped };
}
