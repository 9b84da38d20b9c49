// npm run eval:resemblance: validates occlusion attribution (docs/resemblance.md) on ../shared/data.
// Deletion test on bbt pairs (each portrait against the nearest other portrait of the same person) and
// celebrity pairs (each bbt portrait against its nearest celebrity photo), for grey and blurred masks;
// stability of rankings across one member's photos against one celebrity photo; how well the embedding
// alone tells bbt people apart; and the cost of one explanation. Needs the onnx engine.
// Options: --random N (random orders per pair, default 4); --per-person N (deletion pairs from each bbt
// member's first N portraits, default all), --stability-photos N (default all), --celeb-photos N
// (celebrity portraits per person, default all): on a busy machine the full run takes hours.
import { availableParallelism, cpus } from 'node:os';
import type { FaceEngine } from '../src/domain/face.ts';
import { createFaceEngine } from '../src/engine/index.ts';
import {
  attribute,
  dot,
  type FacePair,
  type MaskKind,
  SHIPPED_MASK,
  shares,
} from '../src/resemblance/occlusion.ts';
import { auc } from './lib/calibration-cv.ts';
import {
  bootstrapPeople,
  type Deletion,
  deletion,
  type Portrait,
  portraits,
  spearman,
} from './lib/resemblance-eval.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const randomOrders = arg('--random', 4);
const perPerson = arg('--per-person', Number.POSITIVE_INFINITY);
const stabilityPhotos = arg('--stability-photos', Number.POSITIVE_INFINITY);
const celebPhotos = arg('--celeb-photos', Number.POSITIVE_INFINITY);
/** The first `n` portraits of each person. */
const firstOf = (list: readonly Portrait[], n: number) =>
  list.filter((p) => list.filter((q) => q.person === p.person).indexOf(p) < n);

const engine = (await createFaceEngine({ backend: 'onnx', inline: true })) as FaceEngine;
const embed = engine.embedFaceImages?.bind(engine);
if (!embed) throw new Error('this engine cannot embed face images (it needs the onnx backend)');
const fmt = (x: number) => x.toFixed(3);
const ci = (b: { mean: number; low: number; high: number }) =>
  `${fmt(b.mean)} [${fmt(b.low)}, ${fmt(b.high)}]`;

try {
  console.log(`CPU: ${cpus()[0]?.model} (${availableParallelism()} cores), one inline engine`);
  const analyze = (image: Uint8Array) => engine.analyze(image);
  const celebs = await portraits('celebs', analyze, celebPhotos);
  const bbt = await portraits('bbt', analyze);
  console.log(`${celebs.length} celebrity portraits, ${bbt.length} bbt portraits`);

  // What the embedding alone does on the pairs the geometric regions were validated on.
  const same: number[] = [];
  const different: number[] = [];
  bbt.forEach((a, i) => {
    bbt.forEach((b, j) => {
      if (j > i) (a.person === b.person ? same : different).push(dot(a.embedding, b.embedding));
    });
  });
  console.log(
    `fused embedding on bbt: AUC ${fmt(auc(same, different))} (${same.length} same-person, ${different.length} different-people pairs)`,
  );

  const nearest = (p: Portrait, pool: readonly Portrait[]) =>
    pool
      .filter((q) => q !== p)
      .reduce((a, b) => (dot(b.embedding, p.embedding) > dot(a.embedding, p.embedding) ? b : a));
  const pairSets: { name: string; pairs: { person: string; pair: FacePair }[] }[] = [
    {
      name: 'bbt pairs',
      pairs: bbt.map((p) => ({
        person: p.person,
        pair: {
          face: p.image,
          photo: nearest(
            p,
            bbt.filter((q) => q.person === p.person),
          ).image,
        },
      })),
    },
    {
      name: 'celebrity pairs',
      pairs: bbt.map((p) => ({ person: p.person, pair: { face: p.image, photo: nearest(p, celebs).image } })),
    },
  ];

  console.log(
    `\ndeletion test: area under the deletion curve (similarity / unmasked, against masked area), ${randomOrders} random orders per pair`,
  );
  console.log(
    'set              mask  pairs  top-ranked first        random order            random − ranked         ranked lower',
  );
  for (const set of pairSets) {
    const pairs = set.pairs.filter((p) => firstOf(bbt, perPerson).some((q) => q.image === p.pair.face));
    for (const kind of ['grey', 'blur'] as MaskKind[]) {
      if (pairs.length === 0) continue;
      const results: (Deletion & { person: string })[] = [];
      for (const [i, p] of pairs.entries())
        results.push({ person: p.person, ...(await deletion(embed, p.pair, kind, randomOrders, i + 1)) });
      const of = (f: (d: Deletion) => number) =>
        bootstrapPeople(results.map((d) => ({ person: d.person, value: f(d) })));
      const lower = results.filter((d) => d.ranked < d.random).length;
      console.log(
        `${set.name.padEnd(16)} ${kind.padEnd(5)} ${String(results.length).padEnd(6)} ${ci(of((d) => d.ranked))}  ${ci(of((d) => d.random))}  ${ci(of((d) => d.random - d.ranked))}  ${lower}/${results.length}`,
      );
    }
  }

  // Stability: each member's portraits against one celebrity photo (the one nearest their mean face).
  console.log(
    `\nstability (${SHIPPED_MASK} masks): Spearman between the region costs of two photos of one member against one celebrity photo`,
  );
  const members = [...new Set(bbt.map((p) => p.person))];
  const rankings: { person: string; drops: number[] }[] = [];
  for (const member of members) {
    const photos = firstOf(bbt, stabilityPhotos).filter((p) => p.person === member);
    const mean = new Float32Array(photos[0]!.embedding.length);
    for (const p of photos) for (const [i, v] of p.embedding.entries()) mean[i] = (mean[i] as number) + v;
    const celeb = celebs.reduce((a, b) => (dot(b.embedding, mean) > dot(a.embedding, mean) ? b : a));
    for (const p of photos)
      rankings.push({
        person: member,
        drops: (await attribute(embed, { face: p.image, photo: celeb.image })).drops,
      });
  }
  const within: { person: string; value: number }[] = [];
  const across: { person: string; value: number }[] = [];
  rankings.forEach((a, i) => {
    rankings.forEach((b, j) => {
      if (j <= i) return;
      (a.person === b.person ? within : across).push({ person: a.person, value: spearman(a.drops, b.drops) });
    });
  });
  console.log(
    `same member, same celebrity photo: ${ci(bootstrapPeople(within))} (${within.length} pairs of photos)`,
  );
  console.log(
    `different members, each against their own celebrity: ${ci(bootstrapPeople(across))} (${across.length} pairs)`,
  );
  const tops = new Map<string, number>();
  for (const r of rankings) {
    const top = shares(r.drops)[0]?.region ?? 'none';
    tops.set(top, (tops.get(top) ?? 0) + 1);
  }
  console.log(
    `top region over ${rankings.length} explanations: ${[...tops].map(([r, n]) => `${r} ${n}`).join(', ')}`,
  );

  // Cost of one explanation: masks, one batch of 16 face images, shares.
  const times: number[] = [];
  for (const { pair } of pairSets[1]!.pairs.slice(0, 5)) {
    const start = performance.now();
    shares((await attribute(embed, pair)).drops);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  console.log(
    `\ncost of one explanation (${SHIPPED_MASK}, 16 images in one batch, inline engine): median ${times[2]!.toFixed(0)} ms, min ${times[0]!.toFixed(0)} ms`,
  );
} finally {
  await engine.close();
}
