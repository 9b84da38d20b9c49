// Sentences about the gallery: names, photo entries, and the store behind them.
import type { Texts } from './fields.ts';

/** Characters that are markup on Discord or Slack; names carrying them are refused at enrolment. */
const NAME_MARKUP_CHARACTERS = 'backticks, backslashes, | < > [ ]';

/** What a write says once the store's SQLite file was deleted or replaced under the running process. */
const STORE_MOVED_TEXT =
  'The gallery store file was deleted or replaced while I was running, so I refuse to save changes (they would be lost). An admin needs to restart me.';

/** What a command says while another program holds the SQLite store's write lock. */
const STORE_LOCKED_TEXT =
  'The gallery store is locked by another program right now, so nothing was changed. Please try again in a little while; if it lasts, an admin should look for what holds it.';

/** What a command says while the store does not answer. */
const STORE_UNAVAILABLE_TEXT =
  'The gallery store is not reachable right now. Please try again in a little while.';

// Why the store refuses a write for good, or cannot open, by the OS's or SQLite's code (`kind`).
const WRITE_REFUSALS: Record<string, string> = {
  SQLITE_FULL: 'the disk is full',
  ENOSPC: 'the disk is full',
  SQLITE_READONLY: 'the store is read-only',
  EROFS: 'the file system is read-only',
  SQLITE_IOERR: 'the disk refused the write',
};
const OPEN_REASONS: Record<string, string> = {
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is not a folder',
  EEXIST: 'a part of the path is a file, not a folder',
  ENOSPC: 'the disk is full',
  SQLITE_READONLY: 'the database is read-only',
  SQLITE_CANTOPEN: 'the file cannot be opened or created',
  SQLITE_FULL: 'the disk is full',
};

/** The sentences about the gallery, by identifier. */
export const GALLERY_TEXTS = {
  bad_name: (c) => `${c.name ? `"${c.name}"` : 'That name'} is not a name I can use.`,
  name_empty: () => 'Please give a name.',
  name_invisible: (c) =>
    `"${c.name}" has nothing visible left once invisible characters are removed: please give a name.`,
  name_too_long: (c) => `That name is too long (at most ${c.limit} characters).`,
  name_markup: (c) =>
    `"${c.name}" looks like chat formatting or a link: names cannot contain ${NAME_MARKUP_CHARACTERS}, \`->\` or a web address.`,
  name_taken: (c) => `Someone called "${c.name}" is already in this gallery.`,
  no_such_person: (c) => `No one called "${c.name}" in this gallery.`,
  no_such_photo: (c) => `No photo "${c.name}" in this gallery.`,
  photo_prefix_ambiguous: (c) => `More than one photo starts with "${c.name}"; give more of the hash.`,
  no_photos_to_add: () => 'There are no photos to add.',
  photos_all_duplicate: () => 'All of these photos are already in this gallery.',
  gallery_empty: () => 'The gallery is empty. An admin can add people with `/enroll`.',
  export_empty: (c) => `This ${c.place}'s gallery is empty: there is nothing to export.`,
  // A photo entry that the gallery refuses: callers are code (the service, imports), not members.
  descriptor_unknown: (c) => `Unknown face descriptor "${c.name}".`,
  descriptor_invalid: (c) => `The ${c.name} descriptor must be a Float32Array of finite numbers.`,
  photo_hash_invalid: () => 'A photo hash must be 64 hex digits (sha256).',
  embedding_size: (c) => `A photo embedding must be a Float32Array of ${c.count} numbers.`,
  embedding_not_finite: () => 'A photo embedding has NaN or Infinity.',
  embedding_too_large: (c) => `A photo embedding has a value beyond ±${c.limit}.`,
  thumbnail_invalid: () => 'A photo thumbnail must be non-empty PNG bytes.',
  added_by_missing: () => 'A photo needs the id of who added it.',
  added_at_invalid: () => 'A photo has a bad addedAt time.',
  landmarks_invalid: (c) => `Photo landmarks must be a Float32Array of ${c.count} numbers.`,
  fingerprint_invalid: () => 'A photo engine fingerprint must be 64 hex digits (sha256).',
  // The store.
  store_unavailable: () => STORE_UNAVAILABLE_TEXT,
  store_locked: () => STORE_LOCKED_TEXT,
  store_moved: () => STORE_MOVED_TEXT,
  store_unwritable: (c) =>
    `The gallery store cannot save changes: ${WRITE_REFUSALS[c.kind ?? ''] ?? c.why ?? c.kind}. Nothing was changed, and everything saved before is kept; an admin needs to free space or make the store writable.`,
  store_cannot_open: (c) =>
    `Cannot open the SQLite store at ${c.file}: ${OPEN_REASONS[c.kind ?? ''] ?? c.why ?? c.kind}. Set LOOKALIKE_STORE (or --store) to a writable path.`,
  queue_unreachable: (c) => `The inference queue at ${c.url} is unreachable: ${c.why}`,
} satisfies Texts;

/** Why a person's folder (or a pack's person) was left out: its name, and how many photos went with it. */
export function folderSkipped(photos: number, problem: string): string {
  return `folder left out with its ${photos === 1 ? 'photo' : `${photos} photos`}: ${problem}`;
}

/** What enrolment says of a photo whose smaller faces or edge slivers it left out. */
export function mainFaceNote(ignored: number): string {
  return `enrolled its main face; left out ${ignored === 1 ? 'a smaller or cut-off face' : `${ignored} smaller or cut-off faces`}`;
}
