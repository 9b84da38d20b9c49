/**
 * The int8 step of npm run build:models: records the inputs the fp32 engine feeds each model on
 * real face photos, then runs ONNX Runtime's static quantiser on them (tools/quantize.py).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OnnxEngine, type OnnxModel } from '../../src/engine/onnx/onnx-engine.ts';
import { dataDir, personFiles } from '../../test/fixtures/data.ts';

/** Most calibration inputs kept per model: MinMax ranges settle long before this. */
const MAX_SAMPLES = 128;

/**
 * Photos to calibrate on: the 5 group photos of ../shared/data/bbt/group (23 faces, small ones
 * among them; tools/quantize.py adds their mirror images). No celebrity is in them, so the int8
 * side of npm run eval (20 celebrities) is measured on people the ranges never saw; the bbt
 * portraits it also scores are other photos of the same cast. Calibrating on 10 celebrities
 * instead gave the same cosine to fp32 on those 10 and on the other 10 (docs/engine-speed.md).
 */
function calibrationPhotos(): string[] {
  return personFiles(path.join(dataDir(), 'bbt', 'group'));
}

/** Quantises `models` (stems in models/) to `<model>.int8.onnx`; returns the files written. */
export async function quantizeModels(modelsDir: string, models: readonly OnnxModel[]): Promise<string[]> {
  const samples = new Map<OnnxModel, { shape: number[]; chunks: Float32Array[] }>();
  const tap = (model: OnnxModel, data: Float32Array, dims: readonly number[]) => {
    const entry = samples.get(model) ?? { shape: [1, ...dims.slice(1)], chunks: [] };
    samples.set(model, entry);
    const size = data.length / (dims[0] as number);
    for (let i = 0; i < (dims[0] as number) && entry.chunks.length < MAX_SAMPLES; i++)
      entry.chunks.push(data.slice(i * size, (i + 1) * size));
  };
  const engine = await OnnxEngine.create({ modelsDir, warmup: false, tap, tuning: { precision: 'fp32' } });
  for (const file of calibrationPhotos()) await engine.analyze(readFileSync(file));
  await engine.close();

  const dir = mkdtempSync(path.join(os.tmpdir(), 'lookalike-int8-'));
  try {
    const index: Record<string, { input: string; shape: number[]; count: number }> = {};
    const inputs: Record<OnnxModel, string> = {
      blazeface: 'image',
      faceres: 'faces',
      landmarks68: 'faces',
      'dlib-resnet': 'chips',
    };
    for (const model of models) {
      const entry = samples.get(model);
      if (!entry) throw new Error(`no calibration inputs were recorded for ${model}`);
      const all = new Float32Array(entry.chunks.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const c of entry.chunks) {
        all.set(c, at);
        at += c.length;
      }
      writeFileSync(path.join(dir, `${model}.f32`), new Uint8Array(all.buffer));
      index[model] = { input: inputs[model], shape: entry.shape, count: entry.chunks.length };
    }
    writeFileSync(path.join(dir, 'index.json'), JSON.stringify(index));
    const script = fileURLToPath(new URL('../quantize.py', import.meta.url));
    const run = spawnSync('python3', [script, dir, modelsDir, ...models], { stdio: 'inherit' });
    if (run.status !== 0) throw new Error(`tools/quantize.py failed (exit ${run.status})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return models.map((m) => `${m}.int8.onnx`);
}
