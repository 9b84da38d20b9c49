// What the games' definitions share before an event reaches their rules: the answering gallery and the
// option limits. Slow work (downloads, inference) happens in the definitions, outside the channel's lock.
import type { OptionSpec } from '../chat/types.ts';
import { GLOBAL_SCOPE, type IdentityInfo, type LookalikeService, type Scope } from '../domain/types.ts';

/** Longest battle or twin finder, in minutes. */
export const MAX_GAME_MINUTES = 30;

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.floor(value)));
}

/** The `minutes` option of a timed game. */
export function minutesOption(what: string) {
  return {
    name: 'minutes',
    description: `How long ${what} lasts`,
    type: 'integer',
    min: 1,
    max: MAX_GAME_MINUTES,
  } as const satisfies OptionSpec;
}

/** The gallery that answers for `scope` (its own, or `global` while empty, as identify does) and its people. */
export async function answeringGallery(
  service: LookalikeService,
  scope: Scope,
): Promise<{ gallery: Scope; identities: IdentityInfo[] }> {
  const own = (await service.list(scope)).filter((i) => i.photos.length > 0);
  if (own.length > 0 || scope === GLOBAL_SCOPE) return { gallery: scope, identities: own };
  const global = (await service.list(GLOBAL_SCOPE)).filter((i) => i.photos.length > 0);
  return { gallery: GLOBAL_SCOPE, identities: global };
}
