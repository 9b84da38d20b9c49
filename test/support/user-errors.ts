import assert from 'node:assert/strict';
import { UserError } from '../../src/errors.ts';

/** Awaits `promise` and asserts it rejects with a UserError of `code`; returns that error. */
export async function rejectsWith(promise: Promise<unknown>, code: string): Promise<UserError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof UserError, `expected a UserError, got ${String(err)}`);
    assert.equal(err.code, code, `expected code ${code}, got ${err.code}: ${err.message}`);
    return err;
  }
  assert.fail(`expected UserError ${code}, but it resolved`);
}
