// The last guard between the classifier and a reply. Imports and enrolments refuse embeddings no engine
// makes, but a gallery written before those checks (or a classifier bug) could still yield NaN or
// Infinity, which replies would print as "NaN confidence" and JSON would send to the page as null.
import type { Candidate, Match } from '../domain/types.ts';
import { usableEmbedding } from '../gallery/entries.ts';

function finiteCandidate(c: Candidate): boolean {
  return Number.isFinite(c.confidence) && Number.isFinite(c.similarity);
}

function unit(value: number): number {
  return Math.min(1, Math.max(0, value));
}

/**
 * A classifier's answer with every non-finite candidate left out and scores held to [0, 1]. A best
 * match that is not finite becomes no match (with `same` false): saying nothing beats a wrong "that's them".
 */
export function finiteAnswer<T extends { match: Match | null; top: Candidate[] }>(result: T): T {
  const top = result.top.filter(finiteCandidate).map((c) => ({
    ...c,
    confidence: unit(c.confidence),
    similarity: unit(c.similarity),
  }));
  const { match } = result;
  if (match === null) return { ...result, top };
  if (!finiteCandidate(match)) return { ...result, match: null, top };
  return {
    ...result,
    match: { ...match, confidence: unit(match.confidence), similarity: unit(match.similarity) },
    top,
  };
}

/** The embeddings of a gallery photo list that may enter training (see usableEmbedding). */
export function trainable<P extends { embedding: Float32Array }>(photos: P[]): P[] {
  return photos.filter((p) => usableEmbedding(p.embedding));
}
