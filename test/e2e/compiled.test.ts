// What users run is the compiled JavaScript in dist/ (built by `npm install`'s prepare step and by
// `npm test`'s pretest): these tests run it with a module hook that fails any TypeScript or tsx load, in the
// main thread and in the pool's worker threads, which inherit it.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { dataDir } from '../fixtures/data.ts';
import { compiledCli, type NodeRun, runNode } from '../support/compiled.ts';

const HOOK = `export async function resolve(specifier, context, next) {
  if (/\\.ts$|^tsx(\\/|$)/.test(specifier)) throw new Error('compiled code loaded TypeScript: ' + specifier);
  return next(specifier, context);
}`;
const REGISTER = `import { register } from 'node:module';
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOK)}`)});`;
const NO_TYPESCRIPT = `data:text/javascript,${encodeURIComponent(REGISTER)}`;

function run(args: string[], env: Record<string, string> = {}): Promise<NodeRun> {
  return runNode(['--import', NO_TYPESCRIPT, ...args], { NODE_OPTIONS: '', ...env });
}

describe('compiled JavaScript', () => {
  const bin = compiledCli();

  it('the hook itself refuses TypeScript, so the tests below can fail', async () => {
    const r = await run(['--input-type=module', '-e', "await import('tsx/esm/api')"]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /compiled code loaded TypeScript: tsx/);
  });

  it('lookalike --help prints the usage', async () => {
    const r = await run([bin, '--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^usage: lookalike <command>/);
  });

  it('infer runs the pool of worker threads on compiled code only', async () => {
    const data = dataDir();
    const photos = ['penny1.png', 'penny2.png', 'penny3.png'].map((f) => path.join(data, 'bbt', 'penny', f));
    // Three photos: more than the CLI answers on its own thread, so the worker pool starts.
    const r = await run([bin, 'infer', '--json', '--store', 'sqlite://:memory:', ...photos], {
      LOOKALIKE_WORKERS: '1',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /1 worker/);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { faces: unknown[] });
    assert.equal(lines.length, 3);
    for (const line of lines) assert.equal(line.faces.length, 1);
  });
});
