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
  const out: FaceAnswer[] = [];
  // One face at a time: each is already one batch on the engine, and group photos should not flood it.
  for (const [i, answer] of answers.entries()) {
    const face = analysis.faces[i];
    if (!answer.match || !face?.landmarks) {
      out.push(answer);
      continue;
    }
    try {
      const landmarks = await thumbnailLandmarks(face, analysis);
      const resemblance = await explainer.explain(scope, answer.match.slug, { ...face, landmarks });
      out.push(resemblance ? { ...answer, match: { ...answer.match, resemblance } } : answer);
    } catch {
      out.push(answer);
    }
  }
  return out;
}
