// Where a face's landmarks fall in its thumbnail. The engine cuts a thumbnail as a square around the
// face, which may reach past the photo's edges (always, for tight crops); the face's `box` is that
// square clipped to the photo. Each side of the box that was not clipped is a side of the square; a
// clipped side shows in the thumbnail as padding (the engine's grey border, or black beyond it), so the
// first and last rows and columns with photo content in them locate the photo's edge in the thumbnail.

import type { Box } from '../domain/face.ts';
import { isLandmarks } from '../domain/regions.ts';
import { sharp } from '../image/sharp.ts';

/** The square a thumbnail was cut from, in photo pixels: its top-left corner and side. */
export interface ThumbnailSquare {
  x: number;
  y: number;
  side: number;
}

/** Where photo content is inside a thumbnail, in thumbnail pixels: [first, end) columns and rows. */
interface Content {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

// Padding is the engine's grey (128) border or TF's zero extrapolation; photos rarely match either exactly.
function isPadding(r: number, g: number, b: number): boolean {
  const grey = Math.abs(r - 128) <= 2 && Math.abs(g - 128) <= 2 && Math.abs(b - 128) <= 2;
  return grey || (r <= 2 && g <= 2 && b <= 2);
}

function contentOf(data: Uint8Array, width: number, height: number, channels: number): Content | undefined {
  let left = width;
  let right = 0;
  let top = height;
  let bottom = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * channels;
      if (isPadding(data[i] as number, data[i + 1] as number, data[i + 2] as number)) continue;
      left = Math.min(left, x);
      right = Math.max(right, x + 1);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y + 1);
    }
  }
  return left < right && top < bottom ? { left, right, top, bottom } : undefined;
}

// Least squares over rows [a, b, c, value] meaning a·x + b·y + c·side = value (Cramer's rule on AᵀA).
function solve(rows: number[][]): [number, number, number] | undefined {
  const m = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  const v = [0, 0, 0];
  for (const [a = 0, b = 0, c = 0, value = 0] of rows) {
    const r = [a, b, c];
    for (let i = 0; i < 3; i++) {
      v[i] = (v[i] as number) + (r[i] as number) * value;
      for (let j = 0; j < 3; j++)
        m[3 * i + j] = (m[3 * i + j] as number) + (r[i] as number) * (r[j] as number);
    }
  }
  const det = (q: number[]) =>
    (q[0] as number) * ((q[4] as number) * (q[8] as number) - (q[5] as number) * (q[7] as number)) -
    (q[1] as number) * ((q[3] as number) * (q[8] as number) - (q[5] as number) * (q[6] as number)) +
    (q[2] as number) * ((q[3] as number) * (q[7] as number) - (q[4] as number) * (q[6] as number));
  const d = det(m);
  if (Math.abs(d) < 1e-12) return undefined;
  const column = (k: number) => m.map((x, i) => (i % 3 === k ? (v[Math.floor(i / 3)] as number) : x));
  return [det(column(0)) / d, det(column(1)) / d, det(column(2)) / d];
}

/**
 * The square that a thumbnail of `side` pixels was cut from, from the face's box in a photo of
 * `width`×`height` and, where the box was clipped, the thumbnail's own pixels.
 */
export function thumbnailSquare(
  box: Box,
  photo: { width: number; height: number },
  thumbnail?: { data: Uint8Array; width: number; height: number; channels: number },
): ThumbnailSquare {
  const [bx, by, bw, bh] = box;
  const clipped = {
    left: bx <= 0,
    top: by <= 0,
    right: bx + bw >= photo.width,
    bottom: by + bh >= photo.height,
  };
  const anyClipped = clipped.left || clipped.top || clipped.right || clipped.bottom;
  const content =
    anyClipped && thumbnail
      ? contentOf(thumbnail.data, thumbnail.width, thumbnail.height, thumbnail.channels)
      : undefined;
  const tw = thumbnail?.width ?? 1;
  const th = thumbnail?.height ?? 1;
  // Unknowns: the square's x, y and side. Each side of the box gives one equation; a clipped side
  // gives one only when the thumbnail shows where the photo's edge is.
  const rows: number[][] = [];
  const side = (isClipped: boolean, at: number | undefined, clippedRow: number[], plainRow: number[]) => {
    if (!isClipped) rows.push(plainRow);
    else if (at !== undefined) rows.push(clippedRow);
  };
  side(clipped.left, content?.left, [1, 0, (content?.left ?? 0) / tw, 0], [1, 0, 0, bx]);
  side(clipped.right, content?.right, [1, 0, (content?.right ?? 0) / tw, photo.width], [1, 0, 1, bx + bw]);
  side(clipped.top, content?.top, [0, 1, (content?.top ?? 0) / th, 0], [0, 1, 0, by]);
  side(
    clipped.bottom,
    content?.bottom,
    [0, 1, (content?.bottom ?? 0) / th, photo.height],
    [0, 1, 1, by + bh],
  );
  const solved = solve(rows);
  if (solved === undefined || !(solved[2] > 0)) return { x: bx, y: by, side: Math.max(bw, bh) };
  return { x: solved[0], y: solved[1], side: solved[2] };
}

/** Landmarks in photo pixels mapped into the thumbnail's pixels. */
export function toThumbnail(
  landmarks: ArrayLike<number>,
  square: ThumbnailSquare,
  side: number,
): Float32Array {
  const out = new Float32Array(landmarks.length);
  const k = side / square.side;
  for (let i = 0; i < out.length; i += 2) {
    out[i] = ((landmarks[i] as number) - square.x) * k;
    out[i + 1] = ((landmarks[i + 1] as number) - square.y) * k;
  }
  return out;
}

/**
 * A face's landmarks in the pixels of its own thumbnail (PNG), so that they can be drawn on it and
 * stored beside it in the gallery; undefined when the engine gave the face none.
 */
export async function thumbnailLandmarks(
  face: { box: Box; landmarks?: Float32Array; thumbnail: Uint8Array },
  photo: { width: number; height: number },
): Promise<Float32Array | undefined> {
  if (!isLandmarks(face.landmarks)) return undefined;
  const { data, info } = await sharp(face.thumbnail)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const pixels = { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), ...info };
  return toThumbnail(face.landmarks, thumbnailSquare(face.box, photo, pixels), info.width);
}
