import { MODELS_DIR, readManifest, readVerified } from './model-files.ts';
import type { Tuning } from './tuning.ts';

/** File name of the calibration in models/. */
export const CALIBRATION_FILE = 'calibration.json';

/** What scripts/calibrate.ts measured on ../shared/data for the shipped models and tuning. */
export interface Calibration {
  schema: 1;
  tuning: Tuning;
  /** Prior mean face (base64 float32), for centring embeddings. */
  prior: string;
  priorFaces: number;
  /** Centred centroid cosine above which a face is "that person themselves". */
  sameThreshold: number;
  /** Centred cosine of two faces above which /compare says "same person". */
  pairThreshold: number;
  measured: {
    strangersFlagged: number;
    enrolledFlagged: number;
    differentPairsSame: number;
    samePairsSame: number;
  };
}

/** Reads models/calibration.json, verified against the manifest like the models. */
export function readCalibration(dir: string = MODELS_DIR): Calibration {
  const bytes = readVerified(dir, CALIBRATION_FILE, readManifest(dir));
  return JSON.parse(bytes.toString('utf8')) as Calibration;
}
