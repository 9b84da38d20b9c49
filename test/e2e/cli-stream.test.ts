import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { mapOrdered } from '../../src/util/concurrency.ts';
import { dataDir } from '../fixtures/data.ts';
import { CLI_BIN, jsonLines as cliJson, runCli } from '../support/cli-run.ts';

const data = dataDir();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'lookalike-cli-stream-'));
const store = `sqlite://${path.join(tmp, 'gallery.sqlite')}`;
after(() => rmSync(tmp, { recursive: true, force: true }));

const jsonLines = (text: string) =>
  cliJson<{ file: string; faces: unknown[]; skipped?: string; error?: string }>(text);

describe('mapOrdered', () => {
  it('yields in input order as soon as the head is done, with at most `limit` in flight', async () => {
    let running = 0;
    let most = 0;
    const finished: number[] = [];
    const delays = [30, 5, 5, 1, 20, 1, 1, 1, 1, 1];
    const seen: { value: number; finishedSoFar: number }[] = [];
    for await (const value of mapOrdered(delays.keys(), 3, async (i) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, delays[i]));
      running--;
      finished.push(i);
      return i;
    })) {
      seen.push({ value, finishedSoFar: finished.length });
    }
    assert.deepEqual(
      seen.map((s) => s.value),
      delays.map((_, i) => i),
    );
    assert.ok(most <= 3, `in flight: ${most}`);
    // The first answer came out before the last photo had even started.
    assert.ok(seen[0]!.finishedSoFar < delays.length, `first yielded after ${seen[0]!.finishedSoFar} done`);
  });

  it('passes a failure on at its place in the order', async () => {
    const got: number[] = [];
    await assert.rejects(async () => {
      for await (const v of mapOrdered([1, 2, 3], 2, async (i) => {
        if (i === 2) throw new Error('two');
        return i;
      }))
        got.push(v);
    }, /two/);
    assert.deepEqual(got, [1]);
  });
});

describe('lookalike CLI: usage errors, closed pipes, folders, progress', () => {
  const folder = path.join(tmp, 'photos');
  before(async () => {
    mkdirSync(path.join(folder, 'b-sub', 'deeper'), { recursive: true });
    mkdirSync(path.join(folder, '.hidden-dir'), { recursive: true });
    cpSync(path.join(data, 'bbt', 'penny', 'penny1.png'), path.join(folder, 'a-penny.png'));
    cpSync(path.join(data, 'bbt', 'raj', 'raj1.png'), path.join(folder, 'b-sub', 'raj.png'));
    cpSync(path.join(data, 'bbt', 'amy', 'amy1.png'), path.join(folder, 'b-sub', 'deeper', 'amy.png'));
    cpSync(path.join(data, 'bbt', 'amy', 'amy2.png'), path.join(folder, '.hidden-dir', 'amy2.png'));
    writeFileSync(path.join(folder, 'c-notes.txt'), 'not a photo\n');
    writeFileSync(path.join(folder, '.DS_Store'), 'x');
    const faces = path.join(tmp, 'faces');
    for (const person of ['penny', 'raj', 'amy']) {
      mkdirSync(path.join(faces, person), { recursive: true });
      for (const i of [2, 3]) {
        cpSync(path.join(data, 'bbt', person, `${person}${i}.png`), path.join(faces, person, `${i}.png`));
      }
    }
    const r = await runCli(['enroll', '--store', store, faces]);
    assert.equal(r.code, 0, r.stderr);
  });

  it('exits 2 with the usage line for missing arguments, as the README promises', async () => {
    for (const args of [
      ['compare', 'a.jpg'],
      ['infer'],
      ['enroll'],
      ['enroll', '--name', 'Nobody'],
      ['rename', 'x'],
    ]) {
      const r = await runCli([...args, '--store', store]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^lookalike: .*(usage|needs)/, args.join(' '));
    }
  });

  it('ends quietly with 0 when its reader closes the pipe (lookalike list | head)', async () => {
    for (const args of [
      ['list'],
      ['list', '--json'],
      ['infer', '--json', folder],
      ['compare', path.join(folder, 'a-penny.png'), path.join(folder, 'b-sub', 'raj.png')],
    ]) {
      const r = await runCli([...args, '--store', store], { closeStdout: true });
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /EPIPE|Error|at /, args.join(' '));
    }
  });

  it('closes its pool before it exits when the reader leaves in the middle of a folder', async () => {
    // Exiting at once stopped a worker inside ONNX Runtime and aborted the process (exit 134, about
    // one run in two with two workers on the bbt portraits): six runs, so that a return is caught.
    for (let i = 0; i < 6; i++) {
      const r = await runCli(['infer', '--json', '--store', store, path.join(data, 'bbt')], {
        closeStdout: true,
        env: { LOOKALIKE_WORKERS: '2' },
      });
      assert.equal(r.code, 0, `run ${i + 1}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /terminate called|Napi|Error/, `run ${i + 1}`);
    }
  });

  it('takes a folder: recursive, in name order, hidden files left out, non-images skipped with a reason', async () => {
    const r = await runCli(['infer', '--json', '--store', store, folder]);
    assert.equal(r.code, 0, r.stderr);
    const lines = jsonLines(r.stdout);
    assert.deepEqual(
      lines.map((l) => path.relative(folder, l.file)),
      ['a-penny.png', path.join('b-sub', 'deeper', 'amy.png'), path.join('b-sub', 'raj.png'), 'c-notes.txt'],
    );
    assert.equal(lines[3]?.skipped, 'not an image (text)');
    assert.deepEqual(lines[3]?.faces, []);
    const names = lines.slice(0, 3).map((l) => (l.faces[0] as { match: { name: string } }).match.name);
    assert.deepEqual(names, ['Penny', 'Amy', 'Raj']);
    const text = await runCli(['infer', '--store', store, folder, path.join(data, 'bbt', 'raj', 'raj4.png')]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /c-notes\.txt: skipped: not an image \(text\)/);
    assert.match(text.stdout.trim().split('\n').at(-1)!, /raj4\.png: face 1 .*Predict Raj/);
  });

  it('fails with 1 when a folder holds no photo at all', async () => {
    const empty = path.join(tmp, 'empty');
    mkdirSync(empty, { recursive: true });
    writeFileSync(path.join(empty, 'readme.txt'), 'hello');
    const r = await runCli(['infer', '--store', store, empty]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /lookalike: no photos in /);
  });

  it('draws a progress line on stderr only when stderr is a terminal', async () => {
    const piped = await runCli(['infer', '--store', store, folder]);
    assert.doesNotMatch(piped.stderr, /photos? done/);
    // script(1) gives the CLI a pseudo-terminal, as a person's shell would.
    const shown = execFileSync(
      'script',
      ['-qefc', `${process.execPath} ${CLI_BIN} infer --store ${store} ${folder}`, '/dev/null'],
      { env: { ...process.env, LOOKALIKE_WORKERS: '1' }, encoding: 'utf8' },
    );
    assert.match(shown, /infer: 3 photos done, 1 skipped/);
    assert.match(shown, /Predict Penny/);
  });
});
