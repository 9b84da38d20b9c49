// Issue 21, item 8: strips and blank images never reach the detector. A strip is refused from its header
// (so a 1×39,999,999 PNG costs no decoding), a near-constant image has no faces without detection.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import type { FaceEngine } from '../../src/domain/face.ts';
import { createFaceEngine } from '../../src/engine/index.ts';
import { decodeImage } from '../../src/image/decode.ts';
import { pngWithHeader } from '../fixtures/bad-inputs.ts';
import { readData } from '../fixtures/data.ts';

const black = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: '#000' } })
    .png()
    .toBuffer();

describe('degenerate images', () => {
  let engine: FaceEngine;
  before(async () => {
    engine = await createFaceEngine({ workers: 1, log: () => {} });
  });
  after(() => engine?.close());

  it('refuses a thin strip from its header, before decoding it', async () => {
    for (const [bytes, size] of [
      [await black(1, 1024), '1x1024'],
      [pngWithHeader(1, 39_999_999), '1x39999999'],
      [await black(2000, 100), '2000x100'],
    ] as const) {
      const started = performance.now();
      await assert.rejects(decodeImage(bytes), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'flat_image');
        assert.match(err.message, new RegExp(`thin strip \\(${size} pixels\\).*no face to find`));
        return true;
      });
      assert.ok(performance.now() - started < 1000, `${size} refused in ${performance.now() - started} ms`);
    }
    // A wide but ordinary photo is still read.
    assert.equal(
      (
        await decodeImage(
          await sharp(readData('bbt', 'penny', 'penny1.png'))
            .resize(800, 200, { fit: 'fill' })
            .png()
            .toBuffer(),
        )
      ).flat,
      false,
    );
  });

  it('marks near-constant images flat, and the engine finds no face in them without detecting', async () => {
    assert.equal((await decodeImage(await black(300, 300))).flat, true);
    const noisy = await sharp({
      create: {
        width: 300,
        height: 300,
        channels: 3,
        background: '#808080',
        noise: { type: 'gaussian', mean: 128, sigma: 1 },
      },
    })
      .png()
      .toBuffer();
    assert.equal((await decodeImage(noisy)).flat, true, 'sensor noise of one level is still flat');
    assert.equal((await decodeImage(readData('bbt', 'penny', 'penny1.png'))).flat, false);
    const analysis = await engine.analyze(await black(64, 512));
    assert.deepEqual(analysis.faces, []);
    assert.equal(analysis.timings.detect, 0, 'the detector never ran');
  });
});
