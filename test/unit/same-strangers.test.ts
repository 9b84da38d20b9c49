import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { Matcher } from '../../src/classifier/matcher.ts';
import { DEFAULT_TUNING, embeddingDim } from '../../src/domain/tuning.ts';
import { readCalibration } from '../../src/engine/calibration.ts';
import { createFaceEngine } from '../../src/engine/index.ts';
import { decodeFloat32 } from '../../src/util/vectors.ts';
import { enrolCount } from '../../tools/lib/same-calibration.ts';
import { celebEmbeddings } from '../fixtures/celebs.ts';
import { dataDir, people } from '../fixtures/data.ts';

type Person = { name: string; photos: (Float32Array | undefined)[] };

/**
 * "That's really them" with the shipped threshold (models/calibration.json), on real photos: a
 * gallery of the 20 celebrities with the 40 bbt portraits as strangers (members are strangers to a
 * celebrity gallery), and a gallery of the 8 bbt people with the 400 celebrity crops as strangers.
 * The threshold was chosen on these people too (leaving each out in turn); npm run eval prints the
 * out-of-sample figures and docs/quality.md the curve.
 */
describe('"that\'s really them" for strangers and enrolled people', () => {
  let celebs: Person[];
  let bbt: Person[];
  const calibration = readCalibration(DEFAULT_TUNING);
  const prior = decodeFloat32(calibration.prior, embeddingDim(DEFAULT_TUNING), 1)[0] as Float32Array;
  before(async () => {
    celebs = (await celebEmbeddings()).people.map((p) => ({ name: p.name, photos: p.embeddings }));
    const engine = await createFaceEngine();
    bbt = [];
    for (const p of people(path.join(dataDir(), 'bbt'))) {
      const photos: (Float32Array | undefined)[] = [];
      for (const f of p.files) photos.push((await engine.analyze(readFileSync(f))).faces[0]?.embedding);
      bbt.push({ name: p.name, photos });
    }
    await engine.close();
  });

  /** Each person enrolled with their first photos; strangers' and enrolled people's new photos judged. */
  function judge(enrolled: Person[], strangers: Person[]) {
    const matcher = Matcher.train(
      enrolled.map((p) => ({
        slug: p.name,
        name: p.name,
        embeddings: p.photos.slice(0, enrolCount(p.photos.length)).filter((e): e is Float32Array => !!e),
      })),
      { prior, sameThreshold: calibration.sameThreshold },
    );
    let flagged = 0;
    let strangerPhotos = 0;
    for (const p of strangers)
      for (const e of p.photos) {
        if (!e) continue;
        strangerPhotos++;
        if (matcher.identify(e).match?.same) flagged++;
      }
    let accepted = 0;
    let newPhotos = 0;
    for (const p of enrolled)
      for (const e of p.photos.slice(enrolCount(p.photos.length))) {
        if (!e) continue;
        newPhotos++;
        const m = matcher.identify(e).match;
        if (m?.same && m.slug === p.name) accepted++;
      }
    return { flagged, strangerPhotos, accepted, newPhotos };
  }

  it('calls at most 3 % of strangers the enrolled person', () => {
    const a = judge(celebs, bbt);
    const b = judge(bbt, celebs);
    assert.equal(a.strangerPhotos, 40);
    assert.ok(b.strangerPhotos >= 395, `${b.strangerPhotos} celebrity faces`);
    const rate = (a.flagged + b.flagged) / (a.strangerPhotos + b.strangerPhotos);
    assert.ok(
      rate <= 0.03,
      `strangers accepted: ${a.flagged}/40 bbt, ${b.flagged}/${b.strangerPhotos} celebs`,
    );
    assert.ok(a.flagged <= 1, `${a.flagged} of 40 bbt portraits called a celebrity themselves`);
  });

  it('says "that\'s really them" on at least 92 % of enrolled people\'s new photos', () => {
    const a = judge(celebs, bbt);
    const b = judge(bbt, celebs);
    assert.equal(a.newPhotos, 200);
    const rate = (a.accepted + b.accepted) / (a.newPhotos + b.newPhotos);
    assert.ok(rate >= 0.92, `accepted: ${a.accepted}/200 celebs, ${b.accepted}/${b.newPhotos} bbt`);
  });
});
