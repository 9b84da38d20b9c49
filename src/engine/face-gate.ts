import { referencePoints } from './align.ts';

/**
 * The quality gate between detection and embedding: it drops what BlazeFace calls a face but is
 * not one (a flag, a texture, a bright gradient, a glasses' reflection), and faces too small or
 * too cut off to embed. Measured on the bbt portraits and group photos, the celebrity crops and a
 * synthetic faceless set (docs/quality.md, `npm run bench -- --false-faces`): every real face
 * stays, every phantom of that set goes.
 *
 * Score alone cannot do it: phantoms score 0.30–0.70 and real faces in group photos 0.38–0.90.
 * What separates them is whether the two nets agree: on a real face face-api's 68-landmark net puts
 * the eyes, nose tip and mouth where BlazeFace's own keypoints are (at most 0.12 of the face's side
 * apart on every real face measured); on a phantom it draws a face shape anywhere (0.16 and more).
 */

/** A detected face in the detector's input pixels (the photo plus any grey border). */
export interface GateCandidate {
  /** The box clamped to the input: [x, y, width, height]; the enlarged, squared detector box. */
  box: [number, number, number, number];
  score: number;
  /** The unclamped square [x1, y1, x2, y2], where the engine has it: the face's true size at an edge. */
  square?: [number, number, number, number];
  /** BlazeFace's keypoints: right eye, left eye, nose, mouth (ears, if any, are not used). */
  keypoints?: [number, number][];
}

/** Where the original photo lies in the detector's input, and its scale. */
export interface GateFrame {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Input pixels per original pixel (below 1 when a large photo was scaled down). */
  scale: number;
  /** How much the detector's box was enlarged before squaring (the tuning's cropScale). */
  cropScale: number;
}

/** Why a candidate was dropped, or `face` when it stays. */
export type GateVerdict = 'face' | 'small' | 'sliver' | 'inconsistent';

/** Faces whose box is shorter than this, in original pixels, are too small to identify. */
export const MIN_FACE_PX = 20;
/**
 * The part of a box inside the photo with a shorter/longer side ratio below this is a sliver: the
 * face is more than half outside the photo (real faces measured: 0.78 and above).
 */
export const MIN_INSIDE_ASPECT = 0.5;
/**
 * Largest distance, as a share of the face's side, between a landmark-net point (eye centres,
 * nose tip, mouth centre) and the detector's keypoint for it. Real faces: at most 0.123 (a turned
 * head in a group photo); phantoms: at least 0.157.
 */
export const MAX_LANDMARK_OFFSET = 0.14;

const dist = (a: [number, number], b: [number, number]) => Math.hypot(a[0] - b[0], a[1] - b[1]);

/**
 * How far the 68 landmarks (iBUG order, input pixels) lie from the detector's keypoints, as a
 * share of the face's side: the worst of the eyes (their mean offset, paired in the nearer order:
 * the nets disagree on whose right), the nose tip and the mouth centre.
 */
export function landmarkOffset(candidate: GateCandidate, landmarks: Float32Array, cropScale: number): number {
  const kp = candidate.keypoints;
  if (!kp || kp.length < 4) return 0;
  const sq = candidate.square;
  const side = (sq ? sq[2] - sq[0] : Math.max(candidate.box[2], candidate.box[3])) / cropScale;
  const [e0, e1, nose, mouth] = kp as [
    [number, number],
    [number, number],
    [number, number],
    [number, number],
  ];
  const [a, b, mouthCentre] = referencePoints(landmarks);
  const tip: [number, number] = [landmarks[60] as number, landmarks[61] as number];
  const eyes = Math.min(dist(a, e0) + dist(b, e1), dist(a, e1) + dist(b, e0)) / 2;
  const worst = Math.max(eyes, dist(tip, nose), dist(mouthCentre, mouth));
  return worst / side;
}

/** The gate's verdict on one candidate; `landmarks` (68 points, input pixels) enable the consistency check. */
export function judgeFace(candidate: GateCandidate, frame: GateFrame, landmarks?: Float32Array): GateVerdict {
  const [x, y, w, h] = candidate.box;
  if (Math.max(w, h) / frame.scale < MIN_FACE_PX) return 'small';
  const iw = Math.min(x + w, frame.x + frame.width) - Math.max(x, frame.x);
  const ih = Math.min(y + h, frame.y + frame.height) - Math.max(y, frame.y);
  if (iw <= 0 || ih <= 0 || Math.min(iw, ih) / Math.max(iw, ih) < MIN_INSIDE_ASPECT) return 'sliver';
  if (landmarks && landmarkOffset(candidate, landmarks, frame.cropScale) > MAX_LANDMARK_OFFSET)
    return 'inconsistent';
  return 'face';
}

/** Indices of the candidates that pass the gate, in order. */
export function realFaces(
  candidates: readonly GateCandidate[],
  frame: GateFrame,
  landmarks?: readonly (Float32Array | undefined)[],
): number[] {
  const kept: number[] = [];
  candidates.forEach((c, i) => {
    if (judgeFace(c, frame, landmarks?.[i]) === 'face') kept.push(i);
  });
  return kept;
}

/** The frame of a prepared photo: where the original lies inside its grey border, and its scale. */
export function gateFrame(
  photo: { offset: { x: number; y: number }; decoded: { width: number; height: number; scale: number } },
  cropScale: number,
): GateFrame {
  const { offset, decoded } = photo;
  return {
    x: offset.x,
    y: offset.y,
    width: decoded.width,
    height: decoded.height,
    scale: decoded.scale,
    cropScale,
  };
}
