// Where an interaction runs relative to the bot's installation: in a server that added the bot, or
// through a member's own install (user-installed apps: DMs, group DMs, servers without the bot), and the
// rules Discord sets for the latter.
import { ApplicationIntegrationType, type BaseInteraction, PermissionFlagsBits } from 'discord.js';
import type { Reply } from '../../chat/types.ts';

/**
 * Discord allows an app 5 follow-up messages per interaction when only a member's install authorised it
 * (`authorizing_integration_owners` has only USER_INSTALL); server installs are not limited.
 */
export const USER_INSTALL_FOLLOW_UPS = 5;

function owners(interaction: BaseInteraction): Record<string, string | undefined> | undefined {
  // discord.js keeps the raw map; an interaction from before user installs has none.
  return (
    interaction.authorizingIntegrationOwners as unknown as { data?: Record<string, string> } | undefined
  )?.data;
}

/**
 * Whether the bot itself is installed where this interaction happened: a server whose GUILD_INSTALL owner
 * is that server. DMs never are (a DM with the bot has owner `"0"`, but no server and so no gallery).
 */
export function installedHere(interaction: BaseInteraction): boolean {
  if (!interaction.guildId) return false;
  const map = owners(interaction);
  // Payloads without the map predate user installs, when a command in a server meant the bot was there.
  if (!map) return true;
  return map[ApplicationIntegrationType.GuildInstall] === interaction.guildId;
}

/** How many follow-ups Discord accepts for this interaction. */
export function followUpLimit(interaction: BaseInteraction): number {
  const map = owners(interaction);
  if (!map) return Number.POSITIVE_INFINITY;
  return map[ApplicationIntegrationType.GuildInstall] === undefined
    ? USER_INSTALL_FOLLOW_UPS
    : Number.POSITIVE_INFINITY;
}

/**
 * Whether Discord will show our replies only to the member: in a server that has not installed the bot
 * and has turned off Use External Apps for them, a user-installed app's responses are ephemeral. Deferring
 * privately from the start keeps the placeholder and the answer consistent with what Discord enforces.
 */
export function forcedEphemeral(interaction: BaseInteraction): boolean {
  if (!interaction.guildId || installedHere(interaction)) return false;
  const permissions = interaction.memberPermissions;
  return permissions !== null && !permissions.has(PermissionFlagsBits.UseExternalApps);
}

/** What a reply may carry where it is shown. */
export interface ReplyAllowance {
  files: boolean;
  embeds: boolean;
}

/**
 * Where only a member's install reaches a server, `app_permissions` says what the app may post there (it
 * follows the member's own rights): without Attach Files or Embed Links a picture or embed would be
 * refused. Where the bot is installed, or in DMs (where Discord grants both), everything is allowed.
 */
export function replyAllowance(interaction: BaseInteraction): ReplyAllowance {
  const permissions = interaction.appPermissions;
  if (!interaction.guildId || installedHere(interaction) || !permissions)
    return { files: true, embeds: true };
  return {
    files: permissions.has(PermissionFlagsBits.AttachFiles),
    embeds: permissions.has(PermissionFlagsBits.EmbedLinks),
  };
}

/** A reply without what `allowed` forbids: no picture or file without files, plain text without embeds. */
export function fitReply(reply: Reply, allowed: ReplyAllowance): Reply {
  if (allowed.files && allowed.embeds) return reply;
  const { image, file, ...rest } = reply;
  const dropped = image !== undefined || file !== undefined;
  const note = dropped ? '\n_I may not post pictures here._' : '';
  if (allowed.embeds) return { ...rest, text: `${reply.text}${note}` };
  // Pictures are shown inside embeds, so they go too; the title and fields become text.
  const { title, fields, color: _color, ...plain } = rest;
  const head = title && !reply.text.includes(title) ? [`**${title}**`] : [];
  const lines = (fields ?? []).map((f) => `**${f.name}**: ${f.value}`);
  return { ...plain, text: [...head, reply.text, ...lines].join('\n') + note };
}
