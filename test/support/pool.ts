import assert from 'node:assert/strict';
import { readData } from '../../scripts/lib/data.ts';
import type { WorkerPool } from '../../src/engine/pool.ts';
import { UserError } from '../../src/errors.ts';

/**
 * The pool contract every backend keeps, for a pool of 1 worker with a queue of 2: it analyses in
 * the worker, passes typed errors back, and answers busy to whatever does not fit.
 */
export async function assertPoolContract(pool: WorkerPool): Promise<void> {
  await pool.ready();
  const photo = readData('bbt', 'amy', 'amy1.png');
  const a = await pool.analyze(photo);
  assert.equal(a.faces.length, 1);
  assert.ok(a.faces[0]?.embedding instanceof Float32Array);
  await assert.rejects(
    pool.analyze(Buffer.from('nope')),
    (e: unknown) => e instanceof UserError && e.code === 'not_image',
  );
  const settled = await Promise.allSettled(Array.from({ length: 6 }, () => pool.analyze(photo)));
  const busy = settled.filter((s) => s.status === 'rejected' && (s.reason as UserError).code === 'busy');
  // One running plus two queued are accepted; the rest are told to come back.
  assert.equal(settled.filter((s) => s.status === 'fulfilled').length, 3);
  assert.equal(busy.length, 3);
}
