/**
 * The classifier's evaluation (`npm run eval`): the linear SVM beside the candidate softmax it
 * replaced, sklearn's LinearSVC and OpenFace's SVC on the same embeddings, and the nearest
 * centroid; on the celebrities, on unbalanced and mixed galleries (crops beside portraits, the
 * bbt case), and the SVM confidence's calibration three ways, with strangers.
 */

import { fitConfidence, stratifiedFolds } from '../../src/classifier/calibration.ts';
import { type GalleryIdentity, Matcher } from '../../src/classifier/matcher.ts';
import { decision, trainSvm } from '../../src/classifier/svm.ts';
import { Rng } from '../../src/util/rng.ts';
import { centredCentroidClassifier, centroidClassifier } from './baselines.ts';
import type { PersonVectors } from './calibration-cv.ts';
import { fitSigmoid, type Sigmoid } from './platt.ts';
import { type LinearSvcReference, sklearnReference } from './sklearn.ts';
import { softmaxBaseline } from './softmax/baseline.ts';

interface Probe {
  slug: string;
  e: Float32Array;
}

const found = (xs: (Float32Array | undefined)[]) => xs.filter((x): x is Float32Array => x !== undefined);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const identity = (p: PersonVectors, photos: (Float32Array | undefined)[]): GalleryIdentity => ({
  slug: p.name,
  name: p.name,
  embeddings: found(photos),
});

/** Right answers of every classifier on one gallery and its probes. */
function compare(gallery: GalleryIdentity[], probes: Probe[], prior: Float32Array, sklearn: boolean) {
  const svm = Matcher.train(gallery, { prior });
  // Before the anchor: sklearn's C = 1, regularised towards the origin (both-side class weights kept).
  const unanchored = Matcher.train(gallery, { prior, C: 1, anchor: 0 });
  const softmax = softmaxBaseline(gallery, prior);
  const centroid = centroidClassifier(gallery);
  const centred = centredCentroidClassifier(gallery, prior);
  const count = (answer: (e: Float32Array) => string | undefined) =>
    probes.filter((p) => answer(p.e) === p.slug).length;
  let linearSvc: number | string = 'n/a';
  let openFace: number | string = 'n/a';
  if (sklearn) {
    const train = gallery.flatMap((g) => g.embeddings.map((embedding) => ({ label: g.slug, embedding })));
    const test = probes.map((p) => ({ label: p.slug, embedding: p.e }));
    try {
      const ref = sklearnReference<LinearSvcReference>('sklearn_linear_svc.py', train, test, {
        C: 1,
        class_weight: 'balanced',
      });
      linearSvc = ref.predicted.filter((p, i) => p === probes[i]!.slug).length;
      const svc = sklearnReference<{ top1: number }>('sklearn_reference.py', train, test);
      openFace = Math.round(svc.top1 * probes.length);
    } catch (err) {
      linearSvc = (err as Error).message;
    }
  }
  return {
    svm: count((e) => svm.identify(e).match?.slug),
    unanchored: count((e) => unanchored.identify(e).match?.slug),
    softmax: count((e) => softmax(e)[0]?.slug),
    linearSvc,
    openFace,
    centroid: count((e) => centroid(e)?.slug),
    centred: count((e) => centred(e)),
    probes: probes.length,
  };
}

/** One gallery configuration, drawn one or more times from different photos. */
interface Configuration {
  name: string;
  draws: { gallery: GalleryIdentity[]; probes: Probe[] }[];
}

/**
 * The galleries the evaluation compares classifiers on: balanced, unbalanced, and mixed. With few
 * photos per person a single draw decides by a face or two, so those galleries are drawn again
 * from each of the first 10 photos (the probes are always photos 11–20) and the counts summed.
 */
function galleries(celebs: PersonVectors[], bbt: PersonVectors[]): Configuration[] {
  const celebProbes = celebs.flatMap((p) => found(p.photos.slice(10)).map((e) => ({ slug: p.name, e })));
  const fifth = bbt.flatMap((p) => (p.photos[4] ? [{ slug: p.name, e: p.photos[4] }] : []));
  const out: Configuration[] = [1, 2, 4, 10].map((m) => ({
    name: `celebrities, ${m} crop${m > 1 ? 's' : ''} each${m < 10 ? ` (${(10 / m) | 0} draws)` : ''}`,
    draws: Array.from({ length: Math.floor(10 / m) }, (_, d) => ({
      gallery: celebs.map((p) => identity(p, p.photos.slice(d * m, d * m + m))),
      probes: celebProbes,
    })),
  }));
  out.push({
    name: 'celebrities, 1 or 10 crops (alternately; 10 draws)',
    draws: Array.from({ length: 10 }, (_, d) => ({
      gallery: celebs.map((p, i) =>
        identity(p, (i + d) % 2 ? p.photos.slice(d, d + 1) : p.photos.slice(0, 10)),
      ),
      probes: celebProbes,
    })),
  });
  for (const m of [1, 2, 4]) {
    out.push({
      name: `20 crops each + bbt, ${m} portrait${m > 1 ? 's' : ''} each (bbt 5th portraits)`,
      draws: [
        {
          gallery: [
            ...celebs.map((p) => identity(p, p.photos)),
            ...bbt.map((p) => identity(p, p.photos.slice(0, m))),
          ],
          probes: fifth,
        },
      ],
    });
  }
  out.push({
    name: '10 crops each + bbt, 4 portraits (celebrity probes)',
    draws: [
      {
        gallery: [
          ...celebs.map((p) => identity(p, p.photos.slice(0, 10))),
          ...bbt.map((p) => identity(p, p.photos.slice(0, 4))),
        ],
        probes: celebProbes,
      },
    ],
  });
  return out;
}

/** Wu, Lin & Weng's pairwise coupling (libsvm's multiclass_probability) of r[i][j] = P(i | i or j). */
export function couple(r: number[][]): number[] {
  const k = r.length;
  const Q = Array.from({ length: k }, (_, t) =>
    Array.from({ length: k }, (_, j) =>
      t === j ? r.reduce((s, row, u) => (u === t ? s : s + row[t]! ** 2), 0) : -r[j]![t]! * r[t]![j]!,
    ),
  );
  const p = new Array<number>(k).fill(1 / k);
  const Qp = new Array<number>(k).fill(0);
  for (let iter = 0; iter < Math.max(100, k); iter++) {
    let pQp = 0;
    for (let t = 0; t < k; t++) {
      Qp[t] = Q[t]!.reduce((s, q, j) => s + q * p[j]!, 0);
      pQp += p[t]! * Qp[t]!;
    }
    let maxError = 0;
    for (let t = 0; t < k; t++) maxError = Math.max(maxError, Math.abs(Qp[t]! - pQp));
    if (maxError < 0.005 / k) break;
    for (let t = 0; t < k; t++) {
      const diff = (-Qp[t]! + pQp) / Q[t]![t]!;
      p[t]! += diff;
      pQp = (pQp + diff * (diff * Q[t]![t]! + 2 * Qp[t]!)) / (1 + diff) / (1 + diff);
      for (let j = 0; j < k; j++) {
        Qp[j] = (Qp[j]! + diff * Q[t]![j]!) / (1 + diff);
        p[j]! /= 1 + diff;
      }
    }
  }
  return p;
}

/** Expected calibration error of the top confidence, 15 equal-width bins (Guo et al. 2017). */
export function ece(top: number[], right: boolean[], bins = 15): number {
  let total = 0;
  for (let b = 0; b < bins; b++) {
    const inBin = top.flatMap((c, i) => (Math.min(bins - 1, Math.floor(c * bins)) === b ? [i] : []));
    if (inBin.length === 0) continue;
    const conf = inBin.reduce((s, i) => s + top[i]!, 0) / inBin.length;
    const acc = inBin.filter((i) => right[i]).length / inBin.length;
    total += (inBin.length / top.length) * Math.abs(conf - acc);
  }
  return total;
}

const softmaxOf = (z: number[]): number[] => {
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};
const sigmoid = (f: number, s: Sigmoid) => 1 / (1 + Math.exp(s.a * f + s.b));

/**
 * The three ways from decision values to a confidence, each fitted on out-of-sample decision values
 * of the gallery's own photos (each person's photos dealt into 3 folds), then measured on new photos.
 */
function calibrations(gallery: GalleryIdentity[], probes: Probe[]) {
  const labels = gallery.map((g) => g.slug);
  const rows = gallery.flatMap((g) => g.embeddings);
  const classOf = Int32Array.from(gallery.flatMap((g, c) => g.embeddings.map(() => c)));
  const k = labels.length;
  const fold = stratifiedFolds(classOf, 3, new Rng(1));
  const cv: number[][] = new Array(rows.length);
  for (let f = 0; f < 3; f++) {
    const keep = rows.flatMap((_, i) => (fold[i] === f ? [] : [i]));
    const m = trainSvm(
      keep.map((i) => rows[i]!),
      Int32Array.from(keep, (i) => classOf[i]!),
      labels,
    );
    for (let i = 0; i < rows.length; i++)
      if (fold[i] === f) cv[i] = labels.map((_, c) => decision(m.weights, m.bias, m.dim, c, rows[i]!));
  }
  // One temperature over the margins.
  const T = fitConfidence(cv.map((z, i) => ({ z, y: classOf[i]!, weight: 1 }))).temperature;
  // Platt per class, then normalised.
  const platt = labels.map((_, c) =>
    fitSigmoid(
      cv.map((z) => z[c]!),
      Array.from(classOf, (y) => y === c),
    ),
  );
  // Pairwise: one sigmoid on margin differences f_i - f_j for the true class i against each j, then coupling.
  const diffs: number[] = [];
  const positive: boolean[] = [];
  cv.forEach((z, i) => {
    const y = classOf[i]!;
    for (let j = 0; j < k; j++) {
      if (j === y) continue;
      diffs.push(z[y]! - z[j]!, z[j]! - z[y]!);
      positive.push(true, false);
    }
  });
  const pair = fitSigmoid(diffs, positive);
  const final = trainSvm(rows, classOf, labels);
  const methods = {
    'one temperature over the margins': (z: number[]) => softmaxOf(z.map((v) => v / T)),
    'Platt per class + normalisation': (z: number[]) => {
      const p = z.map((v, c) => sigmoid(v, platt[c]!));
      const s = p.reduce((a, b) => a + b, 0);
      return p.map((v) => v / s);
    },
    'pairwise coupling (libsvm)': (z: number[]) =>
      couple(
        z.map((zi, i) =>
          z.map((zj, j) => (i === j ? 0 : Math.min(1 - 1e-7, Math.max(1e-7, sigmoid(zi - zj, pair))))),
        ),
      ),
  };
  return Object.entries(methods).map(([name, proba]) => {
    const top: number[] = [];
    const right: boolean[] = [];
    let logLoss = 0;
    for (const p of probes) {
      const q = proba(labels.map((_, c) => decision(final.weights, final.bias, final.dim, c, p.e)));
      const best = q.indexOf(Math.max(...q));
      top.push(q[best]!);
      right.push(labels[best] === p.slug);
      logLoss -= Math.log(Math.max(1e-15, q[labels.indexOf(p.slug)]!));
    }
    return { name, logLoss: logLoss / probes.length, ece: ece(top, right) };
  });
}

/** p10, median, p90 and the share at 0.99 or more. */
function spread(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const q = (f: number) => (s[Math.min(s.length - 1, Math.floor(f * s.length))] ?? 0).toFixed(2);
  return `p10 ${q(0.1)}, median ${q(0.5)}, p90 ${q(0.9)}, ≥ 0.99: ${pct(s.filter((x) => x >= 0.99).length / Math.max(1, s.length))}`;
}

/** Prints the classifier report: identification, mixed galleries, calibration, strangers. */
export function classifierReport(
  celebs: PersonVectors[],
  bbt: PersonVectors[],
  prior: Float32Array,
  sklearn = true,
): void {
  console.log(
    '\n## The classifier (linear SVM) beside the softmax it replaced, sklearn and the nearest centroid',
  );
  console.log(
    '| gallery | probes | linear SVM | unanchored SVM (C = 1) | softmax | LinearSVC balanced (sklearn) | SVC + Platt (OpenFace) | nearest centroid | centred centroid (the `same` rule) |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const g of galleries(celebs, bbt)) {
    const runs = g.draws.map((d) => compare(d.gallery, d.probes, prior, sklearn));
    const sum = (pick: (r: (typeof runs)[number]) => number | string): number | string =>
      runs.reduce<number | string>((a, r) => {
        const v = pick(r);
        return typeof a === 'number' && typeof v === 'number' ? a + v : typeof v === 'string' ? v : a;
      }, 0);
    const r = {
      svm: sum((x) => x.svm),
      unanchored: sum((x) => x.unanchored),
      softmax: sum((x) => x.softmax),
      linearSvc: sum((x) => x.linearSvc),
      openFace: sum((x) => x.openFace),
      centroid: sum((x) => x.centroid),
      centred: sum((x) => x.centred),
      probes: sum((x) => x.probes) as number,
    };
    const cell = (v: number | string): string => (typeof v === 'number' ? `${v} (${pct(v / r.probes)})` : v);
    console.log(
      `| ${g.name} | ${r.probes} | ${cell(r.svm)} | ${cell(r.unanchored)} | ${cell(r.softmax)} | ${cell(r.linearSvc)} | ${cell(r.openFace)} | ${cell(r.centroid)} | ${cell(r.centred)} |`,
    );
  }

  const gallery = celebs.map((p) => identity(p, p.photos.slice(0, 10)));
  const probes = celebs.flatMap((p) => found(p.photos.slice(10)).map((e) => ({ slug: p.name, e })));
  console.log(
    '\n## Calibration of the SVM confidence (fitted out of sample, measured on the 200 new celebrity photos)',
  );
  console.log('| decision values → confidence | log-loss | ECE (15 bins) |');
  console.log('| --- | --- | --- |');
  for (const c of calibrations(gallery, probes))
    console.log(`| ${c.name} | ${c.logLoss.toFixed(3)} | ${c.ece.toFixed(3)} |`);
  const softmax = softmaxBaseline(gallery, prior);
  const matcher = Matcher.train(gallery, { prior });
  for (const [name, answer] of [
    [
      'shipped matcher (SVM, answers over its candidates)',
      (e: Float32Array) => matcher.identify(e).top.map((t) => ({ slug: t.slug, p: t.confidence })),
    ],
    ['softmax baseline', softmax],
  ] as const) {
    let logLoss = 0;
    const top: number[] = [];
    const right: boolean[] = [];
    for (const p of probes) {
      const a = answer(p.e);
      top.push(a[0]?.p ?? 0);
      right.push(a[0]?.slug === p.slug);
      logLoss -= Math.log(Math.max(1e-6, a.find((x) => x.slug === p.slug)?.p ?? 0));
    }
    console.log(`| ${name} | ${(logLoss / probes.length).toFixed(3)} | ${ece(top, right).toFixed(3)} |`);
  }

  // Strangers: each fold of 5 celebrities left out of the gallery, their 20 photos each scored.
  const known: number[] = [];
  const strangers: number[] = [];
  const knownSoft: number[] = [];
  const strangersSoft: number[] = [];
  for (let f = 0; f < celebs.length; f += 5) {
    const out = new Set(celebs.slice(f, f + 5).map((p) => p.name));
    const enrolled = celebs.filter((p) => !out.has(p.name)).map((p) => identity(p, p.photos.slice(0, 10)));
    const m = Matcher.train(enrolled, { prior });
    const s = softmaxBaseline(enrolled, prior);
    for (const p of celebs)
      for (const e of found(out.has(p.name) ? p.photos : p.photos.slice(10))) {
        (out.has(p.name) ? strangers : known).push(m.identify(e).top[0]?.confidence ?? 0);
        (out.has(p.name) ? strangersSoft : knownSoft).push(s(e)[0]?.p ?? 0);
      }
  }
  const bbtStrangers = found(bbt.flatMap((p) => p.photos)).map(
    (e) => matcher.identify(e).top[0]?.confidence ?? 0,
  );
  console.log(
    "\n## Top confidence: enrolled people's new photos against strangers (people left out of the gallery)",
  );
  console.log(`linear SVM, enrolled (${known.length}): ${spread(known)}`);
  console.log(`linear SVM, strangers (${strangers.length}): ${spread(strangers)}`);
  console.log(
    `linear SVM, bbt portraits against the 20 celebrities (${bbtStrangers.length}): ${spread(bbtStrangers)}`,
  );
  console.log(`softmax, enrolled (${knownSoft.length}): ${spread(knownSoft)}`);
  console.log(`softmax, strangers (${strangersSoft.length}): ${spread(strangersSoft)}`);
}
