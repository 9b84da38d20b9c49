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
  const hash = createHash('sha256').update(cleanName(name).toLowerCase()).digest('hex');
  return `id-${hash.slice(0, 10)}`;
}

/** A display name with surrounding and repeated whitespace removed; raises `bad_input` when unusable. */
export function cleanName(name: string): string {
  const cleaned = String(name)
    .normalize('NFC')
    // Control characters would garble chat replies and logs.
    .replace(/\p{Cc}/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
  if (cleaned === '') throw new UserError('bad_input', 'Please give a name.');
  if ([...cleaned].length > MAX_NAME_LENGTH) {
    throw new UserError('bad_input', `That name is too long (at most ${MAX_NAME_LENGTH} characters).`);
  }
  return cleaned;
}

/** "barack_obama" -> "Barack Obama": OpenFace folder names (aligned_faces/<person>/) become display names. */
export function folderDisplayName(folder: string): string {
  return folder
    .replace(/[_-]+/g, ' ')
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/(^|\s)(\p{Ll})/gu, (_, space: string, ch: string) => space + ch.toUpperCase());
}
