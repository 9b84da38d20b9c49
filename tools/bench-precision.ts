/**
 * Each ONNX model in fp32 against its int8 file, on the inputs the engine really feeds it (recorded
 * from held-out photos: celebrity probes 12 and 15 and the bbt portraits), one thread, interleaved:
 * time per item and how far int8 moves the output (descriptor cosine, or the largest difference
 * for BlazeFace's logits and the landmarks' box fractions). build:models ships int8 only for the
 * models that are faster and hold accuracy; this is how that was decided.
 *
 * Then the whole analysis in CPU time per photo (which a shared machine disturbs less than wall
 * time), in this thread, interleaved: the plain Human configuration, the engine in fp32 and in int8,
 * on the bbt portraits and the group photos.
 *
 * Usage: npm run bench:precision [-- --models /tmp/models-with-every-int8]   (default models/)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type * as Ort from 'onnxruntime-node';
import { MODELS_DIR } from '../src/engine/model-files.ts';
import { loadOrt, OnnxEngine, type OnnxModel } from '../src/engine/onnx/onnx-engine.ts';
import { dataDir, people, personFiles } from '../test/fixtures/data.ts';
import { createPlainHuman } from './lib/plain-human.ts';

const { values: args } = parseArgs({ options: { models: { type: 'string', default: MODELS_DIR } } });
const dir = args.models;
const ort = loadOrt();
const data = dataDir();
const files = [
  ...people(path.join(data, 'celebs')).flatMap((p) => [p.files[12], p.files[15]]),
  ...people(path.join(data, 'bbt')).flatMap((p) => p.files),
].filter((f): f is string => !!f);

const recorded = new Map<OnnxModel, { data: Float32Array; dims: number[] }[]>();
const engine = await OnnxEngine.create({
  modelsDir: dir,
  warmup: false,
  tuning: { precision: 'fp32' },
  tap: (model, input, dims) => {
    const list = recorded.get(model) ?? [];
    list.push({ data: input.slice(), dims: [...dims] });
    recorded.set(model, list);
  },
});
for (const f of files) await engine.analyze(readFileSync(f));
await engine.close();

const options: Ort.InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
};
const DIMS: Partial<Record<OnnxModel, number>> = { faceres: 1024, 'dlib-resnet': 128 };
console.log(`${files.length} photos; one thread; ms per item (a photo for BlazeFace, a face for the others)`);
for (const model of ['blazeface', 'faceres', 'landmarks68', 'dlib-resnet'] as OnnxModel[]) {
  let int8: Ort.InferenceSession;
  try {
    int8 = await ort.InferenceSession.create(path.join(dir, `${model}.int8.onnx`), options);
  } catch {
    console.log(`${model}: no ${model}.int8.onnx in ${dir}`);
    continue;
  }
  const fp32 = await ort.InferenceSession.create(path.join(dir, `${model}.onnx`), options);
  const spent = [0, 0];
  const cos: number[] = [];
  let maxDiff = 0;
  let items = 0;
  for (const x of recorded.get(model) ?? []) {
    const feed = { [fp32.inputNames[0] as string]: new ort.Tensor('float32', x.data, x.dims) };
    const outs: Float32Array[][] = [];
    for (const [i, s] of [fp32, int8].entries()) {
      const start = performance.now();
      const out = await s.run(feed);
      spent[i] = (spent[i] as number) + performance.now() - start;
      outs.push(s.outputNames.map((n) => out[n]?.data as Float32Array));
    }
    items += x.dims[0] as number;
    const dim = DIMS[model];
    for (const [k, a] of (outs[0] ?? []).entries()) {
      const b = outs[1]?.[k] as Float32Array;
      if (!dim) {
        for (let i = 0; i < a.length; i++)
          maxDiff = Math.max(maxDiff, Math.abs((a[i] as number) - (b[i] as number)));
        continue;
      }
      for (let r = 0; r < a.length / dim; r++) {
        let dot = 0;
        let na = 0;
        let nb = 0;
        for (let i = r * dim; i < (r + 1) * dim; i++) {
          dot += (a[i] as number) * (b[i] as number);
          na += (a[i] as number) ** 2;
          nb += (b[i] as number) ** 2;
        }
        cos.push(dot / Math.sqrt(na * nb));
      }
    }
  }
  const [f, q] = spent.map((t) => t / items) as [number, number];
  const moved = cos.length
    ? `descriptor cosine to fp32 mean ${(cos.reduce((s, c) => s + c, 0) / cos.length).toFixed(4)}, min ${Math.min(...cos).toFixed(4)}`
    : `largest output difference ${maxDiff.toFixed(4)}`;
  console.log(
    `${model}: fp32 ${f.toFixed(2)} ms, int8 ${q.toFixed(2)} ms (${(f / q).toFixed(2)}x); ${moved}`,
  );
  await Promise.all([fp32.release(), int8.release()]);
}

// CPU time per photo of the whole analysis, best of two interleaved rounds.
{
  const portraits = people(path.join(data, 'bbt')).flatMap((p) => p.files.map((f) => readFileSync(f)));
  const groups = personFiles(path.join(data, 'bbt', 'group')).map((f) => readFileSync(f));
  const plain = await createPlainHuman();
  const engines = {
    fp32: await OnnxEngine.create({ tuning: { precision: 'fp32' } }),
    int8: await OnnxEngine.create({ tuning: { precision: 'int8' } }),
  };
  const runners: Record<string, (b: Uint8Array, maxFaces: number) => Promise<unknown>> = {
    plain: (b, maxFaces) => plain.embedFirst(b, maxFaces),
    fp32: (b) => engines.fp32.analyze(b),
    int8: (b) => engines.int8.analyze(b),
  };
  for (const [set, images] of [
    ['single-face', portraits],
    ['group', groups],
  ] as const) {
    const best: Record<string, number> = {};
    const maxFaces = set === 'group' ? 10 : 1;
    for (let round = 0; round < 2; round++)
      for (const [name, run] of Object.entries(runners)) {
        await run(images[0] as Uint8Array, maxFaces);
        const before = process.cpuUsage();
        for (const b of images) await run(b, maxFaces);
        const used = process.cpuUsage(before);
        const ms = (used.user + used.system) / 1000 / images.length;
        best[name] = Math.min(best[name] ?? Number.POSITIVE_INFINITY, ms);
      }
    const base = best.plain as number;
    console.log(
      `${set} photos, CPU ms per photo: ${Object.entries(best)
        .map(([k, v]) => `${k} ${v.toFixed(1)} (${(base / v).toFixed(2)}x plain)`)
        .join(', ')}`,
    );
  }
  await Promise.all(Object.values(engines).map((e) => e.close()));
}
