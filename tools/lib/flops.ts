/**
 * Multiply-accumulate counts of a TF.js graph at a given input size, from its convolutions and
 * matrix products (everything else is noise next to them). Used by the benchmark to say how
 * close each engine runs to the machine's arithmetic ceiling.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODELS_DIR, readGraphModel } from '../../src/engine/model-files.ts';

interface Node {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, { list?: { i?: string[] } }>;
}

/** MACs of one inference of a graph model in `dir` whose NHWC input is [1, side, side, 3]. */
export function graphMacs(dir: string, json: string, side: number): number {
  const { json: model } = readGraphModel(dir, json);
  const nodes = (model.modelTopology as { node: Node[] }).node;
  const weights = new Map(model.weightsManifest.flatMap((g) => g.weights).map((w) => [w.name, w.shape]));
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const shapes = new Map<string, number[]>();
  let macs = 0;
  const shapeOf = (name: string): number[] => {
    const key = name.replace(/:0$/, '');
    const known = shapes.get(key);
    if (known) return known;
    const n = byName.get(key);
    if (!n) throw new Error(`flops: no node ${key}`);
    let out: number[];
    const [x = '', k = ''] = n.input ?? [];
    const strides = (n.attr?.strides?.list?.i ?? ['1', '1', '1', '1']).map(Number);
    if (n.op === 'Placeholder') out = [1, side, side, 3];
    else if (n.op === 'Const') out = weights.get(key) ?? [];
    else if (n.op.includes('Conv2D') || n.op.includes('Depthwise')) {
      const [, h = 0, w = 0, c = 0] = shapeOf(x);
      const [kh = 1, kw = 1, cin = c, mult = 1] = weights.get(k.replace(/:0$/, '')) ?? [];
      const oh = Math.ceil(h / (strides[1] ?? 1));
      const ow = Math.ceil(w / (strides[2] ?? 1));
      const depthwise = n.op.includes('Depthwise');
      const cout = depthwise ? cin * mult : mult;
      macs += oh * ow * cout * kh * kw * (depthwise ? 1 : cin);
      out = [1, oh, ow, cout];
    } else if (n.op === 'MaxPool') {
      const [, h = 0, w = 0, c = 0] = shapeOf(x);
      out = [1, Math.ceil(h / (strides[1] ?? 1)), Math.ceil(w / (strides[2] ?? 1)), c];
    } else if (n.op === 'Pad') {
      const [b = 1, h = 0, w = 0, c = 0] = shapeOf(x);
      out = [b, h, w, c]; // channel padding only changes C; close enough for the count
      const next = nodes.find((m) => m.input?.includes(n.name) && m.op === 'AddV2');
      const other = next?.input?.find((i) => i !== n.name);
      if (other) out = shapeOf(other);
    } else if (n.op === 'Mean') out = [1, shapeOf(x)[3] ?? 0];
    else if (n.op === '_FusedMatMul' || n.op === 'MatMul') {
      const [rows = 0, cols = 0] = weights.get(k.replace(/:0$/, '')) ?? [];
      macs += rows * cols;
      out = [1, cols];
    } else out = shapeOf(x);
    shapes.set(key, out);
    return out;
  };
  for (const n of nodes) shapeOf(n.name);
  return macs;
}

/** The face-api nets' multiply-adds from their ONNX graphs (tools/onnx_macs.py), when Python with onnx is here. */
export function faceApiMacs(): { landmarks?: number; dlib?: number } {
  const py = spawnSync(
    'python3',
    [
      fileURLToPath(new URL('../onnx_macs.py', import.meta.url)),
      `${path.join(MODELS_DIR, 'landmarks68.onnx')}:112`,
      `${path.join(MODELS_DIR, 'dlib-resnet.onnx')}:150`,
    ],
    { encoding: 'utf8' },
  );
  if (py.status !== 0) return {};
  const out = Object.values(JSON.parse(py.stdout) as Record<string, number>);
  return { landmarks: out[0], dlib: out[1] };
}
