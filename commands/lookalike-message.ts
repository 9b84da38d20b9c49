import { claimsImage, looksLikeImage, readImage } from '../src/chat/options.ts';
import type { Command, CommandData, CommandInput, Deps, Reply } from '../src/chat/types.ts';
import { UserError } from '../src/errors.ts';
import { answerPhoto } from './lookalike.ts';

/** "Who do they look like?" on a message with a photo: Discord's message command, Slack's message shortcut. */
export const data = {
  name: 'Who do they look like?',
  description: 'Find out which celebrity the people in this photo look like',
  target: 'message',
  usesEngine: true,
  userInstallable: true,
} as const satisfies CommandData;

/**
 * The `/lookalike` answer for the message's first image. Answering each image would cost one engine run
 * and one message apiece (Discord allows a user-installed app 5 follow-ups); the reply says which one it
 * took, so the member can ask about another with `/lookalike`.
 */
export async function execute(input: CommandInput, deps: Deps): Promise<Reply> {
  const files = input.target?.attachments ?? [];
  // A file that claims to be a photo first; a generic one (octet-stream) is decided by its bytes.
  const claimed = files.filter(claimsImage);
  const images = claimed.length > 0 ? claimed : files.filter(looksLikeImage);
  const image = images[0];
  if (!image) {
    throw new UserError('no_photos', { text: 'message_no_photo' });
  }
  const reply = await answerPhoto(input, deps, {
    bytes: await readImage(image),
    subject: 'They',
    fromAvatar: false,
  });
  if (images.length === 1) return reply;
  const which = `_About the first of its ${images.length} images (${image.name}); run \`/lookalike\` with another to ask about it._`;
  return { ...reply, text: `${reply.text}\n${which}` };
}

/** The message command. */
export const lookalikeMessageCommand: Command = { data, execute };
