// "Who's that celebrity?" as the manager runs it: `/game guess`, its answer buttons and its reveal timer.
import { plural } from '../../chat/format.ts';
import { optionInteger } from '../../chat/options.ts';
import type { GameDefinition } from '../definition.ts';
import { answeringGallery, clamp } from '../setup.ts';
import {
  createGuess,
  DEFAULT_ROUNDS,
  type GuessState,
  guessAnswer,
  guessStop,
  guessTimer,
  guessView,
  guessWithout,
  MAX_ROUNDS,
  parseGameButton,
  pointsAt,
} from './rules.ts';

/** Options of `/game guess`. */
export interface GuessOptions {
  rounds?: number;
}

export const guessGame: GameDefinition<GuessState, GuessOptions> = {
  kind: 'guess',
  name: "Who's that celebrity?",
  subcommands: [
    {
      spec: {
        name: 'guess',
        description: "Who's that celebrity? Guess the face as it clears up",
        options: [
          {
            name: 'rounds',
            description: 'Number of rounds (default 5)',
            type: 'integer',
            min: 1,
            max: MAX_ROUNDS,
          },
        ],
      },
      run: (play, input) => play.startGame(input.ctx, 'guess', { rounds: optionInteger(input, 'rounds') }),
    },
  ],
  async prepare(env, ctx, options) {
    const { gallery, identities } = await answeringGallery(env.service, ctx.scope);
    const rounds = clamp(options.rounds ?? DEFAULT_ROUNDS, 1, MAX_ROUNDS);
    const seconds = Math.round(env.timing.revealMs / 1000);
    return {
      create: (game) =>
        createGuess({
          ...game,
          gallery,
          identities: identities.map((i) => ({ slug: i.slug, name: i.name })),
          rounds,
          timing: env.timing,
          random: env.random,
        }),
      reply: {
        title: "🎮 Who's that celebrity?",
        text:
          `${plural(rounds, 'round')}, started by ${ctx.user.displayName}. A hidden face is posted in this channel and clears ` +
          `up every ${seconds} s: press the right name. The sooner, the more points (up to ${pointsAt(0)}); ` +
          'one try per round.',
        color: 0x5865f2,
      },
    };
  },
  view: guessView,
  timer: (env, state) => guessTimer(state, env.now()),
  stop: (_env, state) => guessStop(state),
  without: guessWithout,
  press(state, event) {
    const button = parseGameButton(event.button);
    if (!button) return { state, effects: [], notice: 'That button has expired.' };
    return guessAnswer(state, {
      player: event.player,
      now: event.now,
      round: button.round,
      choice: button.choice,
    });
  },
};
