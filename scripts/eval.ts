/**
 * Evaluation on ../shared/data/celebs: enrol the first 10 photos of each person,
 * identify the rest, and measure verification and the `same` flag.
 *
 * Usage: npm run eval [-- --tuning '{"mesh":false}'] [--sklearn] [--strangers 5]
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { decodeFloat32 } from '../src/classifier/embedding-codec.ts';
import { centroidClassifier, Matcher, nearestNeighbour } from '../src/classifier/matcher.ts';
import { cosine } from '../src/classifier/similarity.ts';
import { predictProba, trainSvm } from '../src/classifier/svm.ts';
import { engineOptions, loadCoreConfig } from '../src/config/index.ts';
import { readCalibration } from '../src/engine/calibration.ts';
import { celebEmbeddings } from './lib/celebs.ts';

const { values: args } = parseArgs({
  options: {
    tuning: { type: 'string', default: '{}' },
    enrol: { type: 'string', default: '10' },
    strangers: { type: 'string', default: '5' },
    threshold: { type: 'string' },
    sklearn: { type: 'boolean', default: true },
    'no-sklearn': { type: 'boolean', default: false },
    cache: { type: 'string' },
  },
});
const perPerson = Number(args.enrol);
const calibration = readCalibration();
const prior = decodeFloat32(calibration.prior, 1024, 1)[0] as Float32Array;
const strangerCount = Number(args.strangers);

const celebs = await celebEmbeddings({
  cache: args.cache,
  engine: {
    ...engineOptions(loadCoreConfig(process.env), console.error),
    tuning: JSON.parse(args.tuning ?? '{}'),
  },
});
const embedded = celebs.people;
console.log(
  `embedded ${celebs.photos} photos in ${celebs.seconds.toFixed(1)} s; no face found in ${celebs.missed}`,
);

type Id = { slug: string; name: string; embeddings: Float32Array[] };
const split = embedded.map((p) => ({
  slug: p.name,
  name: p.name,
  enrolled: p.embeddings.slice(0, perPerson).filter((e): e is Float32Array => !!e),
  probes: p.embeddings.slice(perPerson),
}));
const gallery: Id[] = split.map((p) => ({ slug: p.slug, name: p.name, embeddings: p.enrolled }));
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

// --- identification: every probe, a missed face counts as wrong
// Calibration: the mean negative log-probability of the right identity (lower is better) and the
// expected calibration error of the top-1 confidence over 10 bins (0 when confidence = accuracy).
interface Scored {
  right: number;
  nll: number;
  answers: { confidence: number; correct: boolean }[];
}
const scored = (): Scored => ({ right: 0, nll: 0, answers: [] });
const record = (s: Scored, probs: Map<string, number>, truth: string) => {
  let best = '';
  let confidence = -1;
  for (const [slug, p] of probs) if (p > confidence) [best, confidence] = [slug, p];
  s.right += best === truth ? 1 : 0;
  s.nll -= Math.log(Math.max(1e-12, probs.get(truth) ?? 0));
  s.answers.push({ confidence, correct: best === truth });
};
const ece = (s: Scored) => {
  let total = 0;
  for (let b = 0; b < 10; b++) {
    const bin = s.answers.filter((a) => Math.min(9, Math.floor(a.confidence * 10)) === b);
    if (bin.length === 0) continue;
    const acc = bin.filter((a) => a.correct).length / bin.length;
    const conf = bin.reduce((sum, a) => sum + a.confidence, 0) / bin.length;
    total += (bin.length / s.answers.length) * Math.abs(acc - conf);
  }
  return total;
};
const ours = scored();
const svm = scored();
let nnRight = 0;
let centroidRight = 0;
let probes = 0;
const trainStart = performance.now();
const matcher = Matcher.train(gallery, { prior, sameThreshold: calibration.sameThreshold });
const trainMs = performance.now() - trainStart;
const svmStart = performance.now();
const svmModel = trainSvm(
  gallery.flatMap((g) => g.embeddings.map((embedding) => ({ label: g.slug, embedding }))),
);
const svmMs = performance.now() - svmStart;
const centroid = centroidClassifier(gallery);
for (const p of split) {
  for (const e of p.probes) {
    probes++;
    if (!e) continue;
    const r = matcher.identify(e);
    // The top 3 carry most of the mass; the rest is spread over the others for the log-loss.
    const mine = new Map(r.top.map((c) => [c.slug, c.confidence]));
    const rest = Math.max(0, 1 - r.top.reduce((sum, c) => sum + c.confidence, 0));
    for (const g of gallery) if (!mine.has(g.slug)) mine.set(g.slug, rest / (gallery.length - r.top.length));
    record(ours, mine, p.slug);
    const q = predictProba(svmModel, e);
    record(svm, new Map(svmModel.labels.map((l, i) => [l, q[i]!])), p.slug);
    if (nearestNeighbour(gallery, e)?.slug === p.slug) nnRight++;
    if (centroid(e)?.slug === p.slug) centroidRight++;
  }
}
const calibrated = (s: Scored) => `log-loss ${(s.nll / probes).toFixed(3)}, ECE ${ece(s).toFixed(3)}`;
console.log(`\nidentification on ${probes} probes, ${gallery.length} identities x ${perPerson} photos`);
console.log(
  `  top-1 softmax (ours)     ${pct(ours.right / probes)}  (trained in ${trainMs.toFixed(0)} ms; ${calibrated(ours)})`,
);
console.log(
  `  top-1 SVM (previous)     ${pct(svm.right / probes)}  (trained in ${svmMs.toFixed(0)} ms; ${calibrated(svm)})`,
);
console.log(`  top-1 nearest neighbour  ${pct(nnRight / probes)}`);
console.log(`  top-1 centroid           ${pct(centroidRight / probes)}`);

// --- verification AUC over all pairs of faces found
const all = split.flatMap((p) =>
  [...p.enrolled, ...p.probes].filter((e): e is Float32Array => !!e).map((e) => ({ who: p.slug, e })),
);
const same: number[] = [];
const diff: number[] = [];
for (let i = 0; i < all.length; i++) {
  for (let j = i + 1; j < all.length; j++) {
    const a = all[i] as (typeof all)[number];
    const b = all[j] as (typeof all)[number];
    (a.who === b.who ? same : diff).push(cosine(a.e, b.e));
  }
}
diff.sort((a, b) => a - b);
let below = 0;
let auc = 0;
for (const s of same.sort((a, b) => a - b)) {
  while (below < diff.length && (diff[below] as number) < s) below++;
  auc += below;
}
console.log(
  `\nverification AUC over ${same.length + diff.length} pairs: ${(auc / same.length / diff.length).toFixed(4)}`,
);

// --- `same`: rotate which people are strangers (kept out of the gallery)
// Each probe records its best match's same-person score and whether the rest of the rule (the SVM
// agreeing with the centred centroids) holds, so one pass gives the rates at every threshold.
const threshold = args.threshold ? Number(args.threshold) : calibration.sameThreshold;
const strangers: { score: number; agree: boolean }[] = [];
const known: { score: number; agree: boolean }[] = [];
for (let start = 0; start < split.length; start += strangerCount) {
  const out = new Set(split.slice(start, start + strangerCount).map((p) => p.slug));
  const m = Matcher.train(
    gallery.filter((g) => !out.has(g.slug)),
    { prior, sameThreshold: -2 },
  );
  for (const p of split) {
    const stranger = out.has(p.slug);
    for (const e of stranger ? [...p.enrolled, ...p.probes] : p.probes) {
      if (!e) continue;
      const r = m.identify(e);
      if (!r.match) continue;
      if (stranger) strangers.push({ score: r.sameScore, agree: r.match.same });
      else known.push({ score: r.sameScore, agree: r.match.same && r.match.slug === p.slug });
    }
  }
}
const rate = (rows: { score: number; agree: boolean }[], t: number) =>
  rows.filter((r) => r.agree && r.score >= t).length / rows.length;
console.log(
  `\nsame flag, strangers rotated ${strangerCount} at a time (${strangers.length} stranger photos, ${known.length} new photos of enrolled people):`,
);
console.log(`  threshold ${threshold} (models/calibration.json):`);
console.log(`    strangers called the celebrity:    ${pct(rate(strangers, threshold))}  (target <= 5%)`);
console.log(`    enrolled people's new photos same: ${pct(rate(known, threshold))}  (target >= 85%)`);
const sweep: string[] = [];
for (let t = 0.3; t <= 0.501; t += 0.025)
  sweep.push(`${t.toFixed(3)}: ${pct(rate(strangers, t))} / ${pct(rate(known, t))}`);
console.log(`  sweep (threshold: strangers / enrolled): ${sweep.join('  ')}`);

// --- sklearn reference on the same embeddings
if (args.sklearn && !args['no-sklearn']) {
  const file = path.join(os.tmpdir(), `lookalike-eval-${process.pid}.json`);
  const rows = (sel: 'enrolled' | 'probes') =>
    split.flatMap((p) =>
      p[sel].flatMap((e) => (e ? [{ label: p.slug, embedding: Array.from(e as ArrayLike<number>) }] : [])),
    );
  writeFileSync(file, JSON.stringify({ train: rows('enrolled'), test: rows('probes') }));
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
    const found = rows('probes').length;
    console.log(
      `\nsklearn SVC(kernel='linear', probability=True) on the same embeddings: top-1 ${pct((ref.top1 * found) / probes)} of all probes (${pct(ref.top1)} of faces found), trained in ${(ref.trainSeconds * 1000).toFixed(0)} ms`,
    );
  }
}
