import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type Keyv from 'keyv';
import { ConfigError, UserError } from '../errors.ts';
import { type Backend, memoryBackend, redisBackend, type StoreKind, sqliteBackend } from './backends.ts';
import { DEFAULT_STORE_URL, parseStoreUrl, redactUrl } from './url.ts';

/**
 * A typed view of one namespace. Values must be JSON-serialisable; Uint8Array (Buffer included),
 * Float32Array and Float64Array are encoded by the store (tagged base64) and read back as the same
 * typed array (a Buffer reads back as a plain Uint8Array), so callers need not encode them.
 */
export interface Namespace<T> {
  readonly name: string;
  get(key: string): Promise<T | undefined>;
  /** Values in the order of `keys`; missing keys give undefined. */
  getMany(keys: readonly string[]): Promise<(T | undefined)[]>;
  set(key: string, value: T): Promise<void>;
  /** True when the key existed. */
  delete(key: string): Promise<boolean>;
  has(key: string): Promise<boolean>;
  /** Every key in the namespace that starts with `prefix`, in no particular order. */
  keys(prefix?: string): Promise<string[]>;
  /** Every entry whose key starts with `prefix`. Writes during the iteration may or may not be seen, and
   *  deleting while iterating may make SQLite skip other keys (it pages by offset): collect keys first. */
  entries(prefix?: string): AsyncGenerator<[string, T], void, undefined>;
  /** Deletes every key of this namespace (and nothing else). */
  clear(): Promise<void>;
}

/** A key-value store split into namespaces ('gallery', 'models', 'settings', …). */
export interface Store {
  readonly kind: StoreKind;
  /** The store URL with credentials removed, safe to log. */
  readonly url: string;
  /** The same name always gives a view of the same data. Names are lowercase: `[a-z][a-z0-9_-]*`. */
  namespace<T>(name: string): Namespace<T>;
  /** Resolves when the store answers; raises UserError('store_unavailable') when it does not. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Tuning for `openStore`; the defaults suit the bot. */
export interface StoreOptions {
  /** Milliseconds any one operation may take before it fails with `store_unavailable` (default 5000). */
  timeoutMs?: number;
  /** Receives every error event from keyv, the adapters and the Redis client (default: ignored, since
   *  the failing operation reports it). Never rethrow from here. */
  onError?: (err: unknown) => void;
  /** Milliseconds one Redis connection attempt may take (default 1000). */
  connectTimeoutMs?: number;
  /** Redis connection attempts per operation before it fails (default 3). */
  connectAttempts?: number;
  /** Milliseconds SQLite waits for another process holding the write lock (default 2000). */
  busyTimeoutMs?: number;
}

const NAMESPACE_NAME = /^[a-z][a-z0-9_-]{0,63}$/;

/** Wraps a failure of the storage backend as UserError('store_unavailable'), keeping the cause. */
export function storeUnavailable(cause: unknown): UserError {
  return new UserError('store_unavailable', {}, { cause });
}

// Writes the store refuses for good (until an admin acts): "try again in a little while" would mislead.
// The store_unwritable sentence says each in words.
const WRITE_REFUSALS: ReadonlySet<string> = new Set([
  'SQLITE_FULL',
  'ENOSPC',
  'SQLITE_READONLY',
  'EROFS',
  'SQLITE_IOERR',
]);

/** The code of the backend's refusal of a write for good (a full or read-only disk), from the error or its causes. */
function writeRefusal(err: unknown): string | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && WRITE_REFUSALS.has(code)) return code;
    // sqlite3 puts the code in the message too, and some wrappers keep only the message.
    const named = /\b(SQLITE_[A-Z]+|ENOSPC|EROFS)\b/.exec(e.message)?.[1];
    if (named && WRITE_REFUSALS.has(named)) return named;
  }
  return undefined;
}

/** A write the store refused for good: what happened, that nothing was lost, and who can fix it. */
function storeUnwritable(kind: string, cause: unknown): UserError {
  return new UserError('store_unavailable', { text: 'store_unwritable', kind }, { cause });
}

function toStoreError(err: unknown, lastError: Error | undefined): unknown {
  // UserErrors and ConfigErrors are already meaningful; TypeErrors are bugs in the caller (e.g. an unstorable value).
  if (err instanceof UserError || err instanceof ConfigError || err instanceof TypeError) return err;
  const refusal = writeRefusal(err);
  if (refusal !== undefined) return storeUnwritable(refusal, err);
  if (isBusy(err)) {
    // Another program holds SQLite's write lock (a backup, a second bot, `sqlite3` left open): say so,
    // and log it whatever the log level, since the operator is the one who can end it.
    process.emitWarning(`SQLite store is locked by another process: ${(err as Error).message}`, {
      code: 'LOOKALIKE_STORE_LOCKED',
    });
    return new UserError('store_unavailable', { text: 'store_locked' }, { cause: err });
  }
  // @keyv/redis replaces the real reason (refused, wrong password, …) with a generic "not connected".
  if (lastError !== undefined && err instanceof Error && lastError.message !== err.message) {
    return storeUnavailable(
      new Error(`${err.message} (last connection error: ${lastError.message})`, { cause: err }),
    );
  }
  return storeUnavailable(err);
}

function isBusy(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (
      (e as { code?: unknown }).code === 'SQLITE_BUSY' ||
      /\bSQLITE_BUSY\b|database is locked/.test(e.message)
    ) {
      return true;
    }
  }
  return false;
}

type Guard = <R>(op: () => Promise<R>) => Promise<R>;

class KeyvNamespace<T> implements Namespace<T> {
  readonly name: string;
  readonly #keyv: Keyv;
  readonly #guard: Guard;

  constructor(name: string, keyv: Keyv, guard: Guard) {
    this.name = name;
    this.#keyv = keyv;
    this.#guard = guard;
  }

  // keyv leaves keys that already start with `<namespace>:` unprefixed, which would alias another key.
  #check(key: string): string {
    if (typeof key !== 'string' || key === '') throw new TypeError('Store keys must be non-empty strings');
    if (key.startsWith(`${this.name}:`)) {
      throw new TypeError(`Keys in namespace "${this.name}" may not start with "${this.name}:"`);
    }
    return key;
  }

  async get(key: string): Promise<T | undefined> {
    this.#check(key);
    return this.#guard(() => this.#keyv.get<T>(key));
  }

  async getMany(keys: readonly string[]): Promise<(T | undefined)[]> {
    for (const key of keys) this.#check(key);
    if (keys.length === 0) return [];
    return this.#guard(() => this.#keyv.getMany<T>([...keys]));
  }

  async set(key: string, value: T): Promise<void> {
    this.#check(key);
    return this.#guard(async () => {
      if (!(await this.#keyv.set(key, value))) throw new Error(`The store refused to write "${key}"`);
    });
  }

  async delete(key: string): Promise<boolean> {
    this.#check(key);
    return this.#guard(() => this.#keyv.delete(key));
  }

  async has(key: string): Promise<boolean> {
    this.#check(key);
    return this.#guard(() => this.#keyv.has(key));
  }

  async keys(prefix = ''): Promise<string[]> {
    const keys: string[] = [];
    for await (const [key] of this.entries(prefix)) keys.push(key);
    return keys;
  }

  async *entries(prefix = ''): AsyncGenerator<[string, T], void, undefined> {
    const iterate = this.#keyv.iterator;
    if (iterate === undefined) throw new Error(`The ${this.name} namespace's adapter cannot list its keys`);
    const it = iterate(undefined) as AsyncGenerator<[string, T], void>;
    try {
      while (true) {
        // Each step is guarded so a store that dies mid-listing fails fast instead of hanging.
        const step = await this.#guard(() => it.next());
        if (step.done) return;
        const [key, value] = step.value;
        if (key.startsWith(prefix)) yield [key, value];
      }
    } finally {
      it.return(undefined).catch(() => {});
    }
  }

  clear(): Promise<void> {
    return this.#guard(() => this.#keyv.clear());
  }
}

class KeyvStore implements Store {
  readonly #views = new Map<string, KeyvNamespace<unknown>>();
  #closed = false;
  readonly kind: StoreKind;
  readonly url: string;
  readonly #backend: Backend;
  readonly #timeoutMs: number;
  readonly #onError: (err: unknown) => void;

  constructor(backend: Backend, url: string, timeoutMs: number, onError: (err: unknown) => void) {
    this.kind = backend.kind;
    this.url = url;
    this.#backend = backend;
    this.#timeoutMs = timeoutMs;
    this.#onError = onError;
  }

  readonly #guard: Guard = async (op) => {
    if (this.#closed) throw storeUnavailable(new Error('The store has been closed'));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Store operation took longer than ${this.#timeoutMs} ms`)),
        this.#timeoutMs,
      );
    });
    const run = async () => {
      await this.#backend.prepare?.();
      return op();
    };
    try {
      return await Promise.race([run(), timeout]);
    } catch (err) {
      throw toStoreError(err, this.#backend.lastError?.());
    } finally {
      clearTimeout(timer);
    }
  };

  namespace<T>(name: string): Namespace<T> {
    if (!NAMESPACE_NAME.test(name)) {
      throw new TypeError(`Bad namespace name "${name}": use lowercase letters, digits, - and _`);
    }
    let view = this.#views.get(name);
    if (view === undefined) {
      view = new KeyvNamespace<unknown>(name, this.#backend.keyv(name), this.#guard);
      this.#views.set(name, view);
    }
    return view as KeyvNamespace<T>;
  }

  ping(): Promise<void> {
    return this.#guard(() => this.#backend.ping());
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#backend.close();
    } catch (err) {
      // Closing a store that is already gone is not worth failing shutdown for.
      this.#onError(err);
    }
  }
}

// Codes the store_cannot_open sentence says in words (a full or read-only disk, a refused permission…).
const OPEN_REASONS: ReadonlySet<string> = new Set([
  'EROFS',
  'EACCES',
  'EPERM',
  'ENOTDIR',
  'EEXIST',
  'ENOSPC',
  'SQLITE_READONLY',
  'SQLITE_CANTOPEN',
  'SQLITE_FULL',
]);

// SQLite says only "cannot open" when it cannot create its -wal and -shm files beside the database (an
// existing store on a file system that turned read-only): the folder says why.
function folderProblem(file: string): string | undefined {
  try {
    accessSync(path.dirname(path.resolve(file)), constants.W_OK);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code !== undefined && OPEN_REASONS.has(code) ? code : undefined;
  }
}

/** A start-up error that names the file and why it cannot be used, instead of "try again later". */
export function sqliteOpenError(file: string, cause: unknown): UserError {
  const code = (cause as { code?: unknown } | null)?.code;
  const kind =
    (code === 'SQLITE_CANTOPEN' ? folderProblem(file) : undefined) ??
    (typeof code === 'string' && OPEN_REASONS.has(code) ? code : undefined);
  const why = kind === undefined ? (cause instanceof Error ? cause.message : String(cause)) : undefined;
  return new UserError('store_unavailable', { text: 'store_cannot_open', file, kind, why }, { cause });
}

/**
 * Opens the store at `url` (default `sqlite://./data/lookalike.sqlite`, relative to the working directory;
 * its folder is created). Accepts `sqlite://<path>`, `redis://…`, `rediss://…` and `memory://` (a fresh,
 * #in-memory store). SQLite is opened at once, so a bad path fails here; Redis connects on first use,
 * so the bot can start while Redis is down and recover when it comes back.
 */
export async function openStore(url: string = DEFAULT_STORE_URL, options: StoreOptions = {}): Promise<Store> {
  const location = parseStoreUrl(url);
  const onError = options.onError ?? (() => {});
  const backendOptions = {
    onError,
    connectTimeoutMs: options.connectTimeoutMs ?? 1000,
    connectAttempts: options.connectAttempts ?? 3,
    busyTimeoutMs: options.busyTimeoutMs ?? 2000,
  };
  const timeoutMs = options.timeoutMs ?? 5000;
  switch (location.kind) {
    case 'memory':
      return new KeyvStore(memoryBackend(backendOptions), 'memory://', timeoutMs, onError);
    case 'redis': {
      let backend: Backend;
      try {
        backend = await redisBackend(location.url, backendOptions);
      } catch {
        // No cause: URL parse errors carry the whole URL, password included.
        throw new ConfigError(`The store URL "${redactUrl(location.url)}" is not a valid Redis URL.`);
      }
      return new KeyvStore(backend, redactUrl(location.url), timeoutMs, onError);
    }
    case 'sqlite': {
      let backend: Backend;
      // Time-limited: on some paths (e.g. under /proc) the SQLite driver never answers, which would hang start-up.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        backend = await Promise.race([sqliteBackend(location.file, backendOptions), timeout]);
      } catch (err) {
        throw sqliteOpenError(location.file, err);
      } finally {
        clearTimeout(timer);
      }
      return new KeyvStore(backend, `sqlite://${location.file}`, timeoutMs, onError);
    }
  }
}
