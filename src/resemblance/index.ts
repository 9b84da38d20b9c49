export { LANDMARK_COUNT, REGIONS, type RegionName } from '../domain/regions.ts';
export type { RegionScore, Resemblance } from '../domain/resemblance.ts';
export { explainFaces } from './explain-faces.ts';
export { type FaceToExplain, faceImage, type PhotoSource, ResemblanceExplainer } from './explainer.ts';
export { type Attribution, attribute, type MaskKind, SHIPPED_MASK, shares } from './occlusion.ts';
export { thumbnailLandmarks } from './thumbnail-frame.ts';
export { describeResemblance, namedRegions, sharePercent } from './wording.ts';
