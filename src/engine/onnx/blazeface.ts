/**
 * BlazeFace's post-processing outside Human, for the ONNX engine: anchors, box decoding,
 * score threshold, non-max suppression, scaling to the photo and Human's enlarge + square
 * step. Each step follows Human 3.3 (its face/blazeface.ts and facemeshutil.ts) and TF.js's
 * NonMaxSuppressionV3, so both engines find the same faces in the same places.
 */

/** The detector's input side in pixels; its anchors are laid out for it. */
export const DETECTOR_SIZE = 256;

/** Human's default IoU threshold for the face detector. */
export const IOU_THRESHOLD = 0.1;

/** A decoded face box in photo pixels, before clamping: [x1, y1, x2, y2]. */
export type Corners = [number, number, number, number];

/** One face as Human's detector reports it. */
export interface DetectedFace {
  /** Enlarged, squared box in pixels of the detector's input photo (may extend past its edges). */
  square: Corners;
  /** The same box clamped to the photo, truncated to whole pixels: [x, y, width, height]. */
  box: [number, number, number, number];
  /** Sigmoid score, rounded to 2 decimals as Human reports it. */
  score: number;
  /** BlazeFace's six keypoints (eyes, nose, mouth, ears) in photo pixels. */
  keypoints: [number, number][];
}

/** Anchor centres in detector pixels: 16×16 cells × 2, then 8×8 cells × 6, as Human generates them. */
export function anchors(size = DETECTOR_SIZE): Float32Array {
  const spec = [
    { stride: size / 16, count: 2 },
    { stride: size / 8, count: 6 },
  ];
  const out: number[] = [];
  for (const { stride, count } of spec) {
    const cells = Math.floor((size + stride - 1) / stride);
    for (let gy = 0; gy < cells; gy++)
      for (let gx = 0; gx < cells; gx++)
        for (let n = 0; n < count; n++) out.push(stride * (gx + 0.5), stride * (gy + 0.5));
  }
  return Float32Array.from(out);
}

const ANCHORS = anchors();

function iou(a: Corners, b: Corners): number {
  const areaA = (a[2] - a[0]) * (a[3] - a[1]);
  const areaB = (b[2] - b[0]) * (b[3] - b[1]);
  if (areaA <= 0 || areaB <= 0) return 0;
  const w = Math.max(Math.min(a[2], b[2]) - Math.max(a[0], b[0]), 0);
  const h = Math.max(Math.min(a[3], b[3]) - Math.max(a[1], b[1]), 0);
  return (w * h) / (areaA + areaB - w * h);
}

/** Greedy NMS as TF.js's NonMaxSuppressionV3: highest score first, ties by lower index. */
export function nonMaxSuppression(
  boxes: Corners[],
  scores: Float32Array,
  maxOutput: number,
  iouThreshold: number,
  scoreThreshold: number,
): number[] {
  const candidates: number[] = [];
  for (let i = 0; i < scores.length; i++) if ((scores[i] as number) > scoreThreshold) candidates.push(i);
  candidates.sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
  const selected: number[] = [];
  for (const i of candidates) {
    if (selected.length >= maxOutput) break;
    if (selected.every((j) => iou(boxes[i] as Corners, boxes[j] as Corners) < iouThreshold)) selected.push(i);
  }
  return selected;
}

/** Options of the decoding step. */
export interface DecodeOptions {
  /** Width and height of the photo the detector saw (it was stretched to 256×256). */
  width: number;
  height: number;
  minConfidence: number;
  maxFaces: number;
  /** Human's detector.scale: how much each box is enlarged before squaring. */
  cropScale: number;
}

/**
 * Turns the model's raw outputs into faces. `scores` holds one logit per anchor and `boxes`
 * 16 regressors per anchor (box centre offset and size, then 6 keypoints), both ordered like
 * the anchors: the 512 of the fine grid, then the 384 of the coarse one.
 */
export function decodeFaces(
  scores: Float32Array,
  boxes: Float32Array,
  options: DecodeOptions,
): DetectedFace[] {
  const n = scores.length;
  const corners: Corners[] = new Array(n);
  const probs = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const ax = ANCHORS[i * 2] as number;
    const ay = ANCHORS[i * 2 + 1] as number;
    const cx = (boxes[i * 16] as number) + ax;
    const cy = (boxes[i * 16 + 1] as number) + ay;
    const w = boxes[i * 16 + 2] as number;
    const h = boxes[i * 16 + 3] as number;
    corners[i] = [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
    probs[i] = 1 / (1 + Math.exp(-(scores[i] as number)));
  }
  const keep = nonMaxSuppression(corners, probs, options.maxFaces, IOU_THRESHOLD, options.minConfidence);
  const fx = options.width / DETECTOR_SIZE;
  const fy = options.height / DETECTOR_SIZE;
  const faces: DetectedFace[] = [];
  for (const i of keep) {
    const c = corners[i] as Corners;
    const ax = ANCHORS[i * 2] as number;
    const ay = ANCHORS[i * 2 + 1] as number;
    const keypoints: [number, number][] = [];
    for (let k = 0; k < 6; k++)
      keypoints.push([
        ((boxes[i * 16 + 4 + k * 2] as number) + ax) * fx,
        ((boxes[i * 16 + 5 + k * 2] as number) + ay) * fy,
      ]);
    // Human: scale to the photo, enlarge around the centre, then square on the longer side.
    const [x1, y1, x2, y2] = [c[0] * fx, c[1] * fy, c[2] * fx, c[3] * fy];
    const cx = x1 + (x2 - x1) / 2;
    const cy = y1 + (y2 - y1) / 2;
    const half = (Math.max(Math.abs(x2 - x1), Math.abs(y2 - y1)) * options.cropScale) / 2;
    const square: Corners = [
      Math.round(cx - half),
      Math.round(cy - half),
      Math.round(cx + half),
      Math.round(cy + half),
    ];
    if (square[2] - square[0] <= 0) continue;
    const box: [number, number, number, number] = [
      Math.trunc(Math.max(0, square[0])),
      Math.trunc(Math.max(0, square[1])),
      Math.trunc(Math.min(options.width, square[2]) - Math.max(0, square[0])),
      Math.trunc(Math.min(options.height, square[3]) - Math.max(0, square[1])),
    ];
    faces.push({ square, box, score: Math.round(100 * (probs[i] as number)) / 100, keypoints });
  }
  return faces;
}
