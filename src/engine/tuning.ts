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
  /** Also embed the mirrored face and average both (test-time augmentation). */
  flip: boolean;
}

/**
 * The configuration chosen from the measurements in README ("Tuning"): the mesh and its
 * rotation correction cost time and did not improve identification on ../shared/data; a
 * tighter crop (1.3 instead of Human's 1.4) did; mirrored-face averaging helped a little
 * but doubles the embedding cost.
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
};
