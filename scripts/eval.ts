/**
 * Recognition quality, out of sample, for every configuration side by side:
 * faceres alone, + alignment, + flip, face-api's dlib descriptor (unaligned and aligned), and
 * both fused. Each engine variant embeds every photo once (scripts/lib/descriptor-sets.ts).
 *
 * - Identification on ../shared/data/celebs: the first 10 photos of each of the 20 people are
 *   enrolled, the other 10 are probes.
 * - `same`: leave one person out (scripts/lib/same-calibration.ts): people the threshold never
 *   saw stand in as strangers; per configuration on the celebrities, then for the shipped one on
 *   the celebrities and bbt together, with intervals and the curve ("strangers" figures).
 * - Verification: AUC over all pairs, on the celebrities (cross-validated by people) and on the
 *   bbt portraits, which /compare's calibration never sees; accuracy at /compare's threshold on bbt pairs.
 * - The fusion weight is chosen by people-split cross-validation too.
 *
 * Usage: npm run eval [-- --cache /tmp/lookalike-descriptors.json] [--no-sklearn]
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { centre } from '../src/classifier/centering.ts';
import { centroidClassifier, Matcher, nearestNeighbour } from '../src/classifier/matcher.ts';
import { cosine } from '../src/classifier/similarity.ts';
import { predictProba, trainSvm } from '../src/classifier/svm.ts';
import { DEFAULT_TUNING, type Tuning } from '../src/domain/tuning.ts';
import { readCalibration } from '../src/engine/calibration.ts';
import { fuse } from '../src/engine/pipeline.ts';
import {
  auc,
  calibratePairs,
  chooseWeight,
  ENROL,
  meanFace,
  type PersonVectors,
  pairScores,
} from './lib/calibration-cv.ts';
import { descriptorSets, type PersonDescriptors, TILT_DEGREES } from './lib/descriptor-sets.ts';
import { calibrateSame, curvePoint, type Rate } from './lib/same-calibration.ts';

const { values: args } = parseArgs({
  options: {
    cache: { type: 'string' },
    'no-sklearn': { type: 'boolean', default: false },
  },
});

/** One configuration: an engine variant and how its descriptors make the embedding. */
interface Configuration {
  name: string;
  variant: string;
  use: 'faceres' | 'dlib' | 'fused';
}

const CONFIGURATIONS: Configuration[] = [
  { name: 'faceres alone', variant: 'faceres', use: 'faceres' },
  { name: 'faceres + alignment (rotation)', variant: 'faceres+rotation', use: 'faceres' },
  { name: 'faceres + flip', variant: 'faceres+flip', use: 'faceres' },
  { name: 'dlib, face-api chip (unrotated)', variant: 'both, chip unrotated', use: 'dlib' },
  { name: 'dlib, aligned chip', variant: 'both', use: 'dlib' },
  { name: 'dlib, aligned + flip', variant: 'both+flip', use: 'dlib' },
  { name: 'fused, aligned', variant: 'both', use: 'fused' },
  { name: 'fused, aligned + dlib flip', variant: 'both+dlib flip', use: 'fused' },
  { name: 'fused, aligned + flip', variant: 'both+flip', use: 'fused' },
];
const WEIGHTS = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1];

const { people, times } = await descriptorSets(args.cache);
const celebs = people.filter((p) => p.set === 'celebs');
const bbt = people.filter((p) => p.set === 'bbt');
const tilted = people.filter((p) => p.set === 'bbt-tilted');
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function vectors(set: PersonDescriptors[], c: Configuration, weight: number): PersonVectors[] {
  const tuning: Tuning = { ...DEFAULT_TUNING, descriptor: c.use, dlibWeight: weight };
  return set.map((p) => ({
    name: p.name,
    photos: p.photos.map((ph) => {
      const d = ph[c.variant];
      if (!d?.faceres) return undefined;
      return fuse(d.faceres, c.use === 'faceres' ? undefined : d.dlib, tuning);
    }),
  }));
}

/** Top-1 of the project's classifier, the SVM, nearest neighbour and centroid: enrol ENROL photos, probe the rest. */
function identification(ps: PersonVectors[]) {
  const gallery = ps.map((p) => ({
    slug: p.name,
    name: p.name,
    embeddings: p.photos.slice(0, ENROL).filter((e): e is Float32Array => !!e),
  }));
  const matcher = Matcher.train(gallery, { prior: meanFace(ps), sameThreshold: 1 });
  const svm = trainSvm(
    gallery.flatMap((g) => g.embeddings.map((embedding) => ({ label: g.slug, embedding }))),
  );
  const centroid = centroidClassifier(gallery);
  const right = { ours: 0, svm: 0, nn: 0, centroid: 0 };
  let probes = 0;
  for (const p of ps)
    for (const e of p.photos.slice(ENROL)) {
      probes++;
      if (!e) continue;
      if (matcher.identify(e).match?.slug === p.name) right.ours++;
      const q = predictProba(svm, e);
      if (svm.labels[q.indexOf(Math.max(...q))] === p.name) right.svm++;
      if (nearestNeighbour(gallery, e)?.slug === p.name) right.nn++;
      if (centroid(e)?.slug === p.name) right.centroid++;
    }
  return {
    ours: right.ours / probes,
    svm: right.svm / probes,
    nn: right.nn / probes,
    centroid: right.centroid / probes,
  };
}

/** AUC over pairs of one tilted bbt portrait and one upright one (never a photo with its own copy). */
function tiltedAuc(c: Configuration, weight: number, prior: Float32Array): number {
  const up = vectors(bbt, c, weight);
  const turned = vectors(tilted, c, weight);
  const same: number[] = [];
  const diff: number[] = [];
  for (const [i, p] of turned.entries())
    for (const [j, e] of p.photos.entries()) {
      if (!e) continue;
      const a = centre(e, prior);
      for (const [k, q] of up.entries())
        for (const [l, f] of q.photos.entries()) {
          if (!f || (i === k && j === l)) continue;
          (p.name === q.name ? same : diff).push(cosine(a, centre(f, prior)));
        }
    }
  return auc(same, diff);
}

console.log(
  `${celebs.length} celebrities × ${celebs[0]?.photos.length} photos (enrol ${ENROL}, probe the rest); ${bbt.length} bbt people, ${bbt.reduce((n, p) => n + p.photos.length, 0)} portraits for verification, and the same portraits tilted by ±${TILT_DEGREES}° against the upright ones`,
);
const header = [
  'configuration'.padEnd(34),
  'ours',
  '  SVM',
  '   NN',
  ' cent',
  ' same:known',
  ' strangers',
  ' AUC celebs',
  ' AUC bbt',
  ' bbt acc@t',
  ' AUC tilted',
  ' ms/photo',
];
console.log(`\n${header.join(' ')}`);
const details: string[] = [];
for (const c of CONFIGURATIONS) {
  let weight = c.use === 'dlib' ? 1 : 0;
  if (c.use === 'fused') {
    const chosen = chooseWeight(WEIGHTS, (w) => vectors(celebs, c, w));
    weight = chosen.weight;
    details.push(
      `${c.name}: weight ${weight} (folds chose ${chosen.foldWeights.join(', ')}; out-of-fold AUC ${chosen.outOfSampleAuc.toFixed(4)})`,
    );
  }
  const ps = vectors(celebs, c, weight);
  const id = identification(ps);
  const same = calibrateSame(ps, { classifier: false });
  const pairs = calibratePairs(ps);
  // bbt is a pure test set: prior and threshold come from the celebrities only.
  const bb = pairScores(vectors(bbt, c, weight), meanFace(ps));
  const t = pairs.threshold;
  const correct = bb.same.filter((x) => x >= t).length + bb.diff.filter((x) => x < t).length;
  const row = [
    `${c.name}${c.use === 'fused' ? ` w=${weight}` : ''}`.padEnd(34),
    pct(id.ours).padStart(5),
    pct(id.svm).padStart(5),
    pct(id.nn).padStart(5),
    pct(id.centroid).padStart(5),
    pct(same.known.rate).padStart(11),
    pct(same.strangers.rate).padStart(10),
    pairs.outOfSample.auc.toFixed(4).padStart(11),
    auc(bb.same, bb.diff).toFixed(4).padStart(8),
    pct(correct / (bb.same.length + bb.diff.length)).padStart(10),
    tiltedAuc(c, weight, meanFace(ps)).toFixed(4).padStart(11),
    (times[c.variant] ?? 0).toFixed(1).padStart(9),
  ];
  console.log(row.join(' '));
  details.push(
    `${c.name}: same threshold ${same.threshold.toFixed(4)} (folds ${same.foldThresholds.map((x) => x.toFixed(3)).join(', ')}); /compare threshold ${t.toFixed(4)}: bbt same pairs ${pct(bb.same.filter((x) => x >= t).length / bb.same.length)}, different pairs called same ${pct(bb.diff.filter((x) => x >= t).length / bb.diff.length)}`,
  );
}
console.log(
  "\nours = the project's calibrated classifier; SVM = linear one-vs-rest with Platt probabilities; same = out of sample, leaving one celebrity out at a time, centroid rule alone (the shipped configuration's full figures follow); ms/photo = the whole analysis of one celebrity crop or bbt portrait, one thread.",
);
console.log(`\n${details.join('\n')}`);

// --- sklearn reference on the shipped configuration's embeddings
const shipped = CONFIGURATIONS.find(
  (c) =>
    c.use === DEFAULT_TUNING.descriptor &&
    c.variant === (DEFAULT_TUNING.flip ? 'both+flip' : DEFAULT_TUNING.dlibFlip ? 'both+dlib flip' : 'both'),
);
// --- "That's really them" for strangers, on the shipped configuration (scripts/lib/same-calibration.ts)
if (shipped) {
  const everyone = [
    ...vectors(celebs, shipped, DEFAULT_TUNING.dlibWeight),
    ...vectors(bbt, shipped, DEFAULT_TUNING.dlibWeight),
  ];
  const same = calibrateSame(everyone);
  const shippedThreshold = readCalibration(DEFAULT_TUNING).sameThreshold;
  const ci = (r: Rate) => `${pct(r.rate)} [${pct(r.lower)}, ${pct(r.upper)}] of ${r.n}`;
  console.log(
    `\n"that's really them" (same), ${shipped.name}: leave one person out over ${everyone.length} people (${celebs.length} celebrities, ${bbt.length} bbt), 95% Clopper-Pearson intervals`,
  );
  console.log(
    `  out of sample (each person's threshold chosen without them): strangers accepted ${ci(same.strangers)} (one-sided 95% bound ${pct(same.strangersUpper95)}); enrolled people's new photos accepted ${ci(same.known)}`,
  );
  const at = curvePoint(same, shippedThreshold);
  console.log(
    `  at the shipped threshold ${shippedThreshold} (models/calibration.json; re-chosen here: ${same.threshold.toFixed(4)}): strangers ${ci(at.strangers)}, impostor pairs ${ci(at.impostors)}, enrolled new photos ${ci(at.known)}`,
  );
  console.log(
    '  curve: threshold, strangers accepted [95% interval], impostor pairs, enrolled new photos accepted',
  );
  for (let t = 0.3; t <= 0.601; t += 0.02) {
    const p = curvePoint(same, t);
    console.log(
      `  ${t.toFixed(3)}  ${pct(p.strangers.rate).padStart(6)} [${pct(p.strangers.lower)}, ${pct(p.strangers.upper)}]  ${pct(p.impostors.rate).padStart(6)}  ${pct(p.known.rate).padStart(6)}`,
    );
  }
}

if (!args['no-sklearn'] && shipped) {
  const ps = vectors(celebs, shipped, DEFAULT_TUNING.dlibWeight);
  const file = path.join(os.tmpdir(), `lookalike-eval-${process.pid}.json`);
  const rows = (from: number, to?: number) =>
    ps.flatMap((p) =>
      p.photos.slice(from, to).flatMap((e) => (e ? [{ label: p.name, embedding: Array.from(e) }] : [])),
    );
  writeFileSync(file, JSON.stringify({ train: rows(0, ENROL), test: rows(ENROL) }));
  const py = spawnSync(
    '/usr/bin/python3',
    [fileURLToPath(new URL('./sklearn_reference.py', import.meta.url)), file],
    {
      encoding: 'utf8',
    },
  );
  if (py.status !== 0) {
    console.log(
      `\nsklearn reference not run: ${py.stderr.trim().split('\n').pop()} (apt-get install python3-sklearn)`,
    );
  } else {
    const ref = JSON.parse(py.stdout.trim().split('\n').pop() ?? '{}') as {
      top1: number;
      trainSeconds: number;
    };
    console.log(
      `\nsklearn SVC(kernel='linear', probability=True) on the shipped configuration (${shipped.name}): top-1 ${pct(ref.top1)} of faces found, trained in ${(ref.trainSeconds * 1000).toFixed(0)} ms`,
    );
  }
}
