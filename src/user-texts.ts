// Every sentence a failure shows to a user, in one place: the tables by area live in src/texts/, and this
// index joins them. Errors and skip reports carry a code and data (`{ faces: 2 }`); only these tables turn
// them into words, so no caller ever parses a sentence back, errors cross worker threads and the queue as
// data, and one wording change reaches every platform. `new UserError` takes no text, only an identifier.
import { ARCHIVE_TEXTS } from './texts/archives.ts';
import { COMMAND_TEXTS } from './texts/commands.ts';
import type { TextFields, Texts } from './texts/fields.ts';
import { FILE_TEXTS } from './texts/files.ts';
import { GALLERY_TEXTS } from './texts/gallery.ts';
import { GAME_TEXTS } from './texts/games.ts';
import { PHOTO_TEXTS } from './texts/photos.ts';

export { RESTARTING_TEXT } from './texts/commands.ts';
export { folderSkipped, mainFaceNote } from './texts/gallery.ts';
export { IMAGE_TYPES, tooManyPartsText, uploadTooLargeText } from './texts/photos.ts';

// What a code says when nothing more specific was named: neutral, so it is right for every failure of it.
const DEFAULT_TEXTS = {
  duplicate: () => 'That is already there.',
  missing_option: () => 'Please fill in every option the command needs.',
  bad_option: () => "One of the options isn't one I can use.",
  bad_command: () => "I couldn't read that command. `/help` lists them.",
  bad_photo: () => 'That photo entry is not valid.',
  bad_path: () => 'That path cannot be used.',
  ambiguous: () => 'That matches more than one thing: please be more precise.',
  failed: () => 'That did not work. Please try again.',
} satisfies Texts;

/** The tables by area; an identifier is in exactly one of them (test/unit/user-texts.test.ts checks). */
export const TEXT_TABLES = {
  photos: PHOTO_TEXTS,
  gallery: GALLERY_TEXTS,
  archives: ARCHIVE_TEXTS,
  commands: COMMAND_TEXTS,
  games: GAME_TEXTS,
  files: FILE_TEXTS,
  defaults: DEFAULT_TEXTS,
} as const;

const TEXTS = {
  ...PHOTO_TEXTS,
  ...GALLERY_TEXTS,
  ...ARCHIVE_TEXTS,
  ...COMMAND_TEXTS,
  ...GAME_TEXTS,
  ...FILE_TEXTS,
  ...DEFAULT_TEXTS,
};

/** The identifier of a sentence: `{ text: 'game_running' }` (sapphire's identifiers). */
export type TextId = keyof typeof TEXTS;

/**
 * Codes of the failures that users cause and can fix, each with the sentence it says when the error names
 * none. The code is the category callers decide by (`busy` is retried, `empty_gallery` explained); the
 * identifier in the context says exactly what happened.
 */
const CODE_TEXTS = {
  not_image: 'not_image',
  corrupt_image: 'corrupt_image',
  empty_file: 'empty_file',
  file_too_large: 'file_too_large',
  too_many_pixels: 'too_many_pixels',
  flat_image: 'flat_image',
  no_face: 'no_face',
  too_many_faces: 'too_many_faces',
  no_avatar: 'no_avatar',
  download_failed: 'download_failed',
  timeout: 'timeout',
  busy: 'busy',
  rate_limited: 'rate_limited',
  forbidden: 'forbidden',
  unavailable: 'unavailable',
  not_found: 'not_found',
  duplicate: 'duplicate',
  ambiguous: 'ambiguous',
  empty_gallery: 'gallery_empty',
  missing_option: 'missing_option',
  bad_option: 'bad_option',
  bad_command: 'bad_command',
  no_photos: 'no_photos_to_add',
  bad_name: 'bad_name',
  bad_photo: 'bad_photo',
  bad_archive: 'zip_unreadable',
  bad_pack: 'bad_pack',
  bad_path: 'bad_path',
  store_unavailable: 'store_unavailable',
  store_moved: 'store_moved',
} as const satisfies Record<string, TextId>;

/** A failure's category; see CODE_TEXTS. */
export type UserErrorCode = keyof typeof CODE_TEXTS;

/** Every code, for checks that each has its sentence. */
export const USER_ERROR_CODES = Object.keys(CODE_TEXTS) as UserErrorCode[];

/** Structured detail of a user-facing failure: the sentence's identifier and the data it quotes. */
export interface TextContext extends TextFields {
  /** Which sentence to say, when the code's own does not tell. Tests and adapters can tell failures apart by it. */
  text?: TextId;
}

/** The sentence `id` with its data. */
export function textOf(id: TextId, fields: TextFields = {}): string {
  const sentence = (TEXTS[id] ?? TEXTS.failed)(fields);
  return fields.about === undefined ? sentence : `${fields.about}: ${sentence}`;
}

/** The sentence for a failure code and its context (what `UserError` shows). Unknown codes get a neutral one. */
export function userText(code: string, context: TextContext = {}): string {
  // Identifiers and codes may come from another process (the queue), possibly of another version.
  const known = (id: string | undefined): id is TextId => id !== undefined && Object.hasOwn(TEXTS, id);
  const byCode = (CODE_TEXTS as Record<string, TextId>)[code];
  return textOf(known(context.text) ? context.text : known(byCode) ? byCode : 'failed', context);
}

/** Why enrolment skipped a file, by code; `reason` is the text the command line prints. */
export interface SkipReport extends Pick<TextContext, 'faces'> {
  file: string;
  /** `no_face`, `too_many_faces`, `duplicate`, or the code of the error that reading the file raised. */
  code: string;
  reason: string;
}

/** The command line's short wording of a skip (also what `Skipped.reason` holds). */
export function skipReason(code: string, context: TextContext = {}, message?: string): string {
  if (code === 'no_face') return 'no face found';
  if (code === 'too_many_faces') return `${context.faces ?? 'several'} faces: use a photo with one face`;
  if (code === 'duplicate') return 'duplicate: already enrolled';
  return message ?? userText(code, context);
}

/** A skip as advice an admin in chat can act on (`/enroll`'s report). */
export function skipAdvice(skip: SkipReport): string {
  if (skip.code === 'no_face') return 'no face found — use a clear, front-facing photo';
  if (skip.code === 'too_many_faces') return 'several faces — send a photo with just one face';
  if (skip.code === 'duplicate') return 'already in the gallery (duplicate)';
  return skip.reason;
}
