// Slack adapter units: reading slash command text, rendering Block Kit, the recent-photo index and
// admin detection. No Bolt, no network.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { data as compare } from '../../commands/compare.ts';
import { data as enroll } from '../../commands/enroll.ts';
import { data as gallery } from '../../commands/gallery.ts';
import { data as game } from '../../commands/game.ts';
import { data as help } from '../../commands/help.ts';
import { commands } from '../../commands/index.ts';
import { data as lookalike } from '../../commands/lookalike.ts';
import { data as watch } from '../../commands/watch.ts';
import { parseArguments, tokenize, usage } from '../../src/adapters/slack/arguments.ts';
import { buttonIdOf, confidenceBar, renderReply, toMrkdwn } from '../../src/adapters/slack/blocks.ts';
import { acceptsFile, isArchiveFile } from '../../src/adapters/slack/files.ts';
import { RecentImages } from '../../src/adapters/slack/recent-images.ts';
import { shortcutCallbackId } from '../../src/adapters/slack/shortcuts.ts';
import { avatarOf, isWorkspaceAdmin, toChatUser, UserDirectory } from '../../src/adapters/slack/users.ts';
import { silentLogger } from '../../src/chat/logger.ts';
import { fakeWeb, platformError } from '../support/slack-fakes.ts';

describe('slash command text', () => {
  it('gives a command with one name the whole text', () => {
    assert.deepEqual(parseArguments(enroll, '  Brad   Pitt ').values, { name: 'Brad Pitt' });
    assert.deepEqual(parseArguments(gallery, 'remove Amy Farrah Fowler'), {
      subcommand: 'remove',
      values: { name: 'Amy Farrah Fowler' },
      users: {},
    });
  });

  it('splits two names on an arrow, or takes one word each', () => {
    assert.deepEqual(parseArguments(gallery, 'rename Old Name -> New Name').values, {
      from: 'Old Name',
      to: 'New Name',
    });
    assert.deepEqual(parseArguments(gallery, 'rename Penny → Penny Hofstadter').values, {
      from: 'Penny',
      to: 'Penny Hofstadter',
    });
    assert.deepEqual(parseArguments(gallery, 'rename Penny Leonard').values, {
      from: 'Penny',
      to: 'Leonard',
    });
    assert.deepEqual(parseArguments(gallery, 'rename "Old Name" "New Name"').values, {
      from: 'Old Name',
      to: 'New Name',
    });
    const ambiguous = parseArguments(gallery, 'rename Old Name New Name');
    assert.match(ambiguous.error ?? '', /Separate the names with `->`.*\/gallery rename <from> -> <to>/);
  });

  it('reads numbers positionally or by name, and a trailing number after a name', () => {
    assert.deepEqual(parseArguments(gallery, 'list 2'), {
      subcommand: 'list',
      values: { page: '2' },
      users: {},
    });
    assert.deepEqual(parseArguments(gallery, 'list page:3').values, { page: '3' });
    assert.deepEqual(parseArguments(game, 'battle Brad Pitt 3').values, {
      celebrity: 'Brad Pitt',
      minutes: '3',
    });
    assert.deepEqual(parseArguments(game, 'battle Brad Pitt').values, { celebrity: 'Brad Pitt' });
    assert.deepEqual(parseArguments(game, 'join yes').values, { keep: 'yes' });
    assert.match(parseArguments(gallery, 'list 2 3').error ?? '', /Too many words/);
  });

  it('takes the first word as the subcommand, lower-cased, and no subcommand from empty text', () => {
    assert.equal(parseArguments(watch, 'ON').subcommand, 'on');
    assert.equal(parseArguments(watch, '').subcommand, undefined);
    assert.equal(parseArguments(gallery, 'frobnicate x').subcommand, 'frobnicate');
  });

  it('fills user options from mentions and unescapes Slack text', () => {
    const parsed = parseArguments(lookalike, '<@U012ABC|alice>');
    assert.deepEqual(parsed.users, { user: 'U012ABC' });
    assert.equal(parsed.error, undefined);
    assert.deepEqual(parseArguments(enroll, 'Tom &amp; Jerry').values, { name: 'Tom & Jerry' });
  });

  it('ignores stray words on commands without options, but explains them elsewhere', () => {
    assert.equal(parseArguments(help, 'me please').error, undefined);
    assert.match(parseArguments(lookalike, 'Brad Pitt').error ?? '', /takes no text.*\/lookalike \[@user\]/);
  });

  it('tokenizes quotes, and shows usages in Slack syntax', () => {
    assert.deepEqual(tokenize('a "b c" “d e” f'), ['a', 'b c', 'd e', 'f']);
    assert.equal(usage(enroll), '/enroll <name>');
    assert.equal(usage(gallery), '/gallery list|remove|rename|import|export');
    assert.equal(usage(game, 'battle'), '/game battle <celebrity> [minutes]');
    assert.equal(usage(compare), '/compare');
  });
});

describe('Block Kit rendering', () => {
  it('converts bold and links to mrkdwn and neutralises mentions in names', () => {
    assert.equal(
      toMrkdwn('**You** look like [Penny](https://example.com/a?b=1)'),
      '*You* look like <https://example.com/a?b=1|Penny>',
    );
    assert.equal(toMrkdwn('Added **<!channel>** & co'), 'Added *&lt;!channel&gt;* &amp; co');
  });

  it('renders title once, text sections, fields, a context with the bar and footnote, and buttons', () => {
    const { text, blocks } = renderReply({
      title: 'You look like Penny (0.73 confidence)',
      text: "**You look like Penny (0.73 confidence)**\nSimilarity: 81%\n\n_Answered from this server's gallery._",
      fields: [{ name: 'Rounds', value: '**5**' }],
      matches: [
        {
          label: 'You',
          confidence: 0.73,
          similarity: 0.81,
          top: [{ name: 'Penny', slug: 'penny', confidence: 0.73, similarity: 0.81 }],
        },
      ],
      buttons: [
        { id: 'game:1:a', label: 'Penny', style: 'success' },
        { id: 'game:1:b', label: 'Amy', style: 'danger' },
        { id: 'game:1:c', label: 'Raj', disabled: true, style: 'success' },
      ],
    });
    const json = JSON.stringify(blocks);
    assert.equal(json.match(/You look like Penny/g)?.length, 1, 'the title is not repeated');
    assert.deepEqual(
      blocks.map((b) => b.type),
      ['section', 'section', 'context', 'actions', 'context'],
    );
    assert.deepEqual(blocks[0], {
      type: 'section',
      text: { type: 'mrkdwn', text: '*You look like Penny (0.73 confidence)*\nSimilarity: 81%' },
    });
    assert.match(json, /\*Rounds\*\\n\*5\*/);
    assert.match(json, /You → \*Penny\* {2}▰▰▰▰▰▰▰▱▱▱ 0\.73/);
    assert.match(json, /_Answered from this server's gallery._/);
    const actions = blocks[3] as { elements: { action_id: string; value: string; style?: string }[] };
    assert.deepEqual(
      actions.elements.map((e) => [buttonIdOf(e), e.style]),
      [
        ['game:1:a', 'primary'],
        ['game:1:b', 'danger'],
      ],
    );
    assert.match(JSON.stringify(blocks[4]), /✅ Raj/, 'a disabled button becomes a label');
    assert.match(text, /^You look like Penny \(0\.73 confidence\)\n/);
  });

  it('keeps sections under Slack limits and the fallback text plain', () => {
    const long = Array.from({ length: 400 }, (_, i) => `line ${i} ${'x'.repeat(20)}`).join('\n');
    const { blocks, text } = renderReply({ text: long });
    assert.ok(blocks.length >= 4);
    for (const b of blocks) assert.ok(((b as { text?: { text: string } }).text?.text.length ?? 0) <= 3000);
    assert.ok(text.length <= 3000);
    assert.equal(renderReply({ text: 'a **b** c' }).text, 'a b c');
    const huge = renderReply({
      text: Array.from({ length: 60 }, () => 'y'.repeat(2999)).join('\n'),
      buttons: [{ id: 'game:x', label: 'X' }],
    });
    assert.equal(huge.blocks.length, 50, "at most Slack's 50 blocks");
    assert.equal(huge.blocks.at(-1)?.type, 'actions', 'the buttons survive the cut');
    assert.equal(confidenceBar(0), '▱▱▱▱▱▱▱▱▱▱');
    assert.equal(confidenceBar(1.2), '▰▰▰▰▰▰▰▰▰▰');
  });
});

describe('recent-photo index', () => {
  const png = (id: string) => ({ id, name: `${id}.png`, mimetype: 'image/png' });

  it('forgets photos after the window', () => {
    let now = 1_000_000;
    const recent = new RecentImages({ ttlMs: 60_000, now: () => now });
    recent.record('T', 'C', 'U', '1.1', [png('a')]);
    now += 59_000;
    assert.equal(recent.recent('T', 'C', 'U').length, 1);
    assert.equal(recent.recent('T', 'C', 'other').length, 0);
    assert.equal(recent.recent('T', 'C2', 'U').length, 0);
    now += 2_000;
    assert.equal(recent.recent('T', 'C', 'U').length, 0);
    assert.equal(recent.size, 0, 'expired triples are dropped');
  });

  it('is bounded, evicting the least recently updated triple and old messages', () => {
    const recent = new RecentImages({ maxKeys: 2, perKey: 2 });
    recent.record('T', 'C', 'A', '1', [png('a')]);
    recent.record('T', 'C', 'B', '2', [png('b')]);
    recent.record('T', 'C', 'A', '3', [png('a2')]);
    recent.record('T', 'C', 'D', '4', [png('d')]);
    assert.equal(recent.size, 2);
    assert.equal(recent.recent('T', 'C', 'B').length, 0, 'B was the oldest');
    recent.record('T', 'C', 'A', '5', [png('a3')]);
    assert.deepEqual(
      recent.recent('T', 'C', 'A').map((s) => s.ts),
      ['5', '3'],
    );
  });

  it('picks the latest message for /enroll and the last two photos for /compare', () => {
    const recent = new RecentImages();
    recent.record('T', 'C', 'U', '1', [png('old')]);
    recent.record('T', 'C', 'U', '2', [png('p1'), png('p2'), png('p3')]);
    const ids = (files: { id: string }[]) => files.map((f) => f.id);
    assert.deepEqual(ids(recent.pick('T', 'C', 'U', { required: 1, max: 5 })), ['p1', 'p2', 'p3']);
    assert.deepEqual(ids(recent.pick('T', 'C', 'U', { required: 0, max: 1 })), ['p1']);
    recent.record('T', 'C', 'U', '3', [png('new')]);
    assert.deepEqual(ids(recent.pick('T', 'C', 'U', { required: 2, max: 2 })), ['p3', 'new']);
    assert.deepEqual(recent.pick('T', 'C', 'nobody', { required: 2, max: 2 }), []);
  });

  it('keeps photos and ZIPs apart: /gallery import takes the last ZIP, photo commands never do', () => {
    const recent = new RecentImages();
    const zip = { id: 'z', name: 'people.zip', mimetype: 'application/zip' };
    // Slack calls some uploads octet-stream; the name still says ZIP.
    const generic = { id: 'g', name: 'pack.ZIP', mimetype: 'application/octet-stream' };
    recent.record('T', 'C', 'U', '1', [png('photo')]);
    recent.record('T', 'C', 'U', '2', [zip]);
    recent.record('T', 'C', 'U', '3', [generic, png('beside')]);
    const ids = (kind: 'image' | 'archive') =>
      recent
        .pick('T', 'C', 'U', { required: 1, max: 1, accept: (f) => acceptsFile(kind, f) })
        .map((f) => f.id);
    assert.deepEqual(ids('archive'), ['g']);
    assert.deepEqual(ids('image'), ['beside']);
    assert.ok(isArchiveFile({ id: 'x', filetype: 'zip' }));
    assert.ok(!isArchiveFile({ id: 'x', name: 'me.png', mimetype: 'image/png' }));
    assert.ok(!acceptsFile('image', generic), 'a ZIP is never taken for a photo');
  });

  it('wakes a command waiting for a photo still on its way', async () => {
    const recent = new RecentImages();
    const waiting = recent.whenShared('T', 'C', 'U', 5_000);
    recent.record('T', 'C', 'U', '1', [png('late')]);
    assert.equal(await waiting, true);
    assert.equal(await recent.whenShared('T', 'C', 'U', 10), false);
  });
});

describe('Slack members', () => {
  it('treats workspace admins and owners as admins', () => {
    assert.equal(isWorkspaceAdmin({ id: 'U', is_admin: true }), true);
    assert.equal(isWorkspaceAdmin({ id: 'U', is_owner: true }), true);
    assert.equal(isWorkspaceAdmin({ id: 'U', is_primary_owner: true }), true);
    assert.equal(isWorkspaceAdmin({ id: 'U', is_admin: false }), false);
    assert.equal(isWorkspaceAdmin(undefined), false);
    const user = toChatUser('U1', { id: 'U1', is_admin: true, profile: { display_name: 'Ann' } });
    assert.deepEqual(user, {
      id: 'slack:U1',
      platformId: 'U1',
      displayName: 'Ann',
      avatarUrl: undefined,
      isPlatformAdmin: true,
    });
  });

  it("uses a custom profile photo, never Slack's initials avatar", () => {
    const profile = {
      image_512: 'https://avatars.slack-edge.com/a_512.png',
      image_original: 'https://x/o.png',
    };
    assert.equal(avatarOf({ id: 'U', profile: { ...profile, is_custom_image: true } }), profile.image_512);
    assert.equal(avatarOf({ id: 'U', profile: { ...profile, is_custom_image: false } }), undefined);
  });

  it('caches users.info, and treats a failed lookup as a non-admin without a photo', async () => {
    let now = 0;
    const client = fakeWeb({
      'users.info': (a) => {
        if (a.user === 'UBAD') throw platformError('ratelimited');
        return { ok: true, user: { id: a.user, is_owner: true } };
      },
    });
    const users = new UserDirectory(client, silentLogger, { ttlMs: 1_000, now: () => now });
    assert.equal((await users.chatUser('U1')).isPlatformAdmin, true);
    assert.equal((await users.chatUser('U1')).isPlatformAdmin, true);
    assert.equal(client.calls.length, 1);
    now += 2_000;
    await users.chatUser('U1');
    assert.equal(client.calls.length, 2, 'looked up again after the TTL');
    const bad = await users.chatUser('UBAD', 'bad-name');
    assert.equal(bad.isPlatformAdmin, false);
    assert.equal(bad.displayName, 'bad-name');
  });
});

describe('slack-manifest.yml', () => {
  const manifest = readFileSync(new URL('../../slack-manifest.yml', import.meta.url), 'utf8');

  it('declares every command the bot has, and no other', () => {
    const declared = [...manifest.matchAll(/^\s+- command: \/([a-z-]+)$/gm)].map((m) => m[1]);
    const typed = commands.filter((c) => !c.data.target);
    assert.deepEqual(declared.sort(), typed.map((c) => c.data.name).sort());
  });

  it('declares a message shortcut for every message command, with the callback id the adapter routes', () => {
    const shortcuts = [
      ...manifest.matchAll(
        /^\s+- name: (.+)\n\s+type: (\w+)\n\s+callback_id: (\w+)\n\s+description: (.+)$/gm,
      ),
    ].map((m) => ({ name: m[1], type: m[2], callbackId: m[3] ?? '', description: m[4] ?? '' }));
    const menus = commands.filter((c) => c.data.target === 'message');
    assert.deepEqual(
      shortcuts.map((s) => [s.name, s.type, s.callbackId]),
      menus.map((c) => [c.data.name, 'message', shortcutCallbackId(c.data)]),
    );
    assert.deepEqual(
      menus.map((c) => shortcutCallbackId(c.data)),
      ['who_do_they_look_like'],
    );
    assert.ok(shortcuts.every((s) => s.description.length <= 150 && s.callbackId.length <= 255));
  });

  it('asks for the scopes and events the adapter uses, with Socket Mode and interactivity on', () => {
    const scopes = [...manifest.matchAll(/^\s+- ([a-z_.:]+)(?: #.*)?$/gm)].map((m) => m[1]);
    for (const scope of [
      'commands',
      'chat:write',
      'files:read',
      'files:write',
      'users:read',
      'channels:history',
      'groups:history',
      'app_mentions:read',
      'app_mention',
      'message.channels',
      'message.groups',
    ]) {
      assert.ok(scopes.includes(scope), `${scope} is declared`);
    }
    assert.match(manifest, /interactivity:\n\s+is_enabled: true/);
    assert.match(manifest, /socket_mode_enabled: true/);
  });
});
