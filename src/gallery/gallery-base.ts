import type { Scope } from '../domain/types.ts';
import type { Namespace, Store } from '../store/index.ts';
import { KeyedMutex } from '../util/mutex.ts';
import { blobKey, checkScope } from './entries.ts';
import { dropPacked } from './packed-embeddings.ts';
import {
  CURRENT_SCHEMA,
  emptyIndex,
  type GalleryIndex,
  migrateIndex,
  migrateModel,
  migratePhoto,
  type PhotoBlob,
} from './records.ts';
import { EMBEDDING_DIM, type GalleryOptions, type ScopeLocks } from './types.ts';

/** Store namespaces the gallery uses. */
export const GALLERY_NAMESPACES = {
  index: 'gallery',
  photos: 'photos',
  models: 'models',
  embeddings: 'embeddings',
} as const;

// Per store rather than per Gallery, so that two Gallery objects over one store still take turns.
const LOCKS = new WeakMap<Store, KeyedMutex>();
function processLocks(store: Store): KeyedMutex {
  const locks = LOCKS.get(store) ?? new KeyedMutex();
  LOCKS.set(store, locks);
  return locks;
}

// Blobs fetched per getMany, to bound the size of one store request.
const FETCH_CHUNK = 200;

/** The gallery's storage plumbing: namespaces, per-scope locks, reading and committing the index, the model. */
export class GalleryBase {
  protected readonly indexes: Namespace<unknown>;
  protected readonly photos: Namespace<unknown>;
  protected readonly models: Namespace<unknown>;
  /** Each scope's embeddings packed at one version (packed-embeddings.ts). */
  protected readonly packed: Namespace<unknown>;
  /** Per-scope turns: inside this process by default, across processes with shared locks. */
  protected readonly locks: ScopeLocks;
  protected readonly embeddingDim: number;
  protected readonly gcGraceMs: number;

  constructor(store: Store, options: GalleryOptions = {}) {
    this.locks = options.locks ?? processLocks(store);
    this.indexes = store.namespace(GALLERY_NAMESPACES.index);
    this.photos = store.namespace(GALLERY_NAMESPACES.photos);
    this.models = store.namespace(GALLERY_NAMESPACES.models);
    this.packed = store.namespace(GALLERY_NAMESPACES.embeddings);
    this.embeddingDim = options.embeddingDim ?? EMBEDDING_DIM;
    this.gcGraceMs = options.gcGraceMs ?? 10 * 60 * 1000;
  }

  protected async readIndex(scope: Scope): Promise<GalleryIndex> {
    const raw = await this.indexes.get(checkScope(scope));
    return raw === undefined ? emptyIndex(scope) : migrateIndex(raw);
  }

  /**
   * The single write that makes a change visible. The packed embeddings go before it (so that a retry
   * after a failure here still finds them: /forget leaves none of a member's embeddings behind) and
   * again after it, best effort, since another process without a shared lock may have packed the old
   * version meanwhile (see Gallery.embeddingSnapshot).
   */
  protected async commit(index: GalleryIndex): Promise<number> {
    const version = index.version + 1;
    await dropPacked(this.packed, index.scope);
    await this.indexes.set(index.scope, { ...index, version, updatedAt: new Date().toISOString() });
    await dropPacked(this.packed, index.scope).catch(() => {});
    return version;
  }

  // Dropped blobs are garbage once the index no longer names them; failing to delete leaves orphans.
  protected async dropBlobs(scope: Scope, hashes: readonly string[]): Promise<void> {
    for (const hash of hashes) await this.photos.delete(blobKey(scope, hash)).catch(() => false);
  }

  /** The scope's current version: 0 for a scope never written, and bumped by every change. */
  async version(scope: Scope): Promise<number> {
    return (await this.readIndex(scope)).version;
  }

  /** Every scope that has a gallery (including ones emptied since), sorted. */
  async scopes(): Promise<Scope[]> {
    return (await this.indexes.keys()).sort();
  }

  protected async readBlobs(scope: Scope, hashes: readonly string[]): Promise<Map<string, PhotoBlob>> {
    const blobs = new Map<string, PhotoBlob>();
    for (let start = 0; start < hashes.length; start += FETCH_CHUNK) {
      const chunk = hashes.slice(start, start + FETCH_CHUNK);
      const values = await this.photos.getMany(chunk.map((hash) => blobKey(scope, hash)));
      values.forEach((value, i) => {
        const hash = chunk[i];
        if (value !== undefined && hash !== undefined) blobs.set(hash, migratePhoto(value));
      });
    }
    return blobs;
  }

  /** The cached model for gallery `version` (default: the current one); null when none is cached for it. */
  async getModel<T = unknown>(scope: Scope, version?: number): Promise<T | null> {
    const [stored, current] = await Promise.all([this.storedModel(scope), this.version(scope)]);
    const wanted = version ?? current;
    return stored !== null && wanted !== 0 && stored.version === wanted ? (stored.model as T) : null;
  }

  /**
   * The cached model with the gallery version it was trained on, whatever the version now (null when
   * none): read beside the gallery's snapshot, which says whether it is current, or to warm-start a retrain.
   */
  async storedModel(scope: Scope): Promise<{ version: number; model: unknown } | null> {
    const raw = await this.models.get(checkScope(scope));
    if (raw === undefined) return null;
    const { version, model } = migrateModel(raw);
    return { version, model };
  }

  /**
   * Caches a model trained on gallery `version`. Returns false, storing nothing, when the gallery has
   * changed since (a newer model may already be cached, and this one would be stale anyway).
   */
  async setModel(scope: Scope, version: number, model: unknown): Promise<boolean> {
    checkScope(scope);
    return this.locks.run(scope, async () => {
      if (version !== (await this.version(scope)) || version === 0) return false;
      const record = { schema: CURRENT_SCHEMA, scope, version, savedAt: new Date().toISOString(), model };
      await this.models.set(scope, record);
      return true;
    });
  }
}
