import type { Analysis, BareFace } from '../domain/face.ts';

/** A second face at most this share of the main face's area is a bystander, not a rival. */
const MINOR_AREA = 0.25;
/** A face box cut by the photo's edge to a shorter/longer side ratio below this is a sliver. */
const SLIVER_RATIO = 0.6;

function isSliver(face: BareFace, analysis: Analysis<BareFace>): boolean {
  const [x, y, w, h] = face.box;
  const atEdge = x <= 1 || y <= 1 || x + w >= analysis.width - 1 || y + h >= analysis.height - 1;
  // Detector boxes are square; one clamped to the photo comes out thin when most of it lies outside.
  return atEdge && Math.min(w, h) / Math.max(w, h) < SLIVER_RATIO;
}

/**
 * The face a photo for enrolment is about, or null when several faces compete. Tight crops from
 * celebrity sets often show a sliver of a neighbour at the border, or a small face behind: those
 * are ignored (and counted) instead of refusing the photo. Faces come largest first.
 */
export function mainFace<F extends BareFace>(analysis: Analysis<F>): { face: F; ignored: number } | null {
  const [main, ...others] = analysis.faces;
  if (!main) return null;
  const area = main.box[2] * main.box[3];
  const minor = (f: F) => f.box[2] * f.box[3] <= MINOR_AREA * area || isSliver(f, analysis);
  return others.every(minor) ? { face: main, ignored: others.length } : null;
}
