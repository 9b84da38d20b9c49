// What each of ONNX Runtime's graph optimisation levels costs at session creation and gives back per run, model
// by model (docs/engine-speed.md, "Start-up"). Each measurement runs in a fresh process after one throw-away
// session, so ONNX Runtime's one-time set-up is not counted; figures are the process's CPU ms. The last column,
// `cached`, is the engine's own path (session-cache.ts: the sha256 check, then the saved graph at level `all`).
// Usage: npm run bench:sessions [-- --rounds 2]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MODELS_DIR, readManifest } from '../src/engine/model-files.ts';
import { loadOrt, modelFile, type OnnxModel } from '../src/engine/onnx/onnx-engine.ts';
import { createCachedSession } from '../src/engine/onnx/session-cache.ts';

const INPUTS: Record<OnnxModel, number[]> = {
  blazeface: [1, 3, 256, 256],
  faceres: [1, 3, 224, 224],
  landmarks68: [1, 3, 112, 112],
  'dlib-resnet': [1, 3, 150, 150],
};
const LEVELS = ['disabled', 'basic', 'extended', 'all', 'cached'] as const;

async function measure(
  file: string,
  dims: number[],
  level: (typeof LEVELS)[number],
  cache: string,
): Promise<number[]> {
  const ort = loadOrt();
  const options = { intraOpNumThreads: 1, interOpNumThreads: 1, enableCpuMemArena: false } as const;
  await ort.InferenceSession.create(readFileSync(path.join(MODELS_DIR, 'landmarks68.onnx')), options);
  const buffer = readFileSync(path.join(MODELS_DIR, file));
  const cpu = (start: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  };
  let start = process.cpuUsage();
  const session =
    level === 'cached'
      ? await createCachedSession(
          ort,
          MODELS_DIR,
          file,
          readManifest(MODELS_DIR),
          { ...options, graphOptimizationLevel: 'all', executionProviders: ['cpu'] },
          [cache],
        )
      : await ort.InferenceSession.create(buffer, { ...options, graphOptimizationLevel: level });
  const create = cpu(start);
  const input = new Float32Array(dims.reduce((a, b) => a * b)).fill(0.5);
  const feeds = { [session.inputNames[0] as string]: new ort.Tensor('float32', input, dims) };
  const runs: number[] = [];
  for (let i = 0; i < 2; i++) {
    start = process.cpuUsage();
    await session.run(feeds);
    runs.push(cpu(start));
  }
  return [create, ...runs];
}

const { values } = parseArgs({
  options: { child: { type: 'string' }, rounds: { type: 'string', default: '2' } },
});
if (values.child) {
  const [file, dims, level, cache] = values.child.split(':') as [
    string,
    string,
    (typeof LEVELS)[number],
    string,
  ];
  console.log(JSON.stringify(await measure(file, dims.split(',').map(Number), level, cache)));
} else {
  const manifest = readManifest(MODELS_DIR);
  // A fresh cache folder: round 0's `cached` child of each model saves the entry (its figure is the cold
  // start); later rounds load it.
  const cache = mkdtempSync(path.join(os.tmpdir(), 'lookalike-sessions-'));
  process.on('exit', () => rmSync(cache, { recursive: true, force: true }));
  console.log('CPU ms: create / first run / second run, one line per round');
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const [model, dims] of Object.entries(INPUTS)) {
      const file = modelFile(model as OnnxModel, 'int8', manifest);
      const cells = LEVELS.map((level) => {
        const out = execFileSync(
          process.execPath,
          [
            ...process.execArgv,
            import.meta.filename,
            '--child',
            `${file}:${dims.join(',')}:${level}:${cache}`,
          ],
          { encoding: 'utf8' },
        );
        const [create, run1, run2] = JSON.parse(out) as number[];
        return `${level} ${create?.toFixed(0)}/${run1?.toFixed(0)}/${run2?.toFixed(0)}`;
      });
      console.log(`${file.padEnd(24)} ${cells.join('  ')}`);
    }
  }
}
