import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Matcher } from '../../src/classifier/matcher.ts';
import { OFF_THREAD_MIN_PHOTOS, trainOffThread } from '../../src/classifier/train-off-thread.ts';
import { syntheticGallery } from '../support/synthetic.ts';

describe('training off the main thread', () => {
  it('gives the same answers as training inline, while the event loop keeps running', async () => {
    const g = syntheticGallery({ identities: 60, perIdentity: 8, dim: 256, photoSpread: 0.8, seed: 7 });
    assert.ok(g.identities.reduce((n, i) => n + i.embeddings.length, 0) >= OFF_THREAD_MIN_PHOTOS);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const started = ticks;
    const offThread = await trainOffThread(g.identities, { sameThreshold: 0.5 });
    clearInterval(timer);
    // Inline training of this gallery would block every timer until it returned.
    assert.ok(ticks - started > 0, 'timers fired during training');
    const inline = Matcher.train(g.identities, { sameThreshold: 0.5 });
    for (const [k] of g.identities.entries()) {
      for (const photo of g.photos(k, 1)) {
        assert.deepEqual(offThread.identify(photo), inline.identify(photo));
      }
    }
  });

  it('trains small galleries inline', async () => {
    const g = syntheticGallery({ identities: 3, perIdentity: 3, dim: 32, photoSpread: 0.8, seed: 3 });
    const m = await trainOffThread(g.identities);
    assert.equal(m.size, 3);
    assert.equal(m.method, 'svm');
  });
});
