// Who's that celebrity? — the pure rules, driven with explicit times (the fake clock of the rules).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../src/errors.ts';
import { slugify } from '../../src/gallery/slug.ts';
import {
  createGuess,
  type GuessState,
  guessAnswer,
  guessButtonId,
  guessTimer,
  guessView,
  parseGameButton,
  planRounds,
  pointsAt,
} from '../../src/games/guess/rules.ts';
import { PIXELATE_LEVELS } from '../../src/image/render.ts';
import { Rng } from '../../src/util/rng.ts';
import { FOUR, TIMING } from '../fixtures/games.ts';

const CHOICES = FOUR.map((name) => ({ slug: slugify(name), name }));
const alice = { id: 'discord:1', name: 'Alice' };
const bob = { id: 'discord:2', name: 'Bob' };
const carol = { id: 'discord:3', name: 'Carol' };

function newGame(rounds: number, identities = CHOICES): GuessState {
  const rng = new Rng(3);
  return createGuess({
    id: 'g1',
    platform: 'discord',
    scope: 'discord:guild',
    channelId: 'c1',
    startedBy: alice,
    now: 0,
    gallery: 'discord:guild',
    identities,
    rounds,
    timing: TIMING,
    random: () => rng.next(),
  }).state;
}

/** Fires the timer at its deadline, as the manager would. */
function fire(state: GuessState): ReturnType<typeof guessTimer> {
  assert.ok(state.deadline !== null, 'a timer is pending');
  return guessTimer(state, state.deadline);
}

describe("who's that celebrity: rules", () => {
  it('refuses a gallery of fewer than four people with a clear message', () => {
    assert.throws(
      () => newGame(5, CHOICES.slice(0, 3)),
      (err: unknown) =>
        err instanceof UserError &&
        err.code === 'empty_gallery' &&
        /at least 4 people/.test(err.message) &&
        /has 3/.test(err.message),
    );
  });

  it('plans four different names per round, with every answer once before any repeats', () => {
    const rng = new Rng(11);
    const plan = planRounds(CHOICES, 8, () => rng.next());
    for (const round of plan) {
      assert.equal(round.options.length, 4);
      assert.equal(new Set(round.options.map((o) => o.slug)).size, 4);
      assert.ok(round.options.some((o) => o.slug === round.answer.slug));
    }
    const answers = plan.map((r) => r.answer.slug);
    assert.equal(new Set(answers.slice(0, 4)).size, 4);
    assert.equal(new Set(answers.slice(4)).size, 4);
  });

  it('reveals the face level by level, closes the round when time is up, then posts the next', () => {
    let state = newGame(2);
    assert.equal(state.deadline, TIMING.revealMs);
    assert.deepEqual(guessView(state, 'round').image, {
      kind: 'celebrity',
      gallery: 'discord:guild',
      slug: state.plan[0]!.answer.slug,
      level: 0,
      file: 'guess-1-0.png',
    });
    for (let level = 1; level < PIXELATE_LEVELS; level++) {
      const outcome = fire(state);
      state = outcome.state;
      assert.equal(state.level, level);
      assert.deepEqual(outcome.effects, [{ type: 'edit', slot: 'round' }]);
    }
    const timeUp = fire(state);
    state = timeUp.state;
    assert.equal(state.phase, 'pause');
    const closed = guessView(state, 'round');
    assert.match(closed.title ?? '', new RegExp(`^It was ${state.plan[0]!.answer.name}!`));
    assert.match(closed.text, /Time's up: nobody got it/);
    assert.ok(closed.buttons?.every((b) => b.disabled));
    assert.equal(closed.buttons?.find((b) => b.style === 'success')?.label, state.plan[0]!.answer.name);

    const next = fire(state);
    assert.deepEqual(next.effects, [{ type: 'post', slot: 'round' }]);
    assert.equal(next.state.round, 1);
    assert.equal(next.state.level, 0);
    assert.equal(next.state.deadline, (state.deadline ?? 0) + TIMING.revealMs);
  });

  it('scores the first right answer by level, shows wrong ones, and allows one try per player', () => {
    let state = newGame(1);
    state = fire(fire(state).state).state; // level 2
    const round = state.plan[0]!;
    const wrong = round.options.find((o) => o.slug !== round.answer.slug)!;
    const at = (player: typeof alice, choice: string, r = 0) =>
      guessAnswer(state, { player, round: r, choice, now: 11_000 });

    const miss = at(bob, wrong.slug);
    assert.equal(miss.notice, `✗ Not ${wrong.name}. Better luck next round!`);
    state = miss.state;
    assert.match(guessView(state, 'round').text, new RegExp(`Bob guessed ${wrong.name} ✗`));
    assert.equal(at(bob, round.answer.slug).notice, 'You already answered this round: one try per round.');
    assert.equal(at(alice, round.answer.slug, 5).notice, 'That round is over.');

    const hit = at(alice, round.answer.slug);
    assert.equal(pointsAt(2), 3);
    assert.equal(hit.notice, `✓ Right, it's ${round.answer.name}! +3 points.`);
    state = hit.state;
    assert.deepEqual(state.scores, { [alice.id]: { name: 'Alice', points: 3 } });
    assert.equal(state.phase, 'pause');
    assert.equal(state.deadline, 11_000 + TIMING.pauseMs);
    assert.match(guessView(state, 'round').text, /✓ \*\*Alice\*\* got it: \+3 points/);
    assert.equal(at(carol, round.answer.slug).notice, 'Too late: Alice got it first.');

    const end = fire(state);
    assert.equal(end.state.done, true);
    assert.equal(end.state.deadline, null);
    assert.deepEqual(end.effects, [
      { type: 'post', slot: 'final' },
      { type: 'award', awards: [{ player: alice, points: 3, win: true }] },
    ]);
    assert.match(guessView(end.state, 'final').text, /🥇 \*\*Alice\*\* — 3 points/);
  });

  it('gives the most points while the face is fully hidden and one once it is clear', () => {
    assert.equal(pointsAt(0), PIXELATE_LEVELS);
    assert.equal(pointsAt(PIXELATE_LEVELS - 1), 1);
  });

  it('round-trips button ids, falling back to the option index for very long slugs', () => {
    const choice = { slug: 'brad-pitt', name: 'Brad Pitt' };
    const id = guessButtonId('ab12', 3, choice, 1);
    assert.equal(id, 'game:ab12:3:brad-pitt');
    assert.deepEqual(parseGameButton(id), { gameId: 'ab12', round: 3, choice: 'brad-pitt' });
    const long = { slug: 'x'.repeat(120), name: 'X' };
    assert.equal(guessButtonId('ab12', 3, long, 2), 'game:ab12:3:#2');
    assert.equal(parseGameButton('lookalike:1'), undefined);

    const state = newGame(1);
    const index = state.plan[0]!.options.findIndex((o) => o.slug === state.plan[0]!.answer.slug);
    const hit = guessAnswer(state, { player: alice, round: 0, choice: `#${index}`, now: 1 });
    assert.equal(hit.state.scores[alice.id]?.points, pointsAt(0));
  });
});
