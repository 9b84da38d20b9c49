// The user-facing sentences that more than one module says, rendered from a code and structured context.
// Errors and skip reports carry the data (`{ faces: 2 }`); only this module turns it into words, so no
// caller ever has to parse a sentence back, and one wording change reaches every platform.

/** Structured detail of a user-facing failure; every field is optional and only some codes read each. */
export interface TextContext extends TextFields {
  /**
   * Which sentence to say, when the code alone does not tell (sapphire's identifiers): `{ text: 'game_running' }`.
   * Tests and adapters can tell failures apart by it without reading the words.
   */
  text?: TextId;
}

/** The data a sentence may quote. */
export interface TextFields {
  /** The file it is about, as the member named it. */
  file?: string;
  /** How many faces were found. */
  faces?: number;
  /** Seconds to wait before trying again. */
  seconds?: number;
  /** The command, with its subcommand (`gallery remove`). */
  command?: string;
  /** A button id that no handler knows. */
  button?: string;
  /** The optional part of the bot that is missing (a `requires` entry such as `games`, or `avatars`). */
  feature?: string;
  /** Where a face was looked for: a profile picture, or one of two compared photos. */
  source?: 'avatar' | 'first' | 'second' | 'both';
  /** Requests ahead of this one in the face engine's queue. */
  ahead?: number;
  /** What a refused file really is, by its magic numbers (`pdf`, `heic`… from `src/image/sniff.ts`). */
  kind?: string;
  /** A name as it was given (a person's, a member's, a folder's). */
  name?: string;
  /** A count, and the least it must be. */
  count?: number;
  minimum?: number;
  /** The forms a command takes, as the sentence lists them. */
  usage?: string;
  /** Why a name, a pack or an image was refused, as a short clause (`it contains a link`). */
  why?: string;
  /** A limit that was passed (photos in a pack, parts of a request). */
  limit?: number;
}

/** Sentences said in one place each, by identifier; a UserError names one with `{ text: … }`. */
const TEXTS = {
  game_running: () =>
    'A game is already running in this channel: wait for it to end, or end it with `/game stop`.',
  game_over: () => 'The game is over.',
  game_no_action: () => 'That game has no such action.',
  game_none: () => 'No game is running in this channel.',
  game_stop_forbidden: (c) => `Only ${c.name}, who started this game, or a server admin can end it.`,
  game_usage: (c) => `Use ${c.usage}.`,
  guess_too_few: (c) =>
    `Who's that celebrity? needs at least ${c.minimum} people in the gallery to make up four answers, ` +
    `and this one has ${c.count}. An admin can add people with \`/enroll\`.`,
  battle_none: () => 'No lookalike battle is running in this channel. Start one with `/game battle`.',
  battle_celebrity_gone: (c) => `${c.name} is no longer in the gallery, so selfies can't be scored.`,
  not_in_gallery: (c) =>
    `${c.name ? `**${c.name}**` : 'That person'} isn't in the gallery. \`/gallery list\` shows who is.`,
  twins_none: () => 'No twin finder is running in this channel. Start one with `/game twins`.',
  twins_selfie_needed: () =>
    'Attach a selfie: `/game join image:<photo>`. It is kept only for this game unless you add `keep:true`.',
  twins_over: () => 'The twin finder is over.',
  watch_usage: () => 'Use `/watch on` or `/watch off`.',
} satisfies Record<string, (context: TextFields) => string>;

/** The identifier of a sentence in `TEXTS`. */
export type TextId = keyof typeof TEXTS;

// What a refused file is, named so that the member knows what to send instead.
const KIND_NAMES: Record<string, string> = {
  heic: 'a HEIC photo (the iPhone format; choose "Most Compatible" or send a screenshot)',
  svg: 'an SVG drawing',
  pdf: 'a PDF document',
  zip: 'a ZIP archive',
  bmp: 'a BMP bitmap',
  video: 'a video',
  text: 'a text file',
};

function subject(file: string | undefined): string {
  // A backtick in the name would end the code span and let the rest be read as markup.
  return file ? `\`${file.replace(/`/g, "'")}\`` : 'That file';
}

/** Image types the decoder accepts, as members read them. */
export const IMAGE_TYPES = 'JPEG, PNG, WebP, GIF, AVIF or TIFF';

/** What a member who asks while the bot is shutting down (a restart) is told, instead of nothing. */
export const RESTARTING_TEXT = "I'm restarting right now: please try again in a few seconds.";

/** How to take a photo that works, said wherever no face was found. */
export const NO_FACE_TEXT = "I couldn't find a face in that photo — try a well-lit, front-facing selfie.";

// What "x isn't available on this bot" calls each optional part; unknown ones get a neutral wording.
const FEATURES: Record<string, string> = {
  games: "Games aren't available on this bot.",
  settings: "Watching channels isn't available on this bot.",
  avatars: 'Profile pictures are not available here; attach a photo.',
  posting: "Games can't run here yet: this connection can't post game messages.",
  outside: 'That command only works in a server that added Lookalike.',
};

function noFace(source: TextContext['source']): string {
  switch (source) {
    case 'avatar':
      return "I couldn't find a face in that profile picture — attach a well-lit, front-facing selfie with the `image` option.";
    case 'first':
      return "I couldn't find a face in the first photo.";
    case 'second':
      return "I couldn't find a face in the second photo.";
    case 'both':
      return "I couldn't find a face in either photo.";
    default:
      return NO_FACE_TEXT;
  }
}

/** What a write says once the store's SQLite file was deleted or replaced under the running process. */
export const STORE_MOVED_TEXT =
  'The gallery store file was deleted or replaced while I was running, so I refuse to save changes (they would be lost). An admin needs to restart me.';

/** What a command says while another program holds the SQLite store's write lock. */
export const STORE_LOCKED_TEXT =
  'The gallery store is locked by another program right now, so nothing was changed. Please try again in a little while; if it lasts, an admin should look for what holds it.';

/** Characters that are markup on Discord or Slack; names carrying them are refused at enrolment. */
export const NAME_MARKUP_CHARACTERS = 'backticks, backslashes, | < > [ ]';

function badName(context: TextContext): string {
  const shown = context.name ? `"${context.name}"` : 'That name';
  switch (context.why) {
    case 'empty':
      return context.name
        ? `${shown} has nothing visible left once invisible characters are removed: please give a name.`
        : 'Please give a name.';
    case 'long':
      return `That name is too long (at most ${context.limit ?? 100} characters).`;
    case 'markup':
      return `${shown} looks like chat formatting or a link: names cannot contain ${NAME_MARKUP_CHARACTERS}, \`->\` or a web address.`;
    default:
      return `${shown} is not a name I can use.`;
  }
}

/** Words typed before `name:value` pairs that no option takes (`/enroll Mr name:Evil`). */
export function leftOverWords(words: string): string {
  return `I don't know what \`${words.slice(0, 60)}\` is for: every option was given by name. Put it inside the name, or leave it out.`;
}

/** A ZIP archive with no files in it at all. */
export const EMPTY_ZIP_TEXT =
  "That ZIP is empty: put each person's photos in a folder named after them (e.g. `brad_pitt/1.jpg`) and zip the folders.";

/** A ZIP whose files are not in per-person folders. */
export const NO_FOLDERS_TEXT =
  "That ZIP has no photos in per-person folders. Put each person's photos in a folder named after them (e.g. `brad_pitt/1.jpg`), or attach a gallery pack.";

/** A ZIP whose every person's folder has a name that cannot be used. */
export function noUsableFolder(folders: string[]): string {
  return `No folder in that ZIP has a name I can use, so nothing was imported: ${folders.slice(0, 5).join('; ')}. Rename the folders after the people in them.`;
}

/** Why a person's folder (or a pack's person) was left out: its name, and how many photos went with it. */
export function folderSkipped(photos: number, problem: string): string {
  return `folder left out with its ${photos === 1 ? 'photo' : `${photos} photos`}: ${problem}`;
}

/** What the playground answers to a request over its size limit: both the photo and the ZIP limits. */
export function uploadTooLargeText(maxFiles: number, fileLimit: string, archiveLimit: string): string {
  return `That upload is too large: send a ZIP of up to ${archiveLimit}, or up to ${maxFiles} photos of up to ${fileLimit} each.`;
}

/** What the playground answers when a request carries more parts than any command takes. */
export function tooManyPartsText(limit: number): string {
  return `That request has more than ${limit} parts: send a command with at most ${limit - 1} files.`;
}

/** The sentence for a failure code and its context (what `UserError` shows when given no message). */
export function userText(code: string, context: TextContext = {}): string {
  if (context.text) return TEXTS[context.text](context);
  switch (code) {
    case 'not_image': {
      const what = KIND_NAMES[context.kind ?? ''];
      return `${subject(context.file)} is ${what ? `${what}, not` : 'not'} an image I can read (${IMAGE_TYPES}).`;
    }
    case 'empty_file':
      return `${subject(context.file)} is empty (0 bytes): please send the photo again.`;
    case 'no_face':
      return noFace(context.source);
    case 'too_many_faces':
      return `I found ${context.faces ?? 'several'} faces: use a photo with one face.`;
    case 'rate_limited': {
      const s = context.seconds ?? 1;
      return `You're going a bit fast! Try again in ${s} second${s === 1 ? '' : 's'}.`;
    }
    case 'forbidden':
      return context.command ? `Only admins can use /${context.command}.` : 'Only admins can do that.';
    case 'unavailable':
      return FEATURES[context.feature ?? ''] ?? "That isn't available on this bot.";
    case 'not_found':
      if (context.command) return `I don't know the command /${context.command}.`;
      if (context.button !== undefined) return 'That button has expired.';
      return "I couldn't find that.";
    case 'busy':
      return "I'm busy looking at a lot of faces right now. Please try again in a few seconds.";
    case 'queued': {
      const s = Math.max(1, Math.round(context.seconds ?? 1));
      return `⏳ You're in the queue: ${context.ahead ?? 'a few'} ahead of you, about ${s} second${s === 1 ? '' : 's'}.`;
    }
    case 'bad_name':
      return badName(context);
    case 'bad_pack':
      return `This gallery pack was refused: ${context.why ?? 'it is damaged'}. Nothing was imported.`;
    case 'flat_image':
      return `${subject(context.file)} ${context.why ?? 'is blank'}, so there is no face to find: send a photo of a face.`;
    case 'store_moved':
      return STORE_MOVED_TEXT;
    default:
      return 'That did not work. Please try again.';
  }
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

/** What enrolment says of a photo whose smaller faces or edge slivers it left out. */
export function mainFaceNote(ignored: number): string {
  return `enrolled its main face; left out ${ignored === 1 ? 'a smaller or cut-off face' : `${ignored} smaller or cut-off faces`}`;
}
