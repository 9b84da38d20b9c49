import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createFaceEngine } from '../../src/engine/index.ts';
import { mapLimit } from '../../src/util/concurrency.ts';
import { dataDir, people } from './data.ts';

/** One bbt person's portrait embeddings, portraits 1–5 in order (undefined where no face was found). */
export interface PortraitEmbeddings {
  name: string;
  embeddings: (Float32Array | undefined)[];
}

/**
 * Embeds the bbt portraits (../shared/data/bbt/<person>/<person>N.png, not the group photos), or
 * reads them from `cache`: ordinary phone-size photos, the mixed-gallery evaluation's other half
 * beside the celebrities' tight crops. The largest face of each portrait is its person.
 */
export async function bbtEmbeddings(options: { cache?: string } = {}): Promise<PortraitEmbeddings[]> {
  const cast = people(path.join(dataDir(), 'bbt'));
  const flat = cast.flatMap((p) => p.files.map((f) => ({ name: p.name, f })));
  let vectors: (Float32Array | undefined)[];
  if (options.cache && existsSync(options.cache)) {
    vectors = (JSON.parse(readFileSync(options.cache, 'utf8')) as (number[] | null)[]).map((v) =>
      v ? Float32Array.from(v) : undefined,
    );
  } else {
    const engine = await createFaceEngine();
    vectors = await mapLimit(flat, 2, async ({ f }) => {
      const faces = (await engine.analyze(readFileSync(f))).faces;
      const area = (b: readonly number[]) => b[2]! * b[3]!;
      return [...faces].sort((a, b) => area(b.box) - area(a.box))[0]?.embedding;
    });
    await engine.close();
    if (options.cache) {
      writeFileSync(options.cache, JSON.stringify(vectors.map((v) => (v ? Array.from(v) : null))));
    }
  }
  return cast.map((p) => ({ name: p.name, embeddings: vectors.filter((_, i) => flat[i]?.name === p.name) }));
}
