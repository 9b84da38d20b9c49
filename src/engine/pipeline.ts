import type { Analysis, BareFace, Box, StageTimings } from '../domain/face.ts';
import type { Tuning } from '../domain/tuning.ts';
import { UserError } from '../errors.ts';
import { type DecodedImage, decodeImage } from '../image/decode.ts';

/** Most faces analysed in one photo; more are reported as `too_many_faces`. */
export const MAX_FACES = 10;
/** faceres's input side: the size it was trained at. */
export const FACERES_SIZE = 224;

/** A photo ready for detection: upright RGB, scaled down, with a border when it is a tight crop. */
export interface PreparedPhoto {
  decoded: DecodedImage;
  rgb: { data: Uint8Array; width: number; height: number };
  offset: { x: number; y: number };
}

/** Decodes a photo and adds the grey border that lets the detector find faces in tight crops. */
export async function preparePhoto(image: Uint8Array, tuning: Tuning): Promise<PreparedPhoto> {
  const decoded = await decodeImage(image, { maxSide: tuning.maxSide });
  if (Math.min(decoded.width, decoded.height) > tuning.padBelow)
    return { decoded, rgb: decoded, offset: { x: 0, y: 0 } };
  return { decoded, ...greyBorder(decoded, tuning.padFraction) };
}

/**
 * The same grey (128) border as padImage's `grey` mode, written here: a second sharp pipeline
 * costs more than the copy for these small crops.
 */
function greyBorder(img: { data: Uint8Array; width: number; height: number }, fraction: number) {
  const x = Math.round(img.width * fraction);
  const y = Math.round(img.height * fraction);
  const width = img.width + 2 * x;
  const height = img.height + 2 * y;
  const data = new Uint8Array(width * height * 3).fill(128);
  for (let row = 0; row < img.height; row++)
    data.set(img.data.subarray(row * img.width * 3, (row + 1) * img.width * 3), ((row + y) * width + x) * 3);
  return { rgb: { data, width, height }, offset: { x, y } };
}

/** The `too_many_faces` refusal, shared by both engines. */
export function tooManyFaces(maxFaces: number): UserError {
  return new UserError('too_many_faces', { text: 'faces_over_limit', limit: maxFaces });
}

/** Maps a box in detector-input pixels back to the upright original photo, clamped to it. */
export function toOriginal(box: Box, photo: PreparedPhoto): Box {
  const { offset, decoded } = photo;
  const { scale, originalWidth: w, originalHeight: h } = decoded;
  const x = Math.max(0, (box[0] - offset.x) / scale);
  const y = Math.max(0, (box[1] - offset.y) / scale);
  const right = Math.min(w, (box[0] + box[2] - offset.x) / scale);
  const bottom = Math.min(h, (box[1] + box[3] - offset.y) / scale);
  return [
    Math.round(x),
    Math.round(y),
    Math.round(Math.max(1, right - x)),
    Math.round(Math.max(1, bottom - y)),
  ];
}

/** L2-normalises one vector. */
export function normalised(a: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  let norm = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i] as number;
    out[i] = v;
    norm += v * v;
  }
  norm = Math.sqrt(norm) + 1e-12;
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / norm;
  return out;
}

/**
 * The embedding the rest of the bot uses. With a second descriptor it is the concatenation of
 * both, each L2-normalised and weighted by √(1−w) and √w: the cosine of two such embeddings is
 * exactly (1−w)·cos(faceres) + w·cos(dlib), so one vector carries score-level fusion.
 */
export function fuse(faceres: Float32Array, dlib: Float32Array | undefined, tuning: Tuning): Float32Array {
  if (!dlib) return faceres;
  if (tuning.descriptor === 'dlib') return dlib;
  const out = new Float32Array(faceres.length + dlib.length);
  const wf = Math.sqrt(1 - tuning.dlibWeight);
  const wd = Math.sqrt(tuning.dlibWeight);
  for (let i = 0; i < faceres.length; i++) out[i] = (faceres[i] as number) * wf;
  for (let i = 0; i < dlib.length; i++) out[faceres.length + i] = (dlib[i] as number) * wd;
  return out;
}

/** Maps points [x0, y0, …] in detector-input pixels back to the upright original photo. */
export function toOriginalPoints(points: Float32Array, photo: PreparedPhoto): Float32Array {
  const { offset, decoded } = photo;
  const out = new Float32Array(points.length);
  for (let i = 0; i < points.length; i += 2) {
    out[i] = ((points[i] as number) - offset.x) / decoded.scale;
    out[i + 1] = ((points[i + 1] as number) - offset.y) / decoded.scale;
  }
  return out;
}

/** The analysis of a photo from its kept faces (boxes in detector-input pixels) and their embeddings. */
export function analysisOf(
  photo: PreparedPhoto,
  kept: { box: Box; score: number }[],
  embeddings: Float32Array[],
  timings: StageTimings,
): Analysis<BareFace> {
  const faces = kept.map((f, i) => ({
    box: toOriginal(f.box, photo),
    score: f.score,
    embedding: embeddings[i] as Float32Array,
  }));
  return { width: photo.decoded.originalWidth, height: photo.decoded.originalHeight, faces, timings };
}

/** The analysis with each face's thumbnail (PNG), given in the same order as its faces. */
export function withThumbnails(analysis: Analysis<BareFace>, thumbnails: Uint8Array[]): Analysis {
  const faces = analysis.faces.map((face, i) => {
    const thumbnail = thumbnails[i];
    if (!thumbnail) throw new Error(`face ${i} of ${analysis.faces.length} has no thumbnail`);
    return { ...face, thumbnail };
  });
  return { ...analysis, faces };
}
