// engineFaces: one engine analysis per photo, matched with the scope's classifier (a stub engine here).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Matcher } from '../../src/classifier/matcher.ts';
import type { Face } from '../../src/domain/face.ts';
import { UserError } from '../../src/errors.ts';
import { engineFaces } from '../../src/games/faces.ts';

function unit(values: number[]): Float32Array {
  const norm = Math.hypot(...values);
  return Float32Array.from(values.map((v) => v / norm));
}

describe('engine faces', () => {
  const matcher = Matcher.train([
    { slug: 'penny', name: 'Penny', embeddings: [unit([1, 0, 0]), unit([0.9, 0.1, 0])] },
    { slug: 'amy', name: 'Amy', embeddings: [unit([0, 1, 0]), unit([0.1, 0.9, 0])] },
  ]);
  const scopes: string[] = [];
  let faces: Face[] = [];
  const service = {
    engine: {
      backend: 'stub',
      close: async () => {},
      analyze: async () => ({
        width: 10,
        height: 10,
        faces,
        timings: { decode: 0, detect: 0, align: 0, embed: 0 },
      }),
    },
    answeringScope: async (scope: string) => (scope === 'discord:empty' ? 'global' : scope),
    matcher: async (scope: string) => {
      scopes.push(scope);
      return { matcher, version: 1 };
    },
  };
  const games = engineFaces(service as unknown as Parameters<typeof engineFaces>[0]);

  it('reads the largest face, or says there is none', async () => {
    await assert.rejects(
      games.read(new Uint8Array([1])),
      (e: unknown) => e instanceof UserError && e.code === 'no_face',
    );
    const thumbnail = new Uint8Array([9]);
    faces = [{ box: [0, 0, 4, 4], score: 0.9, embedding: unit([0, 0, 1]), thumbnail }];
    assert.deepEqual(await games.read(new Uint8Array([1])), { embedding: unit([0, 0, 1]), thumbnail });
  });

  it("scores against one named celebrity's nearest photo, in the answering gallery", async () => {
    const selfie = unit([0.6, 0.8, 0]);
    const penny = await games.similarityTo('global', 'penny', selfie);
    assert.ok(Math.abs((penny ?? 0) - Math.max(0.6, (0.9 * 0.6 + 0.1 * 0.8) / Math.hypot(0.9, 0.1))) < 1e-6);
    assert.equal(await games.similarityTo('global', 'nobody', selfie), null);
    assert.equal((await games.lookalike('discord:empty', unit([0.1, 1, 0])))?.name, 'Amy');
    assert.deepEqual(scopes, ['global', 'global', 'global']);
  });
});
