// Registers the slash commands with Discord: `npm run deploy:discord`.
// With DISCORD_GUILD_ID they go to that server only and update instantly (handy while developing);
// without it they are global, and Discord can take up to an hour to show changes everywhere.
import { REST, Routes } from 'discord.js';
import { commands } from '../commands/index.ts';
import { restOptions } from '../src/adapters/discord/adapter.ts';
import { toDiscordCommands } from '../src/adapters/discord/commands-json.ts';
import { loadConfig } from '../src/config/index.ts';
import { redact } from '../src/config/redact.ts';
import { isUserError } from '../src/errors.ts';

try {
  const config = loadConfig(process.env);
  if (!config.discord) {
    console.error(
      'Set DISCORD_TOKEN and DISCORD_APP_ID (and optionally DISCORD_GUILD_ID) to register commands.',
    );
    process.exit(1);
  }
  const { token, appId, guildId } = config.discord;
  const rest = new REST(restOptions(config.discord)).setToken(token);
  const body = toDiscordCommands(commands);
  const route = guildId ? Routes.applicationGuildCommands(appId, guildId) : Routes.applicationCommands(appId);
  const saved = (await rest.put(route, { body })) as { name: string }[];
  console.log(
    `Registered ${saved.length} commands ${guildId ? `in server ${guildId}` : 'globally'}: ` +
      saved.map((c) => (c.name.includes(' ') ? `"${c.name}"` : `/${c.name}`)).join(', '),
  );
  if (guildId) {
    // Discord applies integration_types and contexts to global commands only (docs/discord.md).
    console.log(
      'Server commands are not offered to members who install the app for themselves; deploy without DISCORD_GUILD_ID for that.',
    );
  }
} catch (err) {
  const message = isUserError(err)
    ? err.message
    : err instanceof Error
      ? (err.stack ?? err.message)
      : String(err);
  console.error(redact(message, [process.env.DISCORD_TOKEN ?? '']));
  process.exit(1);
}
