// How a percentile reads in a reply. 50% is what two random people in the gallery score, so only a
// clear margin above it is called alike.
import type { RegionScore } from '../domain/resemblance.ts';

/** A region at or above this percentile is "the same". */
export const SAME_FROM = 90;
/** A region at or above this percentile (and below SAME_FROM) is "similar"; below, "different". */
export const SIMILAR_FROM = 65;

/** The word for a percentile: same (≥ 90), similar (≥ 65) or different. */
export function likeness(percentile: number): 'same' | 'similar' | 'different' {
  if (percentile >= SAME_FROM) return 'same';
  return percentile >= SIMILAR_FROM ? 'similar' : 'different';
}

/** "same jawline (92%), similar eyes (85%), different nose (41%)", in the order given (best first). */
export function describeResemblance(regions: readonly RegionScore[]): string {
  return regions.map((r) => `${likeness(r.percentile)} ${r.region} (${r.percentile}%)`).join(', ');
}

/**
 * The explanation phrase of an answer, made here alone for every surface (chat replies, the CLI), best
 * region first, at most `max`. With a "that's them" claim (`same`) only the regions at least similar are
 * named, so the reason never contradicts the claim; when none is, there is no phrase (the claim rests on
 * the whole face's similarity, which the answer states).
 */
export function explainMatch(
  regions: readonly RegionScore[],
  same: boolean,
  max = Number.POSITIVE_INFINITY,
): string | undefined {
  const named = (same ? regions.filter((r) => likeness(r.percentile) !== 'different') : regions).slice(
    0,
    max,
  );
  return named.length > 0 ? describeResemblance(named) : undefined;
}
