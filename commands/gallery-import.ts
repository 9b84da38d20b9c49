// `/gallery import` and `/gallery export`: a whole gallery in one file, from a ZIP of per-person photo
// folders or a gallery pack, with a progress bar in the channel while the photos are analysed.
import { escapeMarkdown, place, plural } from '../src/chat/format.ts';
import { requireAttachment } from '../src/chat/options.ts';
import type {
  Attachment,
  ChatContext,
  CommandInput,
  Deps,
  MessageRef,
  Poster,
  Reply,
  SubcommandSpec,
} from '../src/chat/types.ts';
import type { ImportSummary, Skipped } from '../src/domain/types.ts';
import { isUserError, UserError } from '../src/errors.ts';
import { skipAdvice } from '../src/user-texts.ts';

/** The `/gallery import` and `/gallery export` subcommands, both for admins. */
export const transferSubcommands = [
  {
    name: 'import',
    description: 'Add people from a ZIP with one folder of photos per person, or a gallery pack (admins)',
    requires: ['admin'],
    options: [
      {
        name: 'file',
        description: 'A .zip: <person>/<photo>.jpg folders, or a pack from /gallery export',
        type: 'attachment',
        required: true,
        accepts: 'archive',
      },
    ],
  },
  {
    name: 'export',
    description: 'Download this gallery as a pack, to import it elsewhere (admins)',
    requires: ['admin'],
  },
] as const satisfies readonly SubcommandSpec[];

type Input = CommandInput<'file'>;

/** Edits at most this often: Discord and Slack rate-limit edits of one message. */
const EDIT_EVERY_MS = 1500;
/** Lines of skipped files and duplicates shown; the rest are counted. */
const LIST_MAX = 10;
const BAR_WIDTH = 20;
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
// An archive with no files at all starts with its end-of-directory record: valid, and answered as empty.
const EMPTY_ZIP_MAGIC = [0x50, 0x4b, 0x05, 0x06];

/** A text progress bar, e.g. `██████░░░░ 12/40`. */
export function progressBar(done: number, total: number): string {
  const filled = total === 0 ? BAR_WIDTH : Math.round((Math.min(done, total) / total) * BAR_WIDTH);
  return `\`${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}\` ${done}/${total}`;
}

/**
 * One message in the channel that shows how far an import is, edited as it goes. Progress is a
 * courtesy: a failed post or edit (missing permission, rate limit) must never fail the import itself,
 * so those errors are dropped.
 */
class ProgressMessage {
  readonly #poster: Poster;
  readonly #ctx: ChatContext;
  readonly #now: () => number;
  #ref: Promise<MessageRef | undefined> = Promise.resolve(undefined);
  #edits: Promise<void> = Promise.resolve();
  #last = 0;
  #total = 0;

  constructor(poster: Poster, ctx: ChatContext, now: () => number) {
    this.#poster = poster;
    this.#ctx = ctx;
    this.#now = now;
  }

  start(name: string): void {
    this.#last = this.#now();
    this.#ref = this.#poster
      .post(this.#ctx.platform, this.#ctx.channelId, { title: 'Importing', text: `Reading \`${name}\`…` })
      .catch(() => undefined);
  }

  update(done: number, total: number): void {
    this.#total = total;
    if (done < total && this.#now() - this.#last < EDIT_EVERY_MS) return;
    this.#last = this.#now();
    this.#edit({ title: 'Importing', text: `Analysing photos ${progressBar(done, total)}` });
  }

  /** Shows the outcome (with a full bar when it succeeded) and waits for the edits to go out. */
  async finish(title: string, ok: boolean): Promise<void> {
    const bar = ok && this.#total > 0 ? `${progressBar(this.#total, this.#total)} · ` : '';
    this.#edit({
      title,
      text: `${bar}${ok ? 'Done: the summary is in the reply.' : 'Nothing was imported (see the reply).'}`,
    });
    await this.#edits;
  }

  #edit(reply: Reply): void {
    this.#edits = this.#edits.then(async () => {
      const ref = await this.#ref;
      if (ref) await this.#poster.edit(ref, reply).catch(() => {});
    });
  }
}

function people(n: number): string {
  return `${n} ${n === 1 ? 'person' : 'people'}`;
}

function looksLikeZip(file: Attachment): boolean {
  return /\.zip$/i.test(file.name) || /zip/i.test(file.contentType ?? '');
}

function notZip(name: string): UserError {
  return new UserError('bad_archive', { text: 'not_zip', file: name });
}

async function download(file: Attachment): Promise<Uint8Array> {
  if (!looksLikeZip(file)) throw notZip(file.name);
  let bytes: Uint8Array;
  try {
    bytes = await file.fetch();
  } catch (err) {
    if (isUserError(err) && err.code === 'file_too_large') {
      throw new UserError('file_too_large', { text: 'import_too_large', file: file.name }, { cause: err });
    }
    throw err;
  }
  // The announced name and type are the sender's word; the first bytes are the archive's.
  const starts = (magic: number[]) => magic.every((byte, i) => bytes[i] === byte);
  if (!starts(ZIP_MAGIC) && !starts(EMPTY_ZIP_MAGIC)) throw notZip(file.name);
  return bytes;
}

function listed(items: Skipped[], reason: (s: Skipped) => string): string[] {
  const lines = items.slice(0, LIST_MAX).map((s) => `• ${escapeMarkdown(s.file)}: ${reason(s)}`);
  if (items.length > LIST_MAX) lines.push(`• … and ${items.length - LIST_MAX} more`);
  return lines;
}

/** The enrolment summary: added, re-embedded, skipped with reasons, duplicates. */
export function summaryReply(summary: ImportSummary, ctx: ChatContext): Reply {
  const where = `this ${place(ctx.platform)}'s gallery`;
  const lines: string[] = [];
  if (summary.added > 0) {
    lines.push(
      `Added ${plural(summary.added, 'photo')} of ${people(summary.people)} to ${where} ` +
        `(${people(summary.identities)} in all).`,
    );
  } else {
    lines.push(`Nothing new was added to ${where}.`);
  }
  if (summary.reembedded) {
    lines.push(
      `Re-embedded ${plural(summary.reembedded.photos, 'photo')} from their thumbnails: ${summary.reembedded.reason}.`,
    );
  }
  if (summary.skipped.length > 0) {
    lines.push('', `**Skipped (${summary.skipped.length})**`, ...listed(summary.skipped, skipAdvice));
  }
  if (summary.duplicates.length > 0) {
    lines.push(
      '',
      `**Duplicates (${summary.duplicates.length})**`,
      ...listed(summary.duplicates, (s) => s.reason),
    );
  }
  return {
    title: summary.added > 0 ? `Imported ${plural(summary.added, 'photo')}` : 'Nothing imported',
    text: lines.join('\n'),
    color: summary.added > 0 ? 0x57f287 : 0xfee75c,
  };
}

/** `/gallery import file`: enrols a ZIP of photo folders or a pack, all at once or not at all. */
export async function importGallery(input: Input, deps: Deps): Promise<Reply> {
  const { ctx } = input;
  const importArchive = deps.service.importArchive?.bind(deps.service);
  if (!importArchive) throw new UserError('unavailable', { feature: 'import' });
  const file = requireAttachment(input, 'file');
  const bytes = await download(file);
  const progress =
    deps.poster?.supports(ctx.platform) === true
      ? new ProgressMessage(deps.poster, ctx, deps.now ?? Date.now)
      : undefined;
  progress?.start(file.name);
  let summary: ImportSummary;
  try {
    summary = await importArchive(ctx.scope, bytes, ctx.user.id, {
      onProgress: (done, total) => progress?.update(done, total),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
  } catch (err) {
    await progress?.finish('Import stopped', false);
    throw err;
  }
  const reply = summaryReply(summary, ctx);
  await progress?.finish(`Import finished: ${reply.title}`, true);
  return reply;
}

/** `/gallery export`: the gallery as a pack file (names, thumbnails, embeddings, engine fingerprint). */
export async function exportGallery(input: Input, deps: Deps): Promise<Reply> {
  const { ctx } = input;
  const exportPack = deps.service.exportPack?.bind(deps.service);
  if (!exportPack) throw new UserError('unavailable', { feature: 'export' });
  const { pack, identities, photos } = await exportPack(ctx.scope);
  if (identities === 0) {
    throw new UserError('empty_gallery', { text: 'export_empty', place: place(ctx.platform) });
  }
  return {
    title: 'Gallery pack',
    text:
      `${people(identities)} and ${plural(photos, 'photo')}. ` +
      'Import it elsewhere with `/gallery import` or `lookalike pack import`.',
    file: { name: 'lookalike-gallery.zip', data: pack },
  };
}
