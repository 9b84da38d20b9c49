/**
 * The prior of the SVM confidence's fit (`priorFit` and `PRIOR_WEIGHT` in src/classifier/calibration.ts;
 * docs/classifier.md, "One photo each" and "The prior"). A gallery of one photo a person has no
 * known face to hold out, so its T and "none" level are measured here, on one-photo galleries of the
 * celebrities (10 draws: crop 1, 2, …), with new photos of the enrolled people as known faces and
 * the other celebrities as strangers (weighing 3 %, as the shipped fit):
 *
 * 1. people split: fitted on 7 people of one half (3 strangers), read on the other half, 4 times;
 * 2. by gallery size: "none" at the shipped T for 4–15 identities (4 rotations of 5 strangers),
 *    and the curve a + b / classes through them;
 * 3. checks of the shipped curve on people it never saw (one-photo galleries of the 8 bbt
 *    people, the celebrities as strangers) and on the eval's 20-identity one-crop galleries;
 * 4. the prior's weight against a gallery's own held-out faces: log-loss / ECE of new photos on
 *    several galleries, and strangers' top confidence (5 celebrities left out of 10-crop galleries).
 *
 * Usage: npm run eval:confidence -- [--celebs-cache tmp/celebs-eval.json] [--bbt-cache tmp/bbt.json]
 */
import { parseArgs } from 'node:util';
import { fitConfidence, type HeldOut, strangerWeight as weightOf } from '../src/classifier/calibration.ts';
import { type GalleryIdentity, Matcher } from '../src/classifier/matcher.ts';
import { decision, trainSvm } from '../src/classifier/svm.ts';
import { embeddingDim } from '../src/domain/tuning.ts';
import { readCalibration } from '../src/engine/calibration.ts';
import { decodeFloat32 } from '../src/util/vectors.ts';
import { bbtEmbeddings } from '../test/fixtures/bbt.ts';
import { celebEmbeddings } from '../test/fixtures/celebs.ts';
import { ece } from './lib/classifier-eval.ts';

const { values: args } = parseArgs({
  options: { 'celebs-cache': { type: 'string' }, 'bbt-cache': { type: 'string' } },
});
const { people } = await celebEmbeddings({ cache: args['celebs-cache'] });
const cast = await bbtEmbeddings({ cache: args['bbt-cache'] });
const calibration = readCalibration();
const prior = decodeFloat32(calibration.prior, embeddingDim(calibration.tuning), 1)[0]!;
const found = (xs: (Float32Array | undefined)[]) => xs.filter((x): x is Float32Array => x !== undefined);

interface Sample {
  z: number[];
  /** Index of the face's identity, or -1 for a stranger. */
  y: number;
}

/** Decision values of one-photo galleries of `enrolled` (10 draws) for their new photos and `strangers`' photos. */
function samples(enrolled: number[], strangers: number[]): Sample[] {
  const out: Sample[] = [];
  for (let d = 0; d < 10; d++) {
    const ids = enrolled.map((i) => people[i]!);
    const rows = ids.flatMap((p) => found(p.embeddings.slice(d, d + 1)));
    const classOf = Int32Array.from(ids.flatMap((p, c) => found(p.embeddings.slice(d, d + 1)).map(() => c)));
    const m = trainSvm(
      rows,
      classOf,
      ids.map((p) => p.name),
      { offset: prior },
    );
    const z = (e: Float32Array) => ids.map((_, c) => decision(m.weights, m.bias, m.dim, c, e));
    ids.forEach((p, c) => {
      for (const e of found(p.embeddings.slice(10))) out.push({ z: z(e), y: c });
    });
    for (const i of strangers)
      for (const e of found(people[i]!.embeddings.slice(10))) out.push({ z: z(e), y: -1 });
  }
  return out;
}

const strangerWeight = (s: Sample[]) => {
  const known = s.filter((x) => x.y >= 0).length;
  return weightOf(known, s.length - known);
};

function fit(s: Sample[]) {
  const w = strangerWeight(s);
  return fitConfidence(s.map((x): HeldOut => ({ z: x.z, y: x.y, weight: x.y < 0 ? w : 1 })));
}

/** Weighted negative log-likelihood of the samples at (T, none). */
function nll(s: Sample[], T: number, none: number): number {
  const w = strangerWeight(s);
  let total = 0;
  for (const x of s) {
    const z = x.z.map((v) => v / T);
    const max = Math.max(none / T, ...z);
    let sum = Math.exp(none / T - max);
    for (const v of z) sum += Math.exp(v - max);
    total += (x.y < 0 ? w : 1) * (max + Math.log(sum) - (x.y < 0 ? none / T : z[x.y]!));
  }
  return total;
}

/** Known faces' log-loss, ECE and top-1, and strangers' median (p90) top confidence, at (T, none). */
function score(s: Sample[], T: number, none: number): string {
  const top: number[] = [];
  const right: boolean[] = [];
  const strangers: number[] = [];
  let logLoss = 0;
  for (const x of s) {
    const z = x.z.map((v) => v / T);
    const max = Math.max(none / T, ...z);
    const e = z.map((v) => Math.exp(v - max));
    const sum = e.reduce((a, b) => a + b, Math.exp(none / T - max));
    const p = e.map((v) => v / sum);
    const best = p.indexOf(Math.max(...p));
    if (x.y < 0) strangers.push(p[best]!);
    else {
      top.push(p[best]!);
      right.push(best === x.y);
      logLoss -= Math.log(Math.max(1e-6, p[x.y]!));
    }
  }
  strangers.sort((a, b) => a - b);
  const q = (f: number) => strangers[Math.floor(f * strangers.length)]!.toFixed(2);
  return `log-loss ${(logLoss / top.length).toFixed(3)}, ECE ${ece(top, right).toFixed(3)}, top-1 ${((100 * right.filter(Boolean).length) / right.length).toFixed(1)} %, strangers ${q(0.5)} (${q(0.9)})`;
}

const all = people.map((_, i) => i);
let seed = 7;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
console.log('## People split: fitted on 7 people of one half (3 strangers), read on the other half');
for (let split = 1; split <= 4; split++) {
  const order = all.map((i) => ({ i, r: random() })).sort((a, b) => a.r - b.r);
  const [a, b] = [order.slice(0, 10).map((o) => o.i), order.slice(10).map((o) => o.i)];
  const f = fit(samples(a.slice(0, 7), a.slice(7)));
  console.log(
    `split ${split}: T ${f.temperature.toFixed(4)}, none ${f.none.toFixed(3)} -> ${score(samples(b.slice(0, 7), b.slice(7)), f.temperature, f.none)}`,
  );
}

console.log('\n## By gallery size: 4 rotations of 5 strangers');
const rotations = (n: number) =>
  [0, 5, 10, 15].flatMap((o) => {
    const ids = all.filter((i) => i < o || i >= o + 5).slice(0, n);
    return samples(
      ids,
      all.filter((i) => !ids.includes(i)),
    );
  });
const T = fit(rotations(15)).temperature;
const points: { n: number; none: number }[] = [];
for (const n of [4, 6, 8, 10, 12, 15]) {
  const s = rotations(n);
  const f = fit(s);
  let best = { none: 0, nll: Number.POSITIVE_INFINITY };
  for (let none = -1.2; none <= 0.2; none += 0.01) {
    const v = nll(s, T, none);
    if (v < best.nll) best = { none, nll: v };
  }
  points.push({ n, none: best.none });
  console.log(
    `${n} identities: fitted T ${f.temperature.toFixed(4)}, none ${f.none.toFixed(3)}; none at T ${T.toFixed(4)}: ${best.none.toFixed(2)}`,
  );
}
// Least squares of none on 1 / classes.
const xs = points.map((p) => 1 / p.n);
const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
const my = points.reduce((a, p) => a + p.none, 0) / points.length;
const b =
  xs.reduce((s, x, i) => s + (x - mx) * (points[i]!.none - my), 0) /
  xs.reduce((s, x) => s + (x - mx) ** 2, 0);
const a = my - b * mx;
console.log(`curve: T ${T.toFixed(4)}, none = ${a.toFixed(3)} + ${b.toFixed(3)} / classes`);

console.log('\n## Checks of the shipped matcher on one-photo galleries');
for (const [name, gallery, known, strangers] of [
  [
    'the 8 bbt people (never fitted on), 5 draws; strangers: 2 crops of each celebrity',
    (d: number) => cast.map((p) => ({ slug: p.name, name: p.name, embeddings: found([p.embeddings[d]]) })),
    (d: number) =>
      cast.flatMap((p) => found(p.embeddings.filter((_, i) => i !== d)).map((e) => ({ slug: p.name, e }))),
    people.flatMap((p) => found(p.embeddings.slice(10, 12))),
  ],
  [
    "the 20 celebrities, 10 draws (the eval's one crop each); no strangers",
    (d: number) =>
      people.map((p) => ({ slug: p.name, name: p.name, embeddings: found(p.embeddings.slice(d, d + 1)) })),
    () => people.flatMap((p) => found(p.embeddings.slice(10)).map((e) => ({ slug: p.name, e }))),
    [],
  ],
] as const) {
  const top: number[] = [];
  const right: boolean[] = [];
  const strange: number[] = [];
  const draws = name.startsWith('the 8') ? 5 : 10;
  for (let d = 0; d < draws; d++) {
    const m = Matcher.train(gallery(d), { prior });
    for (const { slug, e } of known(d)) {
      const best = m.identify(e).top[0]!;
      top.push(best.confidence);
      right.push(best.slug === slug);
    }
    for (const e of strangers) strange.push(m.identify(e).top[0]!.confidence);
  }
  strange.sort((x, y) => x - y);
  const mean = top.reduce((x, y) => x + y, 0) / top.length;
  const others = strange.length ? `; strangers median ${strange[strange.length >> 1]!.toFixed(2)}` : '';
  console.log(
    `${name}: top-1 ${((100 * right.filter(Boolean).length) / right.length).toFixed(1)} %, mean confidence ${mean.toFixed(3)}, ECE ${ece(top, right).toFixed(3)}${others}`,
  );
}

console.log(
  '\n## The weight of the prior (log-loss / ECE of new photos; strangers: median (p90) top confidence)',
);
type Draws = GalleryIdentity[][];
const celebProbes = people.flatMap((p) => found(p.embeddings.slice(10)).map((e) => ({ slug: p.name, e })));
const draw = (
  count: number,
  pick: (photos: (Float32Array | undefined)[], i: number, d: number) => (Float32Array | undefined)[],
): Draws =>
  Array.from({ length: count }, (_, d) =>
    people.map((p, i) => ({ slug: p.name, name: p.name, embeddings: found(pick(p.embeddings, i, d)) })),
  );
const configs: [string, Draws, { slug: string; e: Float32Array }[]][] = [
  ['10 crops', draw(1, (x) => x.slice(0, 10)), celebProbes],
  ['4 crops', draw(2, (x, _, d) => x.slice(4 * d, 4 * d + 4)), celebProbes],
  ['2 crops', draw(5, (x, _, d) => x.slice(2 * d, 2 * d + 2)), celebProbes],
  ['1 or 10', draw(10, (x, i, d) => ((i + d) % 2 ? x.slice(d, d + 1) : x.slice(0, 10))), celebProbes],
  [
    '8 of 20 from 3 photos, the rest from 1',
    draw(8, (x, i, d) => x.slice(d, d + (i < 8 ? 3 : 1))),
    celebProbes,
  ],
  ['20 from 3 photos', draw(8, (x, _, d) => x.slice(d, d + 3)), celebProbes],
  [
    'bbt, 2 portraits (5th portraits)',
    [0, 1].map((d) =>
      cast.map((p) => ({
        slug: p.name,
        name: p.name,
        embeddings: found(p.embeddings.slice(2 * d, 2 * d + 2)),
      })),
    ),
    cast.flatMap((p) => found([p.embeddings[4]]).map((e) => ({ slug: p.name, e }))),
  ],
];
console.log(`| prior weight | ${configs.map(([name]) => name).join(' | ')} | strangers |`);
console.log(`| --- | ${configs.map(() => '---').join(' | ')} | --- |`);
for (const priorWeight of [0, 0.1, 0.3, 1, 3, 100]) {
  const cells = configs.map(([, galleries, probes]) => {
    const top: number[] = [];
    const right: boolean[] = [];
    let logLoss = 0;
    for (const gallery of galleries) {
      const m = Matcher.train(gallery, { prior, priorWeight });
      for (const { slug, e } of probes) {
        const t = m.identify(e).top;
        top.push(t[0]!.confidence);
        right.push(t[0]!.slug === slug);
        logLoss -= Math.log(Math.max(1e-6, t.find((c) => c.slug === slug)?.confidence ?? 0));
      }
    }
    return `${(logLoss / top.length).toFixed(3)} / ${ece(top, right).toFixed(3)}`;
  });
  const strange: number[] = [];
  for (let f = 0; f < people.length; f += 5) {
    const enrolled = people.filter((_, i) => i < f || i >= f + 5);
    const m = Matcher.train(
      enrolled.map((p) => ({ slug: p.name, name: p.name, embeddings: found(p.embeddings.slice(0, 10)) })),
      { prior, priorWeight },
    );
    for (const p of people.slice(f, f + 5))
      for (const e of found(p.embeddings)) strange.push(m.identify(e).top[0]!.confidence);
  }
  strange.sort((x, y) => x - y);
  const q = (f: number) => strange[Math.floor(f * strange.length)]!.toFixed(2);
  console.log(`| ${priorWeight} | ${cells.join(' | ')} | ${q(0.5)} (${q(0.9)}) |`);
}
