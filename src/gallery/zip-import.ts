// Imports a ZIP into a gallery in one step: either folders of photos (one per person, the layout of
// `lookalike enroll <dir>` and OpenFace's aligned_faces/<person>/) or a gallery pack. The archive is
// checked whole before anything is analysed, and everything is committed at once or not at all.
import type { ImportSummary, NamedImage, Scope, Skipped } from '../domain/types.ts';
import type { EngineFingerprint } from '../engine/fingerprint.ts';
import { UserError } from '../errors.ts';
import { folderSkipped, IMAGE_TYPES } from '../user-texts.ts';
import type { Gallery } from './gallery.ts';
import { decodePack, isPack, type Pack } from './pack.ts';
import { checkPackEmbeddings, checkPackShape, checkPackThumbnails } from './pack-checks.ts';
import { folderDisplayName, nameProblem } from './slug.ts';
import type { EnrollBatch, NewPhoto } from './types.ts';
import { DEFAULT_ZIP_LIMITS, readZip, type ZipEntry, type ZipLimits } from './zip-archive.ts';

/** Progress through the photos of an import. */
export type ImportProgress = (done: number, total: number) => void;

/** A photo that passed enrolment's analysis, before it is committed. */
export interface Prepared {
  file: string;
  hash: string;
  embedding: Float32Array;
  thumbnail: Uint8Array;
  /** 68 landmarks in the thumbnail's pixels, when the engine gives them. */
  landmarks?: Float32Array;
  /** The same landmarks in the pixels of the image analysed (a pack's thumbnail, when re-embedding one). */
  photoLandmarks?: Float32Array;
}

/** What an import needs from the service (CoreService implements it). */
export interface ImportTarget {
  readonly gallery: Gallery;
  /** Analyses photos for enrolment: exactly one face each, or a reason to skip. */
  prepare(
    images: NamedImage[],
    onProgress?: ImportProgress,
    signal?: AbortSignal,
  ): Promise<{ accepted: Prepared[]; skipped: Skipped[] }>;
  /** Prepared photos as the gallery enrols them, stamped with who added them and now. */
  toPhotos(accepted: Prepared[], addedBy: string): NewPhoto[];
  /** Retrains the scope's classifier after the change. */
  matcher(scope: Scope): Promise<unknown>;
  /** The fingerprint of the engine that makes this service's embeddings. */
  fingerprint(): EngineFingerprint;
}

const IMAGE_FILE = /\.(jpe?g|png|webp|gif|avif|tiff?)$/i;
// Files that archivers and file managers add beside photos; no one means to enrol them.
const JUNK = /(^|\/)(__MACOSX\/|\.[^/]*$|Thumbs\.db$|desktop\.ini$)/i;

/**
 * Groups an archive's files by person: `<person>/<photo>` or, when everything sits in one top folder
 * (`aligned_faces/<person>/<photo>`), one level down. Files outside a person's folder and files that
 * are not images are skipped with a reason.
 */
export function photoFolders(entries: ZipEntry[]): {
  batches: { name: string; images: NamedImage[] }[];
  skipped: Skipped[];
} {
  const files = entries.filter((entry) => !JUNK.test(entry.path));
  const tops = new Set(files.map((entry) => entry.path.split('/')[0]));
  const [only] = tops;
  const nested = tops.size === 1 && files.some((entry) => entry.path.split('/').length >= 3);
  const skipped: Skipped[] = [];
  const people = new Map<string, NamedImage[]>();
  for (const entry of files) {
    const parts = entry.path.split('/');
    if (nested && only !== undefined) parts.shift();
    if (parts.length < 2) {
      skipped.push({
        file: entry.path,
        code: 'outside_folder',
        reason: "not inside a person's folder (use <person>/<photo>)",
      });
      continue;
    }
    if (!IMAGE_FILE.test(entry.path)) {
      skipped.push({ file: entry.path, code: 'not_image', reason: `not an image (${IMAGE_TYPES})` });
      continue;
    }
    const person = parts[0] as string;
    const images = people.get(person) ?? [];
    images.push({ name: entry.path, data: entry.data });
    people.set(person, images);
  }
  const natural = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });
  const batches = [...people.entries()]
    .sort(([a], [b]) => natural(a, b))
    .map(([person, images]) => ({
      folder: person,
      name: folderDisplayName(person),
      images: images.sort((a, b) => natural(a.name, b.name)),
    }))
    .filter((batch) => {
      // A folder whose name is not a usable name is skipped before its photos are analysed; the rest go in.
      const problem = nameProblem(batch.name);
      if (problem) skipped.push(badFolder(batch.folder, batch.images.length, problem));
      return problem === undefined;
    })
    .map(({ name, images }) => ({ name, images }));
  return { batches, skipped };
}

function badFolder(folder: string, photos: number, problem: string): Skipped {
  const shown = [...folder].length > 60 ? `${[...folder].slice(0, 60).join('')}…` : folder;
  return { file: `${shown}/`, code: 'bad_name', reason: folderSkipped(photos, problem) };
}

// One commit for the whole import, then the retrain; duplicates are reported with who has them.
async function commit(
  target: ImportTarget,
  scope: Scope,
  batches: EnrollBatch[],
): Promise<Pick<ImportSummary, 'added' | 'people' | 'identities' | 'duplicates'>> {
  const { results } = await target.gallery.enrollMany(scope, batches);
  const duplicates = results.flatMap((result) =>
    result.duplicates.map((d) => ({
      file: d.source ?? d.hash,
      code: 'duplicate',
      reason: `already in the gallery as ${d.name}`,
    })),
  );
  const added = results.reduce((n, result) => n + result.added.length, 0);
  const people = results.filter((result) => result.added.length > 0).length;
  if (added > 0) await target.matcher(scope);
  return { added, people, identities: (await target.gallery.list(scope)).length, duplicates };
}

/** What an import is told by its caller. */
export interface ImportOptions {
  onProgress?: ImportProgress;
  limits?: ZipLimits;
  packOnly?: boolean;
  /** Aborted when the caller gives up (or the process stops): no further photo is analysed. */
  signal?: AbortSignal;
}

async function importPhotos(
  target: ImportTarget,
  scope: Scope,
  entries: ZipEntry[],
  addedBy: string,
  { onProgress, signal }: ImportOptions,
): Promise<ImportSummary> {
  if (entries.length === 0) throw new UserError('bad_archive', { text: 'zip_empty' });
  const { batches, skipped } = photoFolders(entries);
  if (batches.length === 0) {
    const folders = skipped.filter((s) => s.code === 'bad_name');
    throw new UserError(
      'bad_archive',
      folders.length > 0
        ? { text: 'zip_no_usable_folder', items: folders.map((s) => `${s.file} (${s.reason})`) }
        : { text: 'zip_no_folders' },
    );
  }
  const total = batches.reduce((n, batch) => n + batch.images.length, 0);
  const ready: EnrollBatch[] = [];
  let base = 0;
  for (const batch of batches) {
    signal?.throwIfAborted();
    const offset = base;
    const prepared = await target.prepare(batch.images, (done) => onProgress?.(offset + done, total), signal);
    base += batch.images.length;
    skipped.push(...prepared.skipped);
    const photos = target.toPhotos(prepared.accepted, addedBy);
    if (photos.length > 0) ready.push({ name: batch.name, photos });
  }
  signal?.throwIfAborted();
  return { kind: 'photos', ...(await commit(target, scope, ready)), skipped };
}

function samePrint(a: EngineFingerprint, b: EngineFingerprint): boolean {
  return a.sha256 === b.sha256;
}

async function importPack(
  target: ImportTarget,
  scope: Scope,
  pack: Pack,
  addedBy: string,
  { onProgress, signal }: ImportOptions,
): Promise<ImportSummary> {
  const engine = target.fingerprint();
  const skipped: Skipped[] = [];
  const reembed = !samePrint(pack.engine, engine);
  // Everything is checked before the first analysis: a refused pack costs no face analysis at all.
  checkPackShape(pack);
  if (!reembed) checkPackEmbeddings(pack, engine.tuning);
  await checkPackThumbnails(pack, signal);
  const identities = pack.identities.filter((identity) => {
    const problem = nameProblem(identity.name);
    if (problem) skipped.push(badFolder(identity.name, identity.photos.length, problem));
    return problem === undefined;
  });
  const total = identities.reduce((n, identity) => n + identity.photos.length, 0);
  const batches: EnrollBatch[] = [];
  let base = 0;
  for (const identity of identities) {
    signal?.throwIfAborted();
    let photos: NewPhoto[] = identity.photos.map((photo) => ({
      hash: photo.hash,
      embedding: photo.embedding,
      thumbnail: photo.thumbnail,
      ...(photo.landmarks ? { landmarks: photo.landmarks } : {}),
      addedBy,
      addedAt: photo.addedAt,
      source: photo.source ?? `${photo.hash.slice(0, 12)}.png`,
    }));
    if (reembed) {
      // The thumbnails are the aligned faces: embedding them again with this engine makes them comparable.
      const offset = base;
      // Results are matched back by name, so the index keeps two photos with one file name apart.
      const names = photos.map((photo, i) => `${identity.name} #${i + 1} (${photo.source})`);
      const images = photos.map((photo, i) => ({ name: names[i] as string, data: photo.thumbnail }));
      const prepared = await target.prepare(images, (done) => onProgress?.(offset + done, total), signal);
      skipped.push(...prepared.skipped);
      const fresh = new Map(prepared.accepted.map((a) => [a.file, a]));
      photos = photos.flatMap((photo, i) => {
        const again = fresh.get(names[i] as string);
        if (again === undefined) return [];
        // The thumbnail was the photo analysed, so its landmarks are already in the thumbnail's pixels.
        const { landmarks, ...rest } = photo;
        const found = again.photoLandmarks ?? landmarks;
        return [{ ...rest, embedding: again.embedding, ...(found ? { landmarks: found } : {}) }];
      });
    }
    base += identity.photos.length;
    if (photos.length > 0) batches.push({ name: identity.name, photos });
  }
  signal?.throwIfAborted();
  if (!reembed) onProgress?.(total, total);
  const done = await commit(target, scope, batches);
  const summary: ImportSummary = { kind: 'pack', ...done, skipped };
  if (reembed) {
    summary.reembedded = {
      photos: total - skipped.length,
      reason: `the pack was made by another engine (fingerprint ${pack.engine.sha256.slice(0, 12)}, this one is ${engine.sha256.slice(0, 12)})`,
    };
  }
  return summary;
}

/**
 * Imports a ZIP: a gallery pack when it holds a pack manifest, else folders of photos. The whole
 * archive is validated first (see `readZip`), and the gallery changes in one commit.
 */
export async function importArchive(
  target: ImportTarget,
  scope: Scope,
  bytes: Uint8Array,
  addedBy: string,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const entries = await readZip(bytes, options.limits ?? DEFAULT_ZIP_LIMITS);
  if (isPack(entries) || options.packOnly) {
    return importPack(target, scope, decodePack(entries), addedBy, options);
  }
  return importPhotos(target, scope, entries, addedBy, options);
}
