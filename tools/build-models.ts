/**
 * Rebuilds models/ from the @vladmandic/human package: copies the detector (BlazeFace)
 * model as it is, and writes an optimised faceres graph whose convolutions carry
 * their batch-norm and ReLU6 fused in. The faceres graph as shipped runs Add, Relu,
 * Minimum and Maximum as separate kernels after every convolution, which is more than
 * half of its time on wasm; the fused graph computes the same function.
 *
 * Then the int8 step (tools/lib/quantize.ts, tools/quantize.py): ONNX Runtime's static
 * quantiser, calibrated on the engine's own inputs from face photos in ../shared/data, writes
 * `<model>.int8.onnx` beside the fp32 files for the models in INT8_MODELS. It needs Python with
 * `pip install onnxruntime onnx` (maintainers only; the committed files are what users run).
 *
 * Usage: npm run build:models [-- --int8-only]   (--int8-only: keep the fp32 files, redo int8)
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { parseArgs } from 'node:util';
import {
  MODELS_DIR,
  type ModelManifest,
  readGraphModel,
  readManifest,
  sha256,
} from '../src/engine/model-files.ts';
import type { OnnxModel } from '../src/engine/onnx/onnx-engine.ts';
import { faceApiExports, type WeightMap } from './lib/onnx/face-api-graphs.ts';
import { exportGraph, type TfConst, type TfNode } from './lib/onnx/tfjs-to-onnx.ts';
import { quantizeModels } from './lib/quantize.ts';

/**
 * The models shipped in int8 as well (measured in docs/engine-speed.md, "int8 variants"): faceres,
 * 2.5× faster at a descriptor cosine to fp32 of 0.994. dlib-resnet in int8 (1.7–2.8× faster, cosine
 * 0.9998 with tools/quantize.py's settings) stays fp32: it carries 0.9 of the fused embedding, and
 * its int8 error alone cost `same` one or two probes in npm run eval and npm run calibrate, where
 * faceres's cost none at fp32's thresholds. BlazeFace (0.7×: its small depthwise layers gain nothing,
 * and its score logits move by whole units) and the 68-landmark net (0.9×, points move by up to
 * 2.6 % of the box) stay fp32 only.
 */
const INT8_MODELS: readonly OnnxModel[] = ['faceres'];

const { values: args } = parseArgs({ options: { 'int8-only': { type: 'boolean', default: false } } });

const require = createRequire(import.meta.url);
const humanDir = path.resolve(path.dirname(require.resolve('@vladmandic/human')), '..');
const humanModels = path.join(humanDir, 'models');
const humanPackage = '@vladmandic/human';
const humanVersion = (
  JSON.parse(readFileSync(path.join(humanDir, 'package.json'), 'utf8')) as { version: string }
).version;
const faceApiDir = path.resolve(path.dirname(require.resolve('@vladmandic/face-api')), '..');
const faceApiVersion = (
  JSON.parse(readFileSync(path.join(faceApiDir, 'package.json'), 'utf8')) as { version: string }
).version;

interface Node {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, unknown>;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Finds the single consumer of a node's output, if it is the only one. */
function soleConsumer(nodes: Node[], name: string): Node | undefined {
  const users = nodes.filter((n) => n.input?.some((i) => i === name || i.startsWith(`${name}:`)));
  return users.length === 1 ? users[0] : undefined;
}

async function fuseFaceres(): Promise<void> {
  await tf.setBackend('cpu');
  const { json, weights } = readGraphModel(humanModels, 'faceres.json');
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const tensors = tf.io.decodeWeights(weights, specs as tf.io.WeightsManifestEntry[]);
  const values = new Map<string, Float32Array>();
  for (const [name, t] of Object.entries(tensors))
    if (t.dtype === 'float32') values.set(name, t.dataSync() as Float32Array);

  const topology = json.modelTopology as { node: Node[] };
  const nodes = topology.node;
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const removed = new Set<string>();
  let fused = 0;

  for (const conv of nodes) {
    if (conv.op !== 'Conv2D' && conv.op !== 'DepthwiseConv2dNative') continue;
    // Chain: conv -> [Mul scale] -> Add bias -> Relu -> Minimum 6 -> Maximum 0
    let cursor = soleConsumer(nodes, conv.name);
    let scaleNode: Node | undefined;
    if (cursor?.op === 'Mul') {
      scaleNode = cursor;
      cursor = soleConsumer(nodes, cursor.name);
    }
    const add = cursor?.op === 'Add' ? cursor : undefined;
    const relu = add && soleConsumer(nodes, add.name);
    const min = relu?.op === 'Relu' ? soleConsumer(nodes, relu.name) : undefined;
    const max = min?.op === 'Minimum' ? soleConsumer(nodes, min.name) : undefined;
    if (!add || !relu || !min || max?.op !== 'Maximum') continue;
    const constOf = (n: Node, self: string) => n.input?.find((i) => i !== self) ?? '';
    const six = values.get(constOf(min, relu.name))?.[0];
    const zero = values.get(constOf(max, min.name))?.[0];
    if (six !== 6 || zero !== 0) continue;
    const biasName = constOf(add, (scaleNode ?? conv).name);
    const kernelName = conv.input?.[1] ?? '';
    if (scaleNode) {
      // Folding the per-channel batch-norm scale into the depthwise kernel: [kh, kw, in, mult].
      const scale = values.get(constOf(scaleNode, conv.name));
      const kernel = values.get(kernelName);
      const shape = specs.find((s) => s.name === kernelName)?.shape;
      if (!scale || !kernel || !shape) continue;
      const channels = (shape[2] ?? 1) * (shape[3] ?? 1);
      for (let i = 0; i < kernel.length; i++) kernel[i] = (kernel[i] ?? 0) * (scale[i % channels] ?? 1);
      removed.add(scaleNode.name);
    }
    // The fused node takes the name of the chain's last node so that its consumers need no rewiring.
    const fusedNode: Node = {
      name: max.name,
      op: conv.op === 'Conv2D' ? '_FusedConv2D' : 'FusedDepthwiseConv2dNative',
      input: [conv.input?.[0] ?? '', kernelName, biasName],
      attr: {
        ...conv.attr,
        fused_ops: { list: { s: [b64('BiasAdd'), b64('Relu6')] } },
        num_args: { i: '1' },
        epsilon: { f: 0 },
      },
    };
    for (const n of [conv, add, relu, min]) removed.add(n.name);
    byName.set(max.name, fusedNode);
    fused++;
  }
  // Height and width become free so the embedding input size can be tuned; the graph ends in a global mean.
  for (const n of nodes) {
    if (n.op !== 'Placeholder') continue;
    const dims = (n.attr?.shape as { shape: { dim: { size: string }[] } } | undefined)?.shape.dim;
    if (dims?.[1] && dims[2]) dims[1].size = dims[2].size = '-1';
  }
  const signature = json.signature as {
    inputs: Record<string, { tensorShape: { dim: { size: string }[] } }>;
  };
  for (const input of Object.values(signature.inputs)) {
    const dims = input.tensorShape.dim;
    if (dims[1] && dims[2]) dims[1].size = dims[2].size = '-1';
  }
  const kept = nodes.filter((n) => !removed.has(n.name)).map((n) => byName.get(n.name) ?? n);
  const used = new Set(kept.flatMap((n) => n.input ?? []).map((i) => i.split(':')[0]));
  topology.node = kept.filter((n) => n.op !== 'Const' || used.has(n.name));
  const keptConsts = new Set(topology.node.filter((n) => n.op === 'Const').map((n) => n.name));

  const out: tf.NamedTensorMap = {};
  for (const spec of specs) {
    if (!keptConsts.has(spec.name)) continue;
    const v = values.get(spec.name);
    out[spec.name] = v ? tf.tensor(v, spec.shape, 'float32') : (tensors[spec.name] as tf.Tensor);
  }
  const encoded = await tf.io.encodeWeights(out);
  json.weightsManifest = [{ paths: ['faceres-fused.bin'], weights: encoded.specs as never }];
  json.convertedBy = `${String(json.convertedBy)}; fused by lookalike tools/build-models.ts`;
  writeFileSync(path.join(MODELS_DIR, 'faceres-fused.json'), JSON.stringify(json));
  writeFileSync(path.join(MODELS_DIR, 'faceres-fused.bin'), new Uint8Array(encoded.data as ArrayBuffer));
  console.log(`faceres: fused ${fused} conv blocks, ${nodes.length} -> ${topology.node.length} nodes`);
}

/** Reads a TF.js graph's constants as typed arrays (dequantised by tfjs). */
function readConstants(name: string): { graph: { node: TfNode[] }; weights: Map<string, TfConst> } {
  const { json, weights } = readGraphModel(MODELS_DIR, name);
  const specs = json.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[];
  const decoded = tf.io.decodeWeights(weights, specs);
  const out = new Map<string, TfConst>();
  for (const [key, t] of Object.entries(decoded)) {
    out.set(key, {
      shape: t.shape,
      dtype: t.dtype === 'int32' ? 'int32' : 'float32',
      data: t.dataSync() as Float32Array | Int32Array,
    });
    t.dispose();
  }
  return { graph: json.modelTopology as { node: TfNode[] }, weights: out };
}

/** Exports BlazeFace and the fused faceres graph to ONNX for the native engine. */
function exportOnnx(): void {
  const doc = (from: string) =>
    `${from} from ${humanPackage} ${humanVersion}, converted by lookalike tools/build-models.ts; NCHW input`;
  const blazeface = readConstants('blazeface.json');
  const bf = exportGraph({
    ...blazeface,
    input: { tfName: 'input', onnxName: 'image', dims: [1, 3, 256, 256] },
    outputs: [
      { tfName: 'Identity', onnxName: 'scores_16' },
      { tfName: 'Identity_1', onnxName: 'scores_8' },
      { tfName: 'Identity_2', onnxName: 'boxes_16' },
      { tfName: 'Identity_3', onnxName: 'boxes_8' },
    ],
    producerVersion: humanVersion,
    docString: doc('blazeface.json'),
  });
  writeFileSync(path.join(MODELS_DIR, 'blazeface.onnx'), bf.bytes);
  console.log(`blazeface.onnx: ${bf.bytes.byteLength} bytes, ops ${JSON.stringify(bf.ops)}`);
  const faceres = readConstants('faceres-fused.json');
  const fr = exportGraph({
    ...faceres,
    // Only the 1024-d descriptor: the age and gender heads are not used.
    input: { tfName: 'input_1', onnxName: 'faces', dims: ['batch', 3, 'height', 'width'] },
    outputs: [{ tfName: 'global_pooling/Mean', onnxName: 'descriptor' }],
    producerVersion: humanVersion,
    docString: doc('faceres-fused.json'),
  });
  writeFileSync(path.join(MODELS_DIR, 'faceres.onnx'), fr.bytes);
  console.log(`faceres.onnx: ${fr.bytes.byteLength} bytes, ops ${JSON.stringify(fr.ops)}`);
}

/** face-api's weights for one net, dequantised by tfjs the way face-api loads them. */
function faceApiWeights(name: string): WeightMap {
  const dir = path.join(faceApiDir, 'model');
  const manifest = JSON.parse(readFileSync(path.join(dir, `${name}-weights_manifest.json`), 'utf8')) as {
    weights: tf.io.WeightsManifestEntry[];
  }[];
  const bin = readFileSync(path.join(dir, `${name}.bin`));
  const buffer = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  const decoded = tf.io.decodeWeights(
    buffer,
    manifest.flatMap((g) => g.weights),
  );
  const out: WeightMap = new Map();
  for (const [key, t] of Object.entries(decoded)) {
    out.set(key, { shape: t.shape, data: t.dataSync() as Float32Array });
    t.dispose();
  }
  return out;
}

/** Exports face-api's 68-landmark and recognition nets (weights only in the package) to ONNX. */
function exportFaceApi(): void {
  for (const [file, spec] of Object.entries(faceApiExports(faceApiWeights, faceApiVersion))) {
    const { bytes, ops } = exportGraph(spec);
    writeFileSync(path.join(MODELS_DIR, file), bytes);
    console.log(`${file}: ${bytes.byteLength} bytes, ops ${JSON.stringify(ops)}`);
  }
}

mkdirSync(MODELS_DIR, { recursive: true });
const copied = ['blazeface.json', 'blazeface.bin'];
if (!args['int8-only']) {
  for (const f of copied) copyFileSync(path.join(humanModels, f), path.join(MODELS_DIR, f));
  await fuseFaceres();
  exportOnnx();
  exportFaceApi();
}
// The fp32 files are listed first: the int8 step loads them through the verified engine.
writeManifest([
  ...copied,
  'faceres-fused.json',
  'faceres-fused.bin',
  'blazeface.onnx',
  'faceres.onnx',
  'landmarks68.onnx',
  'dlib-resnet.onnx',
]);
writeManifest(await quantizeModels(MODELS_DIR, INT8_MODELS));

function writeManifest(written: string[]): void {
  // Entries written by other scripts (calibration.json by npm run calibrate) are kept.
  const previous = existsSync(path.join(MODELS_DIR, 'manifest.json')) ? readManifest().files : {};
  const files: ModelManifest['files'] = { ...previous };
  // An int8 file of a model no longer in INT8_MODELS must not stay listed (the engine would load it).
  for (const f of Object.keys(files))
    if (f.endsWith('.int8.onnx') && !INT8_MODELS.some((m) => f === `${m}.int8.onnx`)) delete files[f];
  for (const f of written) {
    const data = readFileSync(path.join(MODELS_DIR, f));
    files[f] = { sha256: sha256(data), bytes: data.byteLength };
  }
  const manifest: ModelManifest = {
    source: { package: '@vladmandic/human', version: humanVersion },
    notes: [
      'blazeface is copied unchanged from the package models/ folder.',
      'faceres-fused is faceres.json with Conv2D/DepthwiseConv2dNative + batch-norm + ReLU6 fused (tools/build-models.ts); weights stored as float32.',
      'blazeface.onnx and faceres.onnx are blazeface.json and faceres-fused.json converted to ONNX (opset 13, NCHW input, TF SAME padding as auto_pad SAME_UPPER) by tools/lib/onnx; faceres.onnx keeps only the 1024-d descriptor.',
      `landmarks68.onnx and dlib-resnet.onnx are @vladmandic/face-api ${faceApiVersion}'s face_landmark_68_model and face_recognition_model (MIT), whose architecture tools/lib/onnx/face-api-graphs.ts writes out, converted the same way; the recognition net's scale layers are folded into its convolutions.`,
      `*.int8.onnx are ${INT8_MODELS.join(' and ')} quantised by ONNX Runtime's static quantiser (QDQ, per-channel int8 weights, uint8 activations, MinMax ranges from the engine's inputs on the bbt group photos and their mirror images; tools/quantize.py).`,
    ],
    files,
  };
  writeFileSync(path.join(MODELS_DIR, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log('wrote', written.join(', '));
}
