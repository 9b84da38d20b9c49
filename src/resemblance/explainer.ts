// Explains a match by occlusion (occlusion.ts) on the face's thumbnail and on the matched person's
// enrolled photo nearest to it (its thumbnail and stored landmarks), read for each explanation: that
// person's photos only, never the whole gallery's thumbnails (50 KB a photo). The masked variants of
// one answer go through the engine in one batch (FaceEngine.embedFaceImages).

import type { FaceImage } from '../domain/face.ts';
import { isLandmarks } from '../domain/regions.ts';
import type { Resemblance } from '../domain/resemblance.ts';
import type { Scope } from '../domain/types.ts';
import type { PhotoRecord } from '../gallery/types.ts';
import { sharp } from '../image/sharp.ts';
import { attribute, dot, type EmbedImages, type MaskKind, SHIPPED_MASK, shares } from './occlusion.ts';

/** What the explainer reads from the gallery: one identity's photos, by slug. */
export interface PhotoSource {
  identityPhotos(scope: Scope, slug: string): Promise<PhotoRecord[]>;
}

type Explainable = PhotoRecord & { landmarks: Float32Array };

/** A face to explain: its embedding (to pick the nearest enrolled photo), thumbnail and landmarks in it. */
export interface FaceToExplain {
  embedding: Float32Array;
  thumbnail: Uint8Array;
  landmarks?: Float32Array;
}

/** A thumbnail (PNG) as RGB pixels with its landmarks, for the engine. */
export async function faceImage(thumbnail: Uint8Array, landmarks: Float32Array): Promise<FaceImage> {
  const { data, info } = await sharp(thumbnail).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
    landmarks,
  };
}

/** Region-by-region explanations of matches, by occlusion on the recognizer's own embedding. */
export class ResemblanceExplainer {
  readonly #source: PhotoSource;
  readonly #embed: EmbedImages;
  readonly #mask: MaskKind;

  constructor(source: PhotoSource, embed: EmbedImages, options: { mask?: MaskKind } = {}) {
    this.#source = source;
    this.#embed = embed;
    this.#mask = options.mask ?? SHIPPED_MASK;
  }

  /**
   * Why a face resembles `slug` in `scope`, against that person's enrolled photo nearest to it; undefined
   * when nothing can be said (no landmarks on either side, or no region's removal costs any similarity).
   */
  async explain(scope: Scope, slug: string, face: FaceToExplain): Promise<Resemblance | undefined> {
    if (!isLandmarks(face.landmarks)) return undefined;
    // Photos enrolled before landmarks existed are left out until they are embedded again.
    const photos = (await this.#source.identityPhotos(scope, slug)).filter((p): p is Explainable =>
      isLandmarks(p.landmarks),
    );
    let best = photos[0];
    if (best === undefined) return undefined;
    for (const photo of photos)
      if (dot(photo.embedding, face.embedding) > dot(best.embedding, face.embedding)) best = photo;
    const pair = {
      face: await faceImage(face.thumbnail, face.landmarks),
      photo: await faceImage(best.thumbnail, best.landmarks),
    };
    const regions = shares((await attribute(this.#embed, pair, this.#mask)).drops);
    if (regions.length === 0) return undefined;
    return {
      regions,
      face: face.landmarks,
      photo: { hash: best.hash, thumbnail: best.thumbnail, landmarks: best.landmarks },
    };
  }
}
