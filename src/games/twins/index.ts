// Twin finder as the manager runs it: `/game twins`, `/game join` (the member's consent to keep their
// selfie for the game), and the reveal when time is up.
import { plural } from '../../chat/format.ts';
import { optionAttachment, optionInteger, readImage } from '../../chat/options.ts';
import type { Attachment } from '../../chat/types.ts';
import { UserError } from '../../errors.ts';
import type { GameAction, GameDefinition } from '../definition.ts';
import { clamp, MAX_GAME_MINUTES, minutesOption } from '../setup.ts';
import type { OptIn } from '../types.ts';
import {
  createTwins,
  DEFAULT_TWINS_MINUTES,
  type TwinsState,
  twinsJoin,
  twinsOpen,
  twinsTimer,
  twinsView,
  twinsWithout,
} from './rules.ts';

/** Options of `/game twins`. */
export interface TwinsOptions {
  minutes?: number;
}

/** Options of `/game join`. */
export interface JoinOptions {
  image?: Attachment;
  /** Keep the selfie after the game (until `/forget`). */
  keep?: boolean;
}

/** What happens to a twin-finder selfie after the game, as the member is told when joining. */
export function keptText(keep: boolean): string {
  return keep
    ? 'Your selfie is kept for later games until you `/forget`.'
    : 'Your selfie is deleted when the game ends.';
}

/** Reads the selfie (or reuses the kept one) outside the lock; it is stored only once the game is known open. */
const join: GameAction<TwinsState, JoinOptions, { gameId: string; value: OptIn }> = {
  async prepare(env, running, ctx, options) {
    const state = running as TwinsState | undefined;
    const now = env.now();
    if (state?.kind !== 'twins' || !twinsOpen(state, now)) {
      throw new UserError('not_found', { text: 'twins_none' });
    }
    const stored = await env.optIns.get(ctx.user.id);
    const keep = options.keep ?? stored?.keep ?? false;
    if (options.image) {
      const reading = await env.faces.read(await readImage(options.image));
      return { gameId: state.id, value: { ...reading, keep, savedAt: new Date(now).toISOString() } };
    }
    if (!stored) {
      throw new UserError('missing_option', { text: 'twins_selfie_needed' });
    }
    return { gameId: state.id, value: { ...stored, keep } };
  },
  async apply(env, state, optIn, player) {
    const now = env.now();
    if (!state || !twinsOpen(state, now)) throw new UserError('not_found', { text: 'twins_over' });
    // Stored only now, once the game is known to be open: joining is the member's consent.
    await env.optIns.set(player.id, optIn.value);
    const outcome = twinsJoin(state, { player, now });
    return {
      outcome,
      reply: { text: `${outcome.notice ?? ''} ${keptText(optIn.value.keep)}`.trim(), ephemeral: true },
    };
  },
};

export const twinsGame: GameDefinition<TwinsState, TwinsOptions> = {
  kind: 'twins',
  name: 'Twin finder',
  subcommands: [
    {
      spec: {
        name: 'twins',
        description: 'Twin finder: which two members look most alike?',
        options: [minutesOption('joining (default 3 minutes)')],
      },
      run: (play, input) => play.startGame(input.ctx, 'twins', { minutes: optionInteger(input, 'minutes') }),
    },
    {
      spec: {
        name: 'join',
        description: 'Join the twin finder with a selfie',
        usesEngine: true,
        options: [
          { name: 'image', description: 'A selfie (kept only for this game)', type: 'attachment' },
          { name: 'keep', description: 'Keep my selfie for later games, until /forget', type: 'boolean' },
        ],
      },
      run: (play, input) => {
        const keep = input.options.keep;
        return play.act(input.ctx, 'twins', 'join', {
          image: optionAttachment(input, 'image'),
          keep: typeof keep === 'boolean' ? keep : undefined,
        });
      },
    },
  ],
  async prepare(_env, _ctx, options) {
    const minutes = clamp(options.minutes ?? DEFAULT_TWINS_MINUTES, 1, MAX_GAME_MINUTES);
    return {
      create: (game) => createTwins({ ...game, minutes }),
      reply: {
        title: '👯 Twin finder',
        text:
          `Which two of you look most alike? Join with \`/game join image:<selfie>\` in the next ` +
          `${plural(minutes, 'minute')}. Your selfie is stored only for this game, unless you add \`keep:true\`.`,
        color: 0x57f287,
      },
    };
  },
  view: twinsView,
  // The result needs the opt-in embeddings; a game nobody joined pairs nobody.
  timer: async (env, state) => twinsTimer(state, await env.optIns.result(state)),
  stop: async (env, state) => twinsTimer(state, await env.optIns.result(state)),
  without: twinsWithout,
  actions: { join },
  optInUsers: (state) => Object.keys(state.players),
};
