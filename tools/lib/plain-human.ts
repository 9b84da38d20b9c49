/**
 * The plain Human configuration that every speed ratio is measured against: Human's defaults for
 * detector + mesh + faceres, on tfjs-wasm, one image at a time, on the calling thread.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { humanBuildFile, humanPackageDir, wasmBinariesDir } from '../../src/engine/backend.ts';
import { registerModelRouter } from '../../src/engine/model-loader.ts';

const require = createRequire(import.meta.url);

interface HumanLike {
  tf: typeof tf;
  load(): Promise<void>;
  detect(input: tf.Tensor, config?: object): Promise<{ face: { embedding?: number[] }[] }>;
}

/** A loaded plain Human, with a helper that embeds the faces of a photo. */
export interface PlainHuman {
  /** Runs Human on one photo, finding at most `maxFaces` (Human's default is 1), and returns the first embedding. */
  embedFirst(photo: Uint8Array, maxFaces?: number): Promise<Float32Array | undefined>;
}

/** Loads the plain configuration from Human's own model folder. */
export async function createPlainHuman(): Promise<PlainHuman> {
  const { Human } = require(humanBuildFile('wasm')) as { Human: new (c: object) => HumanLike };
  const plain = new Human({
    backend: 'wasm',
    wasmPath: wasmBinariesDir(),
    modelBasePath: 'human-models://',
    cacheModels: false,
    debug: false,
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
    face: {
      enabled: true,
      detector: {},
      mesh: { enabled: true },
      description: { enabled: true },
      iris: { enabled: false },
      emotion: { enabled: false },
      attention: { enabled: false },
      antispoof: { enabled: false },
      liveness: { enabled: false },
    },
  });
  registerModelRouter(plain.tf, path.join(humanPackageDir(), 'models'), {
    scheme: 'human-models://',
    verify: false,
  });
  await plain.load();
  return {
    async embedFirst(photo, maxFaces = 1) {
      const { data, info } = await sharp(photo)
        .rotate()
        .removeAlpha()
        .toColourspace('srgb')
        .raw()
        .toBuffer({ resolveWithObject: true });
      const t = plain.tf;
      const input = t.tidy(() =>
        t.expandDims(t.tensor3d(new Uint8Array(data), [info.height, info.width, info.channels], 'int32'), 0),
      );
      const result = await plain.detect(input, { face: { detector: { maxDetected: maxFaces } } });
      t.dispose(input);
      const e = result.face[0]?.embedding;
      if (!e) return undefined;
      const norm = Math.hypot(...e);
      return Float32Array.from(e, (v) => v / norm);
    },
  };
}
