/**
 * False faces and lost faces, for `npm run bench` and test/unit/engine-face-gate.test.ts. Each photo
 * says how many real faces it holds: the bbt portraits 1, the group photos their cast (23 in all),
 * the faceless set 0, a portrait with a pasted flag 1. The gate only removes faces, so on a photo
 * whose every ungated face is real, faces found above the count are phantoms and below it lost.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Analysis } from '../../src/domain/face.ts';
import { OnnxEngine } from '../../src/engine/onnx/onnx-engine.ts';
import { dataDir, people } from '../../test/fixtures/data.ts';
import { facelessPhotos, portraitWithFlag } from './faceless.ts';

/** Faces in each bbt group photo, counted by eye: 23 in all. */
export const GROUP_FACES: Record<string, number> = {
  'bbt1.jpg': 4,
  'bbt2.jpg': 3,
  'bbt3.jpg': 5,
  'bbt4.jpg': 6,
  'bbt5.jpg': 5,
};

/** A photo and the real faces it holds. */
export interface LabelledPhoto {
  set: 'portrait' | 'group' | 'celebrity crop' | 'portrait+flag' | 'faceless';
  name: string;
  bytes: Uint8Array;
  faces: number;
}

/** The labelled set: bbt portraits and groups, optionally the celebrity crops, composites, faceless. */
export async function labelledPhotos(options: { celebrities?: boolean } = {}): Promise<LabelledPhoto[]> {
  const data = dataDir();
  const out: LabelledPhoto[] = [];
  const portraits = people(path.join(data, 'bbt')).flatMap((p) => p.files);
  for (const f of portraits)
    out.push({ set: 'portrait', name: path.basename(f), bytes: readFileSync(f), faces: 1 });
  const group = path.join(data, 'bbt', 'group');
  for (const f of readdirSync(group).sort())
    out.push({ set: 'group', name: f, bytes: readFileSync(path.join(group, f)), faces: GROUP_FACES[f] ?? 0 });
  if (options.celebrities)
    for (const p of people(path.join(data, 'celebs')))
      for (const f of p.files)
        out.push({
          set: 'celebrity crop',
          name: `${p.name}/${path.basename(f)}`,
          bytes: readFileSync(f),
          faces: 1,
        });
  for (const [i, f] of portraits.entries()) {
    const s = await portraitWithFlag(readFileSync(f), i);
    out.push({ set: 'portrait+flag', name: path.basename(f), bytes: s.bytes, faces: 1 });
  }
  for (const s of await facelessPhotos())
    out.push({ set: 'faceless', name: s.name, bytes: s.bytes, faces: 0 });
  return out;
}

/** Phantoms and lost faces of one set. */
export interface SetRates {
  set: string;
  photos: number;
  realFaces: number;
  /** Faces found beyond the photo's count. */
  phantoms: number;
  /** Photos with at least one phantom. */
  photosWithPhantoms: number;
  /** Real faces not found. */
  lost: number;
}

/** Runs `analyze` on every photo (every face counted: up to 10) and tallies each set. */
export async function falseFaceRates(
  analyze: (bytes: Uint8Array) => Promise<Analysis>,
  photos: LabelledPhoto[],
): Promise<SetRates[]> {
  const bySet = new Map<string, SetRates>();
  for (const p of photos) {
    const found = (await analyze(p.bytes)).faces.length;
    const r = bySet.get(p.set) ?? {
      set: p.set,
      photos: 0,
      realFaces: 0,
      phantoms: 0,
      photosWithPhantoms: 0,
      lost: 0,
    };
    r.photos++;
    r.realFaces += p.faces;
    r.phantoms += Math.max(0, found - p.faces);
    r.photosWithPhantoms += found > p.faces ? 1 : 0;
    r.lost += Math.max(0, p.faces - found);
    bySet.set(p.set, r);
  }
  return [...bySet.values()];
}

/** One line per set: phantoms per photo, photos with a phantom, real faces lost. */
export function formatRates(label: string, rates: SetRates[]): string[] {
  return rates.map(
    (r) =>
      `  ${label.padEnd(22)} ${r.set.padEnd(15)} ${String(r.photos).padStart(4)} photos  phantoms ${String(r.phantoms).padStart(3)} (${(r.phantoms / r.photos).toFixed(3)} per photo, ${r.photosWithPhantoms} photos)  real faces lost ${r.lost}/${r.realFaces}`,
  );
}

/** The quality gate's section: in-thread engines, every face of every photo, gate off then on. */
export async function falseFaceSection(celebrities: boolean): Promise<void> {
  const photos = await labelledPhotos({ celebrities });
  console.log(
    `\nfalse faces (phantoms) and real faces lost, ${photos.length} photos (faceless ones drawn at run time, tools/lib/faceless.ts):`,
  );
  const configs = [
    { label: 'no gate', options: { gate: false } },
    { label: 'gate', options: {} },
    {
      label: 'gate, no landmarks',
      options: { tuning: { descriptor: 'faceres' as const, landmarks: false } },
    },
  ];
  for (const c of configs) {
    const engine = await OnnxEngine.create({ threads: 1, ...c.options });
    const start = performance.now();
    const rates = await falseFaceRates((b) => engine.analyze(b), photos);
    await engine.close();
    for (const line of formatRates(c.label, rates)) console.log(line);
    console.log(`  ${c.label}: ${((performance.now() - start) / photos.length).toFixed(1)} ms per photo`);
  }
}
