import type { APIInteractionGuildMember, ContextMenuCommandInteraction, GuildMember } from 'discord.js';
import type { CommandInput } from '../../chat/types.ts';
import { type AttachmentLimits, interactionContext, memberOption, toChatAttachment } from './context.ts';

/**
 * A message or user command as neutral CommandInput: the message's attachments (lazy, as for slash
 * commands) or the member as `input.target`. A message command's message carries its attachments even
 * without the Message Content intent.
 */
export function toMenuInput(
  interaction: ContextMenuCommandInteraction,
  seesAllMessages: boolean,
  limits: AttachmentLimits = {},
): CommandInput {
  const ctx = interactionContext(interaction, seesAllMessages);
  if (interaction.isMessageContextMenuCommand()) {
    const attachments = [...interaction.targetMessage.attachments.values()];
    return { ctx, options: {}, target: { attachments: attachments.map((a) => toChatAttachment(a, limits)) } };
  }
  if (interaction.isUserContextMenuCommand()) {
    const member = interaction.targetMember as GuildMember | APIInteractionGuildMember | null;
    return {
      ctx,
      options: {},
      target: { user: memberOption(interaction.targetUser, member, interaction.guildId) },
    };
  }
  return { ctx, options: {} };
}
