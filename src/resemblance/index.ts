export { explainFaces } from './explain-faces.ts';
export { type FaceToExplain, ResemblanceExplainer } from './explainer.ts';
export { thumbnailLandmarks } from './thumbnail-frame.ts';
