/**
 * Throughput benchmark: the plain Human configuration (detector + mesh + faceres with
 * Human's defaults, one image at a time, wasm, one thread) against Lookalike's engine
 * with one worker and with the pool, on the same single-face photos, in one run.
 *
 * Usage: npm run bench [-- --rounds 2 --images 60]
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { humanBuildFile, humanPackageDir, wasmBinariesDir } from '../src/engine/backend.ts';
import { registerModelRouter } from '../src/engine/model-loader.ts';
import { WorkerPool } from '../src/engine/pool.ts';
import { DEFAULT_TUNING } from '../src/engine/tuning.ts';
import type { Analysis, StageTimings } from '../src/engine/types.ts';
import { mapLimit } from '../src/util/concurrency.ts';
import { dataDir, people } from './lib/data.ts';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    images: { type: 'string', default: '60' },
    workers: { type: 'string' },
  },
});
const rounds = Number(args.rounds);
const require = createRequire(import.meta.url);

// Single-face photos: the bbt portraits and a share of the celebrity crops.
const data = dataDir();
const portraits = people(path.join(data, 'bbt')).flatMap((p) =>
  p.files.map((f) => ({ who: `bbt/${p.name}`, f })),
);
const crops = people(path.join(data, 'celebs')).flatMap((p) =>
  p.files.slice(0, 2).map((f) => ({ who: `celebs/${p.name}`, f })),
);
const photos = [...portraits, ...crops].slice(0, Number(args.images));
const images = photos.map((p) => readFileSync(p.f));
let peakRss = 0;
const sampleRss = () => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
};
const rssTimer = setInterval(sampleRss, 50);

// --- the plain configuration, in this thread
interface HumanLike {
  tf: typeof tf;
  load(): Promise<void>;
  detect(input: tf.Tensor): Promise<{ face: { embedding?: number[] }[] }>;
}
const { Human } = require(humanBuildFile('wasm')) as { Human: new (c: object) => HumanLike };
const plain = new Human({
  backend: 'wasm',
  wasmPath: wasmBinariesDir(),
  modelBasePath: 'human-models://',
  cacheModels: false,
  debug: false,
  body: { enabled: false },
  hand: { enabled: false },
  object: { enabled: false },
  gesture: { enabled: false },
  segmentation: { enabled: false },
  face: {
    enabled: true,
    detector: {},
    mesh: { enabled: true },
    description: { enabled: true },
    iris: { enabled: false },
    emotion: { enabled: false },
    attention: { enabled: false },
    antispoof: { enabled: false },
    liveness: { enabled: false },
  },
});
registerModelRouter(plain.tf, path.join(humanPackageDir(), 'models'), {
  scheme: 'human-models://',
  verify: false,
});
await plain.load();

async function plainOne(buf: Uint8Array): Promise<Float32Array | undefined> {
  const { data, info } = await sharp(buf)
    .rotate()
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const t = plain.tf;
  const input = t.tidy(() =>
    t.expandDims(t.tensor3d(new Uint8Array(data), [info.height, info.width, info.channels], 'int32'), 0),
  );
  const result = await plain.detect(input);
  t.dispose(input);
  const e = result.face[0]?.embedding;
  if (!e) return undefined;
  const norm = Math.hypot(...e);
  return Float32Array.from(e, (v) => v / norm);
}

async function timePlain(): Promise<{ ips: number; embeddings: (Float32Array | undefined)[] }> {
  const start = performance.now();
  const embeddings: (Float32Array | undefined)[] = [];
  for (const img of images) embeddings.push(await plainOne(img));
  return { ips: images.length / ((performance.now() - start) / 1000), embeddings };
}

async function timePool(pool: WorkerPool): Promise<{ ips: number; results: Analysis[] }> {
  const start = performance.now();
  const results = await mapLimit(images, pool.size * 2, (img) => pool.analyze(img));
  return { ips: images.length / ((performance.now() - start) / 1000), results };
}

/** Leave-one-out nearest-neighbour top-1 among these photos: a quick accuracy check for both pipelines. */
function looTop1(embeddings: (Float32Array | undefined)[]): { top1: number; found: number } {
  let right = 0;
  let found = 0;
  embeddings.forEach((e, i) => {
    if (!e) return;
    found++;
    let best = -2;
    let who = '';
    embeddings.forEach((o, j) => {
      if (!o || j === i) return;
      let dot = 0;
      for (let k = 0; k < e.length; k++) dot += (e[k] as number) * (o[k] as number);
      if (dot > best) {
        best = dot;
        who = photos[j]?.who ?? '';
      }
    });
    if (who === photos[i]?.who) right++;
  });
  return { top1: right / embeddings.length, found };
}

const one = new WorkerPool({ backend: 'wasm', workers: 1, queueLimit: 1000 });
await one.ready();
const pool = new WorkerPool({
  backend: 'wasm',
  queueLimit: 1000,
  workers: args.workers ? Number(args.workers) : undefined,
});
await pool.ready();

console.log(
  `${images.length} single-face photos (${portraits.length} portraits, then celebrity crops), ${rounds} rounds, wasm backend`,
);
const best = { plain: 0, one: 0, pool: 0 };
let plainEmb: (Float32Array | undefined)[] = [];
let ours: Analysis[] = [];
for (let r = 0; r < rounds; r++) {
  // Interleaved so that a noisy moment on the machine hits every contender.
  await plainOne(images[0] as Uint8Array);
  const p = await timePlain();
  plainEmb = p.embeddings;
  const o = await timePool(one);
  const q = await timePool(pool);
  ours = q.results;
  best.plain = Math.max(best.plain, p.ips);
  best.one = Math.max(best.one, o.ips);
  best.pool = Math.max(best.pool, q.ips);
  console.log(
    `round ${r + 1}: plain ${p.ips.toFixed(1)} img/s, ours 1 worker ${o.ips.toFixed(1)} img/s, ours pool(${pool.size}) ${q.ips.toFixed(1)} img/s`,
  );
}
sampleRss();
clearInterval(rssTimer);

const stages: StageTimings = { decode: 0, detect: 0, align: 0, embed: 0 };
for (const a of ours)
  for (const k of Object.keys(stages) as (keyof StageTimings)[]) stages[k] += a.timings[k] / ours.length;
const accPlain = looTop1(plainEmb);
const accOurs = looTop1(ours.map((a) => a.faces[0]?.embedding));

console.log('\nper-stage time per photo, ours (ms, mean, measured inside the workers of the pool run):');
console.log(
  `  decode ${stages.decode.toFixed(1)}  detect (${DEFAULT_TUNING.mesh ? 'detector + mesh' : 'detector'}) ${stages.detect.toFixed(1)}  align (crop + thumbnail) ${stages.align.toFixed(1)}  embed (faceres) ${stages.embed.toFixed(1)}`,
);
console.log('\nthroughput (best round):');
console.log(
  `  plain Human, 1 thread     ${best.plain.toFixed(1)} img/s  (${(1000 / best.plain).toFixed(0)} ms/img)`,
);
console.log(
  `  ours, 1 worker            ${best.one.toFixed(1)} img/s  ratio ${(best.one / best.plain).toFixed(2)}x`,
);
console.log(
  `  ours, pool of ${pool.size}           ${best.pool.toFixed(1)} img/s  ratio ${(best.pool / best.plain).toFixed(2)}x  (target >= 3x)`,
);
console.log('\naccuracy on these photos (leave-one-out nearest neighbour, a missed face counts as wrong):');
console.log(
  `  plain: top-1 ${(100 * accPlain.top1).toFixed(1)}%, faces found ${accPlain.found}/${images.length}`,
);
console.log(
  `  ours:  top-1 ${(100 * accOurs.top1).toFixed(1)}%, faces found ${accOurs.found}/${images.length}`,
);
console.log(
  `\npeak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MiB (one process: plain Human + ${1 + pool.size} workers)`,
);
await one.close();
await pool.close();
