// Fused embeddings of face images that are already cut out (a face's thumbnail, or a copy of it with a
// region masked), with their 68 landmarks in the image's own pixels: no detection, so a face with its
// eyes greyed out is embedded all the same. Resemblance's occlusion attribution runs every masked
// variant of a match through here in one batch.
import type { FaceImage } from '../domain/face.ts';
import type { Tuning } from '../domain/tuning.ts';
import type { FaceApiNets } from './onnx/face-api-nets.ts';
import { type PixelImage, resizeToPlanar } from './onnx/tf-image.ts';
import { FACERES_SIZE, fuse, normalised } from './pipeline.ts';

/** What the entry needs from an engine: its tuning, faceres on a planar batch, and face-api's nets. */
export interface ChipEmbedder {
  tuning: Tuning;
  /** faceres on `count` planar images of FACERES_SIZE², 0..255: one raw descriptor each. */
  faceres(planar: Float32Array, count: number): Promise<Float32Array[]>;
  faceApi?: FaceApiNets;
}

/**
 * The embedding `analyze` would give each image if it were the face's crop: faceres on the whole image
 * resized to its input (a thumbnail is Human's crop, resized), dlib on the upright chip cut by the
 * landmarks, fused as in `fuse`. Both nets run once each for the whole batch.
 */
export async function embedFaceImages(
  engine: ChipEmbedder,
  images: readonly FaceImage[],
): Promise<Float32Array[]> {
  if (images.length === 0) return [];
  const { tuning, faceApi } = engine;
  const pixels: PixelImage[] = images.map((img) => ({
    data: img.data,
    width: img.width,
    height: img.height,
    channels: 3,
  }));
  const needsFaceres = tuning.descriptor !== 'dlib';
  const needsDlib = tuning.descriptor !== 'faceres';
  if (needsDlib && !faceApi) throw new Error('this engine has no dlib descriptor for face images');
  let faceres: Float32Array[] = [];
  if (needsFaceres) {
    const side = FACERES_SIZE;
    const plane = 3 * side * side;
    const n = images.length;
    const batch = new Float32Array(plane * n);
    pixels.forEach((img, i) => {
      resizeToPlanar(img, side, side, batch, i * plane);
    });
    const raw = await engine.faceres(batch, n);
    faceres = raw.map((d) => normalised(d));
  }
  const dlib =
    needsDlib && faceApi
      ? (
          await faceApi.descriptors(
            pixels,
            images.map((img) => img.landmarks),
          )
        ).map((d) => normalised(d))
      : undefined;
  if (!needsFaceres) return dlib ?? [];
  return faceres.map((f, i) => fuse(f, dlib?.[i], tuning));
}
