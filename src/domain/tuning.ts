/** Numeric precision of the ONNX models: float32, or int8 (QDQ, quantised by npm run build:models). */
export type Precision = 'fp32' | 'int8';

/**
 * The settings of the shipped face pipeline, each documented at its default in `DEFAULT_TUNING`.
 * The experiments that once had knobs here (mesh, rotation, flip, dlibFlip, chipRotation, embedSize,
 * landmarkScale) were removed on 2026-12-04; their figures stay in docs/evaluation/ and
 * docs/quality.md, and their code in git history (`git log -S dlibFlip`).
 */
export interface Tuning {
  minConfidence: number;
  maxSide: number;
  padBelow: number;
  padFraction: number;
  cropScale: number;
  descriptor: 'faceres' | 'dlib' | 'fused';
  dlibWeight: number;
  landmarks: boolean;
  precision: Precision;
}

/**
 * The configuration chosen from the measurements (docs/quality.md, npm run eval): faceres on
 * Human's unrotated crop, fused with face-api's dlib descriptor on its upright, landmark-aligned chip.
 */
export const DEFAULT_TUNING: Tuning = {
  /** Detector confidence below which a face is dropped (Human's detector.minConfidence is 0.2). */
  minConfidence: 0.3,
  /** Longest side the decoded photo is scaled down to before detection. */
  maxSide: 1024,
  /** Photos whose shorter side is at most this many pixels get a border, so tight crops are still found. */
  padBelow: 200,
  /** That border on each side, as a fraction of the photo's size. */
  padFraction: 0.4,
  /** How much the detector's box is enlarged before cropping (Human's detector.scale is 1.4; 1.3 scored better). */
  cropScale: 1.3,
  /**
   * Which descriptor makes the embedding: Human's faceres, face-api's dlib-style recognition net on
   * its landmark-aligned chip, or both, fused (onnx and tensorflow backends; wasm runs faceres alone).
   */
  descriptor: 'fused',
  /** Share of the fused embedding's squared norm given to dlib: cosines fuse as (1−w)·faceres + w·dlib (people-split cross-validation). */
  dlibWeight: 0.9,
  /** Run face-api's 68-landmark net on every face: the quality gate and the dlib chip need it. */
  landmarks: true,
  /**
   * int8 runs the models that build:models quantised (the others stay fp32): a few times faster
   * where the CPU has VNNI. Its embeddings differ slightly, so it is part of the fingerprint and has
   * its own calibration profile. FACE_PRECISION chooses it (src/config, engine/precision.ts).
   */
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
  if (backend === 'wasm') return { ...tuning, descriptor: 'faceres', landmarks: false, precision: 'fp32' };
  // tfjs runs every net in float32.
  if (backend !== 'onnx') return { ...tuning, precision: 'fp32' };
  // The second descriptor works from the 68 landmarks.
  if (tuning.descriptor !== 'faceres') tuning.landmarks = true;
  return tuning;
}
