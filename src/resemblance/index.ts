export { LANDMARK_COUNT, REGIONS, type Region, type RegionName } from '../domain/regions.ts';
export type { RegionScore, Resemblance } from '../domain/resemblance.ts';
export { MIN_BASELINE_PAIRS, RegionBaseline, regionDistances, regionShapes } from './baseline.ts';
export { explainFaces } from './explain-faces.ts';
export { ResemblanceExplainer, scoreRegions } from './explainer.ts';
export { thumbnailLandmarks } from './thumbnail-frame.ts';
export { passingRegions, readValidated } from './validated.ts';
export { describeResemblance, likeness } from './wording.ts';
