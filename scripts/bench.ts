/**
 * Throughput benchmark, side by side in one run: the plain Human configuration (detector +
 * mesh + faceres with Human's defaults, one image at a time, wasm, one thread) against
 * Lookalike's engine on tfjs-wasm and on ONNX Runtime, each with one worker and with the
 * pool, on single-face photos and on group photos. Rounds interleave the contenders so that a
 * noisy moment on the machine hits all of them; peak RSS is measured per contender in a child
 * process of its own, since worker threads share one process.
 *
 * Last, the quality gate's false-face rates (scripts/lib/false-faces.ts): phantoms per photo and
 * real faces lost, with the gate off and on; `--false-faces` prints only that section, with the
 * 400 celebrity crops too.
 *
 * Usage: npm run bench [-- --rounds 2 --images 60 --workers N --contenders plain,onnx-pool,… --false-faces]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import type { Analysis, StageTimings } from '../src/domain/face.ts';
import type { Tuning } from '../src/domain/tuning.ts';
import type { Backend } from '../src/engine/backend.ts';
import { MODELS_DIR } from '../src/engine/model-files.ts';
import { OnnxEngine } from '../src/engine/onnx/onnx-engine.ts';
import { WorkerPool } from '../src/engine/pool.ts';
import { decodeImage } from '../src/image/decode.ts';
import { mapLimit } from '../src/util/concurrency.ts';
import { dataDir, people } from './lib/data.ts';
import { falseFaceRates, formatRates, labelledPhotos } from './lib/false-faces.ts';
import { graphMacs } from './lib/flops.ts';
import { createPlainHuman } from './lib/plain-human.ts';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    images: { type: 'string', default: '60' },
    workers: { type: 'string' },
    // Comma-separated keys of `makers` (default: DEFAULT_CONTENDERS).
    contenders: { type: 'string' },
    // Internal: run one contender once and print its peak RSS (used for the per-contender memory figure).
    only: { type: 'string' },
    'false-faces': { type: 'boolean', default: false },
  },
});
const rounds = Number(args.rounds);
const workers = args.workers ? Number(args.workers) : undefined;

const data = dataDir();
const portraits = people(path.join(data, 'bbt')).flatMap((p) =>
  p.files.map((f) => ({ who: `bbt/${p.name}`, f })),
);
const crops = people(path.join(data, 'celebs')).flatMap((p) =>
  p.files.slice(0, 2).map((f) => ({ who: `celebs/${p.name}`, f })),
);
const single = [...portraits, ...crops].slice(0, Number(args.images));
const groupDir = path.join(data, 'bbt', 'group');
const groupFiles = readdirSync(groupDir)
  .sort()
  .map((f) => path.join(groupDir, f));
const sets = {
  single: single.map((p) => readFileSync(p.f)),
  // Each group photo four times, so that the set takes long enough to time.
  group: Array.from({ length: 4 }, () => groupFiles.map((f) => readFileSync(f))).flat(),
};
type SetName = keyof typeof sets;

interface Contender {
  name: string;
  run(
    images: Buffer[],
    maxFaces: number,
  ): Promise<{ analyses?: Analysis[]; embeddings: (Float32Array | undefined)[] }>;
  close(): Promise<void>;
}

async function plainContender(): Promise<Contender> {
  const plain = await createPlainHuman();
  return {
    name: 'plain Human, 1 thread',
    async run(images, maxFaces) {
      const embeddings: (Float32Array | undefined)[] = [];
      for (const img of images) embeddings.push(await plain.embedFirst(img, maxFaces));
      return { embeddings };
    },
    close: async () => {},
  };
}

async function poolContender(backend: Backend, size?: number, tuning?: Partial<Tuning>): Promise<Contender> {
  const pool = new WorkerPool({ backend, workers: size, queueLimit: 10_000, tuning });
  await pool.ready();
  const what =
    backend !== 'onnx'
      ? ''
      : tuning?.descriptor === 'faceres'
        ? ' faceres alone'
        : tuning?.descriptor === 'dlib'
          ? ' dlib alone'
          : tuning?.dlibFlip
            ? ' fused + dlib flip'
            : ' fused';
  return {
    name: `${backend}${what}, ${size === 1 ? '1 worker' : `pool of ${pool.size}`}`,
    async run(images) {
      const analyses = await mapLimit(images, pool.size * 2, (img) => pool.analyze(img));
      return { analyses, embeddings: analyses.map((a) => a.faces[0]?.embedding) };
    },
    close: () => pool.close(),
  };
}

const makers: Record<string, () => Promise<Contender>> = {
  plain: plainContender,
  'wasm-1': () => poolContender('wasm', 1),
  'wasm-pool': () => poolContender('wasm', workers),
  'onnx-1': () => poolContender('onnx', 1),
  'onnx-pool': () => poolContender('onnx', workers),
  // The previous pipeline, for the cost of landmarks and the second descriptor.
  'onnx-faceres-pool': () => poolContender('onnx', workers, { descriptor: 'faceres', dlibFlip: false }),
  // Points on the accuracy/speed curve (npm run eval has their accuracy): opt in with --contenders.
  'onnx-fused-flip-pool': () => poolContender('onnx', workers, { dlibFlip: true }),
  'onnx-dlib-pool': () => poolContender('onnx', workers, { descriptor: 'dlib' }),
};
const DEFAULT_CONTENDERS = ['plain', 'wasm-1', 'wasm-pool', 'onnx-1', 'onnx-pool', 'onnx-faceres-pool'];

/** The quality gate's section: in-thread engines, every face of every photo, gate off then on. */
async function falseFaceSection(celebrities: boolean): Promise<void> {
  const photos = await labelledPhotos({ celebrities });
  console.log(
    `\nfalse faces (phantoms) and real faces lost, ${photos.length} photos (faceless ones drawn at run time, scripts/lib/faceless.ts):`,
  );
  const configs = [
    { label: 'no gate', options: { gate: false } },
    { label: 'gate', options: {} },
    {
      label: 'gate, no landmarks',
      options: { tuning: { descriptor: 'faceres' as const, landmarks: false } },
    },
  ];
  for (const c of configs) {
    const engine = await OnnxEngine.create({ threads: 1, ...c.options });
    const start = performance.now();
    const rates = await falseFaceRates((b) => engine.analyze(b), photos);
    await engine.close();
    for (const line of formatRates(c.label, rates)) console.log(line);
    console.log(`  ${c.label}: ${((performance.now() - start) / photos.length).toFixed(1)} ms per photo`);
  }
}

if (args['false-faces']) {
  await falseFaceSection(true);
  process.exit(0);
}

if (args.only) {
  // Child mode: one contender, one pass over both sets, then its peak RSS.
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  const make = makers[args.only];
  if (!make) throw new Error(`unknown contender ${args.only}`);
  const c = await make();
  for (const [set, images] of Object.entries(sets)) await c.run(images, set === 'group' ? 10 : 1);
  await c.close();
  clearInterval(timer);
  console.log(JSON.stringify({ peakRss: Math.max(peak, process.memoryUsage.rss()) }));
  process.exit(0);
}

/** Leave-one-out nearest-neighbour top-1 among the single-face photos: a quick accuracy check. */
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
        who = single[j]?.who ?? '';
      }
    });
    if (who === single[i]?.who) right++;
  });
  return { top1: right / embeddings.length, found };
}

const keys = args.contenders ? args.contenders.split(',') : DEFAULT_CONTENDERS;
const contenders: Contender[] = [];
for (const k of keys) contenders.push(await (makers[k] as () => Promise<Contender>)());
const best = new Map<string, Record<SetName, number>>();
const lastRun = new Map<string, Record<SetName, Awaited<ReturnType<Contender['run']>>>>();
let groupFaces = 0;

console.log(
  `${sets.single.length} single-face photos (${portraits.length} portraits, then celebrity crops) and ${sets.group.length} group photos, ${rounds} rounds, interleaved`,
);
for (let r = 0; r < rounds; r++) {
  const line: string[] = [];
  for (const set of Object.keys(sets) as SetName[]) {
    for (const c of contenders) {
      const images = sets[set];
      // On group photos the plain configuration also looks at every face (at most 10, as ours), not Human's default 1.
      const maxFaces = set === 'group' ? 10 : 1;
      await c.run(images.slice(0, 1), maxFaces); // a warm first photo for every contender
      const start = performance.now();
      const result = await c.run(images, maxFaces);
      const ips = images.length / ((performance.now() - start) / 1000);
      const b = best.get(c.name) ?? { single: 0, group: 0 };
      b[set] = Math.max(b[set], ips);
      best.set(c.name, b);
      const l = lastRun.get(c.name) ?? ({} as Record<SetName, Awaited<ReturnType<Contender['run']>>>);
      l[set] = result;
      lastRun.set(c.name, l);
      if (set === 'group' && result.analyses)
        groupFaces = result.analyses.reduce((s, a) => s + a.faces.length, 0);
      line.push(`${set}/${c.name} ${ips.toFixed(1)}`);
    }
  }
  console.log(`round ${r + 1} (img/s): ${line.join(', ')}`);
}
for (const c of contenders) await c.close();

const plainBest = best.get(contenders[0]?.name ?? '') ?? { single: 1, group: 1 };
console.log('\nthroughput (best round), ratio to the plain configuration:');
console.log('  contender                 single-face img/s   ratio   group img/s   ratio');
for (const c of contenders) {
  const b = best.get(c.name) ?? { single: 0, group: 0 };
  console.log(
    `  ${c.name.padEnd(24)}  ${b.single.toFixed(1).padStart(8)}          ${(b.single / plainBest.single).toFixed(2).padStart(5)}x  ${b.group.toFixed(1).padStart(8)}     ${(b.group / plainBest.group).toFixed(2).padStart(5)}x`,
  );
}
console.log(`  (group photos hold ${(groupFaces / sets.group.length).toFixed(1)} faces each on average)`);

console.log('\nper-stage time per photo, ms (mean, measured inside the worker, 1-worker runs):');
for (const c of contenders.filter((x) => x.name.endsWith('1 worker'))) {
  for (const set of Object.keys(sets) as SetName[]) {
    const analyses = lastRun.get(c.name)?.[set]?.analyses ?? [];
    const s: StageTimings = { decode: 0, detect: 0, align: 0, embed: 0 };
    for (const a of analyses)
      for (const k of Object.keys(s) as (keyof StageTimings)[]) s[k] += a.timings[k] / analyses.length;
    const faces = analyses.reduce((n, a) => n + a.faces.length, 0) / (analyses.length || 1);
    console.log(
      `  ${c.name.padEnd(16)} ${set.padEnd(6)}  decode ${s.decode.toFixed(1)}  detect ${s.detect.toFixed(1)}  align ${s.align.toFixed(1)}  embed ${s.embed.toFixed(1)} (${(s.embed / faces).toFixed(1)} per face)`,
    );
  }
}

console.log(
  '\naccuracy on the single-face photos (leave-one-out nearest neighbour, a missed face counts as wrong):',
);
for (const c of contenders.filter((x) => !x.name.includes('pool'))) {
  const acc = looTop1(lastRun.get(c.name)?.single?.embeddings ?? []);
  console.log(
    `  ${c.name.padEnd(24)} top-1 ${(100 * acc.top1).toFixed(1)}%, faces found ${acc.found}/${sets.single.length}`,
  );
}

const me = fileURLToPath(import.meta.url);
console.log('\npeak RSS, each contender alone in a child process (both sets once):');
for (const k of keys) {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', me, '--only', k, ...(workers ? ['--workers', String(workers)] : [])],
    {
      encoding: 'utf8',
    },
  );
  const { peakRss } = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { peakRss: number };
  console.log(`  ${k.padEnd(10)} ${(peakRss / 1048576).toFixed(0)} MiB`);
}

// Large phone photos: shrink-on-load (libvips decodes a JPEG at 1/2, 1/4 or 1/8 scale directly) against
// decoding every pixel and scaling afterwards. CPU time, which a busy machine disturbs less than wall time.
{
  const phone = await sharp(readFileSync(groupFiles[0] as string))
    .resize(4000, 3000, { fit: 'fill' })
    .jpeg({ quality: 90 })
    .toBuffer();
  const cpu = async (f: () => Promise<unknown>) => {
    await f();
    const c = process.cpuUsage();
    for (let i = 0; i < 5; i++) await f();
    const u = process.cpuUsage(c);
    return (u.user + u.system) / 5000;
  };
  const full = await cpu(async () => {
    const { data, info } = await sharp(phone).rotate().raw().toBuffer({ resolveWithObject: true });
    const raw = { width: info.width, height: info.height, channels: info.channels };
    return sharp(data, { raw }).resize(1024, 1024, { fit: 'inside' }).raw().toBuffer();
  });
  const onLoad = await cpu(() => decodeImage(phone));
  console.log(
    `\ndecoding a 4000x3000 JPEG (${(phone.length / 1048576).toFixed(1)} MB) to 1024 px, CPU ms: full decode then scale ${full.toFixed(0)}, shrink-on-load (decodeImage) ${onLoad.toFixed(0)}`,
  );
}

// Start-up as a new user sees it: a fresh process answering `lookalike infer` for one photo.
{
  const store = `sqlite://${path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-')), 'g.sqlite')}`;
  const cli = fileURLToPath(new URL('../bin/lookalike.js', import.meta.url));
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    execFileSync(process.execPath, [cli, 'infer', '--store', store, single[0]?.f ?? ''], { stdio: 'ignore' });
    times.push(performance.now() - start);
  }
  console.log(
    `lookalike infer one photo, fresh process: ${times.map((t) => (t / 1000).toFixed(2)).join(' s, ')} s (target < 1 s)`,
  );
}

const macs = {
  blazeface: graphMacs(MODELS_DIR, 'blazeface.json', 256),
  faceres: graphMacs(MODELS_DIR, 'faceres-fused.json', 224),
};
console.log(
  `\nmodel cost: BlazeFace ${(macs.blazeface / 1e6).toFixed(0)} M multiply-adds at 256x256, faceres ${(macs.faceres / 1e6).toFixed(0)} M at 224x224`,
);

// The 400 celebrity crops only with --false-faces, to keep the whole benchmark short.
await falseFaceSection(false);
