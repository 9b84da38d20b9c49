// npm run eval:resemblance: trains each region's shape metric on ../shared/data/celebs (choosing its
// regularisation by splitting those people in halves), then validates every region on
// ../shared/data/bbt, other people: the same person's photos must be more alike than different
// people's. Writes src/resemblance/shape-model.json and validated-regions.json (which regions replies may
// show). `--dry-run` only prints. Needs the onnx engine, which gives the 68 landmarks.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createFaceEngine } from '../src/engine/index.ts';
import { SHAPE_MODEL_FILE } from '../src/resemblance/shape-model.ts';
import { VALIDATED_FILE, type ValidatedRegions } from '../src/resemblance/validated.ts';
import {
  BAR,
  chooseLambda,
  crossAuc,
  groupFaces,
  labelledLandmarks,
  modelDistances,
  plainDistances,
  validateRegions,
} from './lib/resemblance-eval.ts';
import { trainShapeModel } from './lib/shape-model-train.ts';

const dryRun = process.argv.includes('--dry-run');
const engine = await createFaceEngine({ backend: 'onnx', inline: true });
let celebs: Awaited<ReturnType<typeof labelledLandmarks>>;
let bbt: typeof celebs;
let group: Awaited<ReturnType<typeof groupFaces>>;
try {
  const analyze = (image: Uint8Array) => engine.analyze(image);
  celebs = await labelledLandmarks('celebs', analyze);
  bbt = await labelledLandmarks('bbt', analyze);
  group = await groupFaces(analyze, bbt);
} finally {
  await engine.close();
}

const tried = chooseLambda(celebs);
const best = tried.reduce((a, b) => (b.auc > a.auc ? b : a));
console.log(
  `metric trained on ${celebs.length} celebs photos; regularisation by people-split AUC on celebs:`,
);
console.log(
  tried.map((t) => `  λ=${t.lambda}: ${t.auc.toFixed(3)}${t === best ? '  <- chosen' : ''}`).join('\n'),
);
const model = trainShapeModel(celebs, best.lambda, '../shared/data/celebs');

const people = new Set(bbt.map((p) => p.person)).size;
const plain = validateRegions(bbt, plainDistances(bbt));
const result = validateRegions(bbt, modelDistances(bbt, model));
console.log(
  `\nvalidated on ${bbt.length} bbt photos of ${people} people: ${result.samePairs} same-person pairs, ${result.differentPairs} different-people pairs`,
);
console.log(`bar: ${BAR}\n`);
const cross = crossAuc(group, bbt, model);
console.log(
  `group-photo check: ${group.length} faces of the group photos named by their embedding, against the portraits\n`,
);
console.log(
  'region       plain Procrustes AUC   learned metric AUC [95% interval]   group faces AUC   shown',
);
result.regions.forEach((r, i) => {
  const p = plain.regions[i]!;
  console.log(
    `${r.region.padEnd(12)} ${p.auc.toFixed(3)} [${p.low.toFixed(3)}, ${p.high.toFixed(3)}]  ${r.auc.toFixed(3)} [${r.low.toFixed(3)}, ${r.high.toFixed(3)}]        ${cross[i]!.toFixed(3)}             ${r.passed ? 'yes' : 'no'}`,
  );
});

const file: ValidatedRegions = {
  schema: 1,
  measured: {
    data: `../shared/data/bbt: ${bbt.length} portraits of ${people} people, largest face (metric trained on ../shared/data/celebs, λ=${best.lambda})`,
    samePairs: result.samePairs,
    differentPairs: result.differentPairs,
    bar: BAR,
    at: new Date().toISOString().slice(0, 10),
  },
  regions: result.regions,
};
if (!dryRun) {
  writeFileSync(SHAPE_MODEL_FILE, `${JSON.stringify(model)}\n`);
  writeFileSync(VALIDATED_FILE, `${JSON.stringify(file, null, 2)}\n`);
  // Formatted as Biome formats them, so that a re-run that measures the same leaves no diff behind.
  const biome = fileURLToPath(new URL('../node_modules/@biomejs/biome/bin/biome', import.meta.url));
  execFileSync(process.execPath, [biome, 'format', '--write', SHAPE_MODEL_FILE, VALIDATED_FILE], {
    stdio: 'ignore',
  });
  console.log(`\nwrote ${SHAPE_MODEL_FILE} and ${VALIDATED_FILE}`);
}
