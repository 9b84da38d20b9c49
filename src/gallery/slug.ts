import { createHash } from 'node:crypto';
import { UserError } from '../errors.ts';

/** The longest display name accepted, in characters. */
export const MAX_NAME_LENGTH = 100;

// Letters that NFKD does not split into a base letter plus accents.
const SPECIAL_LETTERS: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  ł: 'l',
  þ: 'th',
  ı: 'i',
};

/**
 * The stable id of a name: lowercase ASCII, accents stripped, other characters turned into '-'
 * ("Brad Pitt" -> "brad-pitt", "Beyoncé" -> "beyonce"). Names with no ASCII letters or digits at all
 * (e.g. "李小龍") get `id-` plus a short hash of the name, so they still have a usable slug.
 */
export function slugify(name: string): string {
  const folded = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[ßæœøđðłþı]/g, (letter) => SPECIAL_LETTERS[letter] ?? letter);
  const slug = folded.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  if (slug !== '') return slug;
  const hash = createHash('sha256').update(tidy(name).toLowerCase()).digest('hex');
  return `id-${hash.slice(0, 10)}`;
}

// What could make a name a link, a mention or a code span on Discord (masked links `[text](url)`, `<@…>`,
// spoilers `||`, backticks) or Slack (`<url|text>`), the command line's `->` between names, and web
// addresses, which both platforms link on their own. Emphasis characters (`_ * ~`) are allowed: folder
// names such as LFW's `Aaron_Eckhart` use underscores, and replies escape them (escapeMarkdown).
const MARKUP = /[`|<>[\]\\]|->|→|=>|[a-z][a-z0-9+.-]*:\/\/|\bwww\./i;

// Whitespace, control and format characters as cleanName treats them, without refusing anything (slugs of
// names stored before the refusals must stay the same).
function tidy(name: string): string {
  return (
    String(name)
      .normalize('NFC')
      // Control characters would garble chat replies and logs.
      .replace(/\p{Cc}/gu, ' ')
      .replace(/\p{Cf}/gu, '')
      .replace(/\s+/gu, ' ')
      .trim()
  );
}

/**
 * A display name with surrounding and repeated whitespace removed; raises `bad_name` when unusable.
 * Control and format characters (\p{Cf}: zero-width spaces, bidirectional overrides such as U+202E)
 * go, so no name is invisible or displays reversed; a name with markup is refused, not escaped, so it
 * reads the same on every platform and can always be typed again to rename or remove it.
 */
export function cleanName(name: string): string {
  const given = String(name);
  const cleaned = tidy(given);
  if (cleaned === '') {
    throw new UserError(
      'bad_name',
      given.trim() === '' ? { text: 'name_empty' } : { text: 'name_invisible', name: printable(given) },
    );
  }
  if ([...cleaned].length > MAX_NAME_LENGTH) {
    throw new UserError('bad_name', { text: 'name_too_long', limit: MAX_NAME_LENGTH });
  }
  if (MARKUP.test(cleaned)) throw new UserError('bad_name', { text: 'name_markup', name: cleaned });
  return cleaned;
}

/** Whether `name` would be refused by cleanName (for callers that skip rather than fail). */
export function nameProblem(name: string): string | undefined {
  try {
    cleanName(name);
    return undefined;
  } catch (err) {
    if (err instanceof UserError) return err.message;
    throw err;
  }
}

// What an invisible name is shown as in the refusal: its code points, since its characters show nothing.
function printable(name: string): string {
  return [...name].map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`).join(' ');
}

/** "barack_obama" -> "Barack Obama": OpenFace folder names (aligned_faces/<person>/) become display names. */
export function folderDisplayName(folder: string): string {
  return folder
    .replace(/[_-]+/g, ' ')
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/(^|\s)(\p{Ll})/gu, (_, space: string, ch: string) => space + ch.toUpperCase());
}
