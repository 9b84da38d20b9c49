// How an explanation reads in a reply: the regions with the largest shares, as whole percentages.
import type { RegionScore } from '../domain/resemblance.ts';

/** How many regions a reply names at most. */
export const NAMED_REGIONS = 3;
/** A region with a smaller share than this is not named: it explains too little to be worth reading. */
export const MIN_NAMED_SHARE = 0.1;

/** The regions a reply names: the top ones (at most three), each with at least a 10% share, largest first. */
export function namedRegions(regions: readonly RegionScore[]): RegionScore[] {
  const named = regions.slice(0, NAMED_REGIONS).filter((r) => r.share >= MIN_NAMED_SHARE);
  return named.length > 0 ? named : regions.slice(0, 1);
}

/** A share as a whole percentage, e.g. `34%`. */
export function sharePercent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/** "mostly the eyes (34%), nose (22%) and mouth (15%)": the named regions, in the order given (largest first). */
export function describeResemblance(regions: readonly RegionScore[]): string {
  const parts = namedRegions(regions).map((r) => `${r.region} (${sharePercent(r.share)})`);
  const list = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : (parts[0] ?? '');
  return `mostly the ${list}`;
}
