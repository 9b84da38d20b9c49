import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  ApplicationCommandOptionType,
  type ChatInputCommandInteraction,
  GatewayIntentBits,
  MessageFlags,
  PermissionFlagsBits,
  PermissionsBitField,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { commands } from '../../commands/index.ts';
import { discordIntents, restOptions } from '../../src/adapters/discord/adapter.ts';
import { toDiscordCommand, toDiscordCommands } from '../../src/adapters/discord/commands-json.ts';
import { safeFileName, toDiscordPayload } from '../../src/adapters/discord/payload.ts';
import { InteractionResponder } from '../../src/adapters/discord/responders.ts';
import { silentLogger } from '../../src/chat/logger.ts';
import { DiscordStandin } from '../fixtures/discord-standin.ts';

describe('slash-command JSON', () => {
  const byName = new Map(
    toDiscordCommands(commands).map((c) => [c.name, c as RESTPostAPIChatInputApplicationCommandsJSONBody]),
  );

  it('maps typed options, required ones first', () => {
    const lookalike = byName.get('lookalike')!;
    assert.deepEqual(
      lookalike.options?.map((o) => [o.name, o.type, o.required]),
      [
        ['image', ApplicationCommandOptionType.Attachment, false],
        ['user', ApplicationCommandOptionType.User, false],
      ],
    );
    const custom = toDiscordCommand({
      name: 'x',
      description: 'x',
      options: [
        { name: 'page', description: 'p', type: 'integer', min: 1, max: 9 },
        {
          name: 'mode',
          description: 'm',
          type: 'string',
          required: true,
          choices: [{ name: 'On', value: 'on' }],
        },
      ],
    });
    assert.deepEqual(custom.options, [
      { name: 'mode', description: 'm', required: true, type: 3, choices: [{ name: 'On', value: 'on' }] },
      { name: 'page', description: 'p', required: false, type: 4, min_value: 1, max_value: 9 },
    ]);
  });

  it('maps subcommands and hides admin commands behind Manage Server', () => {
    const gallery = byName.get('gallery')!;
    assert.deepEqual(
      gallery.options?.map((o) => [o.name, o.type]),
      [
        ['list', ApplicationCommandOptionType.Subcommand],
        ['remove', ApplicationCommandOptionType.Subcommand],
        ['rename', ApplicationCommandOptionType.Subcommand],
        ['import', ApplicationCommandOptionType.Subcommand],
        ['export', ApplicationCommandOptionType.Subcommand],
      ],
    );
    assert.equal(gallery.default_member_permissions, null, 'list is for everyone');
    assert.equal(byName.get('enroll')?.default_member_permissions, '32');
    assert.equal(byName.get('watch')?.default_member_permissions, '32');
    assert.equal(byName.get('lookalike')?.default_member_permissions, null);
    assert.deepEqual(byName.get('watch')?.contexts, [0]);
  });

  it('lets members install the answering commands for themselves, and keeps admin commands and games in servers', () => {
    for (const name of [
      'lookalike',
      'compare',
      'help',
      'Who do they look like?',
      'Who does this member look like?',
    ]) {
      assert.deepEqual(byName.get(name)?.integration_types, [0, 1], name);
      assert.deepEqual(byName.get(name)?.contexts, [0, 1, 2], name);
    }
    for (const name of ['gallery', 'enroll', 'watch', 'forget', 'game', 'leaderboard']) {
      assert.deepEqual(byName.get(name)?.integration_types, [0], name);
      assert.deepEqual(byName.get(name)?.contexts, [0], name);
    }
    const menus = toDiscordCommands(commands).filter((c) => c.type !== 1);
    assert.deepEqual(
      menus.map((c) => [c.name, c.type]),
      [
        ['Who do they look like?', 3],
        ['Who does this member look like?', 2],
      ],
    );
    assert.ok(
      menus.every((c) => !('description' in c) && !('options' in c)),
      'menus have a label only',
    );
  });
});

describe('reply payloads', () => {
  it('renders plain replies as content and rich ones as an embed with the PNG attached', () => {
    assert.deepEqual(toDiscordPayload({ text: 'hi' }).content, 'hi');
    const rich = toDiscordPayload({
      title: 'T',
      text: 'body',
      color: 1,
      image: { name: 'my pic.png', data: new Uint8Array([1, 2, 3]), alt: 'a' },
    });
    assert.equal(rich.content, '');
    assert.deepEqual(rich.embeds, [
      { description: 'body', title: 'T', color: 1, image: { url: 'attachment://my_pic.png' } },
    ]);
    assert.equal(rich.files[0]?.name, 'my_pic.png');
    assert.deepEqual([...(rich.files[0]!.attachment as Buffer)], [1, 2, 3]);
    assert.deepEqual(rich.allowedMentions.parse, [], 'names from users never ping');
  });

  it('keeps within Discord limits', () => {
    assert.equal(toDiscordPayload({ text: 'x'.repeat(5000) }).content.length, 2000);
    assert.equal(
      toDiscordPayload({ title: 't', text: 'x'.repeat(5000) }).embeds[0]?.description?.length,
      4096,
    );
    assert.equal(safeFileName('../../etc/passwd'), 'etc_passwd');
  });
});

describe('intents and REST', () => {
  it('asks for Message Content only when allowed', () => {
    assert.deepEqual(discordIntents(false), [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages]);
    assert.ok(discordIntents(true).includes(GatewayIntentBits.MessageContent));
  });

  it('points REST at DISCORD_API_URL', () => {
    assert.deepEqual(restOptions({ token: 't', appId: '1', apiUrl: 'http://proxy:8080/api' }), {
      api: 'http://proxy:8080/api',
    });
    assert.deepEqual(restOptions({ token: 't', appId: '1' }), {});
  });
});

describe('InteractionResponder', () => {
  // `install` sets what a user-installed app's interaction carries: who authorised it, and where.
  function fakeInteraction(
    install: {
      owners?: Record<string, string>;
      guildId?: string;
      externalApps?: boolean;
      appPermissions?: bigint;
    } = {},
  ) {
    const calls: [string, unknown][] = [];
    const payloads: { content: string; embeds?: unknown[]; files?: unknown[] }[] = [];
    const i = {
      guildId: install.guildId ?? null,
      authorizingIntegrationOwners: install.owners ? { data: install.owners } : undefined,
      memberPermissions:
        install.externalApps === undefined
          ? null
          : new PermissionsBitField(install.externalApps ? PermissionFlagsBits.UseExternalApps : 0n),
      appPermissions:
        install.appPermissions === undefined ? null : new PermissionsBitField(install.appPermissions),
      deferred: false,
      replied: false,
      ephemeral: null as boolean | null,
      async deferReply(o: { flags?: number }) {
        calls.push(['deferReply', o.flags ?? 0]);
        i.deferred = true;
        i.ephemeral = o.flags === MessageFlags.Ephemeral;
      },
      async reply(o: { flags?: number; content: string }) {
        calls.push(['reply', o.flags]);
        i.replied = true;
      },
      async editReply(o: { content: string; embeds?: unknown[]; files?: unknown[] }) {
        calls.push(['editReply', o.content]);
        payloads.push(o);
        i.replied = true;
      },
      async followUp(o: { flags?: number }) {
        calls.push(['followUp', o.flags]);
      },
      async deleteReply() {
        calls.push(['deleteReply', null]);
      },
    };
    return {
      responder: new InteractionResponder(i as unknown as ChatInputCommandInteraction, silentLogger),
      calls,
      payloads,
    };
  }

  it('replies directly when nothing was deferred', async () => {
    const { responder, calls } = fakeInteraction();
    await responder.send({ text: 'no', ephemeral: true });
    assert.deepEqual(calls, [['reply', MessageFlags.Ephemeral]]);
  });

  it('edits the deferred reply with the answer', async () => {
    const { responder, calls } = fakeInteraction();
    await responder.defer();
    await responder.defer();
    await responder.send({ text: 'answer' });
    assert.deepEqual(calls, [
      ['deferReply', 0],
      ['editReply', 'answer'],
    ]);
    assert.equal(responder.deferred, true);
  });

  it('sends a private error after a public deferral as a second message and removes the placeholder', async () => {
    const { responder, calls } = fakeInteraction();
    await responder.defer();
    await responder.send({ text: 'oops', ephemeral: true });
    assert.deepEqual(calls, [
      ['deferReply', 0],
      ['editReply', '…'],
      ['followUp', MessageFlags.Ephemeral],
      ['deleteReply', null],
    ]);
  });

  it('sends at most 5 follow-ups where only a member installed the app, then edits the original response', async () => {
    const { responder, calls } = fakeInteraction({ owners: { '1': '42' } });
    await responder.send({ text: 'first' });
    for (let n = 0; n < 7; n++) await responder.send({ text: `more ${n}` });
    assert.equal(calls.filter(([what]) => what === 'followUp').length, 5);
    assert.equal(responder.followUps, 5);
    assert.deepEqual(calls.slice(-2), [
      ['editReply', 'more 5'],
      ['editReply', 'more 6'],
    ]);

    const installed = fakeInteraction({ owners: { '0': '7', '1': '42' }, guildId: '7' });
    await installed.responder.send({ text: 'first' });
    for (let n = 0; n < 7; n++) await installed.responder.send({ text: `more ${n}` });
    assert.equal(
      installed.calls.filter(([what]) => what === 'followUp').length,
      7,
      'server installs are not limited',
    );
  });

  it('defers and answers privately where the server turned Use External Apps off for a user-installed app', async () => {
    const off = fakeInteraction({ owners: { '1': '42' }, guildId: '7', externalApps: false });
    await off.responder.defer();
    await off.responder.send({ text: 'answer' });
    assert.deepEqual(off.calls, [
      ['deferReply', MessageFlags.Ephemeral],
      ['editReply', 'answer'],
    ]);
    const on = fakeInteraction({ owners: { '1': '42' }, guildId: '7', externalApps: true });
    await on.responder.defer();
    assert.deepEqual(on.calls, [['deferReply', 0]]);
    // The bot installed in the server: its own permissions apply, not Use External Apps.
    const installed = fakeInteraction({ owners: { '0': '7' }, guildId: '7', externalApps: false });
    await installed.responder.defer();
    assert.deepEqual(installed.calls, [['deferReply', 0]]);
  });

  it("leaves out pictures and embeds where a user-installed app's app_permissions forbid them", async () => {
    const reply = {
      title: 'You look like Penny',
      text: 'Similarity: 80%',
      image: { name: 'lookalike.png', data: new Uint8Array([1, 2, 3]) },
    };
    const owners = { '1': '42' };
    const plain = fakeInteraction({ owners, guildId: '7', appPermissions: PermissionFlagsBits.SendMessages });
    await plain.responder.defer();
    await plain.responder.send(reply);
    assert.deepEqual(plain.payloads[0]?.embeds, []);
    assert.deepEqual(plain.payloads[0]?.files, []);
    assert.equal(
      plain.payloads[0]?.content,
      '**You look like Penny**\nSimilarity: 80%\n_I may not post pictures here._',
    );

    const both = PermissionFlagsBits.AttachFiles | PermissionFlagsBits.EmbedLinks;
    const full = fakeInteraction({ owners, guildId: '7', appPermissions: both });
    await full.responder.defer();
    await full.responder.send(reply);
    assert.equal(full.payloads[0]?.files?.length, 1, 'the picture goes along where allowed');
    // Where the bot is installed, its own rights apply and nothing is left out.
    const installed = fakeInteraction({ owners: { '0': '7' }, guildId: '7', appPermissions: 0n });
    await installed.responder.defer();
    await installed.responder.send(reply);
    assert.equal(installed.payloads[0]?.files?.length, 1);
  });

  it('edits a private deferral in place', async () => {
    const { responder, calls } = fakeInteraction();
    await responder.defer({ ephemeral: true });
    await responder.send({ text: 'secret', ephemeral: true });
    assert.deepEqual(calls, [
      ['deferReply', MessageFlags.Ephemeral],
      ['editReply', 'secret'],
    ]);
  });
});

describe('npm run deploy:discord', () => {
  it('registers every command to DISCORD_GUILD_ID through DISCORD_API_URL', async () => {
    const standin = new DiscordStandin({ dataDir: '.' });
    await standin.start();
    try {
      const token = 'MTAwMDAwMDAwMDAwMDAwMDAy.GstAnd.deploy-test-token-not-real-at-all';
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'tools/deploy-discord.ts'],
        {
          env: {
            ...process.env,
            DISCORD_TOKEN: token,
            DISCORD_APP_ID: standin.appId,
            DISCORD_GUILD_ID: standin.guildId,
            DISCORD_API_URL: standin.apiUrl,
          },
        },
      );
      assert.match(stdout, new RegExp(`Registered ${commands.length} commands in server ${standin.guildId}`));
      const put = standin.requests.find((r) => r.method === 'PUT');
      assert.equal(put?.path, `/applications/${standin.appId}/guilds/${standin.guildId}/commands`);
      const body = put?.body as unknown as { name: string }[];
      assert.deepEqual(
        body.map((c) => c.name),
        commands.map((c) => c.data.name),
      );
    } finally {
      await standin.close();
    }
  });
});
