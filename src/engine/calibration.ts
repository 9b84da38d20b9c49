import { DEFAULT_TUNING, type Tuning } from '../domain/tuning.ts';
import { MODELS_DIR, readManifest, readVerified } from './model-files.ts';

/** File name of the calibration in models/. */
export const CALIBRATION_FILE = 'calibration.json';

/** How a profile was made (tools/calibrate.ts), so that its figures can be read and reproduced. */
export interface CalibrationMethod {
  /** Always 'people': thresholds are chosen on some people and measured on others. */
  split: 'people';
  dataset: string;
  folds: number;
  peoplePerFold: number;
  enrolPerPerson: number;
  /** Share of strangers `same` may accept: since 2026-12, a bound on the rate (see strangersBound). */
  targetStrangers: number;
  /** How the threshold keeps a margin for its own sampling error (absent in older profiles). */
  strangersBound?: string;
  targetPairs: number;
  /** Where the prior mean face comes from. */
  priorFrom: string;
  /** Each fold's `same` threshold, chosen on the other folds. */
  foldThresholds: number[];
  /** Rates at the out-of-fold thresholds, pooled over folds. */
  outOfSample: {
    strangersFlagged: number;
    /** One-sided 95 % upper bound on strangersFlagged, and the photos behind each rate (newer profiles). */
    strangersUpper95?: number;
    strangerPhotos?: number;
    enrolledFlagged: number;
    enrolledPhotos?: number;
    differentPairsSame: number;
    samePairsSame: number;
    pairAuc: number;
  };
  command: string;
}

/** Thresholds and prior for one embedding configuration. */
export interface CalibrationProfile {
  tuning: Tuning;
  /** Prior mean face (base64 float32), for centring embeddings. */
  prior: string;
  priorFaces: number;
  /** Centred centroid cosine above which a face is "that person themselves". */
  sameThreshold: number;
  /** Centred cosine of two faces above which /compare says "same person". */
  pairThreshold: number;
  method: CalibrationMethod;
}

/** models/calibration.json: one profile per descriptor configuration that an engine may run. */
export interface CalibrationFile {
  schema: 2;
  profiles: CalibrationProfile[];
}

/** Reads models/calibration.json, verified against the manifest like the models. */
export function readCalibrationFile(dir: string = MODELS_DIR): CalibrationFile {
  const bytes = readVerified(dir, CALIBRATION_FILE, readManifest(dir));
  const file = JSON.parse(bytes.toString('utf8')) as CalibrationFile;
  if (file.schema !== 2 || !Array.isArray(file.profiles))
    throw new Error(`${CALIBRATION_FILE} is of an older schema: run npm run calibrate`);
  return file;
}

/**
 * The profile for the embeddings a tuning makes: same precision, descriptor and fusion weight. Other knobs
 * move the scores a little; `npm run calibrate` after changing them makes an exact profile.
 */
export function readCalibration(
  tuning: Tuning = DEFAULT_TUNING,
  dir: string = MODELS_DIR,
): CalibrationProfile {
  const { profiles } = readCalibrationFile(dir);
  // Profiles written before precision existed are fp32's.
  const fits = (p: CalibrationProfile) =>
    (p.tuning.precision ?? 'fp32') === tuning.precision &&
    p.tuning.descriptor === tuning.descriptor &&
    (tuning.descriptor !== 'fused' || p.tuning.dlibWeight === tuning.dlibWeight);
  const profile = profiles.find(fits);
  if (!profile)
    throw new Error(
      `${CALIBRATION_FILE} has no profile for descriptor "${tuning.descriptor}" (weight ${tuning.dlibWeight}, ${tuning.precision}): run npm run calibrate`,
    );
  return profile;
}
