// Issue 21, items 4 and 5 and the small ones about names: markup and links in names and file names,
// invisible and mirrored names, `->` in names, words silently dropped before `name:` pairs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commands } from '../../commands/index.ts';
import { toDiscordPayload } from '../../src/adapters/discord/payload.ts';
import { ImageStore, toWire } from '../../src/adapters/playground/wire.ts';
import { renderReply, toMrkdwn } from '../../src/adapters/slack/blocks.ts';
import { parseText } from '../../src/chat/command-text.ts';
import { escapeMarkdown } from '../../src/chat/format.ts';
import { UserError } from '../../src/errors.ts';
import { Gallery } from '../../src/gallery/gallery.ts';
import { cleanName } from '../../src/gallery/slug.ts';
import { openStore } from '../../src/store/index.ts';

function refused(name: string, code = 'bad_name'): string {
  try {
    cleanName(name);
  } catch (err) {
    assert.ok(err instanceof UserError, String(err));
    assert.equal(err.code, code);
    return err.message;
  }
  assert.fail(`"${name}" was accepted`);
}

describe('names: invisible, mirrored and markup names are refused at enrolment', () => {
  it('strips format characters and refuses a name that is empty once cleaned', () => {
    assert.match(refused('\u200b\u200b'), /U\+200B U\+200B.*nothing visible/);
    assert.equal(cleanName('\u202egnp.exe'), 'gnp.exe');
    assert.equal(cleanName('Pe\u200bnny\u2066'), 'Penny');
    assert.match(refused('  '), /Please give a name/);
  });

  it('refuses links, mentions and chat formatting, and the `->` the rename command splits on', () => {
    for (const name of [
      '[link](http://evil.example)',
      '<!channel>',
      '<http://evil.example|Penny>',
      '||spoiler||',
      'Penny -> Sheldon',
      'visit http://evil.example',
      'www.evil.example',
      '`code`',
    ]) {
      assert.match(refused(name), /looks like chat formatting or a link/, name);
    }
    // Ordinary punctuation in real names stays, and so do underscores of folder names (LFW's `Aaron_Eckhart`):
    // replies escape emphasis characters instead.
    for (const name of [
      "Shaquille O'Neal",
      'Jean-Claude Van Damme',
      'Simon & Garfunkel',
      'Mr. T',
      'P!nk',
      'barack_obama',
      '*NSYNC',
    ]) {
      assert.equal(cleanName(name), name);
    }
  });

  it('the gallery refuses them too, so no pack or import can store one', async () => {
    const store = await openStore('memory://');
    const gallery = new Gallery(store, { embeddingDim: 4 });
    const photo = {
      hash: 'a'.repeat(64),
      embedding: Float32Array.of(1, 0, 0, 0),
      thumbnail: Uint8Array.of(1),
      addedBy: 'cli',
    };
    await assert.rejects(gallery.enroll('global', '[x](http://evil.example)', [photo]), { code: 'bad_name' });
    await gallery.enroll('global', 'Penny', [photo]);
    await assert.rejects(gallery.rename('global', 'Penny', '\u200b'), { code: 'bad_name' });
    await store.close();
  });

  it('says so when words before `name:` would be dropped (`/enroll Mr name:Evil`)', () => {
    const enroll = commands.find((c) => c.data.name === 'enroll')!;
    const parsed = parseText(enroll.data, 'Mr name:Evil', { users: 'word', photos: true });
    assert.match(parsed.error?.message ?? '', /I don't know what `Mr` is for/);
    assert.equal(parseText(enroll.data, 'name:Mr Evil', { users: 'word', photos: true }).error, undefined);
  });
});

describe('names and file names are escaped for each platform', () => {
  const hostile = '[link](http://evil.example) <!channel> **x**';
  const reply = { title: `Enrolled ${escapeMarkdown('a_b')}`, text: `• ${escapeMarkdown(hostile)}: skipped` };

  it('Slack: no link, no mention, the text shown as typed', () => {
    const mrkdwn = toMrkdwn(reply.text);
    assert.doesNotMatch(mrkdwn, /<http/);
    assert.doesNotMatch(mrkdwn, /<!channel>/);
    assert.match(mrkdwn, /\[link\]\(http:\/\/evil\.example\) &lt;!channel&gt; \*\*x\*\*/);
    // Ordinary markdown still converts.
    assert.equal(toMrkdwn('**bold** [doc](https://example.com)'), '*bold* <https://example.com|doc>');
    const rendered = JSON.stringify(renderReply(reply));
    assert.doesNotMatch(rendered, /<http:\/\/evil/);
    assert.doesNotMatch(rendered, /\\\\\[/, 'no backslash reaches Slack');
  });

  it('Discord: every markup character escaped, the plain title unescaped', () => {
    const payload = toDiscordPayload(reply);
    const description = payload.embeds[0]?.description ?? '';
    assert.match(description, /\\\[link\\\]\(http:\/\/evil\.example\) \\<!channel\\> \\\*\\\*x\\\*\\\*/);
    assert.equal(payload.embeds[0]?.title, 'Enrolled a_b');
  });

  it('the playground: escapes resolved, confidences always finite numbers', () => {
    const wire = toWire(
      {
        text: reply.text,
        matches: [
          {
            label: '1',
            confidence: Number.NaN,
            similarity: Number.POSITIVE_INFINITY,
            top: [{ name: 'X', slug: 'x', confidence: Number.NaN, similarity: 0.5 }],
          },
        ],
      },
      'playground',
      new ImageStore(),
    );
    assert.equal(wire.text, `• ${hostile}: skipped`);
    const json = JSON.parse(JSON.stringify(wire));
    assert.equal(json.matches[0].confidence, 0);
    assert.equal(json.matches[0].similarity, 0);
    assert.equal(json.matches[0].top[0].confidence, 0);
  });
});
