// Stand-in face engines for the queue tests: they answer at once (or never) without loading any model.
import type { Analysis, FaceEngine } from '../../src/domain/face.ts';
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

/** An engine that answers with `fakeAnalysis`, or refuses images whose first byte is 0 as having no face. */
export function fakeEngine(onAnalyze?: (image: Uint8Array) => void): FaceEngine & { calls: number } {
  return {
    backend: 'fake',
    calls: 0,
    async analyze(image) {
      this.calls++;
      onAnalyze?.(image);
      if (image[0] === 0) throw new UserError('no_face');
      return fakeAnalysis(image);
    },
    async close() {},
  };
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
