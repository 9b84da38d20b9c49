import assert from 'node:assert/strict';
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { MODELS_DIR, ModelIntegrityError, readManifest } from '../../src/engine/model-files.ts';
import { OnnxEngine } from '../../src/engine/onnx/onnx-engine.ts';
import { fileIdentity, rememberVerified, stillVerified } from '../../src/engine/onnx/verified-files.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'lookalike-verified-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Rewrites one byte of a file in place, same size, and puts its modification time back. */
function tamper(file: string): void {
  const { atime, mtime } = statSync(file);
  const bytes = readFileSync(file);
  bytes[bytes.length - 10] = (bytes[bytes.length - 10] as number) ^ 0xff;
  writeFileSync(file, bytes);
  utimesSync(file, atime, mtime);
}

describe('model files hashed once and trusted while unchanged (verified-files.ts)', () => {
  const cache = path.join(tmp, 'cache');
  const models = path.join(tmp, 'models');
  const engine = (options: { modelsDir?: string } = {}) =>
    OnnxEngine.create({ sessionCache: [cache], warmup: false, ...options }).then((e) => e.close());
  /** The cache entry of each model file, by file name. */
  const entryOf = (file: string) =>
    path.join(
      cache,
      readdirSync(cache).find((e) => e.startsWith(`${path.basename(file, '.onnx')}-`)) as string,
    );

  before(async () => {
    cpSync(MODELS_DIR, models, { recursive: true });
    await engine(); // saves the entries
    // Files changed less than two seconds before their hash are never recorded (a same-tick write could follow).
    await sleep(2100);
  });

  it('records each file after a start hashed it, and trusts it by its identity whatever the path', async () => {
    const manifest = readManifest();
    await engine();
    for (const file of ['dlib-resnet.onnx', 'landmarks68.onnx'])
      assert.ok(
        stillVerified(entryOf(file), path.join(MODELS_DIR, file), manifest.files[file]?.sha256 as string),
        file,
      );
    await engine({ modelsDir: models });
    const linked = path.join(tmp, 'linked-models');
    symlinkSync(models, linked);
    for (const dir of [models, linked])
      assert.ok(
        stillVerified(
          entryOf('faceres.onnx'),
          path.join(dir, 'faceres.onnx'),
          manifest.files['faceres.onnx']?.sha256 as string,
        ),
        dir,
      );
  });

  it('still catches a file rewritten in place, same size, its modification time put back', async () => {
    await engine({ modelsDir: models });
    tamper(path.join(models, 'dlib-resnet.onnx'));
    await assert.rejects(
      engine({ modelsDir: models }),
      (err: Error) => err instanceof ModelIntegrityError && err.message.includes('dlib-resnet.onnx'),
    );
    cpSync(path.join(MODELS_DIR, 'dlib-resnet.onnx'), path.join(models, 'dlib-resnet.onnx'));
  });

  it('still catches a file replaced by another one', async () => {
    const file = path.join(models, 'landmarks68.onnx');
    await engine({ modelsDir: models });
    const other = `${file}.other`;
    cpSync(file, other);
    tamper(other);
    renameSync(other, file);
    await assert.rejects(
      engine({ modelsDir: models }),
      (err: Error) => err instanceof ModelIntegrityError && err.message.includes('landmarks68.onnx'),
    );
  });

  it('records nothing for a file changed during its hash or just before it', async () => {
    const file = path.join(tmp, 'plain.bin');
    writeFileSync(file, 'abc');
    const dir = mkdtempSync(path.join(tmp, 'entry-'));
    rememberVerified(dir, file, 'x'.repeat(64), fileIdentity(file), Date.now());
    assert.equal(stillVerified(dir, file, 'x'.repeat(64)), false, 'changed just before the hash');
    const before = fileIdentity(file);
    await sleep(2100);
    writeFileSync(file, 'abd');
    rememberVerified(dir, file, 'x'.repeat(64), before, Date.now() - 3000);
    assert.equal(stillVerified(dir, file, 'x'.repeat(64)), false, 'changed during the hash');
  });
});
