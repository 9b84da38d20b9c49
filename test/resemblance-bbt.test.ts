// Resemblance on real photos (../shared/data/bbt) with the real engine: only the regions that passed
// validation are shown, and for each of them photos of one person are more alike than photos of two.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dataDir, people } from '../scripts/lib/data.ts';
import { labelledLandmarks, modelDistances, validateRegions } from '../scripts/lib/resemblance-eval.ts';
import { Lookalike } from '../src/core/service.ts';
import type { FaceEngine } from '../src/domain/face.ts';
import { createFaceEngine } from '../src/engine/index.ts';
import { Gallery, slugify } from '../src/gallery/index.ts';
import { ResemblanceExplainer } from '../src/resemblance/explainer.ts';
import { passingRegions, readValidated } from '../src/resemblance/validated.ts';
import { openStore, type Store } from '../src/store/index.ts';

const BBT = path.join(dataDir(), 'bbt');
const cast = people(BBT);

describe('resemblance on bbt (real engine)', { timeout: 300_000 }, () => {
  let engine: FaceEngine;
  let store: Store;
  let service: Lookalike;
  let gallery: Gallery;
  const passing = passingRegions();

  before(async () => {
    engine = await createFaceEngine({ backend: 'onnx', inline: true, log: () => {} });
    store = await openStore('memory://');
    gallery = new Gallery(store);
    service = new Lookalike(engine, gallery);
    // Four photos of each person enrolled; the fifth is the probe.
    const batches = cast.map((person) => ({
      name: person.name,
      images: person.files
        .slice(0, 4)
        .map((file) => ({ name: file, data: new Uint8Array(readFileSync(file)) })),
    }));
    await service.enrollMany('global', batches, 'cli');
  });

  after(async () => {
    await store.close();
    await engine.close();
  });

  it('validated at least one region, and the file says how', () => {
    const validated = readValidated();
    assert.ok(validated, 'src/resemblance/validated-regions.json exists');
    assert.ok(passing.length > 0, 'some region passed');
    assert.match(validated.measured.bar, /AUC >= 0.6/);
  });

  it('stored every enrolled photo with its landmarks', async () => {
    const snapshot = await gallery.snapshot('global');
    const photos = snapshot.identities.flatMap((i) => i.photos);
    assert.equal(photos.length, cast.length * 4);
    assert.ok(photos.every((p) => p.landmarks?.length === 136));
  });

  it('explains a probe with the passing regions only, best first', async () => {
    for (const person of cast) {
      const probe = new Uint8Array(readFileSync(person.files[4]!));
      const result = await service.identify('global', probe);
      const why = result.faces[0]?.match?.resemblance;
      assert.ok(why, `${person.name}'s probe is explained`);
      for (const r of why.regions) assert.ok(passing.includes(r.region), `${r.region} passed validation`);
      const percentiles = why.regions.map((r) => r.percentile);
      assert.deepEqual(
        percentiles,
        [...percentiles].sort((a, b) => b - a),
      );
    }
  });

  it('scores same-person pairs higher than different-people pairs in every passing region', async () => {
    const photos = await labelledLandmarks('bbt', (image) => engine.analyze(image));
    const { regions } = validateRegions(photos, modelDistances(photos), 0);
    for (const region of passing) {
      const measured = regions.find((r) => r.region === region)!;
      assert.ok(measured.auc > 0.5, `${region}: AUC ${measured.auc}`);
    }
    // And as members see it: a probe's percentile against its own person beats the ones against others.
    // (The face's landmarks in photo pixels serve here: the comparison ignores position and size.)
    const explainer = new ResemblanceExplainer(gallery, { regions: passing });
    const own: number[] = [];
    const others: number[] = [];
    for (const person of cast) {
      const face = (await engine.analyze(new Uint8Array(readFileSync(person.files[4]!)))).faces[0]!;
      for (const other of cast) {
        const why = await explainer.explain('global', slugify(other.name), face);
        assert.ok(why, `${person.name} against ${other.name}`);
        const mean = why.regions.reduce((n, r) => n + r.percentile, 0) / why.regions.length;
        (other === person ? own : others).push(mean);
      }
    }
    const avg = (list: number[]) => list.reduce((x, y) => x + y, 0) / list.length;
    assert.ok(
      avg(own) > avg(others),
      `own person ${avg(own).toFixed(1)} vs others ${avg(others).toFixed(1)}`,
    );
  });
});
