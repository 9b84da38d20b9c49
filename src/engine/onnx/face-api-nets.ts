import type * as Ort from 'onnxruntime-node';
import { type PlanarSink, recognitionChip, warpToPlanar } from '../align.ts';
import { type InputTap, type StageHook, timed, timedAsync } from './models.ts';
import { cropAndResize, type PixelImage } from './tf-image.ts';

/** Input side of face-api's 68-landmark net. */
const LANDMARK_SIDE = 112;
/** Input side of face-api's recognition net (dlib's chip size). */
export const CHIP_SIDE = 150;
/** Length of the recognition net's descriptor. */
export const DLIB_DIM = 128;
/** face-api's input normalisation for both nets: RGB minus this mean, then / 255. */
const MEAN_RGB = [122.782, 117.001, 104.298] as const;

/** Writes an HWC image into planar CHW at `offset` with face-api's normalisation. */
function toFaceApiPlanar(src: PixelImage, dest: Float32Array, offset: number): void {
  const { data, width, height } = src;
  const plane = width * height;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const s = (y * width + x) * 3;
      const d = offset + y * width + x;
      for (let c = 0; c < 3; c++)
        dest[d + c * plane] = ((data[s + c] as number) - (MEAN_RGB[c] as number)) / 255;
    }
}

/** Where `warpToPlanar` writes face `i` of a batch of `plane`-value inputs, normalised as face-api does. */
function faceApiSink(dest: Float32Array, i: number, plane: number): PlanarSink {
  return { dest, offset: i * plane, mean: MEAN_RGB, div: 255 };
}

/** Runs one session on a batch and copies its single output out before the native memory goes. */
async function runOnce(
  ort: typeof Ort,
  session: Ort.InferenceSession,
  input: Float32Array,
  dims: number[],
): Promise<Float32Array> {
  const tensor = new ort.Tensor('float32', input, dims);
  const out = await session.run({ [session.inputNames[0] as string]: tensor });
  try {
    return Float32Array.from(out[session.outputNames[0] as string]?.data as Float32Array);
  } finally {
    // Output tensors hold native memory until disposed; the GC alone lets it pile up under load.
    for (const t of Object.values(out)) t.dispose();
    tensor.dispose();
  }
}

/**
 * face-api's 68-landmark and recognition nets on ONNX Runtime (exported by tools/build-models.ts),
 * driven from Human's detector boxes instead of face-api's own detectors: on the same box the
 * descriptor matches the SSD-box one, and BlazeFace is much cheaper and finds tight crops.
 */
export class FaceApiNets {
  readonly #ort: typeof Ort;
  readonly #landmarks: Ort.InferenceSession;
  readonly #recognition: Ort.InferenceSession;
  readonly #tap: InputTap | undefined;
  readonly #stage: StageHook | undefined;

  constructor(
    ort: typeof Ort,
    landmarks: Ort.InferenceSession,
    recognition: Ort.InferenceSession,
    tap?: InputTap,
    stage?: StageHook,
  ) {
    this.#ort = ort;
    this.#landmarks = landmarks;
    this.#recognition = recognition;
    this.#tap = tap;
    this.#stage = stage;
  }

  /** 68 landmarks per box ([x1, y1, x2, y2] in `pixels`), as [x0, y0, …] in the same pixels. */
  async landmarks(pixels: PixelImage, boxes: [number, number, number, number][]): Promise<Float32Array[]> {
    const plane = 3 * LANDMARK_SIDE * LANDMARK_SIDE;
    const batch = new Float32Array(plane * boxes.length);
    timed(this.#stage, 'landmark crop', () => {
      for (const [i, box] of boxes.entries())
        toFaceApiPlanar(cropAndResize(pixels, box, LANDMARK_SIDE, LANDMARK_SIDE), batch, i * plane);
    });
    const dims = [boxes.length, 3, LANDMARK_SIDE, LANDMARK_SIDE];
    this.#tap?.('landmarks68', batch, dims);
    const flat = await timedAsync(this.#stage, 'landmark net', () =>
      runOnce(this.#ort, this.#landmarks, batch, dims),
    );
    // The net answers in fractions of its square input; the box is square, so one scale per axis.
    return boxes.map(([x1, y1, x2, y2], i) => {
      const points = flat.slice(i * 136, (i + 1) * 136);
      for (let p = 0; p < 68; p++) {
        points[2 * p] = x1 + (points[2 * p] as number) * (x2 - x1);
        points[2 * p + 1] = y1 + (points[2 * p + 1] as number) * (y2 - y1);
      }
      return points;
    });
  }

  /**
   * The recognition net's 128-d descriptor of each face, from its upright chip; `pixels` is one
   * photo for all faces, or one image per face.
   */
  async descriptors(
    pixels: PixelImage | readonly PixelImage[],
    landmarks: Float32Array[],
  ): Promise<Float32Array[]> {
    const plane = 3 * CHIP_SIDE * CHIP_SIDE;
    const batch = new Float32Array(plane * landmarks.length);
    // Each chip is warped straight into its place in the batch, normalised: the numbers embedChips
    // would feed from the same chips, without the chip images and the copy (a quarter of this step).
    timed(this.#stage, 'dlib chip', () =>
      landmarks.forEach((points, i) => {
        const src = Array.isArray(pixels) ? (pixels[i] as PixelImage) : (pixels as PixelImage);
        warpToPlanar(src, recognitionChip(points, CHIP_SIDE), CHIP_SIDE, faceApiSink(batch, i, plane));
      }),
    );
    return this.#describe(batch, landmarks.length);
  }

  /**
   * Descriptors (unnormalised) of aligned chips, CHIP_SIDE × CHIP_SIDE RGB in 0..255 (HWC), all in
   * one batched run. The one entry point
   * for callers that make their own chips (masked ones, say).
   */
  async embedChips(chips: PixelImage[]): Promise<Float32Array[]> {
    const plane = 3 * CHIP_SIDE * CHIP_SIDE;
    const n = chips.length;
    if (n === 0) return [];
    const batch = new Float32Array(plane * n);
    timed(this.#stage, 'dlib chip', () =>
      chips.forEach((chip, i) => {
        if (chip.width !== CHIP_SIDE || chip.height !== CHIP_SIDE || chip.channels !== 3)
          throw new Error(`embedChips: chips must be ${CHIP_SIDE}×${CHIP_SIDE} RGB`);
        toFaceApiPlanar(chip, batch, i * plane);
      }),
    );
    return this.#describe(batch, n);
  }

  /** The recognition net on a batch of `n` normalised planar chips, in one run. */
  async #describe(batch: Float32Array, n: number): Promise<Float32Array[]> {
    if (n === 0) return [];
    const dims = [n, 3, CHIP_SIDE, CHIP_SIDE];
    this.#tap?.('dlib-resnet', batch, dims);
    const flat = await timedAsync(this.#stage, 'dlib net', () =>
      runOnce(this.#ort, this.#recognition, batch, dims),
    );
    return Array.from({ length: n }, (_, i) => flat.slice(i * DLIB_DIM, (i + 1) * DLIB_DIM));
  }

  /** Runs each net once on a blank input, so that the first member does not wait for ONNX Runtime's first-run set-up. */
  async warmup(): Promise<void> {
    const blank = (side: number) => new Float32Array(3 * side * side);
    await runOnce(this.#ort, this.#landmarks, blank(LANDMARK_SIDE), [1, 3, LANDMARK_SIDE, LANDMARK_SIDE]);
    await runOnce(this.#ort, this.#recognition, blank(CHIP_SIDE), [1, 3, CHIP_SIDE, CHIP_SIDE]);
  }

  /** Frees both sessions' native memory. */
  async close(): Promise<void> {
    await Promise.all([this.#landmarks.release(), this.#recognition.release()]);
  }
}
