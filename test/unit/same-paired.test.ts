import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../src/util/rng.ts';
import { BAR, type PersonSame, pairedSame, perPerson } from '../../tools/lib/same-paired.ts';

/** 20 people: 20 stranger photos each scoring in [0.1, 0.5], 10 known new photos in [0.4, 0.9]. */
function people(seed = 7): PersonSame[] {
  const rng = new Rng(seed);
  return Array.from({ length: 20 }, () => ({
    strangers: Array.from({ length: 20 }, () => 0.1 + 0.4 * rng.next()),
    known: Array.from({ length: 10 }, () => 0.4 + 0.5 * rng.next()),
  }));
}

const fast = { draws: 200, repetitions: 40 };

describe('same, fp32 against int8: paired, repeated people-split estimate', () => {
  it('finds no difference between a configuration and itself, and says it is within the bar', () => {
    const a = people();
    const p = pairedSame(a, a, fast);
    assert.equal(p.known.diff, 0);
    assert.deepEqual(p.known.ci90, [0, 0]);
    assert.equal(p.known.verdict, 'within');
    assert.equal(p.strangers.verdict, 'within');
    assert.ok(p.known.a > 0.5 && p.known.a < 1, `known ${p.known.a}`);
  });

  it('says a known shift of the enrolled scores is over the bar', () => {
    const a = people();
    const b = a.map((p) => ({ strangers: p.strangers, known: p.known.map((x) => x - 0.05) }));
    const p = pairedSame(a, b, fast);
    // Known scores are spread uniformly over 0.5, so 0.05 lower drops about a tenth of them.
    assert.ok(p.known.diff < -0.05 && p.known.diff > -0.15, `diff ${p.known.diff}`);
    assert.ok(p.known.ci90[1] < -BAR, `interval ${p.known.ci90}`);
    assert.equal(p.known.verdict, 'over');
    assert.equal(p.strangers.diff, 0);
  });

  it('is undecided when the difference is small but uncertain', () => {
    // One person's known photos (10 of 200: 5 points) fall below any threshold in b: the mean moves
    // by 0.25 point, within the bar, but a draw holds that person 0 to several times.
    const a = people();
    const b = a.map((p, i) => (i === 0 ? { strangers: p.strangers, known: p.known.map((x) => x - 0.5) } : p));
    const p = pairedSame(a, b, fast);
    assert.ok(p.known.diff < 0 && p.known.diff > -0.05, `diff ${p.known.diff}`);
    assert.ok(p.known.ci90[0] < -BAR && p.known.ci90[1] > -BAR, `interval ${p.known.ci90}`);
    assert.equal(p.known.verdict, 'undecided');
  });

  it('never measures a person at a threshold chosen on their own photos', () => {
    // One person's stranger photos all score 0.99, everyone else's at most 0.5. Chosen on the other
    // folds, their fold's threshold is at most 0.5, so all 20 are flagged in every partition (a
    // threshold chosen with them would sit at 0.99 and flag none of theirs).
    const a = people();
    a[3] = { strangers: new Array(20).fill(0.99), known: a[3]!.known };
    const p = pairedSame(a, a, { ...fast, draws: 1 });
    assert.ok(p.strangers.a >= 20 / 400, `strangers ${p.strangers.a}`);
  });

  it('splits the flat known scores back into people, skipping photos without a face', () => {
    const v = new Float32Array(1);
    const ps = [
      { name: 'a', photos: [v, v, v, undefined] },
      { name: 'b', photos: [v, v, v, v, v, v] },
    ];
    const split = perPerson(ps, {
      rows: [
        { name: 'a', strangers: [0.1, 0.2, 0.3], impostors: [] },
        { name: 'b', strangers: [0.4], impostors: [] },
      ],
      knownRows: [1, 2, 3, 4],
    });
    assert.deepEqual(split, [
      { strangers: [0.1, 0.2, 0.3], known: [1] },
      { strangers: [0.4], known: [2, 3, 4] },
    ]);
  });
});
