// How a GameManager keeps each channel's game consistent. In one process (the default, over any store):
// a per-channel mutex, the 'games' namespace and this process's timers. Several bot processes share the
// same three parts through Redis instead (src/coordination): a fenced lock, fenced state writes and
// BullMQ delayed jobs. The manager is written once against these interfaces.
import type { Namespace } from '../store/index.ts';
import { KeyedMutex } from '../util/mutex.ts';
import { type Clock, Timers } from './clock.ts';
import type { GameState } from './registry.ts';

/** Held while one channel's event runs; `fence` is the lock's token (0 in one process: nothing to fence). */
export interface Lease {
  readonly fence: number;
}

/** One event at a time per channel. */
export interface ChannelLocks {
  run<R>(key: string, fn: (lease: Lease) => Promise<R>): Promise<R>;
}

/** Where channels' game states live. Writes take the lease, and are refused when it was overtaken. */
export interface GameStates {
  get(key: string): Promise<GameState | undefined>;
  set(key: string, state: GameState, lease: Lease): Promise<void>;
  delete(key: string, lease: Lease): Promise<void>;
  /** Every channel with a stored game. */
  keys(): Promise<string[]>;
}

/** Called when a channel's deadline `at` is due. */
export type FireFn = (key: string, gameId: string, at: number) => Promise<void>;

/** Each game's next deadline. */
export interface GameTimers {
  /** Arms the channel's timer for `at`; null cancels. */
  schedule(key: string, gameId: string, at: number | null): Promise<void>;
  start(fire: FireFn): Promise<void>;
  /** Stops firing; what is armed stays armed where timers are shared. */
  stop(): Promise<void>;
}

/** The three parts; `shared` says whether other processes use the same ones (states are then read afresh). */
export interface GameSync {
  readonly shared: boolean;
  readonly locks: ChannelLocks;
  readonly states: GameStates;
  readonly timers: GameTimers;
}

/** A lease for the one process that owns its games. */
const LOCAL_LEASE: Lease = { fence: 0 };

/** The one-process sync: what the manager always did, unchanged. */
export function localSync(store: Namespace<GameState>, clock: Clock): GameSync {
  const mutex = new KeyedMutex();
  const timers = new Timers(clock);
  let fire: FireFn | undefined;
  return {
    shared: false,
    locks: { run: (key, fn) => mutex.run(key, () => fn(LOCAL_LEASE)) },
    states: {
      get: (key) => store.get(key),
      set: (key, state) => store.set(key, state),
      delete: async (key) => {
        await store.delete(key);
      },
      keys: () => store.keys(),
    },
    timers: {
      async schedule(key, gameId, at) {
        timers.schedule(key, fire ? at : null, () => void fire?.(key, gameId, at ?? 0).catch(() => {}));
      },
      async start(fn) {
        fire = fn;
      },
      async stop() {
        fire = undefined;
        timers.cancelAll();
      },
    },
  };
}

/**
 * The states a manager works with: read through `sync` and remembered for `current()`. In one process the
 * memory is authoritative (a store that is down does not stop a game); shared, it is only a cache, and
 * every read inside a lock goes to the shared state.
 */
export class GameCache {
  readonly #sync: GameSync;
  readonly #games = new Map<string, GameState>();

  constructor(sync: GameSync) {
    this.#sync = sync;
  }

  /** The state this process last saw. */
  seen(key: string): GameState | undefined {
    return this.#games.get(key);
  }

  /** How many running games this process knows of. */
  get size(): number {
    return this.#games.size;
  }

  remember(key: string, state: GameState): void {
    if (state.done) this.#games.delete(key);
    else this.#games.set(key, state);
  }

  forgetKey(key: string): void {
    this.#games.delete(key);
  }

  /** The channel's running game inside its lock: read afresh when another process may have changed it. */
  async load(key: string): Promise<GameState | undefined> {
    if (!this.#sync.shared) return this.#games.get(key);
    const state = await this.#sync.states.get(key);
    if (state) this.remember(key, state);
    else this.#games.delete(key);
    return state?.done ? undefined : state;
  }

  /** Every channel with a running game. */
  async channels(): Promise<string[]> {
    return this.#sync.shared ? this.#sync.states.keys() : [...this.#games.keys()];
  }

  /** The running games of every channel but `key`. */
  async others(key: string): Promise<GameState[]> {
    const keys = (await this.channels()).filter((k) => k !== key);
    if (!this.#sync.shared) return keys.map((k) => this.#games.get(k)!);
    return (await Promise.all(keys.map((k) => this.#sync.states.get(k)))).filter((g) => g !== undefined);
  }
}
