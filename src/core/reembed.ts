import { createHash } from 'node:crypto';
import type { BareFace, FaceEngine } from '../domain/face.ts';
import type { Scope } from '../domain/types.ts';
import type { Gallery, PhotoRecord, ReEmbedding } from '../gallery/index.ts';
import { thumbnailLandmarks } from '../resemblance/thumbnail-frame.ts';
import { mapLimit } from '../util/concurrency.ts';
import { mainFace } from './main-face.ts';

/** A photo whose embedding another engine made, or an engine too old to say. */
export interface StalePhoto<P = PhotoRecord> {
  identity: string;
  photo: P;
}

/** What re-embedding a scope did. */
export interface ReembedReport {
  scope: Scope;
  /** Photos now embedded by the current engine. */
  reembedded: number;
  /** Photos whose thumbnail no longer shows a face the engine can read (too small, say). */
  failed: { identity: string; hash: string; source?: string }[];
  /** The scope's version afterwards. */
  version: number;
}

/** The engine whose embeddings a gallery should hold: its fingerprint sha256 and embedding length. */
export interface CurrentEngine {
  id: string;
  dim: number;
}

/**
 * Whether a photo's embedding is this engine's. Photos stored before engines were stamped on them
 * were all embedded by faceres alone (every engine then ran it, with the same tuning), so an
 * unstamped photo fits exactly when this engine's embeddings have faceres's length.
 */
export function embeddedBy(
  photo: { engine?: string; embedding: Float32Array },
  current: CurrentEngine,
): boolean {
  return photo.engine === undefined ? photo.embedding.length === current.dim : photo.engine === current.id;
}

/**
 * The photos of a snapshot that the current engine did not embed: of a full snapshot (re-embedding
 * needs their thumbnails) or of an embedding snapshot (answering only asks whether there are any).
 */
export function stalePhotos<P extends { engine?: string; embedding: Float32Array } = PhotoRecord>(
  snapshot: { identities: { name: string; photos: P[] }[] },
  current: CurrentEngine,
): StalePhoto<P>[] {
  return snapshot.identities.flatMap((identity) =>
    identity.photos
      .filter((p) => !embeddedBy(p, current))
      .map((photo) => ({ identity: identity.name, photo })),
  );
}

/** The command that fixes photos a thumbnail cannot re-embed: their original files, matched by sha256. */
export function reembedFix(scope: Scope): string {
  return `lookalike reembed --scope ${scope} --from <folder with the original photos>`;
}

/**
 * Re-embeds stale photos with the current engine, from `originals` (sha256 → file bytes) where
 * given, else from the aligned thumbnail that the gallery keeps. A thumbnail is a 112-pixel crop:
 * enough for the engine to find the face again in most photos, not in all. Embeddings are
 * replaced in one gallery change per call, so classifiers retrain once.
 */
export async function reembed(
  deps: { engine: FaceEngine; gallery: Gallery; current: CurrentEngine; concurrency?: number },
  scope: Scope,
  originals?: Map<string, Uint8Array>,
): Promise<ReembedReport> {
  const stale = stalePhotos(await deps.gallery.snapshot(scope), deps.current);
  const failed: ReembedReport['failed'] = [];
  const updates: ReEmbedding[] = [];
  await mapLimit(stale, deps.concurrency ?? 4, async ({ identity, photo }) => {
    const original = originals?.get(photo.hash);
    let found: { face: BareFace; landmarks: Promise<Float32Array | undefined> } | null = null;
    try {
      if (original) {
        // From an original, the landmarks are mapped into its new thumbnail's pixels.
        const analysis = await deps.engine.analyze(original);
        const main = mainFace(analysis);
        if (main) found = { face: main.face, landmarks: thumbnailLandmarks(main.face, analysis) };
      } else {
        // From the stored thumbnail, which the gallery keeps: no new one is made, and the landmarks
        // are already in its pixels.
        const main = mainFace(await deps.engine.analyze(photo.thumbnail, { thumbnails: false }));
        if (main) found = { face: main.face, landmarks: Promise.resolve(main.face.landmarks) };
      }
    } catch {
      // An unreadable thumbnail is reported like one without a face.
    }
    if (!found) {
      failed.push({ identity, hash: photo.hash, ...(photo.source ? { source: photo.source } : {}) });
      return;
    }
    const { embedding, descriptors } = found.face;
    const landmarks = await found.landmarks;
    updates.push({
      hash: photo.hash,
      embedding,
      engine: deps.current.id,
      ...(descriptors ? { descriptors } : {}),
      ...(landmarks ? { landmarks } : {}),
    });
  });
  const version = await deps.gallery.replaceEmbeddings(scope, updates);
  return { scope, reembedded: updates.length, failed, version };
}

/** sha256 of each file's bytes, for matching originals to enrolled photos. */
export function byHash(files: Uint8Array[]): Map<string, Uint8Array> {
  return new Map(files.map((data) => [createHash('sha256').update(data).digest('hex'), data]));
}
