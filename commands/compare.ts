import { formatPercent } from '../src/chat/format.ts';
import { readImage, requireAttachment } from '../src/chat/options.ts';
import type { Command, CommandData, CommandInput, Deps, OptionName, Reply } from '../src/chat/types.ts';
import { renderSideBySide } from '../src/image/render.ts';

/** `/compare image1 image2`. */
export const data = {
  name: 'compare',
  description: 'Are the people in two photos the same person?',
  options: [
    { name: 'image1', description: 'The first photo', type: 'attachment', required: true },
    { name: 'image2', description: 'The second photo', type: 'attachment', required: true },
  ],
  usesEngine: true,
  userInstallable: true,
} as const satisfies CommandData;

/** Compares the largest face of each photo and shows them side by side. */
export async function execute(input: CommandInput<OptionName<typeof data>>, deps: Deps): Promise<Reply> {
  const [a, b] = await Promise.all([
    readImage(requireAttachment(input, 'image1')),
    readImage(requireAttachment(input, 'image2')),
  ]);
  const result = await deps.service.compare(a, b);
  const similar = formatPercent(result.similarity);
  const verdict = result.same ? 'Probably the same person.' : 'Probably not the same person.';
  const picture = await renderSideBySide({
    face: result.thumbnails[0],
    match: result.thumbnails[1],
    faceLabel: 'Photo 1',
    name: 'Photo 2',
    caption: `${similar} similar`,
  });
  return {
    title: verdict,
    text: `**${similar} similar** — ${verdict.charAt(0).toLowerCase()}${verdict.slice(1)}`,
    image: { name: 'compare.png', data: picture, alt: 'The two faces side by side' },
    color: result.same ? 0x57f287 : 0xed4245,
  };
}

/** The `/compare` command. */
export const compareCommand: Command = { data, execute };
