/**
 * Throughput benchmark, side by side in one run: the plain Human configuration (detector +
 * mesh + faceres with Human's defaults, one image at a time, wasm, one thread) against
 * Lookalike's engine on ONNX Runtime in fp32 and int8 (FACE_PRECISION), each with one worker and
 * with the pool (tfjs-wasm on request), on single-face photos and on group photos. Rounds
 * interleave the contenders so that a noisy moment on the machine hits all of them; peak RSS is
 * measured per contender in a child process of its own, since worker threads share one process.
 * Then, also interleaved: whole processes over --whole held-out photos (start-up included), the
 * start-up to a first answer, and the ceiling (time per face against the models' multiply-adds).
 *
 * Which call each contender times: the pool and 1-worker contenders call `analyze` as the bot's answer
 * path does (`strict`, with thumbnails: a reply shows the face and holds it for "Why?"); the same key
 * with `-infer` appended (`onnx-int8-pool-infer`) calls it as `lookalike infer` does (`thumbnails:
 * false`: it prints names, shows no face). The whole-process runs are `lookalike infer` itself.
 *
 * Last, the quality gate's false-face rates (tools/lib/false-faces.ts): phantoms per photo and
 * real faces lost, with the gate off and on; `--false-faces` prints only that section, with the
 * 400 celebrity crops too.
 *
 * Usage: npm run bench [-- --rounds 2 --images 60 --whole 150 --workers N --contenders plain,onnx-pool,onnx-pool-infer,… --false-faces --jpeg]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import type { Analysis, BareFace, StageTimings } from '../src/domain/face.ts';
import type { Tuning } from '../src/domain/tuning.ts';
import { type Backend, tfjsNodeAvailable } from '../src/engine/backend.ts';
import { MODELS_DIR } from '../src/engine/model-files.ts';
import { WorkerPool } from '../src/engine/pool.ts';
import { decodeImage } from '../src/image/decode.ts';
import { mapLimit } from '../src/util/concurrency.ts';
import { dataDir, people } from '../test/fixtures/data.ts';
import { falseFaceSection } from './lib/false-faces.ts';
import { faceApiMacs, graphMacs } from './lib/flops.ts';
import { createPlainHuman } from './lib/plain-human.ts';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    images: { type: 'string', default: '60' },
    whole: { type: 'string', default: '150' },
    workers: { type: 'string' },
    // Comma-separated keys of `makers` (default: DEFAULT_CONTENDERS).
    contenders: { type: 'string' },
    // Internal: run one contender once and print its peak RSS (used for the per-contender memory figure).
    only: { type: 'string' },
    // Internal: a whole process of the plain configuration over the photos listed in this JSON file.
    'plain-files': { type: 'string' },
    'false-faces': { type: 'boolean', default: false },
    // The single-face photos (PNG files) re-encoded as JPEG, quality 90, as phones send them.
    jpeg: { type: 'boolean', default: false },
  },
});
const rounds = Number(args.rounds);
const me = fileURLToPath(import.meta.url);
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
/** A photo file re-encoded as JPEG at quality 90, as phones send them (`--jpeg`, and the start-up's JPEG). */
const asJpeg = (file: string) => sharp(file).jpeg({ quality: 90 }).toBuffer();
const sets = {
  single: await Promise.all(single.map(async (p) => (args.jpeg ? await asJpeg(p.f) : readFileSync(p.f)))),
  // Each group photo four times, so that the set takes long enough to time.
  group: Array.from({ length: 4 }, () => groupFiles.map((f) => readFileSync(f))).flat(),
};
type SetName = keyof typeof sets;

interface Contender {
  name: string;
  run(
    images: Buffer[],
    maxFaces: number,
  ): Promise<{ analyses?: Analysis<BareFace>[]; embeddings: (Float32Array | undefined)[] }>;
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

/** How a contender calls the engine: as the bot's answer path, or as `lookalike infer` (no thumbnails). */
type CallPath = 'answer' | 'infer';

async function poolContender(
  backend: Backend,
  size?: number,
  requested?: Partial<Tuning>,
  path: CallPath = 'answer',
  pooling: { inFlight?: number; workerOldSpaceMb?: number } = {},
): Promise<Contender> {
  // Spelt out: the pool's own default is fp32, FACE_PRECISION's is auto.
  const tuning: Partial<Tuning> = { precision: 'fp32', ...requested };
  // One worker takes one photo at a time, so that its per-stage times below are a photo's own.
  const pool = new WorkerPool({
    backend,
    workers: size,
    queueLimit: 10_000,
    tuning,
    inFlight: pooling.inFlight ?? (size === 1 ? 1 : undefined),
    workerOldSpaceMb: pooling.workerOldSpaceMb,
  });
  await pool.ready();
  const what =
    backend !== 'onnx'
      ? ''
      : tuning?.descriptor === 'faceres'
        ? ' faceres alone'
        : tuning?.descriptor === 'dlib'
          ? ' dlib alone'
          : ' fused';
  const precision = backend === 'onnx' ? ` ${tuning.precision}` : '';
  const infer = path === 'infer' ? ' infer' : '';
  const serial = size !== 1 && pool.inFlight === 1 ? ', a photo at a time' : '';
  const heap = pooling.workerOldSpaceMb === 0 ? ", V8's heap sizing" : '';
  return {
    name: `${backend}${what}${precision}${infer}, ${size === 1 ? '1 worker' : `pool of ${pool.size}`}${serial}${heap}`,
    async run(images) {
      const options = { strict: true, thumbnails: path === 'answer' };
      // One more request per worker than it holds, so a worker's next photo is always waiting.
      const limit = pool.size * (pool.inFlight + 1);
      const analyses = await mapLimit(images, limit, (img) => pool.analyze(img, options));
      return { analyses, embeddings: analyses.map((a) => a.faces[0]?.embedding) };
    },
    close: () => pool.close(),
  };
}

const makers: Record<string, (path: CallPath) => Promise<Contender>> = {
  plain: plainContender,
  'wasm-1': (p) => poolContender('wasm', 1, {}, p),
  'wasm-pool': (p) => poolContender('wasm', workers, {}, p),
  'onnx-1': (p) => poolContender('onnx', 1, {}, p),
  'onnx-pool': (p) => poolContender('onnx', workers, {}, p),
  // The shipped configuration where the CPU has VNNI (FACE_PRECISION=auto).
  'onnx-int8-1': (p) => poolContender('onnx', 1, { precision: 'int8' }, p),
  'onnx-int8-pool': (p) => poolContender('onnx', workers, { precision: 'int8' }, p),
  // The pool before each worker held two photos (PoolOptions.inFlight), and before its workers' heaps
  // started larger (PoolOptions.workerOldSpaceMb), for the gain of each.
  'onnx-int8-pool-serial': (p) => poolContender('onnx', workers, { precision: 'int8' }, p, { inFlight: 1 }),
  'onnx-int8-pool-v8heap': (p) =>
    poolContender('onnx', workers, { precision: 'int8' }, p, { workerOldSpaceMb: 0 }),
  // The previous pipeline, for the cost of landmarks and the second descriptor.
  'onnx-faceres-pool': (p) => poolContender('onnx', workers, { descriptor: 'faceres' }, p),
  // A point on the accuracy/speed curve (npm run eval has its accuracy): opt in with --contenders.
  'onnx-dlib-pool': (p) => poolContender('onnx', workers, { descriptor: 'dlib' }, p),
};
/** The maker of a contender key: `<key>-infer` is `<key>` called as `lookalike infer` calls the engine. */
function maker(key: string): () => Promise<Contender> {
  const infer = key.endsWith('-infer');
  const make = makers[infer ? key.slice(0, -'-infer'.length) : key];
  if (!make) throw new Error(`unknown contender ${key}`);
  return () => make(infer ? 'infer' : 'answer');
}
const DEFAULT_CONTENDERS = ['plain', 'onnx-1', 'onnx-int8-1', 'onnx-pool', 'onnx-int8-pool'];

if (args['plain-files']) {
  const plain = await createPlainHuman();
  for (const f of JSON.parse(readFileSync(args['plain-files'], 'utf8')) as string[])
    await plain.embedFirst(readFileSync(f));
  process.exit(0);
}

// Human on tfjs-node with face-api's nets (the `tensorflow` backend, fused like onnx), where
// `npm run setup:tfjs-node` has made it load.
makers['tensorflow-1'] = (p) => poolContender('tensorflow', 1, {}, p);
makers['tensorflow-pool'] = (p) => poolContender('tensorflow', workers, {}, p);
// Not in a child measuring one contender's peak RSS: loading tfjs-node adds about 300 MiB to the process.
if (!args.only && tfjsNodeAvailable()) DEFAULT_CONTENDERS.push('tensorflow-1', 'tensorflow-pool');

if (args['false-faces']) {
  await falseFaceSection(true);
  process.exit(0);
}

if (args.only) {
  // Child mode: one contender, one pass over both sets, then its peak RSS.
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  const c = await maker(args.only)();
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
for (const k of keys) contenders.push(await maker(k)());
const best = new Map<string, Record<SetName, number>>();
const lastRun = new Map<string, Record<SetName, Awaited<ReturnType<Contender['run']>>>>();
let groupFaces = 0;
/** Minor page faults per photo in each contender's last round, the whole process's (a pool's workers included). */
const faults = new Map<string, number>();

console.log(
  `${sets.single.length} single-face photos (${portraits.length} portraits, then celebrity crops${args.jpeg ? ', as JPEG' : ''}) and ${sets.group.length} group photos, ${rounds} rounds, interleaved`,
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
      const faultsBefore = process.resourceUsage().minorPageFault;
      const result = await c.run(images, maxFaces);
      const ips = images.length / ((performance.now() - start) / 1000);
      faults.set(`${c.name}/${set}`, (process.resourceUsage().minorPageFault - faultsBefore) / images.length);
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
// Each fault costs microseconds on a virtual machine; a pool whose runtime hands memory back to the
// kernel after every run pays it on every photo (docs/engine-speed.md, "The arena back").
console.log('\nminor page faults per photo, last round (single-face, group):');
for (const c of contenders) {
  const f = (set: SetName) => (faults.get(`${c.name}/${set}`) ?? 0).toFixed(0).padStart(6);
  console.log(`  ${c.name.padEnd(24)}  ${f('single')}  ${f('group')}`);
}

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

console.log('\npeak RSS, each contender alone in a child process (both sets once):');
for (const k of keys) {
  const out = execFileSync(
    process.execPath,
    [
      ...['--import', 'tsx', me, '--only', k],
      ...(workers ? ['--workers', String(workers)] : []),
      ...(args.jpeg ? ['--jpeg'] : []),
    ],
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

// Whole processes, start-up included: `lookalike infer` over held-out photos (celebrity probes, photos
// 10 onwards, which no calibration saw) at each precision, against a process running the plain
// configuration over the same photos. Interleaved, since the machine may be shared.
const store = () => `sqlite://${path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-')), 'g.sqlite')}`;
const cli = fileURLToPath(new URL('../bin/lookalike.js', import.meta.url));
const held = people(path.join(data, 'celebs'))
  .flatMap((p) => p.files.slice(10))
  .slice(0, Number(args.whole));
// Run as users run it: the launcher itself, through its #! line (which sets glibc's tunables), with this
// bench's own Node first on PATH.
const launcherEnv = {
  ...process.env,
  PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}`,
};
const launched = (argv: string[], env: Record<string, string> = {}) => {
  execFileSync(cli, argv, { stdio: 'ignore', env: { ...launcherEnv, ...env } });
};
const timed = (argv: string[], env: Record<string, string> = {}) => {
  const start = performance.now();
  if (argv[0] === cli) launched(argv.slice(1), env);
  else execFileSync(process.execPath, argv, { stdio: 'ignore', env: { ...process.env, ...env } });
  return (performance.now() - start) / 1000;
};
const ours = (precision: string, files: string[]) =>
  timed([cli, 'infer', '--json', '--store', store(), ...files], { FACE_PRECISION: precision });
// `--whole 0` skips this part (an `infer` of no photos is a usage error).
if (held.length > 0) {
  const list = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-')), 'files.json');
  writeFileSync(list, JSON.stringify(held));
  const plainWhole = () => timed(['--import', 'tsx', me, '--plain-files', list]);
  const secs = { plain: [] as number[], int8: [] as number[], fp32: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    secs.plain.push(plainWhole());
    secs.int8.push(ours('int8', held));
    secs.fp32.push(ours('fp32', held));
  }
  const rate = (xs: number[]) => held.length / Math.min(...xs);
  console.log(
    `\nwhole process, ${held.length} photos in one call, start-up included (best of ${rounds}): plain ${rate(secs.plain).toFixed(1)} photos/s; lookalike infer int8 ${rate(secs.int8).toFixed(1)} (${(rate(secs.int8) / rate(secs.plain)).toFixed(2)}x), fp32 ${rate(secs.fp32).toFixed(1)} (${(rate(secs.fp32) / rate(secs.plain)).toFixed(2)}x)`,
  );
}

// Start-up as a new user sees it: a fresh process answering `lookalike infer` for one photo, with an empty
// gallery and with the 20 celebrities enrolled (399 photos; the first answer after enrolling trains and
// packs, so one untimed answer comes first). Timed by tools/time-to-answer.ts, a small process: spawned
// from this one, which holds the pool runs' memory, each start took 40-80 ms longer.
{
  const one = single[0]?.f ?? '';
  // The empty gallery's store is made once beforehand: a fresh SQLite file per run timed its creation too.
  const empty = store();
  launched(['list', '--store', empty]);
  const celebs = store();
  launched(['enroll', '--store', celebs, path.join(data, 'celebs')]);
  launched(['infer', '--store', celebs, one]);
  // The issue's own case is a JPEG, which sharp decodes (and which so loads it): the same portrait, re-encoded.
  const jpeg = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-')), 'one.jpg');
  writeFileSync(jpeg, await asJpeg(one));
  const commands = [
    `FACE_PRECISION=int8 ${cli} infer --store ${empty} ${one}`,
    `FACE_PRECISION=int8 ${cli} infer --store ${empty} ${jpeg}`,
    `FACE_PRECISION=fp32 ${cli} infer --store ${empty} ${one}`,
    `FACE_PRECISION=int8 ${cli} infer --store ${celebs} ${one}`,
    `${cli} --help`,
  ];
  const tool = fileURLToPath(new URL('time-to-answer.ts', import.meta.url));
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', tool, '--runs', '5', '--json', ...commands],
    {
      encoding: 'utf8',
      env: launcherEnv,
    },
  );
  const [int8, int8Jpeg, fp32, gallery, help] = (
    JSON.parse(out.trim()) as { first: number; exit: number }[]
  ).map((m) => `${(m.first / 1000).toFixed(2)} s (exit ${(m.exit / 1000).toFixed(2)})`);
  console.log(
    `lookalike infer one photo, fresh process, to the answer, median of 5: int8 ${int8}, int8 on the same face as a JPEG ${int8Jpeg}, fp32 ${fp32}, int8 with the celebrities enrolled ${gallery}; lookalike --help ${help} (target 0.5 s)`,
  );
}

// The ceiling: multiply-adds per face against the time per face of the 1-worker runs.
{
  const macs = {
    blazeface: graphMacs(MODELS_DIR, 'blazeface.json', 256),
    faceres: graphMacs(MODELS_DIR, 'faceres-fused.json', 224),
    ...faceApiMacs(),
  };
  const g = (x: number) => `${(x / 1e6).toFixed(0)} M`;
  console.log(
    `\nmodel cost, multiply-adds: BlazeFace ${g(macs.blazeface)} at 256x256 (once per photo), faceres ${g(macs.faceres)} at 224x224, 68-landmark net ${macs.landmarks ? g(macs.landmarks) : '?'} at 112x112, dlib-resnet ${macs.dlib ? g(macs.dlib) : '?'} at 150x150 (each per face)`,
  );
  // Some virtual machines report a speed of 0 to os.cpus(); /proc/cpuinfo still gives the clock there.
  const mhz =
    os.cpus()[0]?.speed ||
    Number(
      /cpu MHz\s*:\s*([\d.]+)/.exec(
        existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '',
      )?.[1] ?? 0,
    );
  const peak = { fp32: (32 * mhz) / 1000, int8: (128 * mhz) / 1000 };
  for (const c of contenders.filter((x) => x.name.startsWith('onnx fused') && x.name.endsWith('1 worker'))) {
    const analyses = lastRun.get(c.name)?.single?.analyses ?? [];
    const faces = analyses.reduce((n, a) => n + a.faces.length, 0) || 1;
    const ms =
      analyses.reduce(
        (n, a) => n + a.timings.decode + a.timings.detect + a.timings.align + a.timings.embed,
        0,
      ) / faces;
    const embed = analyses.reduce((n, a) => n + a.timings.embed, 0) / faces;
    const total = macs.blazeface + macs.faceres + (macs.landmarks ?? 0) + (macs.dlib ?? 0);
    const descriptors = macs.faceres + (macs.dlib ?? 0);
    // The floor: the descriptor nets at the int8 peak where they run int8, everything else at the fp32 peak.
    const int8 = c.name.includes('int8');
    const floor = int8
      ? descriptors / peak.int8 / 1e6 + (total - descriptors) / peak.fp32 / 1e6
      : total / peak.fp32 / 1e6;
    console.log(
      `  ${c.name}: ${ms.toFixed(1)} ms per single-face photo = ${(total / ms / 1e6).toFixed(1)} GMAC/s overall; the two descriptor nets ${embed.toFixed(1)} ms = ${(descriptors / embed / 1e6).toFixed(1)} GMAC/s; at the nominal peaks ${floor.toFixed(1)} ms, ${(ms / floor).toFixed(1)}x left`,
    );
  }
  console.log(
    `  nominal peaks of one ${os.cpus()[0]?.model ?? 'CPU'} core at ${mhz.toFixed(0)} MHz (AVX-512: 2 FMA pipes x 16 fp32 = 32 MAC/cycle; VNNI vpdpbusd: 2 x 64 u8*s8 = 128 MAC/cycle): fp32 ${peak.fp32.toFixed(0)} GMAC/s, int8 ${peak.int8.toFixed(0)} GMAC/s (see docs/engine-speed.md)`,
  );
}

// The 400 celebrity crops only with --false-faces, to keep the whole benchmark short.
await falseFaceSection(false);
