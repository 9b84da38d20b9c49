import type { SkipReport } from '../user-texts.ts';
import type { Box, EngineLoad } from './face.ts';
import type { Resemblance } from './resemblance.ts';

/** A gallery scope: a Discord server (`discord:<guildId>`), a Slack workspace (`slack:<teamId>`), or `global`. */
export type Scope = string;

/** The scope the CLI fills and that empty chat galleries fall back to. */
export const GLOBAL_SCOPE: Scope = 'global';

/** One candidate identity for a face. */
export interface Candidate {
  /** Display name, e.g. "Brad Pitt". */
  name: string;
  /** Stable id derived from the name, e.g. "brad-pitt". */
  slug: string;
  /** Calibrated classifier probability in [0, 1] (similarity-based when the gallery has one identity). */
  confidence: number;
  /** Similarity in [0, 1] to this identity's nearest enrolled photo. */
  similarity: number;
}

/** The best candidate, plus whether the face is probably that person themselves. */
export interface Match extends Candidate {
  same: boolean;
  /** Which facial regions resemble this person's most (absent when it cannot be explained). */
  resemblance?: Resemblance;
}

/** A face answered earlier, explained on demand: its thumbnail, its answer again, and why. */
export interface ExplainedFace {
  thumbnail: Uint8Array;
  match: Match & { resemblance: Resemblance };
  top: Candidate[];
}

/** The answer for one face in a photo. */
export interface FaceAnswer {
  box: Box;
  score: number;
  /** PNG of the aligned face from the photo. */
  thumbnail: Uint8Array;
  /** Null only when the gallery is empty. */
  match: Match | null;
  /** Up to 3 candidates, best first. */
  top: Candidate[];
  /**
   * Where the match can be explained on demand: the id to pass to `LookalikeService.explain` while the
   * face is held in memory (never stored; see docs/resemblance.md).
   */
  explainId?: string;
}

/** The answer for one face without its picture: what `identify` gives a caller that shows none. */
export type BareAnswer = Omit<FaceAnswer, 'thumbnail'>;

/** How an identification was made: the linear SVM (2+ identities), similarity alone (1), or nothing (an empty gallery). */
export type Method = 'svm' | 'similarity' | 'none';

/** The answer for one photo; `F` is `BareAnswer` where the caller asked for no thumbnails. */
export interface Identification<F extends BareAnswer = FaceAnswer> {
  /** The gallery that answered (the caller's, or `global` when the caller's is empty). */
  scope: Scope;
  method: Method;
  width: number;
  height: number;
  faces: F[];
}

/** An enrolled photo, as callers see it. */
export interface PhotoInfo {
  hash: string;
  addedBy: string;
  addedAt: string;
  source?: string;
}

/** An identity in a gallery, as callers see it. */
export interface IdentityInfo {
  name: string;
  slug: string;
  photos: PhotoInfo[];
}

/** A file given to enrolment, with the name used in skip reports. */
export interface NamedImage {
  name: string;
  data: Uint8Array;
}

/**
 * Why an image was not enrolled: a code (`no_face`, `too_many_faces`, `duplicate`, or the UserError code of
 * a file that could not be read), its context, and `reason`, the short text rendered from them.
 */
export type Skipped = SkipReport;

/** What an enrolment did. */
export interface EnrollResult {
  identity: IdentityInfo;
  /** `ignoredFaces`: smaller faces or edge slivers left out of that photo, which enrolled its main face. */
  added: { file: string; hash: string; ignoredFaces?: number }[];
  skipped: Skipped[];
  version: number;
}

/** Result of comparing the largest face of two images. */
export interface Comparison {
  similarity: number;
  same: boolean;
  thumbnails: [Uint8Array, Uint8Array];
}

/** What /forget removed. */
export interface ForgetResult {
  photos: number;
  other: string[];
}

/** What an import did, for the summary reply. */
export interface ImportSummary {
  kind: 'photos' | 'pack';
  /** Photos added to the gallery. */
  added: number;
  /** People who got at least one photo. */
  people: number;
  /** People in the gallery afterwards. */
  identities: number;
  /** Files not enrolled, and why (no face, several faces, not an image…). */
  skipped: Skipped[];
  /** Files already in the gallery, with who has them. */
  duplicates: Skipped[];
  /** Set when a pack's embeddings came from another engine, so its thumbnails were embedded again. */
  reembedded?: { photos: number; reason: string };
}

/**
 * The platform-neutral service the CLI, the chat commands and the games call; `CoreService` (src/core)
 * implements it.
 */
export interface LookalikeService {
  /**
   * How busy the face engine is (absent or undefined where it cannot say, as with the queue); `extra`
   * counts photos admitted but not yet handed to it. Chat refuses with `busy` before deferring from it.
   */
  load?(extra?: number): EngineLoad | undefined;
  /**
   * Finds every face and names its nearest identity in `scope` (falling back to `global` when empty);
   * with `explain`, also says why each best match resembles its face (costly: see docs/resemblance.md).
   */
  identify(scope: Scope, image: Uint8Array, options?: { explain?: boolean }): Promise<Identification>;
  /**
   * Why a face answered earlier resembles its best match (`FaceAnswer.explainId`); null when that face is
   * no longer held or cannot be explained (absent: not offered).
   */
  explain?(explainId: string): Promise<ExplainedFace | null>;
  /** Adds photos (one face each) to an identity, creating it when new. */
  enroll(scope: Scope, name: string, images: NamedImage[], addedBy: string): Promise<EnrollResult>;
  /** Compares the largest face of each image. */
  /** `names` (the files' names) go into errors, so that a failure says which photo it was. */
  compare(a: Uint8Array, b: Uint8Array, names?: [string, string]): Promise<Comparison>;
  list(scope: Scope): Promise<IdentityInfo[]>;
  rename(scope: Scope, from: string, to: string): Promise<IdentityInfo>;
  remove(scope: Scope, name: string): Promise<IdentityInfo>;
  removePhoto(scope: Scope, hash: string): Promise<void>;
  /** The PNG thumbnail of an identity's first enrolled photo, for reply pictures. */
  thumbnail(scope: Scope, slug: string): Promise<Uint8Array | null>;
  /** Deletes everything stored about a user id across scopes. */
  forget(userId: string): Promise<ForgetResult>;
  /** Imports a ZIP of per-person photo folders or a gallery pack, in one commit (absent: not offered). */
  importArchive?(
    scope: Scope,
    zip: Uint8Array,
    addedBy: string,
    options?: {
      onProgress?: (done: number, total: number) => void;
      packOnly?: boolean;
      /** Aborted when the member's request is gone: photos not yet analysed are not. */
      signal?: AbortSignal;
    },
  ): Promise<ImportSummary>;
  /** The scope's gallery as one pack file (absent: not offered). */
  exportPack?(scope: Scope): Promise<{ pack: Uint8Array; identities: number; photos: number }>;
}
