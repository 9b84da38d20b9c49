// One check for every pair of backends that must give interchangeable embeddings: a gallery enrolled from
// one backend's embeddings names the other's probes as its own gallery does, with the same confidence.
import assert from 'node:assert/strict';
import { Matcher } from '../../src/classifier/matcher.ts';

/**
 * Enrols each person's first 3 photos from `other` and from `reference`, then identifies the rest both
 * ways; returns how many probes it checked.
 */
export function assertInterchangeableGalleries<B extends string>(
  cast: readonly { name: string; files: string[] }[],
  embedding: (backend: B, file: string) => Float32Array,
  other: B,
  reference: B,
): number {
  const gallery = (backend: B) =>
    Matcher.train(
      cast.map((p) => ({
        slug: p.name,
        name: p.name,
        embeddings: p.files.slice(0, 3).map((f) => embedding(backend, f)),
      })),
    );
  const byOther = gallery(other);
  const byReference = gallery(reference);
  let probes = 0;
  for (const p of cast)
    for (const f of p.files.slice(3)) {
      const native = byReference.identify(embedding(reference, f)).match;
      const crossed = byOther.identify(embedding(reference, f)).match;
      const reverse = byReference.identify(embedding(other, f)).match;
      assert.ok(native, `${f}: ${reference} identifies it`);
      assert.equal(crossed?.slug, native.slug, `${f}: ${other} gallery, ${reference} probe`);
      assert.equal(reverse?.slug, native.slug, `${f}: ${reference} gallery, ${other} probe`);
      assert.ok(Math.abs((crossed?.confidence ?? 0) - native.confidence) < 0.01, f);
      probes++;
    }
  return probes;
}
