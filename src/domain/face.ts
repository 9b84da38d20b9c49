import type { Tuning } from './tuning.ts';

/** A face box in pixels of the upright (EXIF-rotated) image: [x, y, width, height]. */
export type Box = [number, number, number, number];

/**
 * One face found in an image, as an analysis that asked for no thumbnail returns it (`thumbnails:
 * false`): the type has no `thumbnail`, so code cannot read one that was never made.
 */
export interface BareFace {
  /** Where the face is in the upright original image. */
  box: Box;
  /** Detector confidence in [0, 1]. */
  score: number;
  /** L2-normalised embedding from Human's faceres model. */
  embedding: Float32Array;
  /** 68 facial landmarks (iBUG 300-W order) in pixels of the upright original image, [x0, y0, x1, y1, …]. */
  landmarks?: Float32Array;
  /** Each descriptor that went into `embedding`, L2-normalised, by name (`faceres`, `dlib`). */
  descriptors?: Partial<Record<DescriptorName, Float32Array>>;
}

/** One face found in an image, with its thumbnail: what `analyze` returns unless asked not to make one. */
export interface Face extends BareFace {
  /** A small aligned face crop (112×112 PNG), for reply pictures, the gallery, games and "Why?". */
  thumbnail: Uint8Array;
}

/** The face descriptors an engine can compute. */
export type DescriptorName = 'faceres' | 'dlib';

/**
 * A face image that is already cut out (a thumbnail, or a copy of it with a region masked): RGB bytes,
 * HWC, with the face's 68 landmarks in its own pixels.
 */
export interface FaceImage {
  data: Uint8Array;
  width: number;
  height: number;
  landmarks: Float32Array;
}

/** Milliseconds spent in each stage of one analysis. */
export interface StageTimings {
  decode: number;
  detect: number;
  align: number;
  embed: number;
}

/** Everything the engine found in one image; `F` is `BareFace` where the call made no thumbnails. */
export interface Analysis<F extends BareFace = Face> {
  /** Size of the upright original image. */
  width: number;
  height: number;
  /** Faces, largest first. */
  faces: F[];
  timings: StageTimings;
}

/** Options for one analysis. */
export interface AnalyzeOptions {
  /** At most this many faces are returned (largest first); more raise `too_many_faces` when `strict`. */
  maxFaces?: number;
  /** Refuse photos with more faces than `maxFaces` instead of keeping the largest. */
  strict?: boolean;
  /**
   * Whether each face gets its thumbnail (default true). A thumbnail is a 112² resize of the face's
   * crop and a PNG encode, about 2.8 CPU ms a face: callers that show or store no face (`lookalike
   * infer`, re-embedding from stored thumbnails) pass false, and get `BareFace`s.
   */
  thumbnails?: boolean;
}

/** Options that keep the thumbnails: `analyze` with these returns `Face`s. */
export type ThumbnailOptions = AnalyzeOptions & { thumbnails?: true };

/** How busy an engine is: what a caller would wait behind if it asked now. */
export interface EngineLoad {
  /** Requests running or queued. */
  ahead: number;
  /** Expected wait before a new request starts, from the measured time per request. */
  expectedWaitMs: number;
  /** Whether a new request would be taken (else it would get `busy`). */
  accepting: boolean;
}

/** The platform-neutral face engine: ONNX Runtime, Human and tfjs stay behind this interface. */
export interface FaceEngine {
  /** Decodes an image buffer, finds every face, aligns and embeds each, and cuts its thumbnail. */
  analyze(image: Uint8Array, options?: ThumbnailOptions): Promise<Analysis>;
  /**
   * The same without thumbnails when `options.thumbnails` is false; where it is only known at run
   * time the faces are typed bare either way.
   */
  analyze(image: Uint8Array, options?: AnalyzeOptions): Promise<Analysis<BareFace>>;
  /** Name of the backend in use (`onnx`, `tensorflow` or `wasm`). */
  readonly backend: string;
  /** The tuning it really runs (see resolveTuning), where it knows: its embeddings' fingerprint depends on it. */
  readonly tuning?: Tuning;
  /**
   * Current load, where the engine queues work (the pool does); lets callers refuse or warn before
   * deferring. `extra`: requests the caller admitted but has not submitted yet, counted as queued.
   */
  load?(extra?: number): EngineLoad;
  /**
   * Resolves once the engine answers at full speed (the pool: every worker has loaded and warmed up),
   * where it starts in the background; rejects when it cannot start. Work sent before waits for it.
   */
  ready?(): Promise<void>;
  /**
   * The embedding of each face image as `analyze` would embed that face, in one batch, without
   * detection (see src/engine/embed-chips.ts); absent where the engine cannot (Human on tfjs).
   */
  embedFaceImages?(images: FaceImage[]): Promise<Float32Array[]>;
  /** Frees workers and models. */
  close(): Promise<void>;
}
