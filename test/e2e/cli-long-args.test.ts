import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { dataDir } from '../fixtures/data.ts';
import { runCli } from '../support/cli-run.ts';

// Issue 20: `lookalike infer $(find <folder> -type f)` with ~15 KB or more of arguments died with SIGSEGV
// (exit 139) and printed nothing: ONNX Runtime's environment set-up recursed on the pool worker's stack by
// an amount that grows with the process's arguments (docs/upstream/onnxruntime-worker-stack.md).
const data = dataDir();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'lookalike-cli-long-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function photosUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(png|jpe?g)$/i.test(f))
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile())
    .sort();
}

describe('lookalike infer on 900 photos under a long path, in one call', () => {
  it('answers every photo, in order, streaming, with no crash', async () => {
    const long = path.join(
      tmp,
      ...Array.from({ length: 4 }, () => 'an-ordinary-but-rather-long-folder-name'),
    );
    mkdirSync(long, { recursive: true });
    const sources = photosUnder(data);
    assert.ok(sources.length > 100, `photos in ${data}: ${sources.length}`);
    const files = Array.from({ length: 900 }, (_, i) => {
      const source = sources[i % sources.length]!;
      const link = path.join(long, `photo-${String(i).padStart(4, '0')}${path.extname(source)}`);
      symlinkSync(source, link);
      return link;
    });
    const argBytes = files.reduce((n, f) => n + f.length + 1, 0);
    assert.ok(argBytes > 100_000, `arguments: ${argBytes} bytes (the crash began at about 15 KB)`);
    const r = await runCli(
      ['infer', '--json', '--store', `sqlite://${path.join(tmp, 'g.sqlite')}`, ...files],
      {
        env: { LOOKALIKE_WORKERS: '2' },
      },
    );
    assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr.slice(-2000)}`);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { file: string; error?: string });
    assert.deepEqual(
      lines.map((l) => l.file),
      files,
    );
    assert.ok(r.firstLineWhileRunning, 'the first answer came only when every photo was done');
    const failed = lines.filter((l) => l.error);
    assert.ok(failed.length < 10, `failed: ${JSON.stringify(failed.slice(0, 3))}`);
  });
});
