// The facial regions that resemblance attributes a match to, as areas of a face image drawn from its 68
// iBUG 300-W landmarks: jaw 0–16, right brow 17–21, left brow 22–26, nose bridge 27–30, lower nose
// 31–35, right eye 36–41, left eye 42–47, outer lips 48–59, inner lips 60–67 ("right" is the subject's
// right, the image's left). Sizes are in units of the distance between the eye centres, so that a
// region covers the same part of every face whatever its size in pixels.

/** Number of landmarks in a set (iBUG 300-W). */
export const LANDMARK_COUNT = 68;

/** The regions resemblance can name. */
export type RegionName =
  | 'eyes'
  | 'brows'
  | 'nose'
  | 'mouth'
  | 'jaw and chin'
  | 'forehead and hairline'
  | 'cheeks';

/** Every region, in a fixed order (ties keep it). */
export const REGIONS: readonly RegionName[] = [
  'eyes',
  'brows',
  'nose',
  'mouth',
  'jaw and chin',
  'forehead and hairline',
  'cheeks',
];

/** A point [x, y] in the image's pixels. */
export type Point = [number, number];

/** Whether `value` is a usable landmark set: 68 finite (x, y) pairs. */
export function isLandmarks(value: unknown): value is Float32Array {
  return value instanceof Float32Array && value.length === LANDMARK_COUNT * 2 && value.every(Number.isFinite);
}

/** The face's frame: eye spacing (the unit), the direction along the eyes and "up" the face. */
interface Frame {
  unit: number;
  along: Point;
  up: Point;
  centre: Point;
}

function mean(l: ArrayLike<number>, points: readonly number[]): Point {
  let x = 0;
  let y = 0;
  for (const p of points) {
    x += l[2 * p] as number;
    y += l[2 * p + 1] as number;
  }
  return [x / points.length, y / points.length];
}

function span(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function frameOf(l: ArrayLike<number>): Frame {
  const right = mean(l, span(36, 41));
  const left = mean(l, span(42, 47));
  const dx = left[0] - right[0];
  const dy = left[1] - right[1];
  const unit = Math.hypot(dx, dy) || 1;
  const along: Point = [dx / unit, dy / unit];
  // Image y grows downwards: "up" the face is the eye line turned a quarter anticlockwise on screen.
  const up: Point = [along[1], -along[0]];
  return { unit, along, up, centre: mean(l, span(0, 67)) };
}

/** Point `p` moved by `a` units along the eyes and `u` units up the face. */
function move(f: Frame, p: Point, a: number, u: number): Point {
  return [p[0] + f.unit * (a * f.along[0] + u * f.up[0]), p[1] + f.unit * (a * f.along[1] + u * f.up[1])];
}

function at(l: ArrayLike<number>, i: number): Point {
  return [l[2 * i] as number, l[2 * i + 1] as number];
}

/** An ellipse of half-axes `a` (along the eyes) and `b` (up the face), in units, as a polygon. */
function ellipse(f: Frame, c: Point, a: number, b: number, n = 20): Point[] {
  return Array.from({ length: n }, (_, k) => {
    const t = (2 * Math.PI * k) / n;
    return move(f, c, a * Math.cos(t), b * Math.sin(t));
  });
}

/** Point `p` pushed `d` units away from the face's centre (negative: towards it). */
function outward(f: Frame, p: Point, d: number): Point {
  const vx = p[0] - f.centre[0];
  const vy = p[1] - f.centre[1];
  const n = Math.hypot(vx, vy) || 1;
  return [p[0] + (f.unit * d * vx) / n, p[1] + (f.unit * d * vy) / n];
}

function band(f: Frame, l: ArrayLike<number>, points: number[], above: number, below: number): Point[] {
  const top = points.map((i) => move(f, at(l, i), 0, above));
  const bottom = points.map((i) => move(f, at(l, i), 0, -below)).reverse();
  return [...top, ...bottom];
}

/**
 * The polygons that make up `region` on a face with landmarks `l` (in its image's pixels). The shapes
 * were drawn to cover what a person would call the region, with a margin: occluding a region must
 * remove it, not leave its edges for the recognizer to read.
 */
export function regionPolygons(region: RegionName, l: ArrayLike<number>): Point[][] {
  const f = frameOf(l);
  switch (region) {
    case 'eyes':
      return [ellipse(f, mean(l, span(36, 41)), 0.36, 0.2), ellipse(f, mean(l, span(42, 47)), 0.36, 0.2)];
    case 'brows':
      return [band(f, l, span(17, 21), 0.13, 0.09), band(f, l, span(22, 26), 0.13, 0.09)];
    case 'nose':
      return [
        [
          move(f, at(l, 27), -0.13, 0.05),
          move(f, at(l, 31), -0.14, 0.05),
          move(f, at(l, 33), 0, -0.07),
          move(f, at(l, 35), 0.14, 0.05),
          move(f, at(l, 27), 0.13, 0.05),
        ],
      ];
    case 'mouth': {
      const c = mean(l, span(48, 59));
      const width = Math.hypot(at(l, 54)[0] - at(l, 48)[0], at(l, 54)[1] - at(l, 48)[1]) / f.unit;
      const height = Math.hypot(at(l, 57)[0] - at(l, 51)[0], at(l, 57)[1] - at(l, 51)[1]) / f.unit;
      return [ellipse(f, c, 0.62 * width + 0.05, Math.max(0.2, 0.7 * height + 0.06))];
    }
    case 'jaw and chin': {
      const jaw = span(2, 14);
      return [
        [
          ...jaw.map((i) => outward(f, at(l, i), 0.12)),
          ...jaw.map((i) => outward(f, at(l, i), -0.22)).reverse(),
        ],
      ];
    }
    case 'forehead and hairline': {
      const brows = span(17, 26);
      return [
        [
          ...brows.map((i) => move(f, at(l, i), 0, 0.14)),
          ...brows.map((i) => move(f, at(l, i), 0, 1.1)).reverse(),
        ],
      ];
    }
    case 'cheeks':
      return [
        [
          move(f, at(l, 36), -0.05, -0.18),
          move(f, at(l, 40), 0, -0.2),
          move(f, at(l, 31), -0.16, 0),
          move(f, at(l, 48), -0.08, 0.05),
          outward(f, at(l, 4), -0.24),
          outward(f, at(l, 2), -0.24),
          outward(f, at(l, 1), -0.2),
        ],
        [
          move(f, at(l, 45), 0.05, -0.18),
          move(f, at(l, 47), 0, -0.2),
          move(f, at(l, 35), 0.16, 0),
          move(f, at(l, 54), 0.08, 0.05),
          outward(f, at(l, 12), -0.24),
          outward(f, at(l, 14), -0.24),
          outward(f, at(l, 15), -0.2),
        ],
      ];
  }
}
