/**
 * Calibrates the `same` decision on ../shared/data and writes models/calibration.json:
 * - the prior mean face, from the bbt photos (portraits and group shots), used to centre
 *   embeddings (src/classifier/centering.ts);
 * - `sameThreshold`: on the celebrity crops, people are rotated out of the gallery five at a
 *   time; the threshold is the lowest that calls at most TARGET_STRANGERS of the strangers'
 *   photos "the celebrity himself";
 * - `pairThreshold` for /compare: the centred cosine of two photos above which at most
 *   TARGET_PAIRS of different-person pairs are called the same person.
 *
 * Usage: npm run calibrate   (rerun after changing the engine's tuning or models)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { centre } from '../src/classifier/centering.ts';
import { encodeFloat32 } from '../src/classifier/embedding-codec.ts';
import { Matcher } from '../src/classifier/matcher.ts';
import { cosine } from '../src/classifier/similarity.ts';
import { engineOptions, loadCoreConfig } from '../src/config/index.ts';
import { CALIBRATION_FILE, type Calibration } from '../src/engine/calibration.ts';
import { createFaceEngine } from '../src/engine/index.ts';
import { MODELS_DIR, readManifest, sha256 } from '../src/engine/model-files.ts';
import { DEFAULT_TUNING } from '../src/engine/tuning.ts';
import { mapLimit } from '../src/util/concurrency.ts';
import { dataDir, people, personFiles } from './lib/data.ts';

const TARGET_STRANGERS = 0.045;
const TARGET_PAIRS = 0.01;
const ENROL = 10;
const ROTATE = 5;

const data = dataDir();
const engine = await createFaceEngine(engineOptions(loadCoreConfig(process.env), console.error));
const embed = async (files: string[], all = false) =>
  (
    await mapLimit(files, 4, async (f) => {
      const faces = (await engine.analyze(readFileSync(f))).faces;
      return all ? faces : faces.slice(0, 1);
    })
  ).map((faces) => faces.map((face) => face.embedding));

// Prior mean face from photos that the evaluation does not use.
const bbt = people(path.join(data, 'bbt')).flatMap((p) => p.files);
const groups = personFiles(path.join(data, 'bbt', 'group'));
const priorFaces = [...(await embed(bbt)), ...(await embed(groups, true))].flat();
const prior = new Float32Array(priorFaces[0]?.length ?? 0);
for (const e of priorFaces) for (let j = 0; j < prior.length; j++) prior[j]! += e[j]! / priorFaces.length;

const celebs: { slug: string; photos: (Float32Array | undefined)[] }[] = [];
for (const p of people(path.join(data, 'celebs'))) {
  celebs.push({ slug: p.name, photos: (await embed(p.files)).map((f) => f[0]) });
}
await engine.close();

// Same-person scores for strangers and for new photos of enrolled people.
const strangers: number[] = [];
const known: number[] = [];
for (let start = 0; start < celebs.length; start += ROTATE) {
  const out = new Set(celebs.slice(start, start + ROTATE).map((c) => c.slug));
  const matcher = Matcher.train(
    celebs
      .filter((c) => !out.has(c.slug))
      .map((c) => ({
        slug: c.slug,
        name: c.slug,
        embeddings: c.photos.slice(0, ENROL).filter((e) => e !== undefined),
      })),
    { prior, sameThreshold: -2 },
  );
  for (const c of celebs) {
    const photos = out.has(c.slug) ? c.photos : c.photos.slice(ENROL);
    for (const e of photos) {
      if (!e) continue;
      const r = matcher.identify(e);
      if (!r.match) continue;
      // A stranger's score counts whatever name it gets; an enrolled person's only under their own name.
      if (out.has(c.slug)) strangers.push(r.match.same ? r.sameScore : Number.NEGATIVE_INFINITY);
      else known.push(r.match.same && r.match.slug === c.slug ? r.sameScore : Number.NEGATIVE_INFINITY);
    }
  }
}
const lowestAllowed = (scores: number[], rate: number) => {
  const sorted = scores.filter(Number.isFinite).sort((a, b) => b - a);
  const k = Math.floor(rate * scores.length);
  return (sorted[k] ?? 0) + 1e-6;
};
const sameThreshold = Number(lowestAllowed(strangers, TARGET_STRANGERS).toFixed(4));
const share = (xs: number[], t: number) => xs.filter((x) => x >= t).length / xs.length;

// Pairs of photos for /compare, centred on the prior mean.
const flat = celebs.flatMap((c) =>
  c.photos.flatMap((e) => (e ? [{ who: c.slug, e: centre(e, prior) }] : [])),
);
const diff: number[] = [];
const same: number[] = [];
for (let i = 0; i < flat.length; i++) {
  for (let j = i + 1; j < flat.length; j++) {
    const a = flat[i]!;
    const b = flat[j]!;
    (a.who === b.who ? same : diff).push(cosine(a.e, b.e));
  }
}
const pairThreshold = Number(lowestAllowed(diff, TARGET_PAIRS).toFixed(4));

const calibration: Calibration = {
  schema: 1,
  tuning: DEFAULT_TUNING,
  prior: encodeFloat32([prior]),
  priorFaces: priorFaces.length,
  sameThreshold,
  pairThreshold,
  measured: {
    strangersFlagged: share(strangers, sameThreshold),
    enrolledFlagged: share(known, sameThreshold),
    differentPairsSame: share(diff, pairThreshold),
    samePairsSame: share(same, pairThreshold),
  },
};
writeFileSync(path.join(MODELS_DIR, CALIBRATION_FILE), `${JSON.stringify(calibration, null, 2)}\n`);
const manifest = readManifest();
const bytes = readFileSync(path.join(MODELS_DIR, CALIBRATION_FILE));
manifest.files[CALIBRATION_FILE] = { sha256: sha256(bytes), bytes: bytes.byteLength };
writeFileSync(path.join(MODELS_DIR, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`prior mean from ${priorFaces.length} bbt faces`);
console.log(
  `same: threshold ${sameThreshold} -> strangers ${(100 * calibration.measured.strangersFlagged).toFixed(1)}% of ${strangers.length}, enrolled ${(100 * calibration.measured.enrolledFlagged).toFixed(1)}% of ${known.length}`,
);
console.log(
  `compare: threshold ${pairThreshold} -> different pairs ${(100 * calibration.measured.differentPairsSame).toFixed(2)}%, same pairs ${(100 * calibration.measured.samePairsSame).toFixed(1)}%`,
);
