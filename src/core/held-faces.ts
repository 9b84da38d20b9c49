// Answered faces held in memory for a while, so that "Why?" can explain a match on demand: an
// explanation re-embeds sixteen masked faces (docs/resemblance.md), far past what every answer can
// afford. Only the face's thumbnail, landmarks and embedding are held, in this process's memory, for
// ten minutes at most; nothing is written to the store.
import { randomBytes } from 'node:crypto';
import type { Analysis } from '../domain/face.ts';
import type { Candidate, FaceAnswer, Match, Scope } from '../domain/types.ts';
import type { FaceToExplain } from '../resemblance/index.ts';
import { thumbnailLandmarks } from '../resemblance/index.ts';
import { expiringCache } from '../util/expiring-cache.ts';

/** How long a face can still be explained after its answer. */
export const HOLD_MS = 10 * 60_000;
/** Most faces held at once; beyond it the oldest go first. */
export const HOLD_MAX = 500;

/** What "Why?" needs of a face answered earlier. */
export interface HeldFace {
  scope: Scope;
  match: Match;
  top: Candidate[];
  face: FaceToExplain;
}

/** The cache of held faces. */
export function heldFaces(now?: () => number) {
  return expiringCache<string, HeldFace>({ max: HOLD_MAX, ttlMs: HOLD_MS, now });
}

/** Holds every face with a match and landmarks, and gives its answer the id to explain it by. */
export async function holdFaces(
  held: ReturnType<typeof heldFaces>,
  scope: Scope,
  analysis: Analysis,
  answers: FaceAnswer[],
): Promise<FaceAnswer[]> {
  return Promise.all(
    answers.map(async (answer, i) => {
      const face = analysis.faces[i];
      if (!answer.match || !face?.landmarks) return answer;
      const landmarks = await thumbnailLandmarks(face, analysis);
      if (!landmarks) return answer;
      const explainId = randomBytes(9).toString('base64url');
      held.set(explainId, {
        scope,
        match: answer.match,
        top: answer.top,
        face: { embedding: face.embedding, thumbnail: face.thumbnail, landmarks },
      });
      return { ...answer, explainId };
    }),
  );
}
