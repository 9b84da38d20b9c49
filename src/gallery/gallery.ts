import type { IdentityInfo, Scope } from '../domain/types.ts';
import { UserError } from '../errors.ts';
import {
  blobKey,
  checkPhoto,
  checkScope,
  findIdentity,
  findPhoto,
  identityInfo,
  parseBlobKey,
  photoInfo,
  photoRecords,
  requireIdentity,
} from './entries.ts';
import { GalleryBase } from './gallery-base.ts';
import { packFor, readPacked } from './packed-embeddings.ts';
import { type IdentityEntry, migratePhoto, type PhotoBlob, type PhotoEntry, toBlob } from './records.ts';
import { cleanName, slugify } from './slug.ts';
import type {
  BatchOutcome,
  BulkEnrollOutcome,
  EmbeddedPhoto,
  EmbeddingSnapshot,
  EnrollBatch,
  EnrollOutcome,
  GallerySnapshot,
  IdentitySnapshot,
  NewPhoto,
  PhotoRecord,
  ReEmbedding,
  RemovedPhoto,
} from './types.ts';

/**
 * Celebrity galleries, one per scope, over a Store.
 *
 * Key layout (namespace/key): `photos/<scope>/<hash>` holds a photo's embedding and thumbnail,
 * `gallery/<scope>` the scope's index (identities, photo metadata, version), `models/<scope>` the cached
 * model, `embeddings/<scope>` and `embeddings/<scope>/<n>` the embeddings packed for answering (a cache
 * of the blobs that every commit deletes). A change writes any new blobs first and then the index in one
 * `set`: the index is the commit point, so an interrupted change leaves at most orphan blobs, which
 * nothing reads and `collectGarbage` deletes. Blobs that a change drops are deleted after its commit.
 * Writers are serialised per scope and store by `locks`: inside this process by default, over processes
 * with a shared lock (else the last index written wins, never half-applied). Index documents are never
 * deleted, so a scope's version only grows and a cached model can never match a recreated gallery by
 * accident.
 */
export class Gallery extends GalleryBase {
  /** The identities of a scope, sorted by name. */
  async list(scope: Scope): Promise<IdentityInfo[]> {
    const index = await this.readIndex(scope);
    return index.identities
      .map(identityInfo)
      .sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }));
  }

  /** One identity by name or slug (case-insensitive); unknown names raise `not_found`. */
  async get(scope: Scope, nameOrSlug: string): Promise<IdentityInfo> {
    return identityInfo(requireIdentity(await this.readIndex(scope), nameOrSlug));
  }

  /**
   * Every identity with its photos' embeddings and thumbnails, at one version, for training. Photos whose
   * blob is missing (possible only after a cross-process race or manual deletion) are left out.
   */
  async snapshot(scope: Scope): Promise<GallerySnapshot> {
    checkScope(scope);
    // Under the lock so that no in-process change deletes a blob between reading the index and the blobs.
    return this.locks.run(scope, async () => {
      const index = await this.readIndex(scope);
      const hashes = index.identities.flatMap((identity) => identity.photos.map((photo) => photo.hash));
      const blobs = await this.readBlobs(scope, hashes);
      const identities: IdentitySnapshot[] = [];
      for (const identity of index.identities) {
        const photos = photoRecords(identity.photos, blobs);
        if (photos.length > 0) {
          identities.push({
            slug: identity.slug,
            name: identity.name,
            createdAt: identity.createdAt,
            photos,
          });
        }
      }
      return { scope, version: index.version, identities };
    });
  }

  /**
   * Every identity with its photos' embeddings, at one version: what answering needs. From the packed
   * embeddings of that version, else from the blobs, then packed for the next reader.
   */
  async embeddingSnapshot(scope: Scope): Promise<EmbeddingSnapshot> {
    checkScope(scope);
    return this.locks.run(scope, async () => {
      const [index, packed] = await Promise.all([
        this.readIndex(scope),
        readPacked(this.packed, scope).catch(() => null),
      ]);
      let byHash = packed?.version === index.version ? packed.byHash : null;
      if (byHash === null) {
        const hashes = index.identities.flatMap((identity) => identity.photos.map((photo) => photo.hash));
        const blobs = await this.readBlobs(scope, hashes);
        byHash = new Map([...blobs].map(([hash, { embedding, engine }]) => [hash, { embedding, engine }]));
        if (index.version > 0) await packFor(this.packed, index, byHash, () => this.version(scope));
      }
      const identities = index.identities
        .map((identity) => ({
          slug: identity.slug,
          name: identity.name,
          photos: identity.photos.flatMap((photo) => {
            const packed = byHash.get(photo.hash);
            if (packed === undefined) return [];
            const embedded: EmbeddedPhoto = { ...photoInfo(photo), embedding: packed.embedding };
            if (packed.engine !== undefined) embedded.engine = packed.engine;
            return [embedded];
          }),
        }))
        .filter((identity) => identity.photos.length > 0);
      return { scope, version: index.version, identities };
    });
  }

  /** One identity's photos with their thumbnails (by slug; none for an unknown one), for explanations. */
  async identityPhotos(scope: Scope, slug: string): Promise<PhotoRecord[]> {
    checkScope(scope);
    return this.locks.run(scope, async () => {
      const identity = (await this.readIndex(scope)).identities.find((i) => i.slug === slug);
      const photos = identity?.photos ?? [];
      const blobs = await this.readBlobs(
        scope,
        photos.map((photo) => photo.hash),
      );
      return photoRecords(photos, blobs);
    });
  }

  /** The PNG thumbnail of an identity's first photo, or null when there is no such identity or photo. */
  async photoThumbnail(scope: Scope, nameOrSlug: string): Promise<Uint8Array | null> {
    const identity = findIdentity(await this.readIndex(scope), nameOrSlug);
    for (const photo of identity?.photos ?? []) {
      const raw = await this.photos.get(blobKey(scope, photo.hash));
      if (raw !== undefined) return migratePhoto(raw).thumbnail;
    }
    return null;
  }

  /**
   * Adds photos to an identity, creating it when new. A hash already in the scope (or repeated in `photos`)
   * is reported in `duplicates` rather than added. Nothing to add for a new identity raises `duplicate`
   * (all were duplicates) or `no_photos`.
   */
  async enroll(scope: Scope, name: string, photos: NewPhoto[]): Promise<EnrollOutcome> {
    const { results, version } = await this.enrollMany(scope, [{ name, photos }]);
    const result = results[0];
    if (result?.identity == null) {
      if (photos.length === 0) throw new UserError('no_photos');
      throw new UserError('duplicate', { text: 'photos_all_duplicate' });
    }
    return { identity: result.identity, added: result.added, duplicates: result.duplicates, version };
  }

  /**
   * Enrols several identities with one commit: either every batch is in the gallery afterwards or none is,
   * so no identity is ever half-made. Batches naming the same identity are merged. Callers that want
   * progress to survive a failure part-way through a huge import should call this in chunks.
   */
  async enrollMany(scope: Scope, batches: EnrollBatch[]): Promise<BulkEnrollOutcome> {
    checkScope(scope);
    // Validate everything before taking the lock or writing anything.
    const checked = batches.map((batch) => ({
      name: cleanName(batch.name),
      photos: batch.photos.map((photo) => checkPhoto(photo, this.embeddingDim)),
    }));
    return this.locks.run(scope, async () => {
      const index = await this.readIndex(scope);
      const owners = new Map<string, IdentityEntry>();
      for (const identity of index.identities)
        for (const photo of identity.photos) owners.set(photo.hash, identity);
      const pending: PhotoBlob[] = [];
      const touched: { outcome: BatchOutcome; identity: IdentityEntry }[] = [];
      const now = new Date().toISOString();
      for (const batch of checked) {
        const existing = findIdentity(index, batch.name);
        const identity = existing ?? {
          slug: slugify(batch.name),
          name: batch.name,
          createdAt: now,
          photos: [],
        };
        const outcome: BatchOutcome = { name: batch.name, identity: null, added: [], duplicates: [] };
        for (const photo of batch.photos) {
          const owner = owners.get(photo.hash);
          if (owner !== undefined) {
            const { hash, source } = photo;
            outcome.duplicates.push({
              hash,
              ...(source === undefined ? {} : { source }),
              slug: owner.slug,
              name: owner.name,
            });
            continue;
          }
          const entry: PhotoEntry = { hash: photo.hash, addedBy: photo.addedBy, addedAt: photo.addedAt };
          if (photo.source !== undefined) entry.source = photo.source;
          identity.photos.push(entry);
          owners.set(photo.hash, identity);
          outcome.added.push(photoInfo(entry));
          pending.push(toBlob(photo, now));
        }
        // A new identity exists only with at least one photo, so later batches can find and extend it.
        if (existing === undefined && identity.photos.length > 0) index.identities.push(identity);
        touched.push({ outcome, identity });
      }
      let version = index.version;
      if (pending.length > 0) {
        // Blobs first, index last: a failure before the commit leaves only orphan blobs.
        for (const blob of pending) await this.photos.set(blobKey(scope, blob.hash), blob);
        version = await this.commit(index);
      }
      // Reported after all batches, since a later batch may have added to the same identity.
      const results = touched.map(({ outcome, identity }) => ({
        ...outcome,
        identity: identity.photos.length > 0 ? identityInfo(identity) : null,
      }));
      return { results, version };
    });
  }

  /** Renames an identity; the new name may only differ in case/accents from its own, not match another. */
  async rename(scope: Scope, from: string, to: string): Promise<IdentityInfo> {
    checkScope(scope);
    const name = cleanName(to);
    return this.locks.run(scope, async () => {
      const index = await this.readIndex(scope);
      const identity = requireIdentity(index, from);
      const slug = slugify(name);
      const clash = index.identities.find((other) => other !== identity && other.slug === slug);
      if (clash !== undefined) {
        throw new UserError('duplicate', { text: 'name_taken', name: clash.name });
      }
      if (identity.name === name && identity.slug === slug) return identityInfo(identity);
      identity.name = name;
      identity.slug = slug;
      await this.commit(index);
      return identityInfo(identity);
    });
  }

  /** Removes an identity and all its photos; returns it as it was. */
  async removeIdentity(scope: Scope, nameOrSlug: string): Promise<IdentityInfo> {
    checkScope(scope);
    return this.locks.run(scope, async () => {
      const index = await this.readIndex(scope);
      const identity = requireIdentity(index, nameOrSlug);
      index.identities = index.identities.filter((other) => other !== identity);
      await this.commit(index);
      await this.dropBlobs(
        scope,
        identity.photos.map((photo) => photo.hash),
      );
      return identityInfo(identity);
    });
  }

  /** Removes one photo by hash (or a unique prefix of at least 8); its identity goes with its last photo. */
  async removePhoto(scope: Scope, hash: string): Promise<RemovedPhoto> {
    checkScope(scope);
    return this.locks.run(scope, async () => {
      const index = await this.readIndex(scope);
      const { identity, photo } = findPhoto(index, hash);
      identity.photos = identity.photos.filter((other) => other !== photo);
      const identityRemoved = identity.photos.length === 0;
      if (identityRemoved) index.identities = index.identities.filter((other) => other !== identity);
      const version = await this.commit(index);
      await this.dropBlobs(scope, [photo.hash]);
      const info = identityInfo(identity);
      if (identityRemoved) info.photos = [photoInfo(photo)];
      return { hash: photo.hash, identity: info, identityRemoved, version };
    });
  }

  /**
   * Deletes every photo that `userId` added, in every scope, with any model trained on them; also deletes
   * that user's uncommitted (orphan) blobs. Returns how many gallery photos were deleted.
   */
  async forgetUser(userId: string): Promise<number> {
    let deleted = 0;
    for (const scope of await this.scopes()) {
      deleted += await this.locks.run(scope, async () => {
        const index = await this.readIndex(scope);
        const dropped: string[] = [];
        for (const identity of index.identities) {
          const kept = identity.photos.filter((photo) => photo.addedBy !== userId);
          for (const photo of identity.photos) if (photo.addedBy === userId) dropped.push(photo.hash);
          identity.photos = kept;
        }
        if (dropped.length === 0) return 0;
        index.identities = index.identities.filter((identity) => identity.photos.length > 0);
        // A model keeps traces of its training photos, so it goes too, not merely invalidated; and before
        // the commit, so that a retry after a failure here still finds the photos and deletes the model.
        await this.models.delete(scope);
        await this.commit(index);
        await this.dropBlobs(scope, dropped);
        return dropped.length;
      });
    }
    await this.#sweepOrphans((blob) => blob.addedBy === userId);
    return deleted;
  }

  /**
   * Deletes photo blobs that no index references and that are older than the grace period (younger ones
   * may belong to an enrolment another process is about to commit). Returns how many were deleted.
   */
  async collectGarbage(): Promise<number> {
    const cutoff = Date.now() - this.gcGraceMs;
    return this.#sweepOrphans((blob) => Date.parse(blob.storedAt) <= cutoff);
  }

  async #sweepOrphans(shouldDelete: (blob: PhotoBlob) => boolean): Promise<number> {
    const candidates = new Map<string, string[]>();
    for await (const [key, value] of this.photos.entries()) {
      const parsed = parseBlobKey(key);
      if (parsed === undefined || !shouldDelete(migratePhoto(value))) continue;
      candidates.set(parsed.scope, [...(candidates.get(parsed.scope) ?? []), parsed.hash]);
    }
    let deleted = 0;
    for (const [scope, hashes] of candidates) {
      // Under the scope's lock, so an in-process enrolment cannot commit a blob between check and delete.
      deleted += await this.locks.run(scope, async () => {
        const index = await this.readIndex(scope);
        const live = new Set(
          index.identities.flatMap((identity) => identity.photos.map((photo) => photo.hash)),
        );
        const orphans = hashes.filter((hash) => !live.has(hash));
        for (const hash of orphans) await this.photos.delete(blobKey(scope, hash));
        return orphans.length;
      });
    }
    return deleted;
  }

  /**
   * Replaces the embeddings of enrolled photos with another engine's, then bumps the version so that
   * classifiers retrain. Blobs are rewritten one at a time: an interruption leaves each photo either
   * upgraded or as it was (the engine stamp says which), and a rerun finishes. Returns the version.
   */
  async replaceEmbeddings(scope: Scope, updates: readonly ReEmbedding[]): Promise<number> {
    checkScope(scope);
    for (const u of updates)
      checkPhoto({ ...u, thumbnail: Uint8Array.of(1), addedBy: '-' }, this.embeddingDim);
    return this.locks.run(scope, async () => {
      const index = await this.readIndex(scope);
      const live = new Set(
        index.identities.flatMap((identity) => identity.photos.map((photo) => photo.hash)),
      );
      let changed = 0;
      for (const u of updates) {
        const raw = live.has(u.hash) ? await this.photos.get(blobKey(scope, u.hash)) : undefined;
        // A photo removed meanwhile stays removed.
        if (raw === undefined) continue;
        const blob = { ...migratePhoto(raw), embedding: u.embedding, engine: u.engine };
        if (u.descriptors) blob.descriptors = u.descriptors;
        else delete blob.descriptors;
        if (u.landmarks) blob.landmarks = u.landmarks;
        await this.photos.set(blobKey(scope, u.hash), blob);
        changed++;
      }
      return changed > 0 ? this.commit(index) : index.version;
    });
  }
}
