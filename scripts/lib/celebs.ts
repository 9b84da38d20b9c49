import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createFaceEngine } from '../../src/engine/index.ts';
import { mapLimit } from '../../src/util/concurrency.ts';
import { dataDir, people } from './data.ts';

/** One celebrity's embeddings, one per photo in natural file order (undefined where no face was found). */
export interface CelebEmbeddings {
  name: string;
  embeddings: (Float32Array | undefined)[];
}

/**
 * Embeds every photo of ../shared/data/celebs, or reads them from `cache` when it exists (and
 * writes it otherwise): the wasm engine takes about 70 ms a photo, so classifier experiments
 * reuse one run's embeddings. Cache files belong in tmp/ or /tmp, never in the repository.
 */
export async function celebEmbeddings(
  options: { cache?: string; engine?: Parameters<typeof createFaceEngine>[0] } = {},
): Promise<{ people: CelebEmbeddings[]; photos: number; missed: number; seconds: number }> {
  const celebs = people(path.join(dataDir(), 'celebs'));
  const started = performance.now();
  const flat = celebs.flatMap((p) => p.files.map((f) => ({ name: p.name, f })));
  let vectors: (Float32Array | undefined)[];
  if (options.cache && existsSync(options.cache)) {
    vectors = (JSON.parse(readFileSync(options.cache, 'utf8')) as (number[] | null)[]).map((v) =>
      v ? Float32Array.from(v) : undefined,
    );
  } else {
    const engine = await createFaceEngine(options.engine);
    vectors = await mapLimit(
      flat,
      4,
      async ({ f }) => (await engine.analyze(readFileSync(f))).faces[0]?.embedding,
    );
    await engine.close();
    if (options.cache) {
      writeFileSync(options.cache, JSON.stringify(vectors.map((v) => (v ? Array.from(v) : null))));
    }
  }
  return {
    people: celebs.map((p) => ({
      name: p.name,
      embeddings: vectors.filter((_, i) => flat[i]?.name === p.name),
    })),
    photos: flat.length,
    missed: vectors.filter((v) => !v).length,
    seconds: (performance.now() - started) / 1000,
  };
}
