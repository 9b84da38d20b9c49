import type { DescriptorName } from '../domain/face.ts';
import { DEFAULT_TUNING, embeddingDim } from '../domain/tuning.ts';
import type { IdentityInfo, PhotoInfo, Scope } from '../domain/types.ts';

/** Length of the face embeddings the gallery accepts by default: the shipped engine's. */
export const EMBEDDING_DIM = embeddingDim(DEFAULT_TUNING);

/** Each descriptor behind a photo's embedding, by name, as the engine gave them. */
export type Descriptors = Partial<Record<DescriptorName, Float32Array>>;

/** A photo to enrol: one face, already analysed. */
export interface NewPhoto {
  /** sha256 hex of the image file bytes; the same hash is never enrolled twice in a scope. */
  hash: string;
  embedding: Float32Array;
  /** PNG of the aligned face. */
  thumbnail: Uint8Array;
  /** Who added it, e.g. 'cli' or 'discord:123'; /forget deletes by this. */
  addedBy: string;
  /** ISO time; defaults to now. */
  addedAt?: string;
  /** File name, for listings. */
  source?: string;
  /** The face's 68 landmarks in the thumbnail's pixels, for explaining resemblance (absent: not explained). */
  landmarks?: Float32Array;
  /** The descriptors the embedding was made from, kept so a new fusion needs no re-embedding. */
  descriptors?: Descriptors;
  /** sha256 of the engine fingerprint that made the embedding; embeddings of other engines are never mixed. */
  engine?: string;
}

/** An enrolled photo with its embedding and thumbnail, as training needs it. */
export interface PhotoRecord extends PhotoInfo {
  embedding: Float32Array;
  thumbnail: Uint8Array;
  /** 68 landmarks in the thumbnail's pixels; absent for photos enrolled before landmarks were kept. */
  landmarks?: Float32Array;
  descriptors?: Descriptors;
  /** Engine fingerprint sha256; absent for photos enrolled before fingerprints were stored. */
  engine?: string;
}

/** A new embedding for an enrolled photo, made by another engine (see Gallery.replaceEmbeddings). */
export interface ReEmbedding {
  hash: string;
  embedding: Float32Array;
  descriptors?: Descriptors;
  engine: string;
  /** The new engine's 68 landmarks in the thumbnail's pixels; photos enrolled without them gain them. */
  landmarks?: Float32Array;
}

/** One identity with all its photos. */
export interface IdentitySnapshot {
  slug: string;
  name: string;
  createdAt: string;
  photos: PhotoRecord[];
}

/** An enrolled photo as answering needs it: no thumbnail, landmarks or descriptors. */
export interface EmbeddedPhoto extends PhotoInfo {
  embedding: Float32Array;
  /** Engine fingerprint sha256; absent for photos enrolled before fingerprints were stored. */
  engine?: string;
}

/** A scope's embeddings at one version (Gallery.embeddingSnapshot). */
export interface EmbeddingSnapshot {
  scope: Scope;
  version: number;
  identities: { slug: string; name: string; photos: EmbeddedPhoto[] }[];
}

/** A consistent copy of one scope's gallery at one version. */
export interface GallerySnapshot {
  scope: Scope;
  version: number;
  identities: IdentitySnapshot[];
}

/** A photo that was not enrolled because its hash is already in the scope. */
export interface DuplicatePhoto {
  hash: string;
  source?: string;
  /** The identity that already has it. */
  slug: string;
  name: string;
}

/** What `enroll` did. */
export interface EnrollOutcome {
  identity: IdentityInfo;
  added: PhotoInfo[];
  duplicates: DuplicatePhoto[];
  /** The scope's version after the enrolment (unchanged when nothing was added). */
  version: number;
}

/** Photos for one identity in a bulk enrolment. */
export interface EnrollBatch {
  name: string;
  photos: NewPhoto[];
}

/** What a bulk enrolment did for one batch. */
export interface BatchOutcome {
  name: string;
  /** Null when the identity is new and every photo was a duplicate, so it was not created. */
  identity: IdentityInfo | null;
  added: PhotoInfo[];
  duplicates: DuplicatePhoto[];
}

/** What `enrollMany` did. */
export interface BulkEnrollOutcome {
  results: BatchOutcome[];
  version: number;
}

/** What `removePhoto` did. */
export interface RemovedPhoto {
  hash: string;
  /** The identity as it is after the removal (or as it was, when it went with its last photo). */
  identity: IdentityInfo;
  identityRemoved: boolean;
  version: number;
}

/** Tuning for a Gallery. */
export interface GalleryOptions {
  /** Required embedding length (default EMBEDDING_DIM). */
  embeddingDim?: number;
  /** Orphan photo blobs younger than this are left alone by `collectGarbage` (default 10 minutes),
   *  because another process may be about to commit them. */
  gcGraceMs?: number;
  /** Serialises writers per scope; default this process's mutex. Several bot processes on one Redis
   *  pass a lock shared through it (src/coordination), so their writes to one scope take turns too. */
  locks?: ScopeLocks;
}

/** Runs `fn` alone for `key` among every writer that shares these locks. */
export interface ScopeLocks {
  run<R>(key: string, fn: () => Promise<R>): Promise<R>;
}
