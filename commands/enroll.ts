import { escapeMarkdown, place, plural } from '../src/chat/format.ts';
import { optionAttachment, readImage, requireString } from '../src/chat/options.ts';
import type {
  Attachment,
  Command,
  CommandData,
  CommandInput,
  Deps,
  OptionName,
  Reply,
} from '../src/chat/types.ts';
import type { NamedImage, Skipped } from '../src/domain/types.ts';
import { isUserError, UserError } from '../src/errors.ts';
import { mainFaceNote, skipAdvice } from '../src/user-texts.ts';

const EXTRA_IMAGES = ['image2', 'image3', 'image4', 'image5'] as const;

/** `/enroll name image [image2…image5]`, admins only. */
export const data = {
  name: 'enroll',
  description: "Add a person to this server's gallery (admins)",
  requires: ['admin'],
  options: [
    { name: 'name', description: 'Who is in the photos, e.g. Brad Pitt', type: 'string', required: true },
    { name: 'image', description: 'A photo with exactly one face', type: 'attachment', required: true },
    ...EXTRA_IMAGES.map((name) => ({
      name,
      description: 'Another photo of the same person',
      type: 'attachment' as const,
    })),
  ],
  usesEngine: true,
} as const satisfies CommandData;

// Mobile clients name every upload "image.png"; skip reports must still say which one was meant.
function uniqueNames(attachments: Attachment[]): string[] {
  const seen = new Map<string, number>();
  return attachments.map((a) => {
    const n = (seen.get(a.name) ?? 0) + 1;
    seen.set(a.name, n);
    return n === 1 ? a.name : `${a.name} (#${n})`;
  });
}

/** Enrols the attached photos under `name` in this server's gallery and reports what was added or skipped. */
export async function execute(input: CommandInput<OptionName<typeof data>>, deps: Deps): Promise<Reply> {
  const name = requireString(input, 'name');
  const attachments = (['image', ...EXTRA_IMAGES] as const)
    .map((option) => optionAttachment(input, option))
    .filter((a): a is Attachment => a !== undefined);
  if (attachments.length === 0) throw new UserError('missing_option', { text: 'enroll_no_photo' });

  const names = uniqueNames(attachments);
  const downloads = await Promise.allSettled(attachments.map((a) => readImage(a)));
  const images: NamedImage[] = [];
  const skipped: Skipped[] = [];
  downloads.forEach((d, i) => {
    const file = names[i]!;
    if (d.status === 'fulfilled') images.push({ name: file, data: d.value });
    else if (isUserError(d.reason)) skipped.push({ file, code: d.reason.code, reason: d.reason.message });
    else throw d.reason;
  });

  const result =
    images.length > 0
      ? await deps.service.enroll(input.ctx.scope, name, images, input.ctx.user.id)
      : undefined;
  skipped.push(...(result?.skipped ?? []));
  const added = result?.added.length ?? 0;

  const lines: string[] = [];
  if (result && added > 0) {
    lines.push(
      `Added ${plural(added, 'photo')} of **${escapeMarkdown(result.identity.name)}** to this ${place(input.ctx.platform)}'s gallery ` +
        `(${plural(result.identity.photos.length, 'photo')} in all).`,
    );
  } else {
    lines.push(`Nothing was added for **${escapeMarkdown(result?.identity.name ?? name)}**.`);
  }
  const mainOnly = (result?.added ?? []).filter((a) => (a.ignoredFaces ?? 0) > 0);
  if (mainOnly.length > 0) {
    lines.push(
      '',
      '**Main face only**',
      ...mainOnly.map((a) => `• ${escapeMarkdown(a.file)}: ${mainFaceNote(a.ignoredFaces ?? 0)}`),
    );
  }
  if (skipped.length > 0) {
    lines.push('', '**Skipped**', ...skipped.map((s) => `• ${escapeMarkdown(s.file)}: ${skipAdvice(s)}`));
  }
  return {
    title: added > 0 ? `Enrolled ${result!.identity.name}` : 'Nothing enrolled',
    text: lines.join('\n'),
    color: added > 0 ? 0x57f287 : 0xfee75c,
  };
}

/** The `/enroll` command. */
export const enrollCommand: Command = { data, execute };
