/**
 * Converts the TF.js graph models that the engine uses (BlazeFace, the fused faceres, and face-api's
 * nets as face-api-graphs.ts writes them out) into ONNX. Only the ops these graphs contain are
 * supported; anything else stops the export with the op's name, so a new Human release cannot
 * slip in a silently wrong model.
 *
 * Layout: TF.js graphs are NHWC; ONNX's Conv and MaxPool are NCHW. The exported model takes
 * NCHW input (the engine builds its input planes itself, so no transpose is needed at the
 * front), every 4-D tensor stays NCHW, and only layout-sensitive ops (Reshape, Pad, Mean)
 * translate axes. Padding: TF's 'SAME' puts the odd extra pixel after the data (bottom/right),
 * which is exactly ONNX's auto_pad=SAME_UPPER, so the input size stays free.
 */
import { type Attribute, DataType, encodeModel, type OnnxNode, type OnnxTensor } from './protobuf.ts';

/** A constant from the TF.js weights file, already dequantised. */
export interface TfConst {
  shape: number[];
  dtype: 'float32' | 'int32';
  data: Float32Array | Int32Array;
}

/** A TF.js graph node, as in model.json's modelTopology. */
export interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, { s?: string; i?: string; b?: boolean; list?: { i?: string[]; s?: string[] } }>;
}

/** What to export: the input's name in ONNX and the graph outputs to keep, by TF.js node name. */
export interface ExportSpec {
  graph: { node: TfNode[] };
  weights: Map<string, TfConst>;
  input: { tfName: string; onnxName: string; dims: (number | string)[] };
  outputs: { tfName: string; onnxName: string }[];
  producerVersion: string;
  docString: string;
}

/** Where each TF (NHWC) axis lands in ONNX (NCHW). */
const NHWC_TO_NCHW_AXIS = [0, 2, 3, 1];
/** Which TF (NHWC) axis each ONNX (NCHW) axis comes from. */
const NCHW_FROM_NHWC_AXIS = [0, 3, 1, 2];

const decode = (s: string | undefined) => (s ? Buffer.from(s, 'base64').toString('utf8') : '');
const strip = (name: string) => (name.startsWith('^') ? name.slice(1) : name.replace(/:0$/, ''));

function floats(data: Float32Array): Uint8Array {
  return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

function int64s(values: number[]): Uint8Array {
  const out = new BigInt64Array(values.map((v) => BigInt(v)));
  return new Uint8Array(out.buffer);
}

/** TF conv kernel [kh, kw, in, out] to ONNX [out, in, kh, kw]. */
function convKernel(c: TfConst): { dims: number[]; data: Float32Array } {
  const [kh = 1, kw = 1, cin = 1, cout = 1] = c.shape;
  const out = new Float32Array(c.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++)
          out[((o * cin + i) * kh + y) * kw + x] = c.data[((y * kw + x) * cin + i) * cout + o] as number;
  return { dims: [cout, cin, kh, kw], data: out };
}

/** TF depthwise kernel [kh, kw, in, mult] to ONNX grouped conv [in*mult, 1, kh, kw]. */
function depthwiseKernel(c: TfConst): { dims: number[]; data: Float32Array } {
  const [kh = 1, kw = 1, cin = 1, mult = 1] = c.shape;
  const out = new Float32Array(c.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let m = 0; m < mult; m++)
          out[((i * mult + m) * kh + y) * kw + x] = c.data[((y * kw + x) * cin + i) * mult + m] as number;
  return { dims: [cin * mult, 1, kh, kw], data: out };
}

/** Builds the ONNX model bytes for one TF.js graph. */
export function exportGraph(spec: ExportSpec): { bytes: Uint8Array; ops: Record<string, number> } {
  const byName = new Map(spec.graph.node.map((n) => [n.name, n]));
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  const emitted = new Set<string>();
  const rank = new Map<string, number>();
  const ops: Record<string, number> = {};
  let counter = 0;

  const constant = (name: string, dims: number[], dataType: number, raw: Uint8Array): string => {
    // A constant shared by two consumers (a bias, say) is written once.
    if (!initializers.some((t) => t.name === name)) initializers.push({ name, dims, dataType, raw });
    return name;
  };
  const weight = (name: string): TfConst => {
    const w = spec.weights.get(strip(name));
    if (!w) throw new Error(`export: constant ${name} not found in the weights`);
    return w;
  };
  const isConst = (name: string) => byName.get(strip(name))?.op === 'Const';
  const attrInts = (n: TfNode, key: string) => (n.attr?.[key]?.list?.i ?? []).map(Number);
  const padding = (n: TfNode): Attribute => {
    const p = decode(n.attr?.padding?.s);
    if (p !== 'SAME' && p !== 'VALID') throw new Error(`export: ${n.name} has padding ${p}`);
    return { name: 'auto_pad', kind: 'string', value: p === 'SAME' ? 'SAME_UPPER' : 'VALID' };
  };
  const checkNhwc = (n: TfNode) => {
    const f = decode(n.attr?.data_format?.s) || 'NHWC';
    if (f !== 'NHWC') throw new Error(`export: ${n.name} uses data format ${f}`);
  };
  const add = (op: string, inputs: string[], output: string, attributes?: Attribute[]) => {
    nodes.push({ op, name: `${output}/${op}`, inputs, outputs: [output], attributes });
  };
  const fresh = (base: string) => `${base}/onnx_${counter++}`;

  // Relu/Relu6 after a fused conv or matmul; BiasAdd is folded into the op itself.
  const activation = (n: TfNode, pre: string, out: string) => {
    const fused = (n.attr?.fused_ops?.list?.s ?? []).map(decode);
    if (fused[0] !== 'BiasAdd') throw new Error(`export: ${n.name} fuses ${fused.join('+')}`);
    const act = fused[1];
    if (!act) return add('Identity', [pre], out);
    if (act === 'Relu') return add('Relu', [pre], out);
    if (act === 'Relu6') {
      const lo = constant(fresh(n.name), [], DataType.FLOAT, floats(Float32Array.of(0)));
      const hi = constant(fresh(n.name), [], DataType.FLOAT, floats(Float32Array.of(6)));
      return add('Clip', [pre, lo, hi], out);
    }
    throw new Error(`export: ${n.name} fuses unsupported activation ${act}`);
  };

  const convert = (n: TfNode) => {
    const out = n.name;
    const inputs = (n.input ?? []).filter((i) => !i.startsWith('^')).map(strip);
    const [x = '', k = '', b] = inputs;
    ops[n.op] = (ops[n.op] ?? 0) + 1;
    switch (n.op) {
      case 'Identity':
        add('Identity', [x], out);
        rank.set(out, rank.get(x) ?? 4);
        return;
      case '_FusedConv2D':
      case 'Conv2D':
      case 'DepthwiseConv2dNative':
      case 'FusedDepthwiseConv2dNative': {
        checkNhwc(n);
        const depthwise = n.op.includes('Depthwise');
        const kernel = (depthwise ? depthwiseKernel : convKernel)(weight(k));
        const [, , kh = 1, kw = 1] = kernel.dims;
        const group = depthwise ? (weight(k).shape[2] ?? 1) : 1;
        const strides = attrInts(n, 'strides');
        const dilations = attrInts(n, 'dilations');
        const kName = constant(`${k}/onnx_kernel`, kernel.dims, DataType.FLOAT, floats(kernel.data));
        const fused = n.op.startsWith('_Fused') || n.op.startsWith('Fused');
        const convInputs = [x, kName];
        if (fused && b)
          convInputs.push(
            constant(
              `${b}/onnx_bias`,
              weight(b).shape,
              DataType.FLOAT,
              floats(weight(b).data as Float32Array),
            ),
          );
        const attributes: Attribute[] = [
          padding(n),
          { name: 'kernel_shape', kind: 'ints', value: [kh, kw] },
          { name: 'strides', kind: 'ints', value: [strides[1] ?? 1, strides[2] ?? 1] },
          { name: 'dilations', kind: 'ints', value: [dilations[1] ?? 1, dilations[2] ?? 1] },
          { name: 'group', kind: 'int', value: group },
        ];
        if (fused) {
          const pre = fresh(out);
          add('Conv', convInputs, pre, attributes);
          activation(n, pre, out);
        } else add('Conv', convInputs, out, attributes);
        rank.set(out, 4);
        return;
      }
      case 'AddV2':
      case 'Add': {
        const operands = [x, k].map((name) => {
          if (!isConst(name)) return name;
          const c = weight(name);
          // A per-channel constant broadcasts over the last (channel) axis in NHWC: move it to axis 1.
          const dims =
            c.shape.length === 1 && (rank.get(x === name ? k : x) ?? 4) === 4
              ? [1, c.shape[0] ?? 1, 1, 1]
              : c.shape;
          return constant(fresh(name), dims, DataType.FLOAT, floats(c.data as Float32Array));
        });
        add('Add', operands, out);
        rank.set(out, Math.max(rank.get(x) ?? 0, rank.get(k) ?? 0) || 4);
        return;
      }
      case 'Relu':
      case 'Sigmoid':
        add(n.op, [x], out);
        rank.set(out, rank.get(x) ?? 4);
        return;
      case 'Softmax':
        if ((rank.get(x) ?? 2) !== 2) throw new Error(`export: ${n.name} softmax on rank ${rank.get(x)}`);
        add('Softmax', [x], out, [{ name: 'axis', kind: 'int', value: -1 }]);
        rank.set(out, 2);
        return;
      case 'MaxPool':
      case 'AvgPool': {
        checkNhwc(n);
        const ksize = attrInts(n, 'ksize');
        const strides = attrInts(n, 'strides');
        // TF's AvgPool averages over the window's pixels inside the input only: ONNX's default
        // count_include_pad=0 matches it for SAME, and VALID has no padding at all.
        add(n.op === 'MaxPool' ? 'MaxPool' : 'AveragePool', [x], out, [
          padding(n),
          { name: 'kernel_shape', kind: 'ints', value: [ksize[1] ?? 1, ksize[2] ?? 1] },
          { name: 'strides', kind: 'ints', value: [strides[1] ?? 1, strides[2] ?? 1] },
        ]);
        rank.set(out, 4);
        return;
      }
      case 'Pad': {
        const p = Array.from(weight(k).data);
        if (p.length !== 8) throw new Error(`export: ${n.name} pads a rank-${p.length / 2} tensor`);
        // TF: [[n0, n1], [h0, h1], [w0, w1], [c0, c1]]; ONNX (NCHW): all begins, then all ends.
        const begin = NCHW_FROM_NHWC_AXIS.map((axis) => p[axis * 2] as number);
        const end = NCHW_FROM_NHWC_AXIS.map((axis) => p[axis * 2 + 1] as number);
        const pads = constant(fresh(out), [8], DataType.INT64, int64s([...begin, ...end]));
        const zero = constant(fresh(out), [], DataType.FLOAT, floats(Float32Array.of(0)));
        add('Pad', [x, pads, zero], out, [{ name: 'mode', kind: 'string', value: 'constant' }]);
        rank.set(out, 4);
        return;
      }
      case 'Reshape': {
        const shape = Array.from(weight(k).data);
        let source = x;
        if ((rank.get(x) ?? 4) === 4) {
          // Reshape flattens in memory order, which must be TF's NHWC order to mean the same thing.
          source = fresh(out);
          add('Transpose', [x], source, [{ name: 'perm', kind: 'ints', value: [0, 2, 3, 1] }]);
        }
        add('Reshape', [source, constant(fresh(out), [shape.length], DataType.INT64, int64s(shape))], out);
        rank.set(out, shape.length);
        return;
      }
      case 'Mean': {
        const axes = Array.from(weight(k).data).map((a) => {
          const r = rank.get(x) ?? 4;
          const positive = a < 0 ? a + r : a;
          return r === 4 ? (NHWC_TO_NCHW_AXIS[positive] as number) : positive;
        });
        const keep = n.attr?.keep_dims?.b ?? false;
        add('ReduceMean', [x], out, [
          { name: 'axes', kind: 'ints', value: axes },
          { name: 'keepdims', kind: 'int', value: keep ? 1 : 0 },
        ]);
        if (keep) throw new Error(`export: ${n.name} keeps reduced dims, which would leave an NCHW tensor`);
        rank.set(out, (rank.get(x) ?? 4) - axes.length);
        return;
      }
      case '_FusedMatMul': {
        const a = n.attr?.transpose_a?.b ?? false;
        const tb = n.attr?.transpose_b?.b ?? false;
        const w = weight(k);
        const bias = weight(b ?? '');
        const pre = fresh(out);
        add(
          'Gemm',
          [
            x,
            constant(`${k}/onnx_weight`, w.shape, DataType.FLOAT, floats(w.data as Float32Array)),
            constant(`${b}/onnx_bias`, bias.shape, DataType.FLOAT, floats(bias.data as Float32Array)),
          ],
          pre,
          [
            { name: 'transA', kind: 'int', value: a ? 1 : 0 },
            { name: 'transB', kind: 'int', value: tb ? 1 : 0 },
          ],
        );
        activation(n, pre, out);
        rank.set(out, 2);
        return;
      }
      default:
        throw new Error(`export: unsupported op ${n.op} (${n.name})`);
    }
  };

  // Depth-first from the requested outputs: emits in topological order and drops unused heads.
  const visit = (name: string) => {
    const key = strip(name);
    if (emitted.has(key)) return;
    emitted.add(key);
    const n = byName.get(key);
    if (!n) throw new Error(`export: node ${key} not found`);
    if (n.op === 'Const') return;
    if (n.op === 'Placeholder') {
      if (key !== spec.input.tfName) throw new Error(`export: unexpected input ${key}`);
      rank.set(key, 4);
      return;
    }
    for (const i of n.input ?? []) if (!i.startsWith('^')) visit(i);
    convert(n);
  };
  for (const o of spec.outputs) visit(o.tfName);

  // The graph's own names are TF's; the input and outputs get short, stable names.
  const rename = new Map<string, string>([
    [spec.input.tfName, spec.input.onnxName],
    ...spec.outputs.map((o) => [o.tfName, o.onnxName] as [string, string]),
  ]);
  for (const n of nodes) {
    n.inputs = n.inputs.map((i) => rename.get(i) ?? i);
    n.outputs = n.outputs.map((o) => rename.get(o) ?? o);
  }
  const bytes = encodeModel({
    // The name the committed models carry (tools/ was scripts/ when they were built): a new name would
    // change every model's bytes, sha256 and so the engine fingerprint, for no gain.
    producer: 'lookalike scripts/build-models.ts',
    producerVersion: spec.producerVersion,
    graphName: spec.input.onnxName,
    opset: 13,
    docString: spec.docString,
    nodes,
    initializers,
    inputs: [{ name: spec.input.onnxName, elemType: DataType.FLOAT, dims: spec.input.dims }],
    outputs: spec.outputs.map((o) => ({ name: o.onnxName, elemType: DataType.FLOAT })),
  });
  return { bytes, ops };
}
