/**
 * Recognition quality, out of sample, for every configuration side by side:
 * faceres alone, face-api's dlib descriptor on its aligned chip, and both fused, in fp32 and int8.
 * Each engine variant embeds every photo once (tools/lib/descriptor-sets.ts). The experiments
 * (rotation, flip, the unrotated chip) were removed on 2026-12-04; see docs/evaluation/.
 *
 * - Identification on ../shared/data/celebs: the first 10 photos of each of the 20 people are
 *   enrolled, the other 10 are probes.
 * - `same`: leave one person out (tools/lib/same-calibration.ts): people the threshold never
 *   saw stand in as strangers; per configuration on the celebrities, then for the shipped one on
 *   the celebrities and bbt together, with intervals and the curve ("strangers" figures).
 * - Verification: AUC over all pairs, on the celebrities (cross-validated by people) and on the
 *   bbt portraits, which /compare's calibration never sees; accuracy at /compare's threshold on bbt pairs.
 * - The fusion weight is chosen by people-split cross-validation too.
 *
 * - fp32 against int8 (FACE_PRECISION): the shipped configuration and faceres alone side by side,
 *   at the shipped fusion weight, and the cosine of each int8 descriptor to its fp32 one.
 *
 * - The classifier (tools/lib/classifier-eval.ts): the linear SVM beside the softmax it replaced,
 *   sklearn and the nearest centroid, on balanced, unbalanced and mixed galleries; its confidence's
 *   calibration three ways; strangers' top confidence. `--classifier` runs only this part, on the
 *   shipped engine's embeddings (cached with --celebs-cache / --bbt-cache).
 *
 * Usage: npm run eval [-- --cache /tmp/lookalike-descriptors.json] [--no-sklearn]
 *        [--variants "both;both, int8"]   (only those engine variants, ';'-separated, and the configurations they make)
 *        npm run eval -- --classifier [--celebs-cache tmp/celebs.json --bbt-cache tmp/bbt.json]
 */
import { parseArgs } from 'node:util';
import { centre } from '../src/classifier/centering.ts';
import { Matcher } from '../src/classifier/matcher.ts';
import { DEFAULT_TUNING, embeddingDim, type Tuning } from '../src/domain/tuning.ts';
import { readCalibration } from '../src/engine/calibration.ts';
import { fuse } from '../src/engine/pipeline.ts';
import { cosine, decodeFloat32 } from '../src/util/vectors.ts';
import { bbtEmbeddings } from '../test/fixtures/bbt.ts';
import { celebEmbeddings } from '../test/fixtures/celebs.ts';
import { centroidClassifier, nearestNeighbour } from './lib/baselines.ts';
import {
  auc,
  calibratePairs,
  chooseWeight,
  ENROL,
  meanFace,
  type PersonVectors,
  pairScores,
} from './lib/calibration-cv.ts';
import { classifierReport } from './lib/classifier-eval.ts';
import { descriptorSets, type PersonDescriptors, TILT_DEGREES } from './lib/descriptor-sets.ts';
import { calibrateSame, curvePoint, type Rate } from './lib/same-calibration.ts';
import { BAR, type PairedRate, type PairedSame, pairedSame, perPerson } from './lib/same-paired.ts';
import { softmaxBaseline } from './lib/softmax/baseline.ts';

const { values: args } = parseArgs({
  options: {
    cache: { type: 'string' },
    'no-sklearn': { type: 'boolean', default: false },
    variants: { type: 'string' },
    classifier: { type: 'boolean', default: false },
    'celebs-cache': { type: 'string' },
    'bbt-cache': { type: 'string' },
  },
});
const only = args.variants?.split(';').map((v) => v.trim());

if (args.classifier) {
  const { people: celebPeople } = await celebEmbeddings({ cache: args['celebs-cache'] });
  const cast = await bbtEmbeddings({ cache: args['bbt-cache'] });
  const calibration = readCalibration();
  const prior = decodeFloat32(calibration.prior, embeddingDim(calibration.tuning), 1)[0]!;
  const asPeople = (xs: { name: string; embeddings: (Float32Array | undefined)[] }[]) =>
    xs.map((x) => ({ name: x.name, photos: x.embeddings }));
  classifierReport(asPeople(celebPeople), asPeople(cast), prior, !args['no-sklearn']);
  process.exit(0);
}

/** One configuration: an engine variant and how its descriptors make the embedding. */
interface Configuration {
  name: string;
  variant: string;
  use: 'faceres' | 'dlib' | 'fused';
}

const CONFIGURATIONS = (
  [
    { name: 'faceres alone', variant: 'faceres', use: 'faceres' },
    { name: 'dlib, aligned chip', variant: 'both', use: 'dlib' },
    { name: 'fused, aligned', variant: 'both', use: 'fused' },
    { name: 'faceres alone, int8', variant: 'faceres, int8', use: 'faceres' },
    { name: 'fused, aligned, int8', variant: 'both, int8', use: 'fused' },
  ] as Configuration[]
).filter((c) => !only || only.includes(c.variant));
const WEIGHTS = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1];

const { people, times } = await descriptorSets(args.cache, only);
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

/** Top-1 of the project's classifier (the linear SVM), the softmax baseline, nearest neighbour and centroid: enrol ENROL photos, probe the rest. */
function identification(ps: PersonVectors[]) {
  const gallery = ps.map((p) => ({
    slug: p.name,
    name: p.name,
    embeddings: p.photos.slice(0, ENROL).filter((e): e is Float32Array => !!e),
  }));
  const matcher = Matcher.train(gallery, { prior: meanFace(ps), sameThreshold: 1 });
  const softmax = softmaxBaseline(gallery, meanFace(ps));
  const centroid = centroidClassifier(gallery);
  const right = { ours: 0, softmax: 0, nn: 0, centroid: 0 };
  let probes = 0;
  for (const p of ps)
    for (const e of p.photos.slice(ENROL)) {
      probes++;
      if (!e) continue;
      if (matcher.identify(e).match?.slug === p.name) right.ours++;
      if (softmax(e)[0]?.slug === p.name) right.softmax++;
      if (nearestNeighbour(gallery, e)?.slug === p.name) right.nn++;
      if (centroid(e)?.slug === p.name) right.centroid++;
    }
  return {
    ours: right.ours / probes,
    softmax: right.softmax / probes,
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
  ' soft',
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
    pct(id.softmax).padStart(5),
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
  "\nours = the project's classifier (class-balanced linear SVM); soft = the candidate softmax it replaced; same = out of sample, by people; ms/photo = the whole analysis of one celebrity crop or bbt portrait, one thread.",
);
console.log(`\n${details.join('\n')}`);

precisionSideBySide();

/**
 * fp32 against int8 at the shipped fusion weight (not each one's cross-validated weight), with the
 * issue's bar: top-1 and `same` within 0.3 points, AUC within 0.002.
 */
function precisionSideBySide(): void {
  const pairsOf = [
    ['fused, aligned', 'fused, aligned, int8'],
    ['faceres alone', 'faceres alone, int8'],
  ] as const;
  const rows: string[] = [];
  for (const [a, b] of pairsOf) {
    const ca = CONFIGURATIONS.find((c) => c.name === a);
    const cb = CONFIGURATIONS.find((c) => c.name === b);
    if (!ca || !cb) continue;
    const weight = ca.use === 'fused' ? DEFAULT_TUNING.dlibWeight : 0;
    const figures = [ca, cb].map((c) => {
      const ps = vectors(celebs, c, weight);
      const id = identification(ps);
      const same = calibrateSame(ps);
      const pairs = calibratePairs(ps);
      const bb = pairScores(vectors(bbt, c, weight), meanFace(ps));
      // The 28 people `npm run calibrate` chooses the shipped threshold on: more people, a narrower interval.
      const everyone = [...ps, ...vectors(bbt, c, weight)];
      return {
        perPerson: perPerson(ps, same),
        everyone: perPerson(everyone, calibrateSame(everyone)),
        top1: id.ours,
        known: same.known.rate,
        strangers: same.strangers.rate,
        auc: pairs.outOfSample.auc,
        aucBbt: auc(bb.same, bb.diff),
      };
    });
    const [f, q] = figures as [(typeof figures)[0], (typeof figures)[0]];
    // Two decimals: `known` is a mean over folds, and the bar (0.3 point) is finer than 1/200.
    const pct2 = (x: number) => `${(100 * x).toFixed(2)}%`;
    const point = (k: 'top1' | 'known' | 'strangers') =>
      `${pct2(f[k])} → ${pct2(q[k])} (${((q[k] - f[k]) * 100).toFixed(2)} pt${Math.abs(q[k] - f[k]) <= 0.003 + 1e-9 ? '' : ', OVER 0.3'})`;
    const aucs = (k: 'auc' | 'aucBbt') =>
      `${f[k].toFixed(4)} → ${q[k].toFixed(4)}${Math.abs(q[k] - f[k]) <= 0.002 + 1e-9 ? '' : ' (OVER 0.002)'}`;
    // The int8 descriptor of each photo against its fp32 one: how far quantisation moves it.
    const cos: number[] = [];
    for (const p of [...celebs, ...bbt])
      for (const ph of p.photos) {
        const x = ph[ca.variant];
        const y = ph[cb.variant];
        for (const k of ['faceres', 'dlib'] as const) {
          const u = x?.[k];
          const v = y?.[k];
          if (u && v && (k === 'faceres' || ca.use !== 'faceres')) cos.push(cosine(u, v));
        }
      }
    const mean = cos.reduce((s, x) => s + x, 0) / (cos.length || 1);
    rows.push(
      `${a}: top-1 ${point('top1')}; same:known ${point('known')}; strangers ${point('strangers')}; AUC celebs ${aucs('auc')}; AUC bbt ${aucs('aucBbt')}; descriptor cosine int8 to fp32 mean ${mean.toFixed(4)}, min ${Math.min(...cos).toFixed(4)}; ms/photo ${(times[ca.variant] ?? 0).toFixed(1)} → ${(times[cb.variant] ?? 0).toFixed(1)}`,
      pairedLine(`${celebs.length} celebrities`, pairedSame(f.perPerson, q.perPerson)),
      pairedLine(`${celebs.length + bbt.length} people with bbt`, pairedSame(f.everyone, q.everyone)),
    );
  }
  if (rows.length)
    console.log(
      `\nfp32 → int8, at the shipped weight ${DEFAULT_TUNING.dlibWeight} (same: leave one person out, as above; then the paired estimate of tools/lib/same-paired.ts):\n${rows.join('\n')}`,
    );
}

/** The paired, repeated people-split estimate of `same`, fp32 → int8, with how sure its difference is. */
function pairedLine(who: string, p: PairedSame): string {
  const pt = (x: number) => (100 * x).toFixed(2);
  const rate = (r: PairedRate) =>
    `${pt(r.a)}% → ${pt(r.b)}% (${pt(r.diff)} pt, sd over partitions ${pt(r.partitionSd)}; bootstrap 90% [${pt(r.ci90[0])}, ${pt(r.ci90[1])}], 95% [${pt(r.ci95[0])}, ${pt(r.ci95[1])}]; within ±${pt(BAR)} in ${(100 * r.withinShare).toFixed(0)}% of draws: ${r.verdict.toUpperCase()})`;
  return `  same on ${who}, ${p.repetitions} random partitions of the people into ${p.folds} folds, each fold at the other folds' threshold; paired bootstrap over people, ${p.draws} draws: known ${rate(p.known)}; strangers ${rate(p.strangers)}`;
}

// --- sklearn reference on the shipped configuration's embeddings
const shipped = CONFIGURATIONS.find((c) => c.use === DEFAULT_TUNING.descriptor && c.variant === 'both');
// --- "That's really them" for strangers, on the shipped configuration (tools/lib/same-calibration.ts)
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

if (shipped) {
  // The classifier on the shipped configuration's embeddings, with the shipped prior mean face.
  const calibration = readCalibration();
  const prior = decodeFloat32(calibration.prior, embeddingDim(calibration.tuning), 1)[0]!;
  classifierReport(
    vectors(celebs, shipped, DEFAULT_TUNING.dlibWeight),
    vectors(bbt, shipped, DEFAULT_TUNING.dlibWeight),
    prior,
    !args['no-sklearn'],
  );
}
