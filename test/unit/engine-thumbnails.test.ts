// Thumbnails only where a reply or the gallery needs them (issue 19): a call with `thumbnails: false`
// makes none, through the worker pool too, and changes nothing else it returns; `lookalike infer` asks
// for none; enrolment, answers, "Why?" and games still carry them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { runInfer } from '../../src/cli/commands/faces.ts';
import type { Output } from '../../src/cli/output.ts';
import { CoreService } from '../../src/core/service.ts';
import type { Analysis, AnalyzeOptions, BareFace, FaceEngine } from '../../src/domain/face.ts';
import { WorkerPool } from '../../src/engine/pool.ts';
import { Gallery } from '../../src/gallery/index.ts';
import { engineFaces } from '../../src/games/faces.ts';
import { decodeAnalysis, encodeAnalysis } from '../../src/queue/wire.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { readData } from '../fixtures/data.ts';

const group = readData('bbt', 'group', 'bbt1.jpg');

/** Asserts a thumbnail is what the engine makes: a 112×112 PNG. */
async function assertThumbnail(png: Uint8Array): Promise<void> {
  const meta = await sharp(png).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['png', 112, 112]);
}

/** Everything of a face but its thumbnail, to compare two analyses of one photo. */
function withoutThumbnail(face: BareFace): BareFace {
  const { thumbnail: _, ...rest } = face as BareFace & { thumbnail?: Uint8Array };
  return rest;
}

describe('analyze without thumbnails, through the worker pool (ONNX Runtime)', () => {
  let pool: WorkerPool;
  before(async () => {
    pool = new WorkerPool({ backend: 'onnx', workers: 1 });
    await pool.ready();
  });
  after(() => pool.close());

  it('makes none when asked for none, and the same faces, embeddings and landmarks otherwise', async () => {
    const full = await pool.analyze(group, { strict: true });
    const bare = await pool.analyze(group, { strict: true, thumbnails: false });
    assert.equal(full.faces.length, 4);
    for (const face of full.faces) await assertThumbnail(face.thumbnail);
    for (const face of bare.faces) assert.equal(Object.hasOwn(face, 'thumbnail'), false);
    // Bit for bit: the embeddings (and so the fingerprint and every gallery) do not depend on it.
    assert.deepEqual(bare.faces, full.faces.map(withoutThumbnail));
    assert.deepEqual([bare.width, bare.height], [full.width, full.height]);
  });
});

/** The real engine, in this thread, recording the options of every `analyze`. */
function recording(engine: WorkerPool): FaceEngine & { calls: (AnalyzeOptions | undefined)[] } {
  const calls: (AnalyzeOptions | undefined)[] = [];
  return {
    backend: engine.backend,
    tuning: engine.tuning,
    calls,
    analyze: ((image: Uint8Array, options?: AnalyzeOptions) => {
      calls.push(options);
      return engine.analyze(image, options);
    }) as FaceEngine['analyze'],
    embedFaceImages: (images) => engine.embedFaceImages(images),
    close: async () => {},
  };
}

describe('who asks for thumbnails', () => {
  let pool: WorkerPool;
  let store: Store;
  let engine: ReturnType<typeof recording>;
  let service: CoreService;
  let gallery: Gallery;
  before(async () => {
    pool = new WorkerPool({ backend: 'onnx', workers: 1 });
    engine = recording(pool);
    store = await openStore('memory://');
    gallery = new Gallery(store, { embeddingDim: 1152 });
    service = new CoreService(engine, gallery);
    const photos = (who: string) =>
      [1, 2].map((n) => ({ name: `${who}${n}.png`, data: readData('bbt', who, `${who}${n}.png`) }));
    await service.enroll('global', 'Amy', photos('amy'), 'test');
    await service.enroll('global', 'Penny', photos('penny'), 'test');
  });
  after(async () => {
    await store.close();
    await pool.close();
  });

  it('enrolment asks for them, and the gallery stores them', async () => {
    assert.ok(engine.calls.length >= 4);
    for (const options of engine.calls) assert.notEqual(options?.thumbnails, false);
    const stored = await service.thumbnail('global', 'penny');
    assert.ok(stored);
    await assertThumbnail(stored);
  });

  it('an answer (the bot replies) carries each face’s thumbnail and holds it for "Why?"', async () => {
    engine.calls.length = 0;
    const result = await service.identify('global', readData('bbt', 'penny', 'penny3.png'));
    assert.deepEqual(engine.calls, [{ strict: true }]);
    const face = result.faces[0]!;
    assert.equal(face.match?.slug, 'penny');
    await assertThumbnail(face.thumbnail);
    assert.ok(face.explainId);
    const explained = await service.explain(face.explainId);
    assert.ok(explained);
    assert.deepEqual(explained.thumbnail, face.thumbnail);
  });

  it('`lookalike infer` asks for none, and answers the same; with --explain it needs them again', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lookalike-thumbs-'));
    const file = path.join(dir, 'penny3.png');
    writeFileSync(file, readData('bbt', 'penny', 'penny3.png'));
    const records: unknown[] = [];
    const out: Output = {
      json: true,
      line: () => {},
      record: (v) => records.push(v),
      progress: () => {},
      endProgress: () => {},
    };
    try {
      engine.calls.length = 0;
      await runInfer({ service, scope: 'global', out, store }, [file]);
      assert.deepEqual(engine.calls, [{ strict: true, thumbnails: false }]);
      const bare = await service.identify('global', readData('bbt', 'penny', 'penny3.png'), {
        thumbnails: false,
      });
      assert.equal(Object.hasOwn(bare.faces[0]!, 'thumbnail'), false);
      assert.equal(bare.faces[0]!.explainId, undefined, 'nothing held for a "Why?" nobody can press');
      const full = await service.identify('global', readData('bbt', 'penny', 'penny3.png'));
      const { thumbnail: _, explainId: __, ...answer } = full.faces[0]!;
      assert.deepEqual(bare.faces[0], answer);
      const printed = (records[0] as { faces: { match: { name: string } }[] }).faces[0]!.match.name;
      assert.equal(printed, 'Penny');

      engine.calls.length = 0;
      await runInfer({ service, scope: 'global', out, store }, [file], 8, true);
      assert.deepEqual(engine.calls[0], { strict: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('games read a face with its thumbnail', async () => {
    const reading = await engineFaces(service).read(readData('bbt', 'amy', 'amy3.png'));
    await assertThumbnail(reading.thumbnail);
  });
});

describe('the queue wire', () => {
  const face = { box: [1, 2, 3, 4] as [number, number, number, number], score: 0.9 };
  const embedding = Float32Array.of(0.6, 0.8);
  const timings = { decode: 1, detect: 2, align: 3, embed: 4 };

  it('carries a thumbnail where the face has one, and none where the call asked for none', () => {
    const thumbnail = Uint8Array.of(137, 80, 78, 71);
    const analysis: Analysis = { width: 9, height: 9, faces: [{ ...face, embedding, thumbnail }], timings };
    const full = decodeAnalysis(JSON.parse(JSON.stringify(encodeAnalysis(analysis))), true);
    assert.deepEqual([...(full.faces[0] as BareFace & { thumbnail: Uint8Array }).thumbnail], [...thumbnail]);
    const wire = encodeAnalysis({ width: 9, height: 9, faces: [{ ...face, embedding }], timings });
    assert.equal(Object.hasOwn(wire.faces[0]!, 'thumbnail'), false);
    const bare = decodeAnalysis(JSON.parse(JSON.stringify(wire)), false);
    assert.equal(Object.hasOwn(bare.faces[0]!, 'thumbnail'), false);
    assert.deepEqual(bare.faces[0]!.embedding, embedding);
  });

  it('refuses an answer that lacks a thumbnail the call asked for', () => {
    const wire = encodeAnalysis({ width: 9, height: 9, faces: [{ ...face, embedding }], timings });
    assert.throws(() => decodeAnalysis(wire, true), /without the thumbnail it was asked for/);
  });
});
