import type * as tf from '@tensorflow/tfjs-core';
import { type ModelManifest, readGraphModel, readManifest } from './model-files.ts';

/** URL scheme under which the engine's models are loaded from disk. */
export const MODEL_SCHEME = 'lookalike-models://';

/**
 * Registers a tf.io load router that serves `lookalike-models://<file>.json` from the
 * models folder, verified against its manifest. A custom scheme keeps Node's fetch
 * (which cannot read file:// URLs) out of the way, and does not collide with the
 * file:// router that tfjs-node registers for itself.
 */
export function registerModelRouter(
  tfjs: typeof tf,
  dir: string,
  options: { scheme?: string; verify?: boolean } = {},
): ModelManifest | undefined {
  const scheme = options.scheme ?? MODEL_SCHEME;
  const manifest = options.verify === false ? undefined : readManifest(dir);
  const router = (url: string | string[]) => {
    if (typeof url !== 'string' || !url.startsWith(scheme)) return null;
    const name = url.slice(scheme.length);
    return {
      load: async () => {
        const { json, weights } = readGraphModel(dir, name, manifest);
        const specs = json.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[];
        return tfjs.io.getModelArtifactsForJSON(json as unknown as tf.io.ModelJSON, async () => [
          specs,
          weights,
        ]);
      },
    };
  };
  tfjs.io.registerLoadRouter(router as Parameters<typeof tfjs.io.registerLoadRouter>[0]);
  return manifest;
}
