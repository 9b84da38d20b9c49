// Every command, subcommand and option has a localised name and description in each locale of the one
// table (src/adapters/discord/locales.ts), and each follows Discord's naming rules, which Discord would
// otherwise enforce by refusing the whole registration.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  APIApplicationCommandOption,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { commands } from '../../commands/index.ts';
import { toDiscordCommands } from '../../src/adapters/discord/commands-json.ts';
import { LOCALES, TRANSLATIONS } from '../../src/adapters/discord/locales.ts';
import type { CommandData } from '../../src/chat/types.ts';

// Discord's rule for CHAT_INPUT command, subcommand and option names (and their localisations).
const CHAT_INPUT_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

/** Every path the table must have: `name`, `name/sub`, `name/option`, `name/sub/option`. */
function paths(data: CommandData): string[] {
  if (data.target) return [data.name];
  return [
    data.name,
    ...(data.options ?? []).map((o) => `${data.name}/${o.name}`),
    ...(data.subcommands ?? []).flatMap((sub) => [
      `${data.name}/${sub.name}`,
      ...(sub.options ?? []).map((o) => `${data.name}/${sub.name}/${o.name}`),
    ]),
  ];
}

describe('localised command names and descriptions', () => {
  const datas = commands.map((c) => c.data);
  const menus = new Set(datas.filter((d) => d.target).map((d) => d.name));

  it('covers every command, subcommand and option in de, fr, es-ES, pt-BR and ja, and nothing else', () => {
    assert.deepEqual([...LOCALES], ['de', 'fr', 'es-ES', 'pt-BR', 'ja']);
    const wanted = datas.flatMap(paths);
    for (const path of wanted) {
      const row = TRANSLATIONS[path];
      assert.ok(row, `no translations for ${path}`);
      for (const locale of LOCALES) assert.ok(row[locale]?.[0], `${path} has no ${locale} name`);
    }
    assert.deepEqual(Object.keys(TRANSLATIONS).sort(), [...wanted].sort(), 'no stale rows');
  });

  it("follows Discord's rules: lowercase names that match its pattern, 1-100 character descriptions", () => {
    for (const [path, row] of Object.entries(TRANSLATIONS)) {
      const menu = menus.has(path.split('/')[0]!);
      for (const locale of LOCALES) {
        const [name, description] = row[locale];
        const where = `${path} (${locale}): ${name}`;
        assert.ok(name.length >= 1 && name.length <= 32, `${where}: 1-32 characters`);
        if (menu) {
          // Menu commands may use capitals and spaces, and have no description on Discord.
          assert.equal(description, undefined, where);
          continue;
        }
        assert.match(name, CHAT_INPUT_NAME, where);
        assert.equal(name, name.toLocaleLowerCase(locale), `${where}: lowercase`);
        assert.ok(
          description && description.length >= 1 && description.length <= 100,
          `${where}: description`,
        );
      }
    }
  });

  it('gives sibling options and subcommands distinct names in every locale', () => {
    for (const data of datas.filter((d) => !d.target)) {
      const groups = [
        [data.name, (data.subcommands ?? data.options ?? []).map((o) => o.name)],
        ...(data.subcommands ?? []).map(
          (sub) => [`${data.name}/${sub.name}`, (sub.options ?? []).map((o) => o.name)] as const,
        ),
      ] as const;
      for (const [parent, names] of groups) {
        for (const locale of LOCALES) {
          const localised = names.map((n) => TRANSLATIONS[`${parent}/${n}`]?.[locale][0]);
          assert.equal(
            new Set(localised).size,
            localised.length,
            `${parent} (${locale}): ${localised.join(', ')}`,
          );
        }
      }
    }
  });

  it('registers the localisations with every command, subcommand and option', () => {
    const json = toDiscordCommands(commands);
    const check = (
      path: string,
      item: { name_localizations?: unknown; description_localizations?: unknown },
    ) => {
      const names = item.name_localizations as Record<string, string> | undefined;
      assert.deepEqual(Object.keys(names ?? {}).sort(), [...LOCALES].sort(), `${path} name_localizations`);
      for (const locale of LOCALES) assert.equal(names?.[locale], TRANSLATIONS[path]?.[locale][0]);
    };
    for (const command of json) {
      check(command.name, command);
      if (menus.has(command.name)) {
        assert.equal(
          'description_localizations' in command,
          false,
          `${command.name}: a menu has no description`,
        );
        continue;
      }
      const described = command as RESTPostAPIChatInputApplicationCommandsJSONBody;
      assert.equal(Object.keys(described.description_localizations ?? {}).length, LOCALES.length);
      const walk = (parent: string, options: readonly APIApplicationCommandOption[] = []) => {
        for (const option of options) {
          check(`${parent}/${option.name}`, option);
          if ('options' in option) walk(`${parent}/${option.name}`, option.options);
        }
      };
      walk(command.name, described.options);
    }
  });
});
