import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commands } from '../../commands/index.ts';
import { parseCommandLine, usageOf, usages } from '../../src/adapters/playground/command-line.ts';
import type { Command, UserOption } from '../../src/chat/types.ts';
import { isUserError } from '../../src/errors.ts';
import { fakeAttachment } from '../fixtures/chat-fakes.ts';

const me: UserOption = { id: 'playground:local', platformId: 'local', displayName: 'You' };
const png = (name: string) => fakeAttachment(name, new Uint8Array([1, 2, 3]));
const parse = (line: string, files = [] as ReturnType<typeof png>[], list: Command[] = commands) =>
  parseCommandLine(line, list, files, me);

// What the command line says of text it cannot turn into a command, by what is wrong with it.
const REFUSALS = new Set(['bad_command', 'bad_option', 'missing_option']);

function rejects(line: string, pattern: RegExp, files = [] as ReturnType<typeof png>[], list?: Command[]) {
  assert.throws(
    () => parse(line, files, list),
    (err: unknown) => isUserError(err) && REFUSALS.has(err.code) && pattern.test(err.message),
  );
}

const game: Command = {
  data: {
    name: 'game',
    description: 'Guess who',
    subcommands: [
      {
        name: 'start',
        description: 'Start a round',
        options: [
          { name: 'rounds', description: 'How many', type: 'integer' },
          {
            name: 'mode',
            description: 'Mode',
            type: 'string',
            choices: [
              { name: 'Easy', value: 'easy' },
              { name: 'Hard', value: 'hard' },
            ],
          },
          { name: 'public', description: 'Public', type: 'boolean' },
          { name: 'rival', description: 'Opponent', type: 'user' },
        ],
      },
    ],
  },
  execute: async () => ({ text: '' }),
};

describe('parseCommandLine', () => {
  it('gives /enroll its name (spaces included) and the photos in order', () => {
    const files = [png('a.png'), png('b.png'), png('c.png')];
    const parsed = parse('/enroll Brad Pitt', files);
    assert.equal(parsed.name, 'enroll');
    assert.equal(parsed.options.name, 'Brad Pitt');
    assert.equal(parsed.options.image, files[0]);
    assert.equal(parsed.options.image2, files[1]);
    assert.equal(parsed.options.image3, files[2]);
    assert.equal(parsed.options.image4, undefined);
  });

  it('reads subcommands and splits two names on ->', () => {
    const parsed = parse('/gallery rename Leonard Hofstadter -> Leo H');
    assert.deepEqual(parsed, {
      name: 'gallery',
      subcommand: 'rename',
      options: { from: 'Leonard Hofstadter', to: 'Leo H' },
    });
    assert.deepEqual(parse('/gallery rename "Amy Farrah" Amy').options, { from: 'Amy Farrah', to: 'Amy' });
    assert.deepEqual(parse('/GALLERY REMOVE Penny').options, { name: 'Penny' });
  });

  it('accepts name:value options as Discord shows them', () => {
    assert.deepEqual(parse('/gallery rename from:Old Name to:New Name').options, {
      from: 'Old Name',
      to: 'New Name',
    });
    assert.deepEqual(parse('/gallery list page:2').options, { page: 2 });
  });

  it('converts integers, booleans, choices and the local member', () => {
    const parsed = parse('/game start rounds:3 mode:Hard public:yes rival:me', [], [game]);
    assert.deepEqual(parsed.options, { rounds: 3, mode: 'hard', public: true, rival: me });
    assert.equal(parse('/game start 5', [], [game]).options.rounds, 5);
    rejects('/game start rounds:many', /whole number/, [], [game]);
    rejects('/game start mode:medium', /one of: easy, hard/, [], [game]);
    rejects('/game start rival:someone', /only be `me`/, [], [game]);
  });

  it('leaves an omitted subcommand to the command, and refuses an unknown one', () => {
    assert.deepEqual(parse('/gallery'), { name: 'gallery', options: {} });
    rejects('/gallery show', /has no "show".*`\/gallery list`/);
  });

  it('passes unknown commands through for the bot to answer', () => {
    assert.deepEqual(parse('/nope some text'), { name: 'nope', options: {} });
  });

  it('names the usage when arguments or photos are missing or too many', () => {
    rejects('/enroll', /\/enroll needs `name`.*\/enroll <name> \+ 1–5 photos/);
    rejects('/enroll Penny', /needs a photo/);
    rejects('/compare', /needs 2 photos/, [png('a.png')]);
    rejects('/help me please', /\/help takes no text/);
    rejects('/lookalike', /takes at most 1 photo, and 2 were attached/, [png('a.png'), png('b.png')]);
    rejects('/forget', /takes no files/, [png('a.png')]);
    rejects('hello', /start with `\/`/);
  });
});

describe('usages', () => {
  it('lists every command and subcommand with how to type it', () => {
    const list = usages(commands);
    const byCommand = new Map(list.map((u) => [u.command, u]));
    assert.equal(byCommand.get('/gallery rename')?.usage, '/gallery rename <from> -> <to>');
    assert.equal(byCommand.get('/gallery rename')?.admin, true);
    assert.equal(byCommand.get('/gallery list')?.admin, false);
    assert.equal(byCommand.get('/compare')?.usage, '/compare + 2 photos');
    assert.equal(byCommand.get('/lookalike')?.usage, '/lookalike [user] [+ photo]');
    assert.ok(byCommand.has('/help') && byCommand.has('/watch on') && byCommand.has('/forget'));
    assert.equal(
      usageOf(game.data, game.data.subcommands?.[0]),
      '/game start [rounds] [mode] [public] [rival]',
    );
  });
});
