import { optionAttachment, optionInteger, requireAttachment, requireString } from '../src/chat/options.ts';
import type { Command, CommandData, CommandInput, Deps, OptionName, Reply } from '../src/chat/types.ts';
import { UserError } from '../src/errors.ts';
import { MAX_ROUNDS } from '../src/games/guess.ts';
import { MAX_GAME_MINUTES } from '../src/games/setup.ts';

const minutes = (what: string) => ({
  name: 'minutes',
  description: `How long ${what} lasts`,
  type: 'integer' as const,
  min: 1,
  max: MAX_GAME_MINUTES,
});

/** `/game guess|battle|twins|join|submit|stop`. */
export const data = {
  name: 'game',
  description: 'Play a celebrity game with this channel',
  requires: ['games'],
  subcommands: [
    {
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
    {
      name: 'battle',
      description: 'Lookalike battle: whose selfie looks most like a celebrity?',
      options: [
        { name: 'celebrity', description: 'Someone in the gallery', type: 'string', required: true },
        minutes('the battle (default 2 minutes)'),
      ],
    },
    {
      name: 'twins',
      description: 'Twin finder: which two members look most alike?',
      options: [minutes('joining (default 3 minutes)')],
    },
    {
      name: 'join',
      description: 'Join the twin finder with a selfie',
      usesEngine: true,
      options: [
        { name: 'image', description: 'A selfie (kept only for this game)', type: 'attachment' },
        { name: 'keep', description: 'Keep my selfie for later games, until /forget', type: 'boolean' },
      ],
    },
    {
      name: 'submit',
      description: 'Enter a selfie in the lookalike battle',
      usesEngine: true,
      options: [
        { name: 'image', description: 'A selfie (scored, never kept)', type: 'attachment', required: true },
      ],
    },
    { name: 'stop', description: "End this channel's game now (who started it, or admins)" },
  ],
} as const satisfies CommandData;

/** Starts or plays the channel's game; the GameManager does the work. */
export async function execute(input: CommandInput<OptionName<typeof data>>, deps: Deps): Promise<Reply> {
  const games = deps.games;
  // `requires` has the Bot refuse the command without games; this only narrows the type.
  if (!games) throw new UserError('unavailable', { feature: 'games' });
  const { ctx } = input;
  switch (input.subcommand) {
    case 'guess':
      return games.startGuess(ctx, { rounds: optionInteger(input, 'rounds') });
    case 'battle':
      return games.startBattle(ctx, {
        celebrity: requireString(input, 'celebrity'),
        minutes: optionInteger(input, 'minutes'),
      });
    case 'twins':
      return games.startTwins(ctx, { minutes: optionInteger(input, 'minutes') });
    case 'join': {
      const keep = input.options.keep;
      return games.join(ctx, {
        image: optionAttachment(input, 'image'),
        keep: typeof keep === 'boolean' ? keep : undefined,
      });
    }
    case 'submit':
      return games.submit(ctx, requireAttachment(input, 'image'));
    case 'stop':
      return games.stopGame(ctx);
    default:
      throw new UserError(
        'bad_input',
        'Use `/game guess`, `/game battle`, `/game twins`, `/game join`, `/game submit` or `/game stop`.',
      );
  }
}

/** The `/game` command. */
export const gameCommand: Command = { data, execute };
