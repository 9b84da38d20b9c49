import type { RegionName } from './regions.ts';

/** One region's share of why two faces are alike to the recognizer. */
export interface RegionScore {
  region: RegionName;
  /**
   * 0–1: the similarity this region's removal costs, as a share of what all regions' removals cost
   * (the shares of a resemblance add up to 1).
   */
  share: number;
}

/** Why a face resembles its best match: region by region, with what is needed to draw it. */
export interface Resemblance {
  /** Every region that costs similarity when removed, largest share first. */
  regions: RegionScore[];
  /** The face's 68 landmarks in the pixels of its thumbnail. */
  face: Float32Array;
  /** The enrolled photo it was compared with (the match's nearest), with landmarks in its thumbnail's pixels. */
  photo: { hash: string; thumbnail: Uint8Array; landmarks: Float32Array };
}
