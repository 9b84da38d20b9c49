/**
 * face-api's 68-landmark and recognition nets, written as TF graphs for the ONNX exporter.
 *
 * face-api ships these two nets as weights only: their architecture lives in its TypeScript
 * (faceLandmarkNet/, faceFeatureExtractor/, faceRecognitionNet/). This file states the same
 * architectures as TF.js graph nodes, so that tfjs-to-onnx.ts converts them like Human's graph
 * models, and test/unit/onnx-export-face-api.test.ts checks the result against face-api's own code.
 *
 * The recognition net's "scale layer" (x * w + b after each convolution's bias) is folded into the
 * convolution here: conv(x, K) * s + (b * s + t) = conv(x, K * s) + (b * s + t).
 */
import type { ExportSpec, TfConst, TfNode } from './tfjs-to-onnx.ts';

/** face-api's weights, dequantised, by the names its weight manifests use. */
export type WeightMap = Map<string, { shape: number[]; data: Float32Array }>;

/** Input side of the landmark net. */
export const LANDMARK_INPUT = 112;
/** Input side of the recognition net. */
export const RECOGNITION_INPUT = 150;

const b64 = (s: string) => Buffer.from(s).toString('base64');
const ints = (values: number[]) => ({ list: { i: values.map(String) } });

/** Collects TF nodes and constants with the shapes the exporter expects. */
class GraphWriter {
  readonly nodes: TfNode[] = [{ name: 'input', op: 'Placeholder' }];
  readonly weights = new Map<string, TfConst>();

  constant(name: string, shape: number[], data: Float32Array | Int32Array): string {
    this.weights.set(name, {
      shape,
      dtype: data instanceof Int32Array ? 'int32' : 'float32',
      data,
    });
    this.nodes.push({ name, op: 'Const' });
    return name;
  }

  node(name: string, op: string, input: string[], attr: TfNode['attr'] = {}): string {
    this.nodes.push({ name, op, input, attr });
    return name;
  }

  /** A convolution with its bias, and optionally ReLU, as one fused node. */
  conv(
    name: string,
    x: string,
    kernel: { shape: number[]; data: Float32Array },
    bias: Float32Array,
    stride: number,
    padding: 'SAME' | 'VALID',
    relu: boolean,
  ): string {
    const k = this.constant(`${name}/kernel`, kernel.shape, kernel.data);
    const b = this.constant(`${name}/bias`, [bias.length], bias);
    return this.node(name, '_FusedConv2D', [x, k, b], {
      strides: ints([1, stride, stride, 1]),
      dilations: ints([1, 1, 1, 1]),
      padding: { s: b64(padding) },
      fused_ops: { list: { s: relu ? [b64('BiasAdd'), b64('Relu')] : [b64('BiasAdd')] } },
    });
  }

  depthwise(name: string, x: string, kernel: { shape: number[]; data: Float32Array }, stride: number) {
    const k = this.constant(`${name}/kernel`, kernel.shape, kernel.data);
    return this.node(name, 'DepthwiseConv2dNative', [x, k], {
      strides: ints([1, stride, stride, 1]),
      dilations: ints([1, 1, 1, 1]),
      padding: { s: b64('SAME') },
    });
  }

  pool(name: string, op: 'MaxPool' | 'AvgPool', x: string, size: number, stride: number): string {
    return this.node(name, op, [x], {
      ksize: ints([1, size, size, 1]),
      strides: ints([1, stride, stride, 1]),
      padding: { s: b64('VALID') },
    });
  }

  /** Zero padding, in TF's [[before, after] per NHWC axis] form. */
  pad(name: string, x: string, pads: [number, number][]): string {
    const p = this.constant(`${name}/paddings`, [4, 2], Int32Array.from(pads.flat()));
    return this.node(name, 'Pad', [x, p]);
  }

  add(name: string, a: string, b: string): string {
    return this.node(name, 'AddV2', [a, b]);
  }

  relu(name: string, x: string): string {
    return this.node(name, 'Relu', [x]);
  }

  dense(name: string, x: string, weights: { shape: number[]; data: Float32Array }, bias: Float32Array) {
    const w = this.constant(`${name}/weights`, weights.shape, weights.data);
    const b = this.constant(`${name}/bias`, [bias.length], bias);
    return this.node(name, '_FusedMatMul', [x, w, b], {
      transpose_a: { b: false },
      transpose_b: { b: false },
      fused_ops: { list: { s: [b64('BiasAdd')] } },
    });
  }
}

function take(weights: WeightMap, name: string): { shape: number[]; data: Float32Array } {
  const w = weights.get(name);
  if (!w) throw new Error(`face-api weights: ${name} is missing`);
  return w;
}

/** The graph of face-api's FaceLandmark68Net: four dense blocks of separable convolutions, a pool and a dense layer. */
export function landmarkGraph(weights: WeightMap): {
  graph: { node: TfNode[] };
  weights: Map<string, TfConst>;
} {
  const g = new GraphWriter();
  // A separable convolution is a depthwise pass then a 1×1 pointwise one, with the bias after both.
  const separable = (name: string, x: string, stride: number, relu: boolean) => {
    const dw = g.depthwise(`${name}/depthwise`, x, take(weights, `${name}/depthwise_filter`), stride);
    const pw = take(weights, `${name}/pointwise_filter`);
    return g.conv(name, dw, pw, take(weights, `${name}/bias`).data, 1, 'SAME', relu);
  };
  let x = 'input';
  for (let block = 0; block < 4; block++) {
    const p = `dense${block}`;
    const out1 =
      block === 0
        ? g.conv(
            `${p}/conv0`,
            x,
            take(weights, `${p}/conv0/filters`),
            take(weights, `${p}/conv0/bias`).data,
            2,
            'SAME',
            true,
          )
        : separable(`${p}/conv0`, x, 2, true);
    const out2 = separable(`${p}/conv1`, out1, 1, false);
    const in3 = g.relu(`${p}/in3`, g.add(`${p}/sum12`, out1, out2));
    const out3 = separable(`${p}/conv2`, in3, 1, false);
    // face-api adds as out1 + (out2 + out3): the same association keeps float rounding identical.
    const in4 = g.relu(`${p}/in4`, g.add(`${p}/sum123`, out1, g.add(`${p}/sum23`, out2, out3)));
    const out4 = separable(`${p}/conv3`, in4, 1, false);
    const sum = g.add(`${p}/sum1234`, out1, g.add(`${p}/sum234`, out2, g.add(`${p}/sum34`, out3, out4)));
    x = g.relu(`${p}/out`, sum);
  }
  x = g.pool('pool', 'AvgPool', x, 7, 2);
  const flat = g.node('flatten', 'Reshape', [x, g.constant('flatten/shape', [2], Int32Array.of(-1, 256))]);
  g.dense('landmarks', flat, take(weights, 'fc/weights'), take(weights, 'fc/bias').data);
  return { graph: { node: g.nodes }, weights: g.weights };
}

/** The graph of face-api's FaceRecognitionNet (dlib's ResNet-29 for 150×150 chips), for a fixed 150×150 input. */
export function recognitionGraph(weights: WeightMap): {
  graph: { node: TfNode[] };
  weights: Map<string, TfConst>;
} {
  const g = new GraphWriter();
  // Shapes are tracked because residualDown pads by comparing them, as face-api does at run time.
  let shape = { side: RECOGNITION_INPUT, channels: 3 };
  const outSide = (side: number, k: number, stride: number, padding: 'SAME' | 'VALID') =>
    padding === 'SAME' ? Math.ceil(side / stride) : Math.floor((side - k) / stride) + 1;

  const convLayer = (name: string, x: string, stride: number, padding: 'SAME' | 'VALID', relu: boolean) => {
    const filters = take(weights, `${name}/conv/filters`);
    const bias = take(weights, `${name}/conv/bias`).data;
    const s = take(weights, `${name}/scale/weights`).data;
    const t = take(weights, `${name}/scale/biases`).data;
    const out = s.length;
    const kernel = new Float32Array(filters.data.length);
    for (let i = 0; i < kernel.length; i++) kernel[i] = (filters.data[i] as number) * (s[i % out] as number);
    const folded = new Float32Array(out);
    for (let o = 0; o < out; o++) folded[o] = (bias[o] as number) * (s[o] as number) + (t[o] as number);
    return g.conv(name, x, { shape: filters.shape, data: kernel }, folded, stride, padding, relu);
  };

  const residual = (name: string, x: string) => {
    const a = convLayer(`${name}/conv1`, x, 1, 'SAME', true);
    const b = convLayer(`${name}/conv2`, a, 1, 'SAME', false);
    return g.relu(`${name}/out`, g.add(`${name}/sum`, b, x));
  };

  const residualDown = (name: string, x: string) => {
    const channels = take(weights, `${name}/conv1/conv/filters`).shape[3] ?? 1;
    const convSide = outSide(shape.side, 3, 2, 'VALID');
    const a = convLayer(`${name}/conv1`, x, 2, 'VALID', true);
    let b = convLayer(`${name}/conv2`, a, 1, 'SAME', false);
    let pooled = g.pool(`${name}/pool`, 'AvgPool', x, 2, 2);
    const poolSide = Math.floor(shape.side / 2);
    // face-api appends a zero row and column to the convolution when the pool came out one larger.
    if (poolSide !== convSide)
      b = g.pad(`${name}/pad_spatial`, b, [
        [0, 0],
        [0, poolSide - convSide],
        [0, poolSide - convSide],
        [0, 0],
      ]);
    // …and zero channels to the pooled shortcut when the block widens.
    if (channels !== shape.channels)
      pooled = g.pad(`${name}/pad_channels`, pooled, [
        [0, 0],
        [0, 0],
        [0, 0],
        [0, channels - shape.channels],
      ]);
    shape = { side: poolSide, channels };
    return g.relu(`${name}/out`, g.add(`${name}/sum`, pooled, b));
  };

  let x = convLayer('conv32_down', 'input', 2, 'VALID', true);
  shape = { side: outSide(shape.side, 7, 2, 'VALID'), channels: 32 };
  x = g.pool('conv32_pool', 'MaxPool', x, 3, 2);
  shape = { side: outSide(shape.side, 3, 2, 'VALID'), channels: 32 };
  for (const n of ['conv32_1', 'conv32_2', 'conv32_3']) x = residual(n, x);
  x = residualDown('conv64_down', x);
  for (const n of ['conv64_1', 'conv64_2', 'conv64_3']) x = residual(n, x);
  x = residualDown('conv128_down', x);
  for (const n of ['conv128_1', 'conv128_2']) x = residual(n, x);
  x = residualDown('conv256_down', x);
  for (const n of ['conv256_1', 'conv256_2']) x = residual(n, x);
  x = residualDown('conv256_down_out', x);
  const mean = g.node('global_mean', 'Mean', [x, g.constant('global_mean/axes', [2], Int32Array.of(1, 2))], {
    keep_dims: { b: false },
  });
  const fc = take(weights, 'fc');
  // face-api's last layer is a plain matmul: a zero bias lets the exporter's fused matmul carry it.
  g.dense('descriptor', mean, fc, new Float32Array(fc.shape[1] ?? 128));
  return { graph: { node: g.nodes }, weights: g.weights };
}

/** The two export specs, as tools/build-models.ts writes models/landmarks68.onnx and models/dlib-resnet.onnx. */
export function faceApiExports(
  weightsOf: (name: string) => WeightMap,
  version: string,
): { 'landmarks68.onnx': ExportSpec; 'dlib-resnet.onnx': ExportSpec } {
  // The doc string the committed models carry (tools/ was scripts/ then): see tfjs-to-onnx.ts's producer.
  const doc = (from: string) =>
    `${from} from @vladmandic/face-api ${version} (MIT), architecture from face-api's source, converted by lookalike scripts/build-models.ts; NCHW input`;
  return {
    'landmarks68.onnx': {
      ...landmarkGraph(weightsOf('face_landmark_68_model')),
      input: { tfName: 'input', onnxName: 'faces', dims: ['batch', 3, LANDMARK_INPUT, LANDMARK_INPUT] },
      outputs: [{ tfName: 'landmarks', onnxName: 'landmarks' }],
      producerVersion: version,
      docString: doc('face_landmark_68_model'),
    },
    'dlib-resnet.onnx': {
      ...recognitionGraph(weightsOf('face_recognition_model')),
      input: { tfName: 'input', onnxName: 'chips', dims: ['batch', 3, RECOGNITION_INPUT, RECOGNITION_INPUT] },
      outputs: [{ tfName: 'descriptor', onnxName: 'descriptor' }],
      producerVersion: version,
      docString: doc('face_recognition_model'),
    },
  };
}
