import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { UserError, userErrorFrom } from '../../src/errors.ts';
import { decodeError, encodeError } from '../../src/queue/wire.ts';
import { TEXT_TABLES, type TextId, USER_ERROR_CODES, userText } from '../../src/user-texts.ts';

// The code that throws and says things: everything under src/ and commands/ but the tables themselves.
function sources(dir: string): { file: string; text: string }[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !path.join(dir, f).startsWith(path.join('src', 'texts')))
    .map((f) => ({ file: path.join(dir, f), text: readFileSync(path.join(dir, f), 'utf8') }));
}
const code = [...sources('src'), ...sources('commands')];
const ids = Object.values(TEXT_TABLES).flatMap((table) => Object.keys(table)) as TextId[];
const quoted = (word: string) => new RegExp(`['"]${word}['"]`);

describe('user texts', () => {
  it('names each sentence once, in one table', () => {
    assert.equal(new Set(ids).size, ids.length, 'an identifier is in two tables');
  });

  it('says every sentence somewhere: each identifier is used outside the tables', () => {
    const unused = ids.filter((id) => !code.some((f) => quoted(id).test(f.text)));
    assert.deepEqual(unused, []);
  });

  it('has a sentence of its own for every code, and every code is used', () => {
    const neutral = userText('no_such_code');
    for (const c of USER_ERROR_CODES) {
      const text = new UserError(c).message;
      assert.ok(text.length > 10 && !/undefined|NaN/.test(text), `${c}: ${text}`);
      assert.notEqual(text, neutral, c);
      const users = code.filter(
        (f) => f.file !== path.join('src', 'user-texts.ts') && quoted(c).test(f.text),
      );
      assert.ok(users.length > 0, `the code ${c} is never used`);
    }
  });

  it('has no text written where an error is raised', () => {
    const inline = /new UserError\(\s*[\w.']+,\s*[`'"]/;
    assert.deepEqual(
      code.filter((f) => inline.test(f.text)).map((f) => f.file),
      [],
    );
  });

  it('puts the file a failure is about before its sentence', () => {
    const err = new UserError('no_face', { source: 'second', about: 'b.png' });
    assert.equal(err.message, "b.png: I couldn't find a face in the second photo.");
  });

  it('rebuilds a UserError from its code and context across the queue, with the same text', () => {
    const sent = new UserError('too_many_faces', { text: 'faces_over_limit', limit: 10 });
    const wire = JSON.parse(JSON.stringify(encodeError(sent)));
    const back = decodeError(wire);
    assert.ok(back instanceof UserError);
    assert.equal(back.code, 'too_many_faces');
    assert.deepEqual(back.context, sent.context);
    assert.equal(
      back.message,
      'I found more than 10 faces in that photo. Please send one with fewer people.',
    );
    // The text is rebuilt, not carried: a peer's wording never reaches the member.
    assert.equal(decodeError({ ...wire, message: 'something else' }).message, sent.message);
  });

  it("says a neutral sentence for a newer peer's code or identifier instead of failing", () => {
    const err = userErrorFrom('brand_new', { text: 'brand_new_text' as TextId });
    assert.equal(err.message, userText('no_such_code'));
    assert.equal(userErrorFrom('busy', { text: 'brand_new_text' as TextId }).message, userText('busy'));
  });
});
