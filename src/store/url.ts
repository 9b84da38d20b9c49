import path from 'node:path';
import { ConfigError } from '../errors.ts';

/** Where the store lives when no URL is configured. */
export const DEFAULT_STORE_URL = 'sqlite://./data/lookalike.sqlite';

/** The URL schemes that `openStore` understands, as shown in error messages. */
export const ACCEPTED_SCHEMES = ['sqlite://', 'redis://', 'rediss://', 'memory://'] as const;

/** A parsed store URL. */
export type StoreLocation =
  | { kind: 'sqlite'; file: string }
  | { kind: 'redis'; url: string }
  | { kind: 'memory' };

/** The URL with any user name and password replaced by `***`, safe for logs and error messages. */
export function redactUrl(url: string): string {
  // Works on the raw text because sqlite paths are not valid WHATWG URLs and must be redacted all the same.
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@');
}

/** Parses a store URL; unknown schemes raise a ConfigError. */
export function parseStoreUrl(url: string): StoreLocation {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  const accepted = ACCEPTED_SCHEMES.map((s) => `${s}…`).join(', ');
  switch (scheme) {
    case 'sqlite': {
      // `sqlite://./data/x.sqlite` is relative to the working directory; `sqlite:///var/x.sqlite` is not.
      const rest = url.replace(/^sqlite:\/\//i, '');
      if (rest === '' || rest === url) {
        throw new ConfigError(`The store URL "${redactUrl(url)}" has no file path; use sqlite://<path>.`);
      }
      return { kind: 'sqlite', file: rest === ':memory:' ? rest : path.resolve(rest) };
    }
    case 'redis':
    case 'rediss':
      return { kind: 'redis', url };
    case 'memory':
      return { kind: 'memory' };
    default:
      throw new ConfigError(
        scheme === undefined
          ? `The store URL "${redactUrl(url)}" has no scheme; use one of ${accepted}.`
          : `The store URL scheme "${scheme}:" is not supported; use one of ${accepted}.`,
      );
  }
}
