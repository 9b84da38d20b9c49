/**
 * Where a photo's time goes in the shipped engine: each step of `analyze` (decode, the detector's
 * resize, BlazeFace, box decoding, the landmark crop and net, the faceres crop and net, the dlib
 * chip and net, the thumbnails, and the rest of the JavaScript around them), in fp32 and int8, on
 * single-face photos and on the group photos, and int8 once more as `lookalike infer` calls it
 * (`thumbnails: false`). One engine per precision, one thread, on this thread; the three alternate
 * photo by photo so that a busy moment hits all of them. CPU milliseconds per photo
 * (the process's, so ONNX Runtime's thread counts): on a shared machine wall time mostly measures the
 * wait for a core. `--wall` prints wall time instead.
 *
 * Usage: npm run bench:stages [-- --images 40 --rounds 2]
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Precision } from '../src/domain/tuning.ts';
import { OnnxEngine } from '../src/engine/onnx/onnx-engine.ts';
import { dataDir, people } from '../test/fixtures/data.ts';

const { values: args } = parseArgs({
  options: {
    images: { type: 'string', default: '40' },
    rounds: { type: 'string', default: '2' },
    wall: { type: 'boolean', default: false },
  },
});

const data = dataDir();
const single = people(path.join(data, 'bbt'))
  .flatMap((p) => p.files)
  .slice(0, Number(args.images))
  .map((f) => readFileSync(f));
const groupDir = path.join(data, 'bbt', 'group');
const group = readdirSync(groupDir)
  .sort()
  .map((f) => readFileSync(path.join(groupDir, f)));

/** The steps in pipeline order; `other JS` is the analysis's wall time that no named step took. */
export const STAGES = [
  'decode',
  'detector resize',
  'blazeface',
  'box decoding',
  'landmark crop',
  'landmark net',
  'faceres crop',
  'faceres',
  'dlib chip',
  'dlib net',
  'thumbnails',
  'other JS',
] as const;

type Totals = Map<string, number>;
const totals = new Map<string, Totals>();
let current: Totals = new Map();
const add = (t: Totals, stage: string, ms: number) => t.set(stage, (t.get(stage) ?? 0) + ms);

const precisions: Precision[] = ['fp32', 'int8'];
/** Each column: a precision, and whether the call makes thumbnails (the bot's answers) or not (infer). */
const variants = [
  { name: 'fp32', precision: 'fp32', thumbnails: true },
  { name: 'int8', precision: 'int8', thumbnails: true },
  { name: 'int8 infer', precision: 'int8', thumbnails: false },
] as const;
const engines = new Map<Precision, OnnxEngine>();
for (const precision of precisions)
  engines.set(
    precision,
    await OnnxEngine.create({
      tuning: { precision },
      threads: 1,
      stage: (s, wall, cpu) => add(current, s, args.wall ? wall : cpu),
    }),
  );

const faces = new Map<string, number>();
for (let round = 0; round < Number(args.rounds); round++)
  for (const [set, photos] of [
    ['single', single],
    ['group', group],
  ] as const)
    for (const photo of photos)
      for (const { name, precision, thumbnails } of variants) {
        const key = `${set} ${name}`;
        const t = totals.get(key) ?? new Map();
        totals.set(key, t);
        current = new Map();
        const start = performance.now();
        const cpu = process.cpuUsage();
        const engine = engines.get(precision) as OnnxEngine;
        const analysis = await engine.analyze(photo, { thumbnails });
        const used = process.cpuUsage(cpu);
        const wall = args.wall ? performance.now() - start : (used.user + used.system) / 1000;
        let named = 0;
        for (const [s, ms] of current) {
          add(t, s, ms);
          named += ms;
        }
        add(t, 'other JS', wall - named);
        add(t, 'total', wall);
        if (round === 0 && name === 'fp32') faces.set(set, (faces.get(set) ?? 0) + analysis.faces.length);
      }
for (const engine of engines.values()) await engine.close();

const count = (set: string) => (set === 'single' ? single.length : group.length) * Number(args.rounds);
const keys = [...totals.keys()];
console.log(
  `${args.wall ? 'wall' : 'CPU'} ms per photo, one thread (single: ${single.length} bbt portraits, ${faces.get('single')} faces; group: ${group.length} photos, ${faces.get('group')} faces)\n`,
);
console.log(`| step | ${keys.join(' | ')} |`);
console.log(`| --- | ${keys.map(() => '---').join(' | ')} |`);
for (const stage of [...STAGES, 'total']) {
  const cells = keys.map((k) => {
    const ms = ((totals.get(k) as Totals).get(stage) ?? 0) / count(k.split(' ')[0] as string);
    const share = ms / (((totals.get(k) as Totals).get('total') ?? 1) / count(k.split(' ')[0] as string));
    return stage === 'total' ? `**${ms.toFixed(1)}**` : `${ms.toFixed(1)} (${(100 * share).toFixed(0)} %)`;
  });
  console.log(`| ${stage} | ${cells.join(' | ')} |`);
}
