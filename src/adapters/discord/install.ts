// Where an interaction runs relative to the bot's installation: in a server that added the bot, or
// through a member's own install (user-installed apps: DMs, group DMs, servers without the bot), and the
// rules Discord sets for the latter.
import { ApplicationIntegrationType, type BaseInteraction, PermissionFlagsBits } from 'discord.js';

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
