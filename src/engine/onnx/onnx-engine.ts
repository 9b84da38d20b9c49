import type * as Ort from 'onnxruntime-node';
import type {
  Analysis,
  AnalyzeOptions,
  BareFace,
  FaceImage,
  StageTimings,
  ThumbnailOptions,
} from '../../domain/face.ts';
import { type Precision, resolveTuning, type Tuning } from '../../domain/tuning.ts';
import { encodePng } from '../../image/png.ts';
import { embedFaceImages } from '../embed-chips.ts';
import { gateFrame, judgeFace, realFaces } from '../face-gate.ts';
import { MODELS_DIR, type ModelManifest, readManifest } from '../model-files.ts';
import {
  analysisOf,
  FACERES_SIZE,
  fuse,
  MAX_FACES,
  normalised,
  preparePhoto,
  toOriginalPoints,
  tooManyFaces,
  withThumbnails,
} from '../pipeline.ts';
import { DETECTOR_SIZE, type DetectedFace, decodeFaces } from './blazeface.ts';
import { FaceApiNets } from './face-api-nets.ts';
import { type InputTap, type OnnxModel, type StageHook, timed, timedAsync } from './models.ts';
import { loadOrt } from './runtime.ts';
import { createCachedSession, defaultCacheDirs } from './session-cache.ts';
import { cropAndResize, type PixelImage, resizeToBytes, resizeToPlanar } from './tf-image.ts';

export type { InputTap, OnnxModel, StageHook } from './models.ts';
export { loadOrt, onnxAvailable } from './runtime.ts';

/**
 * The file a model loads from at a precision: `<model>.int8.onnx` where build:models wrote one
 * (models that lose accuracy in int8 have none and stay fp32), else `<model>.onnx`.
 */
export function modelFile(model: OnnxModel, precision: Precision, manifest: ModelManifest): string {
  const int8 = `${model}.int8.onnx`;
  return precision === 'int8' && manifest.files[int8] ? int8 : `${model}.onnx`;
}

/** Human's face crop side: the detector box is cut out at the detector's own input size. */
const CROP_SIZE = DETECTOR_SIZE;
/** Thumbnail side for replies and the gallery. */
const THUMB_SIZE = 112;
const DESCRIPTOR = 1024;

/** Options for an in-thread ONNX engine. */
export interface OnnxEngineOptions {
  tuning?: Partial<Tuning>;
  modelsDir?: string;
  /** Intra-op threads per session; one per worker is the robust choice when workers fill the cores. */
  threads?: number;
  /** Run each model once at start (default true): servers should not make their first member wait. */
  warmup?: boolean;
  /** Sees every model input as it is run: tools/build-models.ts records them to calibrate int8. */
  tap?: InputTap;
  /** Drop phantom faces with the quality gate (face-gate.ts; default true): off only to measure it. */
  gate?: boolean;
  /** Sees the milliseconds of each step of `analyze`: tools/bench-stages.ts profiles with it. */
  stage?: StageHook;
  /**
   * Folders that keep each model's optimised graph (session-cache.ts), first writable one used; false for
   * none. Default: ~/.cache/lookalike/onnx.
   */
  sessionCache?: string[] | false;
}

function ms(since: number): number {
  return performance.now() - since;
}

/**
 * Human's BlazeFace and faceres models on ONNX Runtime, on the calling thread, with Human's
 * detection, crop and embedding steps re-implemented around them (see blazeface.ts and
 * tf-image.ts). The worker pool runs one per worker; tests and the benchmark use it directly.
 */
export class OnnxEngine {
  readonly backend = 'onnx' as const;
  readonly tuning: Tuning;
  private readonly ort: typeof Ort;
  private readonly detector: Ort.InferenceSession;
  private readonly faceres: Ort.InferenceSession;
  private readonly faceApi: FaceApiNets | undefined;
  private readonly tap: InputTap | undefined;
  private gate = true;
  private stage: StageHook | undefined;

  private constructor(
    ort: typeof Ort,
    detector: Ort.InferenceSession,
    faceres: Ort.InferenceSession,
    faceApi: FaceApiNets | undefined,
    tuning: Tuning,
    tap: InputTap | undefined,
  ) {
    this.ort = ort;
    this.detector = detector;
    this.faceres = faceres;
    this.faceApi = faceApi;
    this.tuning = tuning;
    this.tap = tap;
  }

  /** Creates both sessions from the verified model files, then warms each up once. */
  static async create(options: OnnxEngineOptions = {}): Promise<OnnxEngine> {
    const tuning = resolveTuning('onnx', options.tuning);
    const ort = loadOrt();
    const dir = options.modelsDir ?? MODELS_DIR;
    const manifest = readManifest(dir);
    const sessionOptions: Ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: options.threads ?? 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      // 'all' fuses and pre-packs the convolutions: about twice as fast as 'basic' here.
      graphOptimizationLevel: 'all',
      executionProviders: ['cpu'],
      // Without the arena each run's activations came from malloc, which handed them back to the kernel:
      // about 120 page faults a photo, each dear on a virtual machine; a 2-worker pool ran a median 5.6 %
      // faster with it in paired runs. The memory pattern, though, makes one block sized for the largest
      // batch seen (a 10-face group photo) that the arena then keeps: off, the arena holds single tensors
      // and a pool peaks no higher than with no arena (docs/engine-speed.md, "The arena back, without the
      // memory pattern").
      enableCpuMemArena: true,
      enableMemPattern: false,
    };
    const cacheDirs = options.sessionCache === false ? [] : (options.sessionCache ?? defaultCacheDirs());
    const open = (model: OnnxModel) =>
      createCachedSession(
        ort,
        dir,
        modelFile(model, tuning.precision, manifest),
        manifest,
        sessionOptions,
        cacheDirs,
      );
    // onnxruntime-node builds each session synchronously in its constructor, so these load one after another.
    const [detector, faceres, landmarks, recognition] = await Promise.all([
      open('blazeface'),
      open('faceres'),
      tuning.landmarks ? open('landmarks68') : undefined,
      tuning.landmarks ? open('dlib-resnet') : undefined,
    ]);
    const faceApi =
      landmarks && recognition
        ? new FaceApiNets(ort, landmarks, recognition, options.tap, options.stage)
        : undefined;
    const engine = new OnnxEngine(ort, detector, faceres, faceApi, tuning, options.tap);
    engine.gate = options.gate ?? true;
    if (options.warmup !== false) await engine.warmup();
    engine.stage = options.stage;
    return engine;
  }

  private async warmup(): Promise<void> {
    await this.detect(new Float32Array(3 * DETECTOR_SIZE * DETECTOR_SIZE));
    await this.embed(new Float32Array(3 * FACERES_SIZE * FACERES_SIZE), 1);
    await this.faceApi?.warmup();
  }

  /** Live tfjs tensors: none, since this engine holds no tfjs state (kept for the pool's leak check). */
  tensorCount(): number {
    return 0;
  }

  private async detect(planar: Float32Array): Promise<{ scores: Float32Array; boxes: Float32Array }> {
    const dims = [1, 3, DETECTOR_SIZE, DETECTOR_SIZE];
    this.tap?.('blazeface', planar, dims);
    const input = new this.ort.Tensor('float32', planar, dims);
    const out = await this.detector.run({ image: input });
    try {
      const part = (name: string) => out[name]?.data as Float32Array;
      // The fine grid's 512 anchors come first, as Human concatenates them.
      const scores = new Float32Array(896);
      scores.set(part('scores_16'), 0);
      scores.set(part('scores_8'), 512);
      const boxes = new Float32Array(896 * 16);
      boxes.set(part('boxes_16'), 0);
      boxes.set(part('boxes_8'), 512 * 16);
      return { scores, boxes };
    } finally {
      // Output tensors hold native memory until disposed; the GC alone lets it pile up under load.
      for (const t of Object.values(out)) t.dispose();
      input.dispose();
    }
  }

  private async embed(planar: Float32Array, count: number): Promise<Float32Array[]> {
    const dims = [count, 3, FACERES_SIZE, FACERES_SIZE];
    this.tap?.('faceres', planar, dims);
    const input = new this.ort.Tensor('float32', planar, dims);
    const out = await this.faceres.run({ faces: input });
    try {
      const flat = out.descriptor?.data as Float32Array;
      return Array.from({ length: count }, (_, i) => flat.slice(i * DESCRIPTOR, (i + 1) * DESCRIPTOR));
    } finally {
      for (const t of Object.values(out)) t.dispose();
      input.dispose();
    }
  }

  /** Decodes, detects, aligns and embeds every face of one photo, largest first (FaceEngine.analyze). */
  analyze(image: Uint8Array, options?: ThumbnailOptions): Promise<Analysis>;
  analyze(image: Uint8Array, options?: AnalyzeOptions): Promise<Analysis<BareFace>>;
  async analyze(image: Uint8Array, options: AnalyzeOptions = {}): Promise<Analysis<BareFace>> {
    const timings: StageTimings = { decode: 0, detect: 0, align: 0, embed: 0 };
    const maxFaces = Math.min(options.maxFaces ?? MAX_FACES, MAX_FACES);
    let start = performance.now();
    const photo = await timedAsync(this.stage, 'decode', () => preparePhoto(image, this.tuning));
    const { rgb, decoded } = photo;
    // A blank image has no face; the detector is not asked (it may invent one in a flat strip).
    if (decoded.flat) return analysisOf(photo, [], [], { ...timings, decode: ms(start) });
    // The bytes as decoded: every sampler reads them as numbers, so a float copy of the photo
    // (12 MB at 1024×1024) would only cost time and give the same samples.
    const pixels: PixelImage = { data: rgb.data, width: rgb.width, height: rgb.height, channels: 3 };
    timings.decode = ms(start);

    start = performance.now();
    // Human stretches the photo to the detector's square input and scales it to [-1, 1].
    const planar = timed(this.stage, 'detector resize', () => {
      const out = new Float32Array(3 * DETECTOR_SIZE * DETECTOR_SIZE);
      resizeToPlanar(pixels, DETECTOR_SIZE, DETECTOR_SIZE, out, 0, 1 / 127.5, -1);
      return out;
    });
    const raw = await timedAsync(this.stage, 'blazeface', () => this.detect(planar));
    const found: DetectedFace[] = timed(this.stage, 'box decoding', () =>
      decodeFaces(raw.scores, raw.boxes, {
        width: rgb.width,
        height: rgb.height,
        minConfidence: this.tuning.minConfidence,
        maxFaces: MAX_FACES + 1,
        cropScale: this.tuning.cropScale,
      }),
    );
    timings.detect = ms(start);

    start = performance.now();
    // The quality gate (face-gate.ts) runs on every candidate before the count and the largest-first
    // cut, so that a phantom neither refuses a photo nor crowds out a real face.
    const frame = gateFrame(photo, this.tuning.cropScale);
    const sized = this.gate ? found.filter((f) => judgeFace(f, frame) === 'face') : found;
    const marks =
      this.faceApi && sized.length > 0
        ? await this.faceApi.landmarks(
            pixels,
            sized.map((f) => scaleCorners(f.square, 1 / this.tuning.cropScale)),
          )
        : undefined;
    const gated = (this.gate ? realFaces(sized, frame, marks) : sized.map((_, i) => i)).map((i) => ({
      face: sized[i] as DetectedFace,
      marks: marks?.[i],
    }));
    gated.sort((a, b) => b.face.box[2] * b.face.box[3] - a.face.box[2] * a.face.box[3]);
    if (gated.length > maxFaces && options.strict) throw tooManyFaces(maxFaces);
    const kept = gated.slice(0, maxFaces).map((g) => g.face);
    const landmarks = marks && gated.slice(0, maxFaces).map((g) => g.marks as Float32Array);
    if (kept.length === 0)
      return { width: decoded.originalWidth, height: decoded.originalHeight, faces: [], timings };

    // Human's crop: the squared box cut out at 256×256 in [0, 1]; thumbnails and embeddings resize it.
    const crops = timed(this.stage, 'faceres crop', () =>
      kept.map((f) => cropAndResize(pixels, f.square, CROP_SIZE, CROP_SIZE, 1 / 255)),
    );
    const thumbs =
      options.thumbnails === false
        ? undefined
        : timed(this.stage, 'thumbnails', () =>
            crops.map((crop) =>
              encodePng(resizeToBytes(crop, THUMB_SIZE, THUMB_SIZE), THUMB_SIZE, THUMB_SIZE),
            ),
          );
    timings.align = ms(start);

    start = performance.now();
    const side = FACERES_SIZE;
    const plane = 3 * side * side;
    const batch = new Float32Array(plane * kept.length);
    timed(this.stage, 'faceres crop', () =>
      crops.forEach((crop, i) => {
        // faceres was trained on 0..255 inputs, as Human feeds it.
        resizeToPlanar(crop, side, side, batch, i * plane, 255);
      }),
    );
    const faceres = (await timedAsync(this.stage, 'faceres', () => this.embed(batch, kept.length))).map((d) =>
      normalised(d),
    );
    const dlib =
      this.faceApi && landmarks && this.tuning.descriptor !== 'faceres'
        ? (await this.faceApi.descriptors(pixels, landmarks)).map((d) => normalised(d))
        : undefined;
    const embeddings = faceres.map((f, i) => fuse(f, dlib?.[i], this.tuning));
    timings.embed = ms(start);

    const analysis = analysisOf(photo, kept, embeddings, timings);
    analysis.faces.forEach((face, i) => {
      face.descriptors = { faceres: faceres[i] as Float32Array };
      if (dlib) face.descriptors.dlib = dlib[i] as Float32Array;
      const points = landmarks?.[i];
      if (points) face.landmarks = toOriginalPoints(points, photo);
    });
    return thumbs ? withThumbnails(analysis, thumbs) : analysis;
  }

  /** Embeddings of cut-out face images in one batch, without detection (embed-chips.ts). */
  embedFaceImages(images: FaceImage[]): Promise<Float32Array[]> {
    const faceres = (planar: Float32Array, count: number) => this.embed(planar, count);
    return embedFaceImages({ tuning: this.tuning, faceres, faceApi: this.faceApi }, images);
  }

  /**
   * L2-normalised dlib descriptors of aligned 150×150 chips (face-api-nets.ts `embedChips`), in one
   * batched run at this engine's precision: for callers that cut their own chips.
   */
  async embedChips(chips: PixelImage[]): Promise<Float32Array[]> {
    if (!this.faceApi)
      throw new Error('embedChips needs the landmark and recognition nets (tuning.landmarks)');
    return (await this.faceApi.embedChips(chips)).map((d) => normalised(d));
  }

  /** Frees every session's native memory. */
  async close(): Promise<void> {
    await Promise.all([this.detector.release(), this.faceres.release(), this.faceApi?.close()]);
  }
}

/** A square [x1, y1, x2, y2] scaled about its centre. */
function scaleCorners(
  box: [number, number, number, number],
  factor: number,
): [number, number, number, number] {
  const [x1, y1, x2, y2] = box;
  const cx = (x1 + x2) / 2;
  const cy = (y1 + y2) / 2;
  const h = ((x2 - x1) * factor) / 2;
  const v = ((y2 - y1) * factor) / 2;
  return [cx - h, cy - v, cx + h, cy + v];
}
