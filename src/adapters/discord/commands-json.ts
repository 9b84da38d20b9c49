import {
  type APIApplicationCommandBasicOption,
  type APIApplicationCommandOption,
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  PermissionFlagsBits,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { CommandData, OptionSpec, OptionType } from '../../chat/types.ts';

const OPTION_TYPES: Record<OptionType, ApplicationCommandOptionType> = {
  string: ApplicationCommandOptionType.String,
  integer: ApplicationCommandOptionType.Integer,
  boolean: ApplicationCommandOptionType.Boolean,
  user: ApplicationCommandOptionType.User,
  attachment: ApplicationCommandOptionType.Attachment,
};

function option(spec: OptionSpec): APIApplicationCommandBasicOption {
  const base = {
    name: spec.name,
    description: spec.description,
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
function ordered(specs: readonly OptionSpec[] = []): APIApplicationCommandBasicOption[] {
  return [...specs.filter((s) => s.required), ...specs.filter((s) => !s.required)].map(option);
}

/** The option type number each neutral option type maps to. */
export function discordOptionType(type: OptionType): ApplicationCommandOptionType {
  return OPTION_TYPES[type];
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
        options: ordered(sub.options),
      }))
    : ordered(data.options);
  return {
    type: ApplicationCommandType.ChatInput,
    name: data.name,
    description: data.description,
    options,
    default_member_permissions: data.requires?.includes('admin')
      ? PermissionFlagsBits.ManageGuild.toString()
      : null,
    // Galleries belong to servers, so commands are offered in servers only.
    contexts: [InteractionContextType.Guild],
    integration_types: [ApplicationIntegrationType.GuildInstall],
  };
}

/** Every command as Discord JSON, for `npm run deploy:discord`. */
export function toDiscordCommands(
  list: readonly { data: CommandData }[],
): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  return list.map((c) => toDiscordCommand(c.data));
}
