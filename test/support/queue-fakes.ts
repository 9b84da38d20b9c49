// Stand-in face engines for the queue tests: they answer at once (or never) without loading any model.
import type { Analysis, AnalyzeOptions, BareFace, FaceEngine } from '../../src/domain/face.ts';
import { UserError } from '../../src/errors.ts';

/** A recognisable Analysis for an image: its first byte is in the embedding, so answers can be matched. */
export function fakeAnalysis(image: Uint8Array): Analysis {
  const embedding = Float32Array.from({ length: 1024 }, (_, i) => Math.sin(i + (image[0] ?? 0)));
  return {
    width: 100 + (image[0] ?? 0),
    height: 50,
    faces: [
      {
        box: [1, 2, 3, 4],
        score: 0.9,
        embedding,
        thumbnail: new Uint8Array([137, 80, 78, 71, image[0] ?? 0]),
      },
    ],
    timings: { decode: 1, detect: 2, align: 3, embed: 4 },
  };
}

/** `fakeAnalysis` as a call with `thumbnails: false` gets it. */
export function bareAnalysis(image: Uint8Array): Analysis<BareFace> {
  const analysis = fakeAnalysis(image);
  return { ...analysis, faces: analysis.faces.map(({ thumbnail: _, ...face }) => face) };
}

/**
 * An engine that answers with `fakeAnalysis` (without thumbnails where asked, or always with `bare`),
 * or refuses images whose first byte is 0 as having no face.
 */
export function fakeEngine(
  onAnalyze?: (image: Uint8Array) => void,
  bare = false,
): FaceEngine & { calls: number } {
  const engine = {
    backend: 'fake',
    calls: 0,
    analyze: (async (image: Uint8Array, options?: AnalyzeOptions) => {
      engine.calls++;
      onAnalyze?.(image);
      if (image[0] === 0) throw new UserError('no_face');
      return bare || options?.thumbnails === false ? bareAnalysis(image) : fakeAnalysis(image);
    }) as FaceEngine['analyze'],
    async close() {},
  };
  return engine;
}

/** An engine that never answers, as a worker that hangs or is about to be killed. */
export function hangingEngine(onAnalyze: () => void): FaceEngine {
  return {
    backend: 'fake',
    analyze() {
      onAnalyze();
      return new Promise<Analysis>(() => {});
    },
    async close() {},
  };
}
