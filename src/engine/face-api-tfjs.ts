import { createRequire } from 'node:module';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { recognitionChip, warp } from './align.ts';
import { CHIP_SIDE } from './onnx/face-api-nets.ts';
import { cropAndResize, type PixelImage } from './onnx/tf-image.ts';
import { loadTfjsNode } from './tfjs-node.ts';

const require = createRequire(import.meta.url);

/** Input side of face-api's 68-landmark net. */
const LANDMARK_SIDE = 112;

// The part of face-api's node build that this uses (its types are not reachable through the package).
interface FaceApiNode {
  tf: typeof tf;
  nets: {
    faceLandmark68Net: {
      loadFromDisk(dir: string): Promise<void>;
      detectLandmarks(input: tf.Tensor3D[]): Promise<{ relativePositions: { x: number; y: number }[] }[]>;
      dispose(): void;
    };
    faceRecognitionNet: {
      loadFromDisk(dir: string): Promise<void>;
      computeFaceDescriptor(input: tf.Tensor3D[]): Promise<Float32Array[]>;
      dispose(): void;
    };
  };
}

/**
 * face-api's own 68-landmark and recognition nets, run by face-api's code on tfjs-node: the `tensorflow`
 * backend's counterpart of FaceApiNets (ONNX Runtime), fed the same pixels. The crops and the upright chip
 * are cut by the shared code (tf-image.ts, align.ts), so both backends give the same fused embeddings.
 */
export class FaceApiTfjs {
  readonly #api: FaceApiNode;

  private constructor(api: FaceApiNode) {
    this.#api = api;
  }

  /** Loads face-api's node build on tfjs-node and both nets' weights from the face-api package. */
  static async create(): Promise<FaceApiTfjs> {
    loadTfjsNode();
    const api = require('@vladmandic/face-api') as FaceApiNode;
    const dir = path.join(path.dirname(require.resolve('@vladmandic/face-api')), '..', 'model');
    await api.nets.faceLandmark68Net.loadFromDisk(dir);
    await api.nets.faceRecognitionNet.loadFromDisk(dir);
    return new FaceApiTfjs(api);
  }

  #tensor(image: PixelImage): tf.Tensor3D {
    return this.#api.tf.tensor3d(image.data, [image.height, image.width, 3], 'float32');
  }

  /** 68 landmarks per box ([x1, y1, x2, y2] in `pixels`), as [x0, y0, …] in the same pixels. */
  async landmarks(pixels: PixelImage, boxes: [number, number, number, number][]): Promise<Float32Array[]> {
    const crops = boxes.map((box) => this.#tensor(cropAndResize(pixels, box, LANDMARK_SIDE, LANDMARK_SIDE)));
    try {
      const found = await this.#api.nets.faceLandmark68Net.detectLandmarks(crops);
      const all = Array.isArray(found) ? found : [found];
      // face-api answers in fractions of its square input; the box is square, so one scale per axis.
      return boxes.map(([x1, y1, x2, y2], i) => {
        const points = new Float32Array(136);
        all[i]?.relativePositions.forEach((p, j) => {
          points[2 * j] = x1 + p.x * (x2 - x1);
          points[2 * j + 1] = y1 + p.y * (y2 - y1);
        });
        return points;
      });
    } finally {
      this.#api.tf.dispose(crops);
    }
  }

  /**
   * The recognition net's 128-d descriptor of each face, from its upright chip; `pixels` is one photo
   * for all faces, or one image per face.
   */
  async descriptors(
    pixels: PixelImage | readonly PixelImage[],
    landmarks: Float32Array[],
  ): Promise<Float32Array[]> {
    const chips = landmarks.map((points, i) => {
      const src = Array.isArray(pixels) ? (pixels[i] as PixelImage) : (pixels as PixelImage);
      return this.#tensor(warp(src, recognitionChip(points, CHIP_SIDE), CHIP_SIDE));
    });
    try {
      const out = await this.#api.nets.faceRecognitionNet.computeFaceDescriptor(chips);
      const all = Array.isArray(out) ? out : [out];
      return landmarks.map((_, i) => Float32Array.from(all[i] as Float32Array));
    } finally {
      this.#api.tf.dispose(chips);
    }
  }

  /** Runs each net once, so that the first member does not wait for TensorFlow's first-run set-up. */
  async warmup(): Promise<void> {
    const blank = (side: number): PixelImage => ({
      data: new Float32Array(side * side * 3),
      width: side,
      height: side,
      channels: 3,
    });
    await this.landmarks(blank(LANDMARK_SIDE), [[0, 0, LANDMARK_SIDE, LANDMARK_SIDE]]);
    const chip = this.#tensor(blank(CHIP_SIDE));
    await this.#api.nets.faceRecognitionNet.computeFaceDescriptor([chip]);
    this.#api.tf.dispose(chip);
  }

  /** Frees both nets' weights. */
  async close(): Promise<void> {
    this.#api.nets.faceLandmark68Net.dispose();
    this.#api.nets.faceRecognitionNet.dispose();
  }
}
