import { GLOBAL_SCOPE, type Scope } from '../domain/types.ts';
import type { Platform } from './types.ts';

/**
 * Text from members or archives (a name, a file name) made literal inside the chat layer's markdown: every
 * markup character gets a backslash, so `[x](http://…)`, `**`, `<@…>` or `||` in it are shown, not
 * obeyed. Discord reads backslash escapes itself; the Slack and playground adapters turn them back into
 * literal characters after their own conversions (see `unescapeMarkdown`).
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_~|[\]<>]/g, '\\$&');
}

/** A backslash escape of the chat layer's markdown: `\\` followed by one ASCII punctuation mark. */
export const MARKDOWN_ESCAPE = /\\([!-/:-@[-`{-~])/g;

/** The chat layer's markdown with its backslash escapes resolved, for places that show text without markup. */
export function unescapeMarkdown(text: string): string {
  return text.replace(MARKDOWN_ESCAPE, '$1');
}

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
