import { GLOBAL_SCOPE, type Scope } from '../domain/types.ts';
import type { Platform } from './types.ts';

/** A classifier probability as people read it in replies, e.g. `0.73`. */
export function formatConfidence(confidence: number): string {
  return (Math.round(confidence * 100) / 100).toFixed(2);
}

/** A similarity in [0, 1] as a percentage, e.g. `81%`. */
export function formatPercent(value: number): string {
  return `${Math.round(value * 100)}%`;
}

/** `1 photo`, `3 photos`. */
export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** What a gallery scope is called where the member is: a Discord server, a Slack workspace, the playground. */
export function place(platform: Platform): string {
  return platform === 'discord' ? 'server' : platform === 'slack' ? 'workspace' : 'playground';
}

/** Says which gallery answered, so people understand matches from the global fallback. */
export function galleryNote(askedScope: Scope, answeredScope: Scope, platform: Platform): string {
  if (answeredScope === GLOBAL_SCOPE && askedScope !== GLOBAL_SCOPE) {
    return `Answered from the global gallery, because this ${place(platform)}'s gallery is empty.`;
  }
  if (answeredScope === GLOBAL_SCOPE) return 'Answered from the global gallery.';
  return `Answered from this ${place(platform)}'s gallery.`;
}

/** How admins fill a gallery; shown whenever there is nothing to match against. */
export const HOW_TO_FILL =
  'An admin can add people with `/enroll` and a few photos with one face each, ' +
  'import a ZIP with one folder of photos per person with `/gallery import`, ' +
  'or fill the global gallery for everyone with the command-line tool (`npx lookalike enroll <dir>`).';

/** Cuts `text` to `max` characters with an ellipsis; platforms reject longer messages outright. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
