import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mainFace } from '../../src/core/main-face.ts';
import type { Analysis, Box, Face } from '../../src/domain/face.ts';

const face = (box: Box): Face => ({
  box,
  score: 0.9,
  embedding: new Float32Array(4),
  thumbnail: Uint8Array.of(1),
});
const photo = (...boxes: Box[]): Analysis => ({
  width: 200,
  height: 200,
  faces: boxes.map(face),
  timings: { decode: 0, detect: 0, align: 0, embed: 0 },
});

describe('the main face of a photo for enrolment', () => {
  it('takes a lone face', () => {
    assert.deepEqual(mainFace(photo([40, 40, 120, 120])), { face: face([40, 40, 120, 120]), ignored: 0 });
  });

  it('ignores a much smaller face and a sliver cut by the edge, counting them', () => {
    const main: Box = [30, 30, 140, 140];
    assert.equal(mainFace(photo(main, [150, 10, 40, 40]))?.ignored, 1);
    // A neighbour's face at the right edge: a square box clamped to 20×90.
    assert.equal(mainFace(photo(main, [180, 50, 20, 90]))?.ignored, 1);
    assert.equal(mainFace(photo(main, [150, 10, 40, 40], [0, 60, 25, 80]))?.face.box, main);
  });

  it('refuses two faces of similar size, even one touching the edge but whole', () => {
    assert.equal(mainFace(photo([0, 40, 100, 100], [100, 40, 90, 90])), null);
    assert.equal(mainFace(photo([10, 10, 90, 90], [110, 110, 90, 90])), null);
  });

  it('finds nothing in a photo without faces', () => {
    assert.equal(mainFace(photo()), null);
  });
});

describe('enrolling a tight crop with a second, small face (real photos, ONNX engine)', () => {
  it('enrols the main face and says that it left the other out', async () => {
    const { OnnxEngine } = await import('../../src/engine/onnx/onnx-engine.ts');
    const { CoreService } = await import('../../src/core/service.ts');
    const { Gallery } = await import('../../src/gallery/index.ts');
    const { openStore } = await import('../../src/store/index.ts');
    const sharp = (await import('sharp')).default;
    const { readData } = await import('../fixtures/data.ts');
    const main = await sharp(readData('bbt', 'penny', 'penny1.png'))
      .resize(360, 360)
      .png()
      .toBuffer();
    const small = await sharp(readData('bbt', 'raj', 'raj1.png'))
      .resize(90, 90)
      .png()
      .toBuffer();
    const photo = await sharp({ create: { width: 480, height: 480, channels: 3, background: '#808080' } })
      .composite([
        { input: main, left: 0, top: 60 },
        { input: small, left: 380, top: 10 },
      ])
      .png()
      .toBuffer();
    const engine = await OnnxEngine.create({ threads: 1 });
    const store = await openStore('memory://');
    try {
      const service = new CoreService(engine, new Gallery(store, { embeddingDim: 1152 }));
      const faces = (await engine.analyze(photo)).faces.length;
      assert.equal(faces, 2, 'the engine sees both faces');
      const result = await service.enroll(
        'global',
        'Penny',
        [{ name: 'penny-and-raj.png', data: photo }],
        'cli',
      );
      assert.equal(result.added.length, 1);
      assert.equal(result.added[0]?.ignoredFaces, 1);
      assert.deepEqual(result.skipped, []);
    } finally {
      await engine.close();
      await store.close();
    }
  });
});
