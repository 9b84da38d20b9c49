import type { RegionName } from './regions.ts';

/** How alike one region of two faces is, as a percentile against the gallery. */
export interface RegionScore {
  region: RegionName;
  /** 0–100: more alike than this percentage of pairs of different people in the gallery. */
  percentile: number;
}

/** Why a face resembles its best match: region by region, with what is needed to draw it. */
export interface Resemblance {
  /** Validated regions only, best first. */
  regions: RegionScore[];
  /** The face's 68 landmarks in the pixels of its thumbnail. */
  face: Float32Array;
  /** The enrolled photo it was compared with (the match's nearest), with landmarks in its thumbnail's pixels. */
  photo: { hash: string; thumbnail: Uint8Array; landmarks: Float32Array };
}
