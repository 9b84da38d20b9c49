import { EventEmitter } from 'node:events';
import { statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type KeyvSqliteModule from '@keyv/sqlite';
import type KeyvModule from 'keyv';
import { UserError } from '../errors.ts';
import { decodeEnvelope, type Envelope, encodeEnvelope } from './codec.ts';
import type { StoreLocation } from './url.ts';

/**
 * keyv and its SQLite adapter through their CommonJS builds: on Node 20 the ES module builds take
 * 40-50 ms to load against 25 (every CLI command opens a store before it answers). Both are
 * required here, so one copy of keyv serves every backend.
 */
const require = createRequire(import.meta.url);
const Keyv = (require('keyv') as { default: typeof KeyvModule }).default;
type Keyv = KeyvModule;
type KeyvSqlite = KeyvSqliteModule;
const KeyvSqlite = (require('@keyv/sqlite') as { default: typeof KeyvSqliteModule }).default;

/** Which kind of storage a store is backed by. */
export type StoreKind = StoreLocation['kind'];

/** Tuning that the backends share. */
export interface BackendOptions {
  /** Called with every error event that keyv, the adapter or the Redis client emits. */
  onError: (err: unknown) => void;
  /** Milliseconds one Redis connection attempt may take. */
  connectTimeoutMs: number;
  /** Connection attempts before Redis gives up and operations fail (they retry on the next operation). */
  connectAttempts: number;
  /** Milliseconds SQLite waits for another process's write lock. */
  busyTimeoutMs: number;
}

/** One storage backend: makes a keyv per namespace and owns the connection they share. */
export interface Backend {
  readonly kind: StoreKind;
  keyv(namespace: string): Keyv;
  /** Resolves when the backend answers a trivial request. */
  ping(): Promise<void>;
  /** The latest connection error since the connection was last healthy, to explain vaguer failures. */
  lastError?(): Error | undefined;
  /** Run before every operation, inside its time limit (Redis: connect when not connected). */
  prepare?(): Promise<void>;
  close(): Promise<void>;
}

// Keyv types Serialize/Deserialize as generic functions, which plain functions only satisfy via a cast.
const codec = {
  serialize: encodeEnvelope as unknown as <V>(data: { value?: V; expires?: number }) => string,
  deserialize: decodeEnvelope as unknown as <V>(text: string) => { value?: V; expires?: number } | undefined,
} satisfies { serialize: (e: Envelope) => string; deserialize: (t: string) => Envelope | undefined };

function keyvOver(
  store: unknown,
  namespace: string,
  onError: (err: unknown) => void,
  useKeyPrefix = true,
): Keyv {
  const keyv = new Keyv({ store, namespace, useKeyPrefix, throwOnErrors: true, ...codec });
  // keyv re-emits adapter errors; a listener keeps them from ever reaching the process as unhandled.
  keyv.on('error', onError);
  return keyv;
}

/** Plain in-memory keyv, one Map per namespace; nothing survives `close`. */
export function memoryBackend(options: BackendOptions): Backend {
  const maps = new Map<string, Map<string, unknown>>();
  return {
    kind: 'memory',
    keyv(namespace) {
      // A Map per namespace because keyv's clear() on a Map store empties the whole Map.
      const map = new Map<string, unknown>();
      maps.set(namespace, map);
      return keyvOver(map, namespace, options.onError);
    },
    async ping() {},
    async close() {
      for (const map of maps.values()) map.clear();
      maps.clear();
    },
  };
}

/**
 * Lets many keyv namespaces share one SQLite connection. @keyv/sqlite keeps the namespace on the adapter
 * (keyv overwrites it per instance), so each namespace gets this thin view whose own `namespace` is used;
 * get/set/delete take keys that keyv already prefixed, and iterator() takes the namespace as an argument.
 */
class SqliteNamespaceView extends EventEmitter {
  namespace?: string;

  readonly #base: KeyvSqlite;
  readonly #beforeWrite: () => void;

  constructor(base: KeyvSqlite, beforeWrite: () => void = () => {}) {
    super();
    this.#base = base;
    this.#beforeWrite = beforeWrite;
  }

  get opts() {
    return this.#base.opts;
  }

  get<V>(key: string) {
    return this.#base.get<V>(key);
  }

  getMany<V>(keys: string[]) {
    return this.#base.getMany<V>(keys);
  }

  async set(key: string, value: unknown) {
    this.#beforeWrite();
    return this.#base.set(key, value);
  }

  async delete(key: string) {
    this.#beforeWrite();
    return this.#base.delete(key);
  }

  async deleteMany(keys: string[]) {
    this.#beforeWrite();
    return this.#base.deleteMany(keys);
  }

  has(key: string) {
    return this.#base.has(key);
  }

  iterator(namespace?: string) {
    return this.#base.iterator(namespace);
  }

  async clear(): Promise<void> {
    this.#beforeWrite();
    // substr() rather than LIKE: LIKE treats `_` as a wildcard and ignores case.
    const prefix = `${this.namespace ?? ''}:`;
    await this.#base.query(
      `DELETE FROM ${this.#base.opts.table} WHERE substr(key, 1, ?) = ?`,
      prefix.length,
      prefix,
    );
  }
}

/**
 * A check run before every SQLite write: the open database must still be the file at its path. After
 * `rm store.sqlite*` under a running process, SQLite goes on writing to the deleted inode, so every
 * "Added 1 photo" since would vanish at the next start (and another process meanwhile creates a new,
 * empty file there). The file's device and inode are remembered once it exists, and a write to a file
 * that is gone or replaced is refused with `store_moved`, reported to `onError` once.
 */
function sameFileGuard(file: string, onError: (err: unknown) => void): () => void {
  let opened: { dev: number; ino: number } | undefined;
  let reported = false;
  return () => {
    let now: { dev: number; ino: number } | undefined;
    try {
      now = statSync(file);
    } catch {
      now = undefined;
    }
    opened ??= now;
    if (now !== undefined && opened !== undefined && now.dev === opened.dev && now.ino === opened.ino) return;
    const cause = new Error(
      `The SQLite store ${file} was deleted or replaced while open: writes are refused until a restart`,
    );
    if (!reported) {
      reported = true;
      onError(cause);
      // Logged whatever the caller's log level: silently lost writes are what this guard exists for.
      process.emitWarning(cause.message, { code: 'LOOKALIKE_STORE_MOVED' });
    }
    throw new UserError('store_moved', {}, { cause });
  };
}

/** SQLite through @keyv/sqlite: one connection, rows `<namespace>:<key>` in table `keyv`. */
export async function sqliteBackend(file: string, options: BackendOptions): Promise<Backend> {
  if (file !== ':memory:') await mkdir(path.dirname(file), { recursive: true });
  const base = new KeyvSqlite({
    uri: `sqlite://${file}`,
    busyTimeout: options.busyTimeoutMs,
    // Rows per page when iterating; the default of 10 makes listing a big gallery slow.
    iterationLimit: 500,
  });
  // The adapter emits 'error' when the file cannot be opened; EventEmitter would throw it without a listener.
  base.on('error', options.onError);
  const beforeWrite = file === ':memory:' ? undefined : sameFileGuard(file, options.onError);
  const backend: Backend = {
    kind: 'sqlite',
    keyv: (namespace) => keyvOver(new SqliteNamespaceView(base, beforeWrite), namespace, options.onError),
    async ping() {
      await base.query('SELECT 1');
    },
    async close() {
      await base.disconnect();
    },
  };
  // Opening eagerly surfaces a bad path now, and handles the adapter's connection promise, which would
  // otherwise reject unhandled (and end the process) when the file cannot be opened.
  try {
    await backend.ping();
    if (file !== ':memory:') {
      // WAL: a commit needs no full fsync of the main file (writes are ~10x faster) and readers in other
      // processes (CLI and bot) do not block the writer. NORMAL sync keeps every commit atomic; a power
      // cut may lose the last commits, never half of one.
      await base.query('PRAGMA journal_mode = WAL');
      await base.query('PRAGMA synchronous = NORMAL');
      // The file exists now: its device and inode are the ones every write checks against.
      beforeWrite?.();
    }
  } catch (err) {
    await base.disconnect().catch(() => {});
    throw err;
  }
  return backend;
}

/** Redis through @keyv/redis: one client shared by all namespaces, keys `<namespace>::<key>`. */
export async function redisBackend(url: string, options: BackendOptions): Promise<Backend> {
  // Loaded only when a Redis URL is configured: the client costs a one-shot CLI run on SQLite ~0.1 s.
  const { default: KeyvRedis, createClient } = await import('@keyv/redis');
  const client = createClient({
    url,
    socket: {
      connectTimeout: options.connectTimeoutMs,
      // Bounded so that a dead server fails operations quickly; the next operation starts a new attempt.
      reconnectStrategy: (retries: number, cause: Error) =>
        retries + 1 >= options.connectAttempts ? cause : Math.min(100 * 2 ** retries, 1000),
    },
  });
  let lastError: Error | undefined;
  client.on('error', (err: Error) => {
    lastError = err;
    options.onError(err);
  });
  client.on('ready', () => {
    lastError = undefined;
  });
  // Each namespace adapter adds its own listeners to the shared client; that is expected, not a leak.
  client.setMaxListeners(100);
  let closed = false;
  // Connecting here rather than in @keyv/redis gives the real failure (refused, bad password…) and stops
  // the adapters from adding another set of client listeners after every reconnection.
  let connecting: Promise<unknown> | undefined;
  const prepare = async () => {
    if (client.isOpen) return;
    connecting ??= client.connect().finally(() => {
      connecting = undefined;
    });
    await connecting;
  };
  return {
    kind: 'redis',
    lastError: () => lastError,
    prepare,
    keyv(namespace) {
      const adapter = new KeyvRedis(client, {
        namespace,
        throwOnErrors: true,
        throwOnConnectError: true,
      });
      // The adapter names the namespace itself (`ns::key`), so keyv must not prefix again.
      return keyvOver(adapter, namespace, options.onError, false);
    },
    async ping() {
      await prepare();
      await client.ping();
    },
    async close() {
      if (closed) return;
      closed = true;
      // close() waits for replies, which never come while reconnecting; destroy() drops them at once.
      if (client.isReady) await client.close().catch(() => client.destroy());
      else if (client.isOpen) client.destroy();
    },
  };
}
