// Twin-finder selfies, stored in the 'optin' namespace (keyed by user id) only with the member's consent.
import type { Logger } from '../chat/logger.ts';
import type { Namespace } from '../store/index.ts';
import type { GameFaces } from './faces.ts';
import { bestPair, type TwinsResult, type TwinsState } from './twins/rules.ts';
import type { OptIn, Player } from './types.ts';

/** Reads, works with and deletes twin-finder opt-ins. */
export class OptIns {
  readonly #store: Namespace<OptIn>;
  readonly #faces: GameFaces;
  readonly #log: Logger;

  constructor(store: Namespace<OptIn>, faces: GameFaces, log: Logger) {
    this.#store = store;
    this.#faces = faces;
    this.#log = log;
  }

  get(userId: string): Promise<OptIn | undefined> {
    return this.#store.get(userId);
  }

  set(userId: string, optIn: OptIn): Promise<void> {
    return this.#store.set(userId, optIn);
  }

  /** Deletes a member's opt-in; true when there was one. */
  delete(userId: string): Promise<boolean> {
    return this.#store.delete(userId);
  }

  /** The most alike pair among the players whose selfie is still there, and everyone's lookalike. */
  async result(state: TwinsState): Promise<TwinsResult> {
    const ids = Object.keys(state.players);
    const optIns = await this.#store.getMany(ids);
    const faces = ids.flatMap((id, i) => (optIns[i] ? [{ id, embedding: optIns[i]!.embedding }] : []));
    const lookalikes: TwinsResult['lookalikes'] = {};
    for (const face of faces) {
      const match = await this.#faces.lookalike(state.scope, face.embedding).catch((error: unknown) => {
        // The reveal still works without the celebrity names.
        this.#log.warn('could not name a twin-finder lookalike', { error });
        return null;
      });
      lookalikes[face.id] = match && { name: match.name, similarity: match.similarity };
    }
    const pair = bestPair(faces);
    const player = (id: string): Player => ({ id, name: state.players[id]?.name ?? id });
    return {
      pair: pair && { a: player(pair.a), b: player(pair.b), similarity: pair.similarity },
      lookalikes,
    };
  }

  /** Deletes opt-ins at the end of a game, except kept ones and ones `stillUsed` (another game) needs. */
  async release(userIds: readonly string[], stillUsed: (userId: string) => boolean): Promise<void> {
    for (const id of userIds) {
      const optIn = await this.#store.get(id);
      if (optIn && !optIn.keep && !stillUsed(id)) await this.#store.delete(id);
    }
  }
}
