import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dataDir } from '../fixtures/data.ts';
import { jsonLines } from '../support/cli-run.ts';
import { compiledCli, type NodeRun, runNode } from '../support/compiled.ts';

const BIN = compiledCli();
const data = dataDir();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'lookalike-cli-'));
const store = `sqlite://${path.join(tmp, 'gallery.sqlite')}`;
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the real CLI in a child process, as scripts would. */
function cli(...args: string[]): Promise<NodeRun> {
  return runNode([BIN, ...args], { LOOKALIKE_WORKERS: '1' });
}

describe('lookalike CLI, end to end', () => {
  const faces = path.join(tmp, 'aligned_faces');
  before(() => {
    for (const person of ['penny', 'sheldon', 'amy']) {
      mkdirSync(path.join(faces, person), { recursive: true });
      for (const i of [1, 2, 3]) {
        cpSync(
          path.join(data, 'bbt', person, `${person}${i}.png`),
          path.join(faces, person, `${person}${i}.png`),
        );
      }
    }
    writeFileSync(path.join(faces, 'amy', 'notes.txt'), 'not a photo');
    cpSync(path.join(data, 'misc', 'no-face-white.png'), path.join(faces, 'sheldon', 'blank.png'));
  });

  it('infer on an empty gallery says so, with match null in JSON', async () => {
    const r = await cli('infer', '--json', '--store', store, path.join(data, 'bbt', 'penny', 'penny4.png'));
    assert.equal(r.code, 0, r.stderr);
    const [line] = jsonLines(r.stdout);
    const face = (line?.faces as { match: unknown; top: unknown[] }[] | undefined)?.[0];
    assert.equal(face?.match, null);
    assert.deepEqual(face?.top, []);
  });

  it('enrolls a folder per person and reports every skipped file', async () => {
    const r = await cli('enroll', '--json', '--store', store, faces);
    assert.equal(r.code, 0, r.stderr);
    const [summary] = jsonLines(r.stdout);
    assert.equal(summary?.enrolled, 9);
    assert.equal(summary?.identities, 3);
    const skipped = summary?.skipped as { file: string; reason: string }[];
    assert.equal(skipped.length, 2);
    assert.match(skipped.find((s) => s.file.endsWith('notes.txt'))?.reason ?? '', /not an image/);
    assert.match(skipped.find((s) => s.file.endsWith('blank.png'))?.reason ?? '', /no face/);
  });

  it('does not enroll the same photo twice', async () => {
    const photo = path.join(faces, 'penny', 'penny1.png');
    const r = await cli('enroll', '--json', '--store', store, '--name', 'Penny', photo);
    assert.equal(r.code, 0, r.stderr);
    const [summary] = jsonLines(r.stdout);
    assert.equal(summary?.enrolled, 0);
    assert.match(JSON.stringify(summary?.skipped), /duplicate/);
  });

  it('infers the right person with the documented JSON shape, one line per file', async () => {
    const penny = path.join(data, 'bbt', 'penny', 'penny5.png');
    const bad = path.join(faces, 'amy', 'notes.txt');
    const r = await cli('infer', '--json', '--store', store, penny, bad);
    assert.equal(r.code, 0, 'one bad file among many is not fatal');
    const [ok, failed] = jsonLines(r.stdout);
    assert.equal(ok?.file, penny);
    assert.equal('error' in (ok ?? {}), false);
    const face = (ok?.faces as Record<string, unknown>[] | undefined)?.[0] as {
      box: number[];
      match: { name: string; confidence: number; similarity: number; same: boolean };
      top: { name: string; confidence: number; similarity: number }[];
    };
    assert.equal(face.box.length, 4);
    assert.equal(face.match.name, 'Penny');
    assert.ok(face.match.confidence > 0 && face.match.confidence <= 1);
    assert.ok(face.match.similarity > 0 && face.match.similarity <= 1);
    assert.equal(typeof face.match.same, 'boolean');
    assert.equal(face.top.length, 3);
    assert.equal(face.top[0]?.name, 'Penny');
    assert.equal(failed?.file, bad);
    assert.match(String(failed?.error), /not an image/);
  });

  it('prints OpenFace-style predictions without --json', async () => {
    const r = await cli('infer', '--store', store, path.join(data, 'bbt', 'sheldon', 'sheldon5.png'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Predict Sheldon with [01]\.\d\d confidence/);
    assert.match(r.stdout, /top 3: /);
  });

  it('explains with --explain: the regions that make the face alike', async () => {
    const amy = path.join(data, 'bbt', 'amy', 'amy5.png');
    const r = await cli('infer', '--explain', '--store', store, amy);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Predict Amy with .*; alike in mostly the [a-z ]+ \(\d+%\)/);
    const json = await cli('infer', '--explain', '--json', '--store', store, amy);
    const faces = (jsonLines(json.stdout)[0]?.faces ?? []) as { match: { resemblance?: unknown[] } }[];
    assert.ok((faces[0]?.match.resemblance?.length ?? 0) >= 2, json.stdout);
  });

  it('compares two photos', async () => {
    const a = path.join(data, 'bbt', 'amy', 'amy4.png');
    const b = path.join(data, 'bbt', 'amy', 'amy5.png');
    const r = await cli('compare', '--json', '--store', store, a, b);
    assert.equal(r.code, 0, r.stderr);
    const [result] = jsonLines(r.stdout);
    assert.deepEqual(Object.keys(result ?? {}).sort(), ['same', 'similarity']);
    assert.ok((result?.similarity as number) > 0.3);
  });

  it('lists, renames, retrains and removes', async () => {
    let r = await cli('rename', '--store', store, 'Amy', 'Amy Farrah Fowler');
    assert.equal(r.code, 0, r.stderr);
    r = await cli('list', '--json', '--store', store);
    const [list] = jsonLines(r.stdout);
    assert.deepEqual(
      (list?.identities as { name: string }[] | undefined)?.map((i) => i.name),
      ['Amy Farrah Fowler', 'Penny', 'Sheldon'],
    );
    r = await cli('train', '--json', '--store', store);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(jsonLines(r.stdout)[0]?.identities, 3);
    r = await cli('remove', '--store', store, 'amy-farrah-fowler');
    assert.equal(r.code, 0, r.stderr);
    r = await cli('list', '--json', '--store', store);
    assert.equal((jsonLines(r.stdout)[0]?.identities as unknown[] | undefined)?.length, 2);
  });

  it('exports OpenFace labels.csv and reps.csv', async () => {
    const out = path.join(tmp, 'export');
    const r = await cli('export', '--store', store, out);
    assert.equal(r.code, 0, r.stderr);
    const labels = readFileSync(path.join(out, 'labels.csv'), 'utf8').trim().split('\n');
    const reps = readFileSync(path.join(out, 'reps.csv'), 'utf8').trim().split('\n');
    assert.equal(labels.length, 6);
    assert.equal(reps.length, 6);
    assert.match(labels[0] ?? '', /^\d+,\.\/\w+\/.+\.png$/);
    // The fused embedding: faceres's 1024 values and the dlib descriptor's 128.
    assert.equal(reps[0]?.split(',').length, 1152);
  });

  it('moves the gallery through a pack file, once, and refuses a damaged one', async () => {
    const pack = path.join(tmp, 'gallery.pack.zip');
    let r = await cli('pack', 'export', '--json', '--store', store, pack);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual([jsonLines(r.stdout)[0]?.identities, jsonLines(r.stdout)[0]?.photos], [2, 6]);
    r = await cli('pack', 'import', '--store', store, '--scope', 'discord:7', pack);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Imported 6 photos of 2 people; the "discord:7" gallery has 2 identities/);
    r = await cli('pack', 'import', '--json', '--store', store, '--scope', 'discord:7', pack);
    assert.equal(jsonLines(r.stdout)[0]?.added, 0);
    const damaged = path.join(tmp, 'damaged.zip');
    writeFileSync(damaged, readFileSync(pack).subarray(0, 4000));
    r = await cli('pack', 'import', '--store', store, '--scope', 'discord:8', damaged);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr.trim(),
      /^lookalike: That file is not a ZIP archive I can read \(or it is damaged\)\.$/,
    );
    r = await cli('pack', 'frob', pack);
    assert.equal(r.code, 2, 'a usage error');
    assert.match(r.stderr, /usage: lookalike pack export/);
  });

  it('keeps scopes apart', async () => {
    const r = await cli('list', '--json', '--store', store, '--scope', 'discord:42');
    assert.deepEqual(jsonLines(r.stdout)[0]?.identities, []);
  });

  it('fails with one clear line and a non-zero code', async () => {
    let r = await cli(
      'compare',
      '--store',
      store,
      path.join(tmp, 'missing.jpg'),
      path.join(faces, 'amy', 'amy1.png'),
    );
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim().split('\n').at(-1),
      `lookalike: ${path.join(tmp, 'missing.jpg')}: no such file`,
    );
    r = await cli('remove', '--store', store, 'Nobody');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Nobody/);
    r = await cli('frobnicate');
    assert.equal(r.code, 2);
    r = await cli('list', '--store', 'ftp://nowhere');
    assert.equal(r.code, 1);
    assert.match(r.stderr.trim(), /^lookalike: .*ftp/);
    r = await cli('infer', '--json', '--store', store, path.join(faces, 'amy', 'notes.txt'));
    assert.equal(r.code, 1, 'every file failed');
  });
});
