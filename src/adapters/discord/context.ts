import {
  type APIInteractionGuildMember,
  ApplicationCommandOptionType,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type CommandInteractionOption,
  type ContextMenuCommandInteraction,
  type Attachment as DiscordAttachment,
  GuildMember,
  type Message,
  PermissionFlagsBits,
  type User,
} from 'discord.js';
import { downloadLimited } from '../../chat/download.ts';
import type {
  Attachment,
  ChatContext,
  ChatUser,
  CommandInput,
  OptionValue,
  UserOption,
} from '../../chat/types.ts';
import { GLOBAL_SCOPE } from '../../domain/types.ts';
import { UserError } from '../../errors.ts';
import { isDiscordFileUrl } from './hosts.ts';
import { installedHere } from './install.ts';

/** An interaction the adapter maps to a ChatContext. */
export type ContextInteraction =
  | ChatInputCommandInteraction
  | ContextMenuCommandInteraction
  | ButtonInteraction;

const DISCORD_TIPS =
  '**On Discord** you can also right-click (or long-press) a message with a photo and pick ' +
  '*Apps → Who do they look like?*, or a member and pick *Apps → Who does this member look like?*. ' +
  'Install Lookalike for yourself (its profile → *Add App* → *Try it now*) to use `/lookalike`, `/compare` ' +
  'and these in DMs and in servers that have not added it; there the global gallery answers.';

/** Limits for attachment downloads; Discord's own upload limit is larger than any useful selfie. */
export interface AttachmentLimits {
  maxBytes?: number;
  timeoutMs?: number;
  /** Hosts besides Discord's CDN that attachments may come from (the DISCORD_API_URL host). */
  extraHosts?: string[];
}

/** A Discord attachment as a lazy neutral Attachment: nothing is downloaded until a command asks. */
export function toChatAttachment(attachment: DiscordAttachment, limits: AttachmentLimits = {}): Attachment {
  return {
    name: attachment.name,
    contentType: attachment.contentType ?? undefined,
    size: attachment.size,
    fetch: async () => {
      if (!isDiscordFileUrl(attachment.url, limits.extraHosts)) {
        throw new UserError('download_failed', { text: 'discord_foreign_host', file: attachment.name });
      }
      return downloadLimited(attachment.url, {
        maxBytes: limits.maxBytes,
        timeoutMs: limits.timeoutMs,
        announcedSize: attachment.size,
      });
    },
  };
}

// Default avatars (no picture uploaded) are Discord's logo, which has no face: report them as absent.
// A server profile picture comes first; a member of a server the bot is not in arrives as raw API data.
function avatarUrl(
  user: User,
  member?: GuildMember | APIInteractionGuildMember | null,
  guildId?: string | null,
): string | undefined {
  if (member instanceof GuildMember) {
    if (member.avatar) return member.displayAvatarURL({ extension: 'png', size: 512 });
  } else if (member?.avatar && guildId) {
    return user.client.rest.cdn.guildMemberAvatar(guildId, user.id, member.avatar, {
      extension: 'png',
      size: 512,
    });
  }
  return user.avatar ? user.displayAvatarURL({ extension: 'png', size: 512, forceStatic: true }) : undefined;
}

function displayName(user: User, member: unknown): string {
  if (member instanceof GuildMember) return member.displayName;
  const nick = (member as { nick?: unknown } | null | undefined)?.nick;
  return typeof nick === 'string' && nick !== '' ? nick : user.displayName;
}

/** A member (a `user` option, or a user command's target) as a neutral UserOption. */
export function memberOption(
  user: User,
  member: GuildMember | APIInteractionGuildMember | null | undefined,
  guildId: string | null,
): UserOption {
  return {
    id: `discord:${user.id}`,
    platformId: user.id,
    displayName: displayName(user, member),
    avatarUrl: avatarUrl(user, member, guildId),
  };
}

function userOption(option: CommandInteractionOption, guildId: string | null): UserOption | undefined {
  if (!option.user) return undefined;
  return memberOption(option.user, option.member as GuildMember | APIInteractionGuildMember | null, guildId);
}

/** The gallery scope of a guild; DMs get a per-user scope (a safety net: interactions there use `global`). */
export function discordScope(guildId: string | null, userId: string): string {
  return guildId ? `discord:${guildId}` : `discord:dm-${userId}`;
}

/** Who ran a slash command or pressed a button; Manage Server makes them a platform admin. */
export function interactionUser(interaction: ContextInteraction): ChatUser {
  return {
    id: `discord:${interaction.user.id}`,
    platformId: interaction.user.id,
    displayName: displayName(interaction.user, interaction.member),
    avatarUrl: avatarUrl(
      interaction.user,
      interaction.member as GuildMember | APIInteractionGuildMember | null,
      interaction.guildId,
    ),
    isPlatformAdmin: interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false,
  };
}

/** A slash command as neutral CommandInput; attachment options stay lazy so the deferral goes out first. */
export function toCommandInput(
  interaction: ChatInputCommandInteraction,
  seesAllMessages: boolean,
  limits: AttachmentLimits = {},
): CommandInput {
  const subcommand = interaction.options.getSubcommand(false) ?? undefined;
  let raw: readonly CommandInteractionOption[] = interaction.options.data;
  if (raw[0]?.type === ApplicationCommandOptionType.SubcommandGroup) raw = raw[0].options ?? [];
  if (raw[0]?.type === ApplicationCommandOptionType.Subcommand) raw = raw[0].options ?? [];

  const options: Record<string, OptionValue | undefined> = {};
  for (const option of raw) {
    switch (option.type) {
      case ApplicationCommandOptionType.Attachment:
        options[option.name] = option.attachment ? toChatAttachment(option.attachment, limits) : undefined;
        break;
      case ApplicationCommandOptionType.User:
        options[option.name] = userOption(option, interaction.guildId);
        break;
      default:
        if (
          typeof option.value === 'string' ||
          typeof option.value === 'number' ||
          typeof option.value === 'boolean'
        ) {
          options[option.name] = option.value;
        }
    }
  }
  return { ctx: interactionContext(interaction, seesAllMessages), subcommand, options };
}

/**
 * Where a command was run or a button pressed, as a neutral ChatContext (a button's channel is its
 * message's). Outside servers that installed the bot (DMs, servers where only the member installed it),
 * the global gallery answers: those places have no gallery of their own.
 */
export function interactionContext(interaction: ContextInteraction, seesAllMessages: boolean): ChatContext {
  const outside = !installedHere(interaction);
  return {
    platform: 'discord',
    scope: outside ? GLOBAL_SCOPE : discordScope(interaction.guildId, interaction.user.id),
    channelId: interaction.channelId ?? '',
    user: interactionUser(interaction),
    raw: interaction,
    seesAllMessages,
    platformHelp: DISCORD_TIPS,
    ...(outside ? { outsideServer: true } : {}),
  };
}

/** Where a posted message came from, as a neutral ChatContext. */
export function messageContext(message: Message, seesAllMessages: boolean): ChatContext {
  let isPlatformAdmin = false;
  try {
    isPlatformAdmin = message.member?.permissions.has(PermissionFlagsBits.ManageGuild) ?? false;
  } catch {
    // Permissions need the guild's roles cached; a message answer never needs admin rights anyway.
  }
  return {
    platform: 'discord',
    scope: discordScope(message.guildId, message.author.id),
    channelId: message.channelId,
    user: {
      id: `discord:${message.author.id}`,
      platformId: message.author.id,
      displayName: displayName(message.author, message.member),
      avatarUrl: avatarUrl(message.author, message.member),
      isPlatformAdmin,
    },
    raw: message,
    seesAllMessages,
  };
}

/** A message's attachments as lazy neutral Attachments. */
export function messageAttachments(message: Message, limits: AttachmentLimits = {}): Attachment[] {
  return [...message.attachments.values()].map((a) => toChatAttachment(a, limits));
}
