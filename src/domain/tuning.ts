/** Numeric precision of the ONNX models: float32, or int8 (QDQ, quantised by npm run build:models). */
export type Precision = 'fp32' | 'int8';

/** The knobs of the face pipeline that the benchmark and evaluation compare. */
export interface Tuning {
  /** Run the 468-point mesh: it refines the box and drives rotation correction. */
  mesh: boolean;
  /** Rotate each face upright from its mesh before embedding (needs `mesh`). */
  rotation: boolean;
  /** Detector confidence below which a face is dropped. */
  minConfidence: number;
  /** Longest side the decoded photo is scaled down to before detection. */
  maxSide: number;
  /** Photos whose shorter side is at most this get a border so tight crops are still found. */
  padBelow: number;
  /** Border on each side, as a fraction of the photo's size. */
  padFraction: number;
  /** Run faceres with this input size (the graph is fully convolutional; 224 is what it was trained at). */
  embedSize: number;
  /** How much the detector's box is enlarged before cropping (Human's detector.scale). */
  cropScale: number;
  /** Also embed the mirrored face with faceres and average both (test-time augmentation). */
  flip: boolean;
  /** The same for the dlib descriptor: its net is half faceres's cost, and its weight in the fusion is larger. */
  dlibFlip: boolean;
  /**
   * Which descriptor makes the embedding: Human's faceres, face-api's dlib-style recognition net
   * on its landmark-aligned chip, or both, fused (onnx engine only for the last two).
   */
  descriptor: 'faceres' | 'dlib' | 'fused';
  /** Share of the fused embedding's squared norm given to the dlib descriptor: cosines fuse as (1−w)·faceres + w·dlib. */
  dlibWeight: number;
  /**
   * Turn the dlib descriptor's chip upright by the eye line, as dlib's training chips are; off gives
   * face-api's own chip (its box from the landmarks, unrotated), for comparison.
   */
  chipRotation: boolean;
  /** Run face-api's 68-landmark net on every face (needed by `dlib`, `fused` and onnx `rotation`). */
  landmarks: boolean;
  /** Side of the landmark net's crop, relative to the detector's own (unenlarged) square box. */
  landmarkScale: number;
  /**
   * int8 runs the models that build:models quantised (the others stay fp32): a few times faster
   * where the CPU has VNNI. Its embeddings differ slightly, so it is part of the fingerprint and has
   * its own calibration profile. FACE_PRECISION chooses it (src/config, engine/precision.ts).
   */
  precision: Precision;
}

/**
 * The configuration chosen from the measurements in README ("Recognition quality", npm run eval):
 * faceres on Human's unrotated crop (turning it upright from the landmarks did not help it; a
 * tighter crop, 1.3 instead of Human's 1.4, did), fused with face-api's dlib descriptor on its
 * upright, landmark-aligned chip. The fusion weight 0.9 was chosen by people-split
 * cross-validation. Mirroring (for either descriptor) gained at most one probe in 200 and cost the
 * ≥ 5× speed target on single faces, so it is available but off.
 */
export const DEFAULT_TUNING: Tuning = {
  mesh: false,
  rotation: false,
  minConfidence: 0.3,
  maxSide: 1024,
  padBelow: 200,
  padFraction: 0.4,
  embedSize: 224,
  flip: false,
  cropScale: 1.3,
  descriptor: 'fused',
  dlibWeight: 0.9,
  chipRotation: true,
  dlibFlip: false,
  landmarks: true,
  landmarkScale: 1,
  precision: 'fp32',
};

/** Embedding length for a tuning: faceres's 1024, dlib's 128, or both concatenated. */
export function embeddingDim(tuning: Pick<Tuning, 'descriptor'>): number {
  if (tuning.descriptor === 'dlib') return 128;
  return tuning.descriptor === 'fused' ? 1024 + 128 : 1024;
}

/**
 * The tuning a backend really runs. face-api's nets run on ONNX Runtime and, through face-api's own
 * code, on tfjs-node; Human on tfjs-wasm (the last fallback) embeds with faceres alone, so its
 * embeddings carry another fingerprint, and galleries are re-embedded rather than mixed.
 */
export function resolveTuning(
  backend: 'onnx' | 'tensorflow' | 'wasm',
  requested: Partial<Tuning> = {},
): Tuning {
  const tuning = { ...DEFAULT_TUNING, ...requested };
  if (backend === 'wasm')
    return { ...tuning, descriptor: 'faceres', landmarks: false, dlibFlip: false, precision: 'fp32' };
  // tfjs runs every net in float32.
  if (backend !== 'onnx') return { ...tuning, precision: 'fp32' };
  // Rotation and the second descriptor both work from the 68 landmarks.
  if (tuning.rotation || tuning.descriptor !== 'faceres') tuning.landmarks = true;
  return tuning;
}
