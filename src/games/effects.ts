// Running an outcome's effects for the GameManager, in order, after its state is saved.
import type { Logger } from '../chat/logger.ts';
import type { Poster, Reply } from '../chat/types.ts';
import type { Leaderboards } from './leaderboard.ts';
import type { OptIns } from './optins.ts';
import type { EditQueue } from './poster.ts';
import { definitionOf, type GameState, viewOf } from './registry.ts';
import type { GameCache } from './sync.ts';
import type { Effect, View } from './types.ts';

/** What effects act on. */
export interface EffectEnv {
  leaderboards: Leaderboards;
  optIns: OptIns;
  games: GameCache;
  edits: EditQueue<View>;
  poster: Poster;
  render(view: View): Promise<Reply>;
  log: Logger;
}

/**
 * Posts, queues edits, awards points and releases twin-finder selfies. Returns the state with the refs
 * of messages it posted, and whether there were any (the state must then be saved again).
 */
export async function runEffects(
  key: string,
  start: GameState,
  effects: readonly Effect[],
  env: EffectEnv,
): Promise<{ state: GameState; posted: boolean }> {
  let state = start;
  let posted = false;
  for (const effect of effects) {
    try {
      if (effect.type === 'award') await env.leaderboards.award(key, effect.awards);
      else if (effect.type === 'release') {
        const gameId = state.id;
        const others = await env.games.others(key);
        await env.optIns.release(effect.userIds, (id) =>
          others.some((g) => g.id !== gameId && (definitionOf(g.kind).optInUsers?.(g) ?? []).includes(id)),
        );
      } else if (effect.type === 'edit' && state.messages[effect.slot]) {
        env.edits.push(state.messages[effect.slot]!, viewOf(state, effect.slot));
      } else {
        // A post, or an edit of a message whose post failed: post it now.
        const reply = await env.render(viewOf(state, effect.slot));
        const ref = await env.poster.post(state.platform, state.channelId, reply);
        state = { ...state, messages: { ...state.messages, [effect.slot]: ref } };
        posted = true;
      }
    } catch (err) {
      // One failed message or award must not stop the game for everyone.
      env.log.error('a game effect failed', { kind: state.kind, effect: effect.type, key, error: err });
    }
  }
  return { state, posted };
}
