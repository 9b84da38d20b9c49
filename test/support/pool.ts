import assert from 'node:assert/strict';
import type { WorkerPool } from '../../src/engine/pool.ts';
import { UserError } from '../../src/errors.ts';
import { decodeImage } from '../../src/image/decode.ts';
import { readData } from '../fixtures/data.ts';

/**
 * The pool contract every backend keeps, for a pool of 1 worker with a queue of 2: it analyses in
 * the worker, passes typed errors back, and answers busy to whatever does not fit (what the worker
 * holds, `inFlight`, and the queue's 2).
 */
export async function assertPoolContract(pool: WorkerPool): Promise<void> {
  await pool.ready();
  const photo = readData('bbt', 'amy', 'amy1.png');
  const a = await pool.analyze(photo);
  assert.equal(a.faces.length, 1);
  assert.ok(a.faces[0]?.embedding instanceof Float32Array);
  // The worker sends a UserError's code and context, never its text: rebuilt here, it says what the same
  // failure says on this thread, with the data (the file's kind) that the sentence quotes.
  const here = await decodeImage(Buffer.from('nope')).catch((e: unknown) => e);
  const there = await pool.analyze(Buffer.from('nope')).catch((e: unknown) => e);
  assert.ok(here instanceof UserError && there instanceof UserError, String(there));
  assert.equal(there.code, 'not_image');
  assert.deepEqual(there.context, here.context);
  assert.equal(there.message, here.message);
  assert.match(there.message, /a text file, not an image/);
  const settled = await Promise.allSettled(Array.from({ length: 6 }, () => pool.analyze(photo)));
  const busy = settled.filter((s) => s.status === 'rejected' && (s.reason as UserError).code === 'busy');
  // What the worker holds plus two queued are accepted; the rest are told to come back.
  assert.equal(settled.filter((s) => s.status === 'fulfilled').length, pool.inFlight + 2);
  assert.equal(busy.length, 6 - pool.inFlight - 2);
}

/**
 * The admission rule: a burst is queued while its expected wait is short (reported by `load()`),
 * and refused with `busy` only once the wait would pass `maxWaitMs`.
 */
export async function assertWaitAdmission(make: (maxWaitMs: number) => WorkerPool): Promise<void> {
  const photo = readData('bbt', 'amy', 'amy1.png');
  const patient = make(60_000);
  try {
    await patient.ready();
    await patient.analyze(photo);
    const burst = Array.from({ length: 20 }, () => patient.analyze(photo));
    const load = patient.load();
    assert.equal(load.ahead, 20);
    assert.ok(load.expectedWaitMs > 0 && load.accepting, JSON.stringify(load));
    // Photos a caller admitted but has not submitted yet count as queued ahead of the next one.
    const later = patient.load(10);
    assert.equal(later.ahead, 30);
    assert.ok(later.expectedWaitMs > load.expectedWaitMs);
    assert.equal(patient.load(1_000).accepting, false, 'past the queue limit of 100 per worker');
    const settled = await Promise.allSettled(burst);
    assert.equal(settled.filter((s) => s.status === 'fulfilled').length, 20, 'a short burst is all served');
  } finally {
    await patient.close();
  }
  const hasty = make(1);
  try {
    await hasty.ready();
    await hasty.analyze(photo);
    const settled = await Promise.allSettled(Array.from({ length: 6 }, () => hasty.analyze(photo)));
    const busy = settled.filter((s) => s.status === 'rejected' && (s.reason as UserError).code === 'busy');
    // The first runs at once and the next waits one photo at most; past a 1 ms wait everything is refused.
    assert.ok(busy.length >= 4, `${busy.length} of 6 refused`);
    assert.match((busy[0] as PromiseRejectedResult).reason.message, /busy/);
  } finally {
    await hasty.close();
  }
}
