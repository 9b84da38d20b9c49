// What the battle and the twin finder need from the face engine beyond LookalikeService: an embedding
// (twins compare members with each other) and an exact similarity to one named celebrity (a battle's
// celebrity is often not in a selfie's top 3, where identify would give no number for it).

import type { CoreService } from '../core/service.ts';
import type { Candidate, Scope } from '../domain/types.ts';
import { UserError } from '../errors.ts';
import { cosine, similarityFromCosine } from '../util/vectors.ts';

/** The largest face of a photo. */
export interface FaceReading {
  /** L2-normalised embedding. */
  embedding: Float32Array;
  /** Aligned face crop (PNG). */
  thumbnail: Uint8Array;
}

/** Face operations games use; `engineFaces` is the real one, tests pass fakes. */
export interface GameFaces {
  /** Finds the largest face; UserError('no_face') when there is none. */
  read(image: Uint8Array): Promise<FaceReading>;
  /** The celebrity an embedding looks like in `scope`'s gallery (or `global` while it is empty). */
  lookalike(scope: Scope, embedding: Float32Array): Promise<Candidate | null>;
  /** Similarity in [0, 1] to the nearest enrolled photo of `slug` in `gallery`; null when they are gone. */
  similarityTo(gallery: Scope, slug: string, embedding: Float32Array): Promise<number | null>;
}

/** GameFaces over the running core: one engine analysis per photo, matching with the scope's classifier. */
export function engineFaces(service: Pick<CoreService, 'engine' | 'answeringScope' | 'matcher'>): GameFaces {
  return {
    async read(image) {
      const analysis = await service.engine.analyze(image, { maxFaces: 1 });
      const face = analysis.faces[0];
      if (!face) throw new UserError('no_face');
      return { embedding: face.embedding, thumbnail: face.thumbnail };
    },
    async lookalike(scope, embedding) {
      const { matcher } = await service.matcher(await service.answeringScope(scope));
      return matcher.identify(embedding).match;
    },
    async similarityTo(gallery, slug, embedding) {
      const { matcher } = await service.matcher(gallery);
      const identity = matcher.identities.find((i) => i.slug === slug);
      if (!identity || identity.embeddings.length === 0) return null;
      const best = Math.max(...identity.embeddings.map((e) => cosine(e, embedding)));
      return similarityFromCosine(best);
    },
  };
}
