// Issue 21, item 9 and the command line's small ones, through the real `lookalike` process: odd files in
// an enrolment folder are skipped with a reason (never a hang, never a 3 GB read, never the whole run
// failing), `compare` says which file failed, and "1 photo of 1 person".
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { dataDir } from '../fixtures/data.ts';
import { oddFiles } from '../fixtures/hostile-inputs.ts';
import { CLI_BIN } from '../support/cli-run.ts';
import { runNode } from '../support/compiled.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'lookalike-hostile-cli-'));
const store = `sqlite://${path.join(tmp, 'gallery.sqlite')}`;
after(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]) {
  return runNode([CLI_BIN, ...args], { LOOKALIKE_WORKERS: '1' });
}

describe('lookalike on odd files', { timeout: 240_000 }, () => {
  it('enroll <dir> skips folders, links, a FIFO and a 3 GB file with reasons, and enrols the rest', async () => {
    const penny = path.join(tmp, 'faces', 'penny');
    mkdirSync(penny, { recursive: true });
    for (const i of [1, 2])
      cpSync(path.join(dataDir(), 'bbt', 'penny', `penny${i}.png`), path.join(penny, `${i}.png`));
    const odd = oddFiles(penny);
    const r = await cli('enroll', '--store', store, path.join(tmp, 'faces'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Enrolled 2 photos/);
    for (const { file, why } of odd) {
      const line = r.stdout.split('\n').find((l) => l.includes(`${path.sep}${file}:`)) ?? '';
      assert.match(line, why, `${file}: ${line || 'not reported'}`);
    }
  });

  it('compare names the file that failed', async () => {
    const text = path.join(tmp, 'notes.png');
    writeFileSync(text, 'Dear diary, this is not a photo.\n'.repeat(10));
    const photo = path.join(dataDir(), 'bbt', 'penny', 'penny1.png');
    const r = await cli('compare', '--store', store, photo, text);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`${text.replace(/[.]/g, '\\.')}: .*not an image`));
  });

  it('pack import says "1 photo of 1 person"', async () => {
    const pack = path.join(tmp, 'one.zip');
    const one = path.join(tmp, 'one.sqlite');
    const photo = path.join(dataDir(), 'bbt', 'penny', 'penny1.png');
    assert.equal((await cli('enroll', '--store', `sqlite://${one}`, '--name', 'Penny', photo)).code, 0);
    const exported = await cli('pack', 'export', '--store', `sqlite://${one}`, pack);
    assert.match(exported.stdout, /Wrote 1 person and 1 photo of/);
    const r = await cli('pack', 'import', '--store', store, '--scope', 'other', pack);
    assert.match(r.stdout, /Imported 1 photo of 1 person;/);
  });
});
