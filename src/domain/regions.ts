// The facial regions that resemblance compares, as subsets of the 68 iBUG 300-W landmarks: jaw 0–16,
// right brow 17–21, left brow 22–26, nose bridge 27–30, lower nose 31–35, right eye 36–41, left eye
// 42–47, outer lips 48–59, inner lips 60–67 ("right" is the subject's right, the image's left).

/** Number of landmarks in a set (iBUG 300-W). */
export const LANDMARK_COUNT = 68;

/** The regions resemblance can explain. */
export type RegionName = 'eyes' | 'brows' | 'nose' | 'mouth' | 'jawline' | 'face shape';

/** One region: the points compared, and the strokes that outline it in a picture. */
export interface Region {
  name: RegionName;
  /** Landmark indices whose shape is compared (after Procrustes). */
  points: readonly number[];
  /** Polylines drawn to outline the region; `closed` ones are polygons. */
  strokes: readonly { points: readonly number[]; closed: boolean }[];
}

function span(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

const JAW = span(0, 16);
const RIGHT_BROW = span(17, 21);
const LEFT_BROW = span(22, 26);
const RIGHT_EYE = span(36, 41);
const LEFT_EYE = span(42, 47);
const OUTER_LIPS = span(48, 59);

/**
 * Every region, in a fixed order. Both eyes (and both brows) are one shape, so their spacing counts as
 * well as their outline. The mouth uses the outer lips only: the inner lips move with every smile. Face
 * shape is the outline of the face (jaw and brows) with the nose bridge, so its proportions count.
 */
export const REGIONS: readonly Region[] = [
  {
    name: 'eyes',
    points: [...RIGHT_EYE, ...LEFT_EYE],
    strokes: [
      { points: RIGHT_EYE, closed: true },
      { points: LEFT_EYE, closed: true },
    ],
  },
  {
    name: 'brows',
    points: [...RIGHT_BROW, ...LEFT_BROW],
    strokes: [
      { points: RIGHT_BROW, closed: false },
      { points: LEFT_BROW, closed: false },
    ],
  },
  {
    name: 'nose',
    points: span(27, 35),
    strokes: [
      { points: span(27, 30), closed: false },
      { points: span(31, 35), closed: false },
    ],
  },
  { name: 'mouth', points: OUTER_LIPS, strokes: [{ points: OUTER_LIPS, closed: true }] },
  { name: 'jawline', points: JAW, strokes: [{ points: JAW, closed: false }] },
  {
    name: 'face shape',
    points: [...JAW, ...RIGHT_BROW, ...LEFT_BROW, ...span(27, 30)],
    strokes: [{ points: [...JAW, ...LEFT_BROW.toReversed(), ...RIGHT_BROW.toReversed()], closed: true }],
  },
];

/** The region called `name`, if any. */
export function regionNamed(name: string): Region | undefined {
  return REGIONS.find((region) => region.name === name);
}

/** Whether `value` is a usable landmark set: 68 finite (x, y) pairs. */
export function isLandmarks(value: unknown): value is Float32Array {
  return value instanceof Float32Array && value.length === LANDMARK_COUNT * 2 && value.every(Number.isFinite);
}
