import type { Analysis } from '../domain/face.ts';
import type { FaceAnswer, Scope } from '../domain/types.ts';
import type { ResemblanceExplainer } from './explainer.ts';
import { thumbnailLandmarks } from './thumbnail-frame.ts';

/**
 * Adds `resemblance` to the best match of each face that can be explained. An explanation is a
 * courtesy: should one fail, the identification is still answered, without it.
 */
export async function explainFaces(
  explainer: ResemblanceExplainer,
  scope: Scope,
  analysis: Analysis,
  answers: FaceAnswer[],
): Promise<FaceAnswer[]> {
  return Promise.all(
    answers.map(async (answer, i) => {
      const face = analysis.faces[i];
      if (!answer.match || !face?.landmarks) return answer;
      try {
        const landmarks = await thumbnailLandmarks(face, analysis);
        const resemblance = await explainer.explain(scope, answer.match.slug, {
          embedding: face.embedding,
          landmarks,
        });
        return resemblance ? { ...answer, match: { ...answer.match, resemblance } } : answer;
      } catch {
        return answer;
      }
    }),
  );
}
