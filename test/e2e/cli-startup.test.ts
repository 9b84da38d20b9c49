import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { dataDir } from '../fixtures/data.ts';
import { compiledCli, type NodeRun, runNode } from '../support/compiled.ts';

// How the CLI starts (docs/engine-speed.md, "Start-up"): one or two photos on this thread; more photos on
// the pool, whose workers start before the main thread loads the store, the gallery and the commands.

const BIN = compiledCli();
const data = dataDir();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'lookalike-cli-startup-'));
const store = `sqlite://${path.join(tmp, 'gallery.sqlite')}`;
after(() => rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string> = {}): Promise<NodeRun> {
  return runNode([BIN, ...args], { LOOKALIKE_WORKERS: '2', ...env });
}

const photos = [
  path.join(data, 'bbt', 'penny', 'penny4.png'),
  path.join(data, 'bbt', 'amy', 'amy4.png'),
  path.join(data, 'bbt', 'group', 'bbt1.jpg'),
];

describe('lookalike CLI start-up paths', () => {
  before(async () => {
    const r = await cli(['enroll', '--store', store, path.join(data, 'bbt')]);
    assert.equal(r.code, 0, r.stderr);
  });

  it('answers the same, to the last digit, one photo at a time (this thread) and all at once (the pool)', async () => {
    const together = await cli(['infer', '--json', '--store', store, ...photos]);
    assert.equal(together.code, 0, together.stderr);
    assert.match(together.stderr, /2 workers/);
    const alone: string[] = [];
    for (const photo of photos) {
      const r = await cli(['infer', '--json', '--store', store, photo]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /on this thread/);
      alone.push(r.stdout.trim());
    }
    assert.deepEqual(together.stdout.trim().split('\n'), alone);
    assert.ok(
      alone.every((line) => line.includes('"match":{"name"')),
      alone.join('\n'),
    );
  });

  it('compares two photos on this thread', async () => {
    const r = await cli(['compare', '--json', photos[0] as string, photos[0] as string]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { similarity: 1, same: true });
  });

  it('closes a pool it started for nothing: no photo among many files, one line each, exit 1', async () => {
    const files = ['a.txt', 'b.txt', 'c.txt'].map((name) => {
      const file = path.join(tmp, name);
      writeFileSync(file, 'not a photo');
      return file;
    });
    const r = await cli(['infer', '--store', store, ...files]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 3, r.stdout);
    assert.doesNotMatch(r.stderr, /Unhandled|at .*\.js:\d+/);
  });

  it('starts no pool when none of the paths exists: a mistyped command fails at once', async () => {
    const missing = ['x.jpg', 'y.jpg', 'z.jpg'].map((name) => path.join(tmp, 'nowhere', name));
    const r = await cli(['infer', '--store', store, ...missing]);
    assert.equal(r.code, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /face engine:/);
  });

  it("choosing the backend and starting the pool load neither sharp nor the ONNX engine's pipeline", async () => {
    // A module hook records every file the child loads while it imports the engine's entry and picks a backend.
    const hook = `data:text/javascript,${encodeURIComponent(
      "export async function load(url, context, next) { if (url.includes('/sharp/') || url.includes('onnx-engine') || url.includes('/pipeline.')) process._rawDebug('LOADED ' + url); return next(url, context); }",
    )}`;
    const dist = (file: string) => fileURLToPath(new URL(`../../dist/src/engine/${file}`, import.meta.url));
    const code = `import { register } from 'node:module'; register(${JSON.stringify(hook)}); await import(${JSON.stringify(dist('index.js'))}); const { selectBackend } = await import(${JSON.stringify(dist('backend.js'))}); console.log(selectBackend('auto'));`;
    const r = await runNode(['--input-type=module', '-e', code], {});
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'onnx');
    assert.doesNotMatch(r.stderr, /LOADED/);
  });
});

describe('the lookalike launcher (bin/lookalike.js, run through its #! line)', () => {
  // A stand-in `node` first on PATH reports what the launcher handed it: the environment and the arguments.
  const stubDir = mkdtempSync(path.join(os.tmpdir(), 'lookalike-launcher-'));
  after(() => rmSync(stubDir, { recursive: true, force: true }));
  writeFileSync(
    path.join(stubDir, 'node'),
    '#!/bin/sh\nprintf "tunables=%s\\n" "$GLIBC_TUNABLES"\nprintf "arg=%s\\n" "$@"\n',
    { mode: 0o755 },
  );
  const launcher = fileURLToPath(new URL('../../bin/lookalike.js', import.meta.url));
  const launch = (env: Record<string, string>) => {
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'GLIBC_TUNABLES'));
    const run = spawnSync(launcher, ['infer', 'one.jpg'], {
      encoding: 'utf8',
      env: { ...base, PATH: `${stubDir}${path.delimiter}${process.env.PATH}`, ...env },
    });
    assert.equal(run.status, 0, run.stderr);
    return run.stdout.trim().split('\n');
  };

  it('asks glibc for huge pages for malloc, keeps a tunable of the user’s own, and passes the arguments on', () => {
    assert.deepEqual(launch({}), [
      'tunables=glibc.malloc.hugetlb=1:',
      `arg=${launcher}`,
      'arg=infer',
      'arg=one.jpg',
    ]);
    assert.equal(
      launch({ GLIBC_TUNABLES: 'glibc.malloc.check=0' })[0],
      'tunables=glibc.malloc.hugetlb=1:glibc.malloc.check=0',
    );
  });
});
