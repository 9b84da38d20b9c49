/**
 * Calibrates the `same` decision (on the celebrities and the bbt portraits) and /compare (on the
 * celebrities) and writes
 * models/calibration.json, one profile per embedding configuration an engine may run: the
 * shipped ONNX configuration in fp32 and in int8 (FACE_PRECISION), and faceres alone (Human on
 * tfjs, where ONNX Runtime is missing).
 *
 * Everything is chosen by cross-validation that splits people (tools/lib/calibration-cv.ts):
 * - the prior mean face: all celebrity photos;
 * - `sameThreshold`: leave one person out over all 28 people (tools/lib/same-calibration.ts),
 *   the lowest whose 95 % upper bound on the strangers called "that's really them" is at most
 *   TARGET_STRANGERS (3 %);
 * - `pairThreshold` for /compare: the centred cosine above which at most TARGET_PAIRS of
 *   different-person pairs are called the same person.
 * Each profile records its out-of-fold figures and how it was made.
 *
 * Usage: npm run calibrate   (rerun after changing the engine's tuning or models)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { resolveTuning, type Tuning } from '../src/domain/tuning.ts';
import {
  CALIBRATION_FILE,
  type CalibrationFile,
  type CalibrationProfile,
} from '../src/engine/calibration.ts';
import { MODELS_DIR, readManifest, sha256 } from '../src/engine/model-files.ts';
import { OnnxEngine } from '../src/engine/onnx/onnx-engine.ts';
import { encodeFloat32 } from '../src/util/vectors.ts';
import { dataDir, people } from '../test/fixtures/data.ts';
import { calibratePairs, ENROL, meanFace, type PersonVectors, TARGET_PAIRS } from './lib/calibration-cv.ts';
import { CONFIDENCE, calibrateSame, TARGET_STRANGERS } from './lib/same-calibration.ts';

const celebs = people(path.join(dataDir(), 'celebs'));
const bbt = people(path.join(dataDir(), 'bbt'));

async function embed(tuning: Tuning): Promise<PersonVectors[]> {
  const engine = await OnnxEngine.create({ tuning, threads: 2 });
  const out: PersonVectors[] = [];
  for (const p of [...celebs, ...bbt]) {
    const photos: (Float32Array | undefined)[] = [];
    for (const f of p.files) photos.push((await engine.analyze(readFileSync(f))).faces[0]?.embedding);
    out.push({ name: p.name, photos });
  }
  await engine.close();
  return out;
}

async function profile(tuning: Tuning): Promise<CalibrationProfile> {
  const everyone = await embed(tuning);
  const vectors = everyone.slice(0, celebs.length);
  const prior = meanFace(vectors);
  const same = calibrateSame(everyone);
  const pairs = calibratePairs(vectors);
  const faces = vectors.reduce((n, p) => n + p.photos.filter(Boolean).length, 0);
  const bbtFaces = everyone.slice(celebs.length).reduce((n, p) => n + p.photos.filter(Boolean).length, 0);
  const round = (x: number) => Number(x.toFixed(4));
  return {
    tuning,
    prior: encodeFloat32([prior]),
    priorFaces: faces,
    sameThreshold: round(same.threshold),
    pairThreshold: round(pairs.threshold),
    method: {
      split: 'people',
      dataset: `../shared/data/celebs (${celebs.length} people, ${faces} faces found) and bbt (${bbt.length} people, ${bbtFaces} faces) for same; celebs for /compare`,
      folds: same.foldThresholds.length,
      peoplePerFold: 1,
      enrolPerPerson: ENROL,
      targetStrangers: TARGET_STRANGERS,
      strangersBound: `one-sided ${100 * CONFIDENCE}% Clopper-Pearson upper bound`,
      targetPairs: TARGET_PAIRS,
      priorFrom: 'the mean of every celebrity photo (same: of the enrolled people of each fold)',
      foldThresholds: same.foldThresholds.map(round),
      outOfSample: {
        strangersFlagged: round(same.strangers.rate),
        strangersUpper95: round(same.strangersUpper95),
        strangerPhotos: same.strangers.n,
        enrolledFlagged: round(same.known.rate),
        enrolledPhotos: same.known.n,
        differentPairsSame: round(pairs.outOfSample.differentSame),
        samePairsSame: round(pairs.outOfSample.sameSame),
        pairAuc: round(pairs.outOfSample.auc),
      },
      command: 'npm run calibrate',
    },
  };
}

// The shipped configuration in fp32 and int8 (FACE_PRECISION), and faceres alone for engines without face-api's nets.
const file: CalibrationFile = {
  schema: 2,
  profiles: [
    await profile(resolveTuning('onnx')),
    await profile(resolveTuning('onnx', { precision: 'int8' })),
    await profile(resolveTuning('wasm')),
  ],
};
writeFileSync(path.join(MODELS_DIR, CALIBRATION_FILE), `${JSON.stringify(file, null, 2)}\n`);
const manifest = readManifest();
const bytes = readFileSync(path.join(MODELS_DIR, CALIBRATION_FILE));
manifest.files[CALIBRATION_FILE] = { sha256: sha256(bytes), bytes: bytes.byteLength };
writeFileSync(path.join(MODELS_DIR, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
for (const p of file.profiles) {
  const o = p.method.outOfSample;
  console.log(
    `${p.tuning.descriptor}${p.tuning.descriptor === 'fused' ? ` (weight ${p.tuning.dlibWeight})` : ''} ${p.tuning.precision}: same threshold ${p.sameThreshold}, out of sample strangers ${pct(o.strangersFlagged)}, enrolled ${pct(o.enrolledFlagged)}; compare threshold ${p.pairThreshold}, out of sample different pairs ${pct(o.differentPairsSame)}, same pairs ${pct(o.samePairsSame)}, AUC ${o.pairAuc}`,
  );
}
