// Explains a match by occlusion (occlusion.ts) on the face's thumbnail and on the matched person's
// enrolled photo nearest to it (its thumbnail and stored landmarks). Per scope and gallery version it
// keeps which photos can be explained; the masked variants of one answer go through the engine in one
// batch (FaceEngine.embedFaceImages).

import type { FaceImage } from '../domain/face.ts';
import { isLandmarks } from '../domain/regions.ts';
import type { Resemblance } from '../domain/resemblance.ts';
import type { Scope } from '../domain/types.ts';
import type { GallerySnapshot } from '../gallery/types.ts';
import { sharp } from '../image/sharp.ts';
import { attribute, dot, type EmbedImages, type MaskKind, SHIPPED_MASK, shares } from './occlusion.ts';

/** What the explainer reads from the gallery. */
export interface PhotoSource {
  version(scope: Scope): Promise<number>;
  snapshot(scope: Scope): Promise<GallerySnapshot>;
}

interface Explainable {
  hash: string;
  embedding: Float32Array;
  thumbnail: Uint8Array;
  landmarks: Float32Array;
}

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
  readonly #cache = new Map<Scope, { version: number; photos: Promise<Map<string, Explainable[]>> }>();

  constructor(source: PhotoSource, embed: EmbedImages, options: { mask?: MaskKind } = {}) {
    this.#source = source;
    this.#embed = embed;
    this.#mask = options.mask ?? SHIPPED_MASK;
  }

  async #photos(scope: Scope): Promise<Map<string, Explainable[]>> {
    const version = await this.#source.version(scope);
    const cached = this.#cache.get(scope);
    if (cached && cached.version === version) return cached.photos;
    const photos = this.#source.snapshot(scope).then((snapshot) => {
      const people = new Map<string, Explainable[]>();
      for (const identity of snapshot.identities) {
        // Photos enrolled before landmarks existed are left out until they are embedded again.
        const list = identity.photos.filter((p) => isLandmarks(p.landmarks)) as Explainable[];
        if (list.length > 0) people.set(identity.slug, list);
      }
      return people;
    });
    this.#cache.set(scope, { version, photos });
    photos.catch(() => this.#cache.delete(scope));
    return photos;
  }

  /**
   * Why a face resembles `slug` in `scope`, against that person's enrolled photo nearest to it; undefined
   * when nothing can be said (no landmarks on either side, or no region's removal costs any similarity).
   */
  async explain(scope: Scope, slug: string, face: FaceToExplain): Promise<Resemblance | undefined> {
    if (!isLandmarks(face.landmarks)) return undefined;
    const photos = (await this.#photos(scope)).get(slug);
    if (!photos) return undefined;
    let best = photos[0] as Explainable;
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
