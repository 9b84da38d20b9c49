import assert from 'node:assert/strict';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Analysis } from '../../src/domain/face.ts';
import { MODELS_DIR, ModelIntegrityError } from '../../src/engine/model-files.ts';
import { OnnxEngine } from '../../src/engine/onnx/onnx-engine.ts';
import { cacheKey } from '../../src/engine/onnx/session-cache.ts';
import { readData } from '../fixtures/data.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'lookalike-session-cache-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A single-face photo and a group photo: every one of the four nets runs on each. */
const photos = [readData('bbt', 'amy', 'amy1.png'), readData('bbt', 'group', 'bbt1.jpg')];

async function analyseAll(sessionCache: string[] | false, modelsDir?: string): Promise<Analysis[]> {
  const engine = await OnnxEngine.create({ sessionCache, modelsDir, warmup: false });
  try {
    const out: Analysis[] = [];
    for (const photo of photos) out.push(await engine.analyze(photo));
    return out;
  } finally {
    await engine.close();
  }
}

/** Boxes, scores, landmarks and every descriptor, exactly (thumbnails are pixels of the same crops). */
function assertIdentical(actual: Analysis[], expected: Analysis[]): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, p) => {
    const e = expected[p] as Analysis;
    assert.equal(a.faces.length, e.faces.length, `photo ${p}: face count`);
    assert.ok(a.faces.length > 0, `photo ${p}: no face found`);
    a.faces.forEach((f, i) => {
      const g = e.faces[i];
      assert.ok(g);
      assert.deepEqual(f.box, g.box, `photo ${p} face ${i}: box`);
      assert.equal(f.score, g.score, `photo ${p} face ${i}: score`);
      assert.deepEqual([...f.embedding], [...g.embedding], `photo ${p} face ${i}: embedding`);
      assert.deepEqual(f.landmarks, g.landmarks, `photo ${p} face ${i}: landmarks`);
      assert.deepEqual(Buffer.from(f.thumbnail), Buffer.from(g.thumbnail), `photo ${p} face ${i}: thumbnail`);
    });
  });
}

/** The cache entries (one folder per model) in a cache folder. */
function entries(dir: string): string[] {
  return readdirSync(dir).sort();
}

describe('the cache of optimised ONNX sessions', () => {
  const cache = path.join(tmp, 'cache');
  let reference: Analysis[];
  before(async () => {
    reference = await analyseAll(false);
  });

  it('saves one entry per model on a first start, and gives the same answers bit for bit', async () => {
    assertIdentical(await analyseAll([cache]), reference);
    const saved = entries(cache);
    assert.equal(saved.length, 4, saved.join(', '));
    assert.ok(
      saved.every((e) => !e.startsWith('partial-')),
      'a scratch folder was left behind',
    );
    for (const entry of saved) assert.ok(statSync(path.join(cache, entry, 'model.data')).size > 0, entry);
  });

  it('starts from the saved entries, with the same answers bit for bit', async () => {
    const before = entries(cache).map((e) => statSync(path.join(cache, e, 'model.onnx')).mtimeMs);
    assertIdentical(await analyseAll([cache]), reference);
    const after = entries(cache).map((e) => statSync(path.join(cache, e, 'model.onnx')).mtimeMs);
    assert.deepEqual(after, before, 'an entry was rebuilt instead of used');
  });

  it('names each entry by the model sha256 the manifest lists: a changed model never meets a stale entry', () => {
    const options = { graphOptimizationLevel: 'all' as const, executionProviders: ['cpu'] };
    const key = cacheKey('dlib-resnet.onnx', 'a'.repeat(64), '1.30.0', options);
    assert.match(key, /^dlib-resnet-[0-9a-f]{20}$/);
    assert.notEqual(cacheKey('dlib-resnet.onnx', 'b'.repeat(64), '1.30.0', options), key);
    assert.notEqual(cacheKey('dlib-resnet.onnx', 'a'.repeat(64), '1.31.0', options), key);
    assert.notEqual(
      cacheKey('dlib-resnet.onnx', 'a'.repeat(64), '1.30.0', { ...options, graphOptimizationLevel: 'basic' }),
      key,
    );
  });

  it('rebuilds an entry that does not load (truncated, garbage), with the same answers', async () => {
    const broken = path.join(tmp, 'broken');
    cpSync(cache, broken, { recursive: true });
    const [first, second] = entries(broken);
    assert.ok(first && second);
    writeFileSync(path.join(broken, first, 'model.onnx'), 'not a model');
    const data = path.join(broken, second, 'model.data');
    writeFileSync(data, readFileSync(data).subarray(0, 1000));
    assertIdentical(await analyseAll([broken]), reference);
    assert.ok(statSync(path.join(broken, first, 'model.onnx')).size > 1000, `${first} not rebuilt`);
    assert.equal(
      statSync(data).size,
      statSync(path.join(cache, second, 'model.data')).size,
      `${second} not rebuilt`,
    );
  });

  it('still checks the model files against the manifest when every entry is there', async () => {
    const models = path.join(tmp, 'altered-models');
    cpSync(MODELS_DIR, models, { recursive: true });
    const file = path.join(models, 'dlib-resnet.onnx');
    const bytes = readFileSync(file);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] as number) ^ 0xff;
    writeFileSync(file, bytes);
    await assert.rejects(
      OnnxEngine.create({ sessionCache: [cache], modelsDir: models, warmup: false }),
      (err: Error) => err instanceof ModelIntegrityError && err.message.includes('dlib-resnet.onnx'),
    );
  });

  it('starts without a cache, silently, where the cache folder cannot be made or written', async () => {
    const file = path.join(tmp, 'a-file');
    writeFileSync(file, '');
    // A folder under a plain file can never be made (ENOTDIR), even for root, who ignores permissions.
    assertIdentical(await analyseAll([path.join(file, 'cache')]), reference);
    assert.equal(statSync(file).size, 0);
  });

  it("removes a model's entries under other keys and scratch folders abandoned over an hour ago", async () => {
    const tidy = path.join(tmp, 'tidy');
    const made = (name: string) => {
      mkdirSync(path.join(tidy, name), { recursive: true });
      return path.join(tidy, name);
    };
    made('blazeface-00000000000000000000');
    made('dlib-resnet-11111111111111111111');
    const old = made('partial-old');
    const hoursAgo = new Date(Date.now() - 2 * 3600_000);
    utimesSync(old, hoursAgo, hoursAgo);
    made('partial-busy');
    await analyseAll([tidy]);
    const left = entries(tidy);
    assert.deepEqual(
      left.filter((e) => e.startsWith('partial-')),
      ['partial-busy'],
    );
    assert.equal(left.length, 5, left.join(', '));
    assert.ok(
      !left.includes('blazeface-00000000000000000000') && !left.includes('dlib-resnet-11111111111111111111'),
    );
    assert.deepEqual(
      entries(cache),
      left.filter((e) => e !== 'partial-busy'),
    );
  });

  it('uses the next folder when the first cannot be written', async () => {
    const next = path.join(tmp, 'next');
    assertIdentical(await analyseAll([path.join(tmp, 'a-file', 'cache'), next]), reference);
    assert.equal(entries(next).length, 4);
  });
});
