import type { Scope } from '../domain/types.ts';
import type { ChannelSettings } from './types.ts';

/** The part of a store namespace (`store.namespace<T>('settings')`) that channel settings use. */
export interface SettingsNamespace<T> {
  get(key: string): Promise<T | undefined>;
  set(key: string, value: T): Promise<unknown>;
  delete(key: string): Promise<unknown>;
}

/** What is stored for a watched channel. */
export interface WatchSetting {
  watched: true;
  /** ISO time `/watch on` was run, for admins reading the store. */
  since: string;
}

/** The settings key of a channel; scopes are platform-qualified, so channel ids cannot collide across them. */
export function watchKey(scope: Scope, channelId: string): string {
  return `watch:${scope}:${channelId}`;
}

/** Watched channels kept in a store namespace (normally the store's `settings` namespace). */
export function createChannelSettings(
  namespace: SettingsNamespace<WatchSetting>,
  now: () => number = Date.now,
): ChannelSettings {
  return {
    async isWatched(scope, channelId) {
      return (await namespace.get(watchKey(scope, channelId)))?.watched === true;
    },
    async setWatched(scope, channelId, watched) {
      const key = watchKey(scope, channelId);
      if (watched) await namespace.set(key, { watched: true, since: new Date(now()).toISOString() });
      else await namespace.delete(key);
    },
  };
}

/** Watched channels in memory, for tests and the playground. */
export function memoryChannelSettings(): ChannelSettings {
  const map = new Map<string, WatchSetting>();
  return createChannelSettings({
    get: async (key) => map.get(key),
    set: async (key, value) => map.set(key, value),
    delete: async (key) => map.delete(key),
  });
}
