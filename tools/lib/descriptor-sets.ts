/**
 * Every descriptor the ONNX engine can make, for every photo of ../shared/data/celebs and the bbt
 * portraits, in the engine variants the evaluation compares (fp32 and int8). The experiment variants
 * (rotation, flip, dlib flip, the unrotated chip) were removed on 2026-12-04 with their Tuning knobs;
 * their figures stay in docs/evaluation/ and docs/quality.md, their code in git history (`git log -S dlibFlip`).
 * One run embeds each photo once per variant; `npm run eval` derives every configuration from them.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Tuning } from '../../src/domain/tuning.ts';
import { OnnxEngine } from '../../src/engine/onnx/onnx-engine.ts';
import { dataDir, people } from '../../test/fixtures/data.ts';

/** The engine variants, every knob they differ in spelt out (the defaults move): each gives faceres and, with `fused`, dlib. */
export const VARIANTS: Record<string, Partial<Tuning>> = {
  faceres: { descriptor: 'faceres', precision: 'fp32' },
  both: { descriptor: 'fused', precision: 'fp32' },
  // The same in int8 (FACE_PRECISION): faceres alone and the shipped configuration.
  'faceres, int8': { descriptor: 'faceres', precision: 'int8' },
  'both, int8': { descriptor: 'fused', precision: 'int8' },
};

/** Tilt of the bbt portraits in the `bbt-tilted` set: selfies are rarely level, the celebrity crops always are. */
export const TILT_DEGREES = 25;

/** One photo's descriptors in one variant (absent when no face was found). */
export interface PhotoDescriptors {
  faceres?: Float32Array;
  dlib?: Float32Array;
}

/** A person's photos, each with its descriptors per variant. */
export interface PersonDescriptors {
  name: string;
  set: 'celebs' | 'bbt' | 'bbt-tilted';
  photos: Record<string, PhotoDescriptors>[];
}

/** Milliseconds per photo each variant took (the whole analysis, one photo at a time, one thread). */
export type VariantTimes = Record<string, number>;

type Cached = {
  people: {
    name: string;
    set: PersonDescriptors['set'];
    photos: Record<string, { faceres?: number[]; dlib?: number[] }>[];
  }[];
  times: VariantTimes;
};

/** Embeds (or reads from `cache`) every photo in every variant (or in `only` of them). */
export async function descriptorSets(
  cache?: string,
  only?: readonly string[],
): Promise<{ people: PersonDescriptors[]; times: VariantTimes }> {
  if (cache && existsSync(cache)) {
    const raw = JSON.parse(readFileSync(cache, 'utf8')) as Cached;
    return {
      times: raw.times,
      people: raw.people.map((p) => ({
        ...p,
        photos: p.photos.map((ph) =>
          Object.fromEntries(
            Object.entries(ph).map(([k, d]) => [
              k,
              {
                faceres: d.faceres ? Float32Array.from(d.faceres) : undefined,
                dlib: d.dlib ? Float32Array.from(d.dlib) : undefined,
              },
            ]),
          ),
        ),
      })),
    };
  }
  const sets = (['celebs', 'bbt', 'bbt-tilted'] as const).flatMap((set) =>
    people(path.join(dataDir(), set === 'bbt-tilted' ? 'bbt' : set))
      .filter((p) => p.name !== 'group')
      .map((p) => ({ ...p, set })),
  );
  // Alternate directions, on a grey canvas like the engine's own border.
  const read = async (set: PersonDescriptors['set'], file: string, index: number) =>
    set !== 'bbt-tilted'
      ? readFileSync(file)
      : await sharp(readFileSync(file))
          .rotate(index % 2 ? TILT_DEGREES : -TILT_DEGREES, { background: '#808080' })
          .png()
          .toBuffer();
  const out: PersonDescriptors[] = sets.map((p) => ({
    name: p.name,
    set: p.set,
    photos: p.files.map(() => ({})),
  }));
  // Every variant runs on each photo in turn, so that a busy machine slows them all alike.
  const engines = new Map<string, OnnxEngine>();
  for (const [variant, tuning] of Object.entries(VARIANTS))
    if (!only || only.includes(variant))
      engines.set(variant, await OnnxEngine.create({ tuning: { precision: 'fp32', ...tuning }, threads: 1 }));
  const spent = new Map<string, number>();
  let timed = 0;
  for (const [i, p] of sets.entries()) {
    for (const [j, file] of p.files.entries()) {
      const bytes = await read(p.set, file, j);
      // Timed on the untouched photos only: the tilted copies are larger canvases.
      if (p.set !== 'bbt-tilted') timed++;
      for (const [variant, engine] of engines) {
        const start = performance.now();
        const face = (await engine.analyze(bytes)).faces[0];
        if (p.set !== 'bbt-tilted') spent.set(variant, (spent.get(variant) ?? 0) + performance.now() - start);
        (out[i] as PersonDescriptors).photos[j]![variant] = {
          faceres: face?.descriptors?.faceres,
          dlib: face?.descriptors?.dlib,
        };
      }
    }
  }
  for (const engine of engines.values()) await engine.close();
  const times: VariantTimes = Object.fromEntries([...spent].map(([v, ms]) => [v, ms / timed]));
  if (cache) {
    const plain = (v?: Float32Array) => (v ? Array.from(v) : undefined);
    writeFileSync(
      cache,
      JSON.stringify({
        times,
        people: out.map((p) => ({
          ...p,
          photos: p.photos.map((ph) =>
            Object.fromEntries(
              Object.entries(ph).map(([k, d]) => [k, { faceres: plain(d.faceres), dlib: plain(d.dlib) }]),
            ),
          ),
        })),
      }),
    );
  }
  return { people: out, times };
}
