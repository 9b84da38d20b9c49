import {
  type APIApplicationCommandBasicOption,
  type APIApplicationCommandOption,
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  PermissionFlagsBits,
  type RESTPostAPIApplicationCommandsJSONBody,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
  type RESTPostAPIContextMenuApplicationCommandsJSONBody,
} from 'discord.js';
import type { CommandData, OptionSpec } from '../../chat/types.ts';
import { localizations } from './locales.ts';

// Localised names and descriptions of the command, subcommand or option at `path` (`gallery/rename/to`).
function localized(path: string) {
  const { names, descriptions } = localizations(path);
  return Object.keys(names).length === 0
    ? {}
    : { name_localizations: names, description_localizations: descriptions };
}

function option(spec: OptionSpec, path: string): APIApplicationCommandBasicOption {
  const base = {
    name: spec.name,
    description: spec.description,
    ...localized(`${path}/${spec.name}`),
    required: spec.required ?? false,
  };
  switch (spec.type) {
    case 'string':
      return {
        ...base,
        type: ApplicationCommandOptionType.String,
        ...(spec.choices ? { choices: [...spec.choices] } : {}),
        ...(spec.min !== undefined ? { min_length: spec.min } : {}),
        ...(spec.max !== undefined ? { max_length: spec.max } : {}),
      };
    case 'integer':
      return {
        ...base,
        type: ApplicationCommandOptionType.Integer,
        ...(spec.choices
          ? { choices: spec.choices.map((c) => ({ name: c.name, value: Number(c.value) })) }
          : {}),
        ...(spec.min !== undefined ? { min_value: spec.min } : {}),
        ...(spec.max !== undefined ? { max_value: spec.max } : {}),
      };
    case 'boolean':
      return { ...base, type: ApplicationCommandOptionType.Boolean };
    case 'user':
      return { ...base, type: ApplicationCommandOptionType.User };
    case 'attachment':
      return { ...base, type: ApplicationCommandOptionType.Attachment };
  }
}

// Discord rejects a command whose required options follow optional ones.
function ordered(specs: readonly OptionSpec[] = [], path: string): APIApplicationCommandBasicOption[] {
  return [...specs.filter((s) => s.required), ...specs.filter((s) => !s.required)].map((s) =>
    option(s, path),
  );
}

/**
 * Where a command is offered. Members may install the `userInstallable` ones for themselves
 * (USER_INSTALL) and run them in servers, DMs with the bot and other DMs and group DMs; the rest need
 * the bot in the server, since galleries, watched channels and games belong to servers.
 */
function availability(data: CommandData) {
  return data.userInstallable
    ? {
        integration_types: [ApplicationIntegrationType.GuildInstall, ApplicationIntegrationType.UserInstall],
        contexts: [
          InteractionContextType.Guild,
          InteractionContextType.BotDM,
          InteractionContextType.PrivateChannel,
        ],
      }
    : {
        integration_types: [ApplicationIntegrationType.GuildInstall],
        contexts: [InteractionContextType.Guild],
      };
}

/** A menu command (`target`) as Discord's message (type 3) or user (type 2) command: a label, no description. */
export function toDiscordMenu(data: CommandData): RESTPostAPIContextMenuApplicationCommandsJSONBody {
  return {
    type: data.target === 'user' ? ApplicationCommandType.User : ApplicationCommandType.Message,
    name: data.name,
    name_localizations: localizations(data.name).names,
    default_member_permissions: data.requires?.includes('admin')
      ? PermissionFlagsBits.ManageGuild.toString()
      : null,
    ...availability(data),
  };
}

/**
 * A command as Discord's slash-command JSON. Admin-only commands get `default_member_permissions`
 * Manage Server, which only hides them in the client (server admins can change it): the Bot still checks.
 */
export function toDiscordCommand(data: CommandData): RESTPostAPIChatInputApplicationCommandsJSONBody {
  const options: APIApplicationCommandOption[] = data.subcommands
    ? data.subcommands.map((sub) => ({
        type: ApplicationCommandOptionType.Subcommand,
        name: sub.name,
        description: sub.description,
        ...localized(`${data.name}/${sub.name}`),
        options: ordered(sub.options, `${data.name}/${sub.name}`),
      }))
    : ordered(data.options, data.name);
  return {
    type: ApplicationCommandType.ChatInput,
    name: data.name,
    description: data.description,
    ...localized(data.name),
    options,
    default_member_permissions: data.requires?.includes('admin')
      ? PermissionFlagsBits.ManageGuild.toString()
      : null,
    ...availability(data),
  };
}

/** Every command as Discord JSON (slash commands, then menus), for `npm run deploy:discord`. */
export function toDiscordCommands(
  list: readonly { data: CommandData }[],
): RESTPostAPIApplicationCommandsJSONBody[] {
  return list.map((c) => (c.data.target ? toDiscordMenu(c.data) : toDiscordCommand(c.data)));
}
