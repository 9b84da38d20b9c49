import type { Scope } from '../domain/types.ts';
import type { Namespace } from '../store/index.ts';

/**
 * A scope's embeddings packed per gallery version (namespace 'embeddings': a header at `<scope>`, the
 * photos in chunks at `<scope>/<n>`), so that answering reads them without the photo blobs. A blob holds
 * a photo's PNG thumbnail, landmarks and descriptors beside its embedding, about 50 KB as stored text: a
 * 400-photo gallery was 20 MB to read, parse and decode before the first answer (0.25 s of a one-shot
 * `lookalike infer`), and 100,000 photos 5 GB. Packed, an embedding is its 4.6 KB of float32.
 *
 * It is a cache of what the blobs hold: any record that does not match the index's version or reads
 * badly is ignored (the blobs are read instead), and every commit deletes the scope's records (see
 * GalleryBase.commit), so a removed or forgotten photo's embedding never outlives its blob.
 */

/** Photos per record: 8,192 x 1,152 float32 is 38 MB, 50 MB as base64, well under a string's limit. */
export const CHUNK_PHOTOS = 8192;

/** The record at key `<scope>`: which version is packed, into how many chunks (written first). */
interface Header {
  schema: 1;
  version: number;
  chunks: number;
}

/** The record at key `<scope>/<i>`: a run of photos of one gallery version. */
interface Chunk {
  schema: 1;
  version: number;
  hashes: string[];
  /** The engine stamp of each photo; null where the blob has none. */
  engines: (string | null)[];
  /** The embeddings, one after another, all of one length. */
  data: Float32Array;
}

/** What answering needs of one photo. */
export interface PackedPhoto {
  embedding: Float32Array;
  engine?: string;
}

const chunkKey = (scope: Scope, i: number): string => `${scope}/${i}`;

function isHeader(value: unknown): value is Header {
  const h = value as Partial<Header> | undefined;
  return (
    typeof h === 'object' &&
    h !== null &&
    h.schema === 1 &&
    Number.isInteger(h.version) &&
    Number.isInteger(h.chunks) &&
    h.chunks! >= 0 &&
    h.chunks! <= 1e6
  );
}

function isChunk(value: unknown, version: number): value is Chunk {
  const c = value as Partial<Chunk> | undefined;
  return (
    typeof c === 'object' &&
    c !== null &&
    c.schema === 1 &&
    c.version === version &&
    Array.isArray(c.hashes) &&
    Array.isArray(c.engines) &&
    c.engines.length === c.hashes.length &&
    c.hashes.length > 0 &&
    c.data instanceof Float32Array &&
    c.data.length % c.hashes.length === 0
  );
}

/**
 * The packed embeddings of `scope`, by photo hash, with the gallery version they were packed at; null when
 * none are stored or they read badly. The header and the first chunk are read in one request (every
 * gallery under 8,192 photos has one chunk): a one-shot `lookalike infer` waits for each round trip
 * until its main thread is free of ONNX Runtime's set-up, about 25 ms a turn, so the caller reads the
 * index alongside and compares the versions itself.
 */
export async function readPacked(
  ns: Namespace<unknown>,
  scope: Scope,
): Promise<{ version: number; byHash: Map<string, PackedPhoto> } | null> {
  const [header, first] = await ns.getMany([scope, chunkKey(scope, 0)]);
  if (!isHeader(header) || header.chunks === 0) return null;
  const { version } = header;
  const rest =
    header.chunks > 1
      ? await ns.getMany(Array.from({ length: header.chunks - 1 }, (_, i) => chunkKey(scope, i + 1)))
      : [];
  const chunks = [first, ...rest];
  if (!chunks.every((c) => isChunk(c, version))) return null;
  const byHash = new Map<string, PackedPhoto>();
  for (const { hashes, engines, data } of chunks as Chunk[]) {
    const dim = data.length / hashes.length;
    hashes.forEach((hash, t) => {
      const photo: PackedPhoto = { embedding: data.subarray(t * dim, (t + 1) * dim) };
      const engine = engines[t];
      if (typeof engine === 'string') photo.engine = engine;
      byHash.set(hash, photo);
    });
  }
  return { version, byHash };
}

/**
 * Stores the embeddings of `scope` at `version`, replacing any packed before. Nothing is stored when
 * they differ in length (photos of an older engine, until they are re-embedded) or there are none.
 */
async function writePacked(
  ns: Namespace<unknown>,
  scope: Scope,
  version: number,
  photos: readonly ({ hash: string } & PackedPhoto)[],
): Promise<void> {
  await dropPacked(ns, scope);
  const dim = photos[0]?.embedding.length ?? 0;
  if (dim === 0 || photos.some((p) => p.embedding.length !== dim)) return;
  const chunks = Math.ceil(photos.length / CHUNK_PHOTOS);
  // The header first: a write cut short leaves chunks that dropPacked still finds.
  await ns.set(scope, { schema: 1, version, chunks } satisfies Header);
  for (let i = 0; i < chunks; i++) {
    const run = photos.slice(i * CHUNK_PHOTOS, (i + 1) * CHUNK_PHOTOS);
    const data = new Float32Array(run.length * dim);
    run.forEach((p, t) => {
      data.set(p.embedding, t * dim);
    });
    const chunk: Chunk = {
      schema: 1,
      version,
      hashes: run.map((p) => p.hash),
      engines: run.map((p) => p.engine ?? null),
      data,
    };
    await ns.set(chunkKey(scope, i), chunk);
  }
}

/**
 * Packs the embeddings an index names, best effort (a store that refuses costs the next reader the
 * blobs). A process without a shared lock may have committed meanwhile (`versionNow` says): then the
 * record goes again, so that it never outlives a photo that change removed.
 */
export async function packFor(
  ns: Namespace<unknown>,
  index: { scope: Scope; version: number },
  byHash: ReadonlyMap<string, PackedPhoto>,
  versionNow: () => Promise<number>,
): Promise<void> {
  const { scope, version } = index;
  try {
    await writePacked(
      ns,
      scope,
      version,
      [...byHash].map(([hash, p]) => ({ hash, ...p })),
    );
    if ((await versionNow()) !== version) await dropPacked(ns, scope);
  } catch {
    await dropPacked(ns, scope).catch(() => {});
  }
}

/** Deletes the packed records of `scope`, whatever their version. */
export async function dropPacked(ns: Namespace<unknown>, scope: Scope): Promise<void> {
  const header = await ns.get(scope);
  const chunks = isHeader(header) ? header.chunks : 0;
  // Past the header's count too, until a chunk is missing: an unreadable header still leaves none behind.
  for (let i = 0; ; i++) {
    const existed = await ns.delete(chunkKey(scope, i));
    if (!existed && i >= chunks) break;
  }
  if (header !== undefined) await ns.delete(scope);
}
