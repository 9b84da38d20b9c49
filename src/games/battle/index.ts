// Lookalike battle as the manager runs it: `/game battle`, selfies posted or sent with `/game submit`, the
// end of its time.
import { plural } from '../../chat/format.ts';
import { optionInteger, readImage, requireAttachment, requireString } from '../../chat/options.ts';
import type { Attachment } from '../../chat/types.ts';
import { UserError } from '../../errors.ts';
import { slugify } from '../../gallery/slug.ts';
import type { GameAction, GameDefinition } from '../definition.ts';
import { answeringGallery, clamp, MAX_GAME_MINUTES, minutesOption } from '../setup.ts';
import {
  type BattleState,
  battleOpen,
  battleSelfie,
  battleTimer,
  battleView,
  battleWithout,
  createBattle,
  DEFAULT_BATTLE_MINUTES,
  standings,
} from './rules.ts';

/** Options of `/game battle`. */
export interface BattleOptions {
  /** The celebrity's name (or slug) in the answering gallery. */
  celebrity: string;
  minutes?: number;
}

/** A scored selfie: the face crop is for the announcement, held in memory only. */
interface ScoredSelfie {
  gameId: string;
  score: number;
  face: Uint8Array;
}

/** A selfie for the battle in this channel (posted, or `/game submit`): scores it, keeps nothing. */
const submit: GameAction<BattleState, Attachment, ScoredSelfie> = {
  async prepare(env, running, _ctx, image) {
    const state = running as BattleState | undefined;
    if (state?.kind !== 'battle' || !battleOpen(state, env.now())) {
      throw new UserError('not_found', { text: 'battle_none' });
    }
    const reading = await env.faces.read(await readImage(image));
    const { celebrity } = state;
    const score = await env.faces.similarityTo(celebrity.gallery, celebrity.slug, reading.embedding);
    if (score === null) {
      throw new UserError('not_found', { text: 'battle_celebrity_gone', name: celebrity.name });
    }
    return { gameId: state.id, score, face: reading.thumbnail };
  },
  async apply(env, state, selfie, player) {
    if (!state) return { reply: { text: 'The battle is over.' } };
    const outcome = battleSelfie(state, { player, score: selfie.score, now: env.now() });
    if (outcome.state === state) return { reply: { text: outcome.notice ?? 'The battle is over.' } };
    const leader = standings(outcome.state)[0];
    if (leader?.id === player.id && leader.score === selfie.score) {
      env.memoryFaces.set(state.id, { userId: player.id, face: selfie.face });
    }
    return { outcome, reply: { text: outcome.notice ?? 'The battle is over.' } };
  },
};

export const battleGame: GameDefinition<BattleState, BattleOptions> = {
  kind: 'battle',
  name: 'Lookalike battle',
  subcommands: [
    {
      spec: {
        name: 'battle',
        description: 'Lookalike battle: whose selfie looks most like a celebrity?',
        options: [
          { name: 'celebrity', description: 'Someone in the gallery', type: 'string', required: true },
          minutesOption('the battle (default 2 minutes)'),
        ],
      },
      run: (play, input) =>
        play.startGame(input.ctx, 'battle', {
          celebrity: requireString(input, 'celebrity'),
          minutes: optionInteger(input, 'minutes'),
        }),
    },
    {
      spec: {
        name: 'submit',
        description: 'Enter a selfie in the lookalike battle',
        usesEngine: true,
        options: [
          { name: 'image', description: 'A selfie (scored, never kept)', type: 'attachment', required: true },
        ],
      },
      run: (play, input) => play.act(input.ctx, 'battle', 'submit', requireAttachment(input, 'image')),
    },
  ],
  /** The celebrity must be in the answering gallery. */
  async prepare(env, ctx, options) {
    const { gallery, identities } = await answeringGallery(env.service, ctx.scope);
    const wanted = options.celebrity.trim();
    const slug = wanted === '' ? '' : slugify(wanted);
    const celebrity = identities.find(
      (i) => i.slug === slug || i.name.toLowerCase() === wanted.toLowerCase(),
    );
    if (!celebrity) {
      throw new UserError('not_found', { text: 'not_in_gallery', ...(wanted ? { name: wanted } : {}) });
    }
    const minutes = clamp(options.minutes ?? DEFAULT_BATTLE_MINUTES, 1, MAX_GAME_MINUTES);
    const thumbnail = await env.service.thumbnail(gallery, celebrity.slug);
    return {
      create: (game) =>
        createBattle({
          ...game,
          minutes,
          celebrity: { slug: celebrity.slug, name: celebrity.name, gallery },
        }),
      reply: {
        title: `📸 Lookalike battle: ${celebrity.name}`,
        text:
          `Who looks most like **${celebrity.name}**? Post a selfie in this channel in the next ` +
          `${plural(minutes, 'minute')} (or use \`/game submit\`). Selfies are scored and never kept.`,
        ...(thumbnail ? { image: { name: 'celebrity.png', data: thumbnail, alt: celebrity.name } } : {}),
        color: 0xeb459e,
      },
    };
  },
  view: battleView,
  timer: (_env, state) => battleTimer(state),
  stop: (_env, state) => battleTimer(state),
  without: battleWithout,
  actions: { submit },
  imageAction: 'submit',
};
