import { createRequire } from 'node:module';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import type * as tf from '@tensorflow/tfjs-core';
import type {
  Analysis,
  AnalyzeOptions,
  BareFace,
  FaceImage,
  StageTimings,
  ThumbnailOptions,
} from '../domain/face.ts';
import { resolveTuning, type Tuning } from '../domain/tuning.ts';
import { encodePng } from '../image/png.ts';
import { humanBuildFile, type TfjsBackend, wasmBinariesDir } from './backend.ts';
import { FaceApiTfjs } from './face-api-tfjs.ts';
import { type GateCandidate, gateFrame, judgeFace, realFaces } from './face-gate.ts';
import { MODELS_DIR } from './model-files.ts';
import { MODEL_SCHEME, registerModelRouter } from './model-loader.ts';
import type { PixelImage } from './onnx/tf-image.ts';
import {
  analysisOf,
  FACERES_SIZE,
  fuse,
  MAX_FACES,
  normalised,
  type PreparedPhoto,
  preparePhoto,
  toOriginalPoints,
  tooManyFaces,
  withThumbnails,
} from './pipeline.ts';
import { loadTfjsNode } from './tfjs-node.ts';

const require = createRequire(import.meta.url);

// Human's own types are not reachable through its exports map; this is the part we use.
interface HumanFace {
  box: [number, number, number, number];
  /** The enlarged, squared box as fractions of the input, before clamping: the square that was cropped. */
  boxRaw: [number, number, number, number];
  score: number;
  boxScore: number;
  /** With the mesh model off: BlazeFace's keypoints, in input pixels. */
  mesh?: number[][];
  tensor?: tf.Tensor;
}
interface HumanInstance {
  tf: typeof tf & { loadGraphModel: (url: string) => Promise<GraphModel> };
  load(): Promise<void>;
  detect(input: tf.Tensor): Promise<{ face: HumanFace[]; error?: string | null }>;
}
interface HumanModule {
  Human: new (config: Record<string, unknown>) => HumanInstance;
}

/** Options for an in-thread engine. */
export interface HumanEngineOptions {
  backend: TfjsBackend;
  tuning?: Partial<Tuning>;
  modelsDir?: string;
}

function ms(since: number): number {
  return performance.now() - since;
}

/**
 * One Human instance plus our faceres graph, on the calling thread. The worker pool
 * runs one of these per worker; tests and the benchmark use it directly.
 */
export class HumanEngine {
  readonly backend: TfjsBackend;
  readonly tuning: Tuning;
  private readonly human: HumanInstance;
  private readonly tf: HumanInstance['tf'];
  private faceres: GraphModel | undefined;
  /** face-api's landmark and recognition nets (tfjs-node only), for the fused embedding. */
  private faceApi: FaceApiTfjs | undefined;

  private constructor(human: HumanInstance, backend: TfjsBackend, tuning: Tuning) {
    this.human = human;
    this.tf = human.tf;
    this.backend = backend;
    this.tuning = tuning;
  }

  /** Loads Human and the models from disk, then warms every model up once. */
  static async create(options: HumanEngineOptions): Promise<HumanEngine> {
    const tuning = resolveTuning(options.backend, options.tuning);
    // Human's and face-api's node builds require tfjs-node, which must load first, with TensorFlow's settings.
    if (options.backend === 'tensorflow') loadTfjsNode();
    const faceApi = tuning.landmarks ? await FaceApiTfjs.create() : undefined;
    const { Human } = require(humanBuildFile(options.backend)) as HumanModule;
    const human = new Human({
      backend: options.backend,
      wasmPath: wasmBinariesDir(),
      wasmPlatformFetch: false,
      modelBasePath: MODEL_SCHEME,
      cacheModels: false,
      warmup: 'none',
      debug: false,
      // Still photos are unrelated to each other: never reuse a previous frame's result.
      cacheSensitivity: 0,
      skipAllowed: false,
      filter: { enabled: false },
      gesture: { enabled: false },
      body: { enabled: false },
      hand: { enabled: false },
      object: { enabled: false },
      segmentation: { enabled: false },
      face: {
        enabled: true,
        detector: {
          rotation: false,
          maxDetected: MAX_FACES + 1,
          minConfidence: tuning.minConfidence,
          scale: tuning.cropScale,
          skipFrames: 0,
          skipTime: 0,
          return: true,
        },
        mesh: { enabled: false },
        attention: { enabled: false },
        iris: { enabled: false },
        emotion: { enabled: false },
        // Embeddings come from our fused faceres graph (see tools/build-models.ts).
        description: { enabled: false },
        antispoof: { enabled: false },
        liveness: { enabled: false },
        gear: { enabled: false },
      },
    });
    registerModelRouter(human.tf, options.modelsDir ?? MODELS_DIR);
    await human.load();
    const engine = new HumanEngine(human, options.backend, tuning);
    engine.faceApi = faceApi;
    engine.faceres = await human.tf.loadGraphModel(`${MODEL_SCHEME}faceres-fused.json`);
    await engine.warmup();
    return engine;
  }

  private async warmup(): Promise<void> {
    const t = this.tf;
    const probe = t.zeros([1, 256, 256, 3]);
    await this.human.detect(probe);
    t.dispose(probe);
    const faces = t.zeros([1, FACERES_SIZE, FACERES_SIZE, 3]);
    t.dispose(await this.embed(faces));
    t.dispose(faces);
    await this.faceApi?.warmup();
  }

  /** Live tensors on this thread's backend, to prove nothing leaks. */
  tensorCount(): number {
    return this.tf.memory().numTensors;
  }

  /** Decodes, detects, aligns and embeds every face of one photo, largest first (FaceEngine.analyze). */
  analyze(image: Uint8Array, options?: ThumbnailOptions): Promise<Analysis>;
  analyze(image: Uint8Array, options?: AnalyzeOptions): Promise<Analysis<BareFace>>;
  async analyze(image: Uint8Array, options: AnalyzeOptions = {}): Promise<Analysis<BareFace>> {
    const timings: StageTimings = { decode: 0, detect: 0, align: 0, embed: 0 };
    const maxFaces = Math.min(options.maxFaces ?? MAX_FACES, MAX_FACES);
    const t = this.tf;
    let start = performance.now();
    const photo = await preparePhoto(image, this.tuning);
    const { rgb, decoded } = photo;
    timings.decode = ms(start);
    // A blank image has no face; the detector is not asked (it may invent one in a flat strip).
    if (decoded.flat) return analysisOf(photo, [], [], timings);

    start = performance.now();
    const input = t.tidy(() => t.expandDims(t.tensor3d(rgb.data, [rgb.height, rgb.width, 3], 'int32'), 0));
    let found: HumanFace[];
    try {
      const result = await this.human.detect(input);
      if (result.error) throw new Error(`face detection failed: ${result.error}`);
      found = result.face;
    } finally {
      t.dispose(input);
    }
    timings.detect = ms(start);

    try {
      // The quality gate (face-gate.ts) as the ONNX engine runs it: size and edge first, then, where
      // face-api's nets run here, its landmarks against BlazeFace's keypoints, before the count and the cut.
      const frame = gateFrame(photo, this.tuning.cropScale);
      const sized = found.filter((f) => judgeFace(f, frame) === 'face');
      const marks = this.fusing() && sized.length > 0 ? await this.landmarksOf(photo, sized) : undefined;
      const gated = realFaces(sized.map(gateCandidate), frame, marks).map((i) => ({
        face: sized[i] as HumanFace,
        marks: marks?.[i],
      }));
      gated.sort((a, b) => b.face.box[2] * b.face.box[3] - a.face.box[2] * a.face.box[3]);
      if (gated.length > maxFaces && options.strict) throw tooManyFaces(maxFaces);
      const chosen = gated.slice(0, maxFaces).filter((g) => g.face.tensor);
      const kept = chosen.map((g) => g.face);
      const keptMarks = marks && chosen.map((g) => g.marks as Float32Array);
      if (kept.length === 0)
        return { width: decoded.originalWidth, height: decoded.originalHeight, faces: [], timings };

      start = performance.now();
      const thumbs = options.thumbnails === false ? undefined : await this.thumbnails(kept);
      timings.align = ms(start);

      start = performance.now();
      const batch = t.tidy(() =>
        t.concat(kept.map((f) => t.image.resizeBilinear(as4d(t, f.tensor), [FACERES_SIZE, FACERES_SIZE]))),
      );
      const embeddings = await this.embed(batch);
      t.dispose(batch);
      const fused = await this.fuseDlib(photo, keptMarks, embeddings);
      timings.embed = ms(start);

      const analysis = analysisOf(photo, kept, fused.embeddings, timings);
      analysis.faces.forEach((face, i) => {
        if (!fused.dlib) return;
        face.descriptors = { faceres: embeddings[i] as Float32Array, dlib: fused.dlib[i] as Float32Array };
        face.landmarks = toOriginalPoints(fused.landmarks[i] as Float32Array, photo);
      });
      return thumbs ? withThumbnails(analysis, thumbs) : analysis;
    } finally {
      for (const f of found) if (f.tensor) t.dispose(f.tensor);
    }
  }

  /**
   * FaceEngine.embedFaceImages, as the onnx engine gives it (embed-chips.ts): faceres on each whole
   * image resized to its input, the dlib descriptor on the upright chip its landmarks cut, fused as
   * `analyze` fuses them. "Why?" and `infer --explain` run on it, so they work on the card's runtime too.
   */
  async embedFaceImages(images: FaceImage[]): Promise<Float32Array[]> {
    if (images.length === 0) return [];
    const t = this.tf;
    // Human's crops are in [0, 1] and `embed` scales them back to faceres's 0..255.
    const batch = t.tidy(() =>
      t.concat(
        images.map((img) =>
          t.image.resizeBilinear(
            t.tensor4d(
              Float32Array.from(img.data, (v) => v / 255),
              [1, img.height, img.width, 3],
            ),
            [FACERES_SIZE, FACERES_SIZE],
          ),
        ),
      ),
    );
    const faceres = await this.embed(batch);
    t.dispose(batch);
    if (!this.fusing()) return faceres;
    const pixels: PixelImage[] = images.map((img) => ({ ...img, channels: 3 }));
    const raw = await (this.faceApi as FaceApiTfjs).descriptors(
      pixels,
      images.map((img) => img.landmarks),
    );
    return faceres.map((f, i) => fuse(f, normalised(raw[i] as Float32Array), this.tuning));
  }

  /** Each face's thumbnail: Human's crop of it (unrotated) at 112×112, as PNG. */
  private async thumbnails(kept: HumanFace[]): Promise<Uint8Array[]> {
    const t = this.tf;
    const crops = t.tidy(() =>
      t.concat(kept.map((f) => t.image.resizeBilinear(as4d(t, f.tensor), [112, 112]))),
    );
    try {
      return await Promise.all(
        kept.map(async (_, i) => {
          const one = t.tidy(() =>
            t.cast(t.mul(t.slice(crops, [i, 0, 0, 0], [1, 112, 112, 3]), 255), 'int32'),
          );
          const px = await one.data();
          t.dispose(one);
          return encodePng(Uint8Array.from(px), 112, 112);
        }),
      );
    } finally {
      t.dispose(crops);
    }
  }

  /**
   * As the onnx engine does: face-api's 68 landmarks in the detector's own square (Human's enlarged square,
   * scaled back by 1 / cropScale), its dlib descriptor on the upright chip, fused with faceres.
   */
  private fusing(): boolean {
    return this.faceApi !== undefined && this.tuning.descriptor !== 'faceres';
  }

  /** face-api's 68 landmarks of each face in the detector's own square, in input pixels. */
  private landmarksOf(photo: PreparedPhoto, faces: HumanFace[]): Promise<Float32Array[]> {
    const { rgb } = photo;
    const factor = 1 / this.tuning.cropScale;
    const boxes = faces.map((f): [number, number, number, number] => {
      const [x, y, w, h] = f.boxRaw;
      const cx = (x + w / 2) * rgb.width;
      const cy = (y + h / 2) * rgb.height;
      const hw = (w * rgb.width * factor) / 2;
      const hh = (h * rgb.height * factor) / 2;
      return [cx - hw, cy - hh, cx + hw, cy + hh];
    });
    return (this.faceApi as FaceApiTfjs).landmarks(pixelsOf(photo), boxes);
  }

  private async fuseDlib(
    photo: PreparedPhoto,
    landmarks: Float32Array[] | undefined,
    faceres: Float32Array[],
  ): Promise<{ embeddings: Float32Array[]; dlib?: Float32Array[]; landmarks: Float32Array[] }> {
    if (!this.fusing() || !landmarks) return { embeddings: faceres, landmarks: [] };
    const pixels = pixelsOf(photo);
    const raw = await (this.faceApi as FaceApiTfjs).descriptors(pixels, landmarks);
    const dlib = raw.map((d) => normalised(d));
    return { embeddings: faceres.map((f, i) => fuse(f, dlib[i], this.tuning)), dlib, landmarks };
  }

  /** Runs faceres on a batch of face crops in [0, 1] and returns L2-normalised embeddings. */
  private async embed(batch: tf.Tensor): Promise<Float32Array[]> {
    const t = this.tf;
    const model = this.faceres;
    if (!model) throw new Error('faceres model is not loaded');
    // faceres was trained on 0..255 inputs, as Human feeds it.
    const scaled = t.mul(batch, 255);
    const outputs = model.execute(scaled) as tf.Tensor[];
    t.dispose(scaled);
    const descriptor = outputs.find((o) => o.shape[1] === 1024);
    const unit = descriptor
      ? t.tidy(() => t.div(descriptor, t.add(t.norm(descriptor, 2, 1, true), 1e-12)))
      : undefined;
    t.dispose(outputs);
    if (!unit) throw new Error('faceres produced no 1024-d descriptor');
    const flat = (await unit.data()) as Float32Array;
    const n = unit.shape[0] ?? 0;
    t.dispose(unit);
    return Array.from({ length: n }, (_, i) => flat.slice(i * 1024, (i + 1) * 1024));
  }

  /** Frees the models and the backend's memory. */
  async close(): Promise<void> {
    this.faceres?.dispose();
    await this.faceApi?.close();
    this.tf.disposeVariables();
  }
}

// Human hands back face crops as [h, w, 3] or [1, h, w, 3] depending on the pipeline path.
function as4d(t: typeof tf, x: tf.Tensor | undefined): tf.Tensor4D {
  if (!x) throw new Error('face crop missing');
  return (x.rank === 3 ? t.expandDims(x, 0) : x) as tf.Tensor4D;
}

function pixelsOf(photo: PreparedPhoto): PixelImage {
  const { rgb } = photo;
  return { data: Float32Array.from(rgb.data), width: rgb.width, height: rgb.height, channels: 3 };
}

/**
 * A Human face as the gate sees it. With the mesh off, Human's `mesh` holds BlazeFace's own keypoints
 * (right eye, left eye, nose, mouth, ears) in input pixels: what the landmark check compares against.
 */
function gateCandidate(f: HumanFace): GateCandidate {
  const keypoints = (f.mesh ?? []).slice(0, 4).map((p): [number, number] => [p[0] as number, p[1] as number]);
  return { box: f.box, score: f.score, ...(keypoints.length === 4 ? { keypoints } : {}) };
}
