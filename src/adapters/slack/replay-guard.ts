import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { type Logger as BoltLogger, HTTPReceiver, type LogLevel, verifySlackRequest } from '@slack/bolt';
import type { Logger } from '../../chat/logger.ts';

/** How far a request's timestamp may be from now, either way (Slack's own rule). */
export const SIGNATURE_WINDOW_SECONDS = 5 * 60;
// Bolt's default; a bigger body is refused by Bolt anyway.
const BODY_LIMIT = 4 * 1024 * 1024;
// More distinct signed requests than this in five minutes would be a flood; the oldest are forgotten.
const MAX_REMEMBERED = 50_000;

/** Options for `ReplayGuard`. */
export interface ReplayGuardOptions {
  signingSecret: string;
  logger: Logger;
  /** Milliseconds since the epoch (tests pass a fake clock). */
  now?: () => number;
}

/** Why `ReplayGuard.check` refused a request, or `ok`; unsigned or mis-signed requests are Bolt's to refuse. */
export type ReplayVerdict = 'ok' | 'replayed' | 'future' | 'unverified';

/**
 * Refuses a correctly signed Slack request that was already received, and one dated more than five minutes
 * ahead. Bolt checks the signature and refuses old timestamps, but it would run a captured request again as
 * often as it is replayed within those five minutes (and much longer for a future timestamp). Only requests
 * with a valid signature are remembered, so forged ones cannot push real ones out of memory.
 */
export class ReplayGuard {
  readonly #secret: string;
  readonly #log: Logger;
  readonly #now: () => number;
  /** Signature -> when it may be forgotten (ms); in insertion order, which is roughly expiry order. */
  readonly #seen = new Map<string, number>();

  constructor(options: ReplayGuardOptions) {
    this.#secret = options.signingSecret;
    this.#log = options.logger;
    this.#now = options.now ?? Date.now;
  }

  /** How many signatures are remembered now (for tests and diagnostics). */
  get size(): number {
    return this.#seen.size;
  }

  /** Judges one request by its raw body and headers, remembering it when it is new and valid. */
  check(rawBody: string, headers: IncomingMessage['headers']): ReplayVerdict {
    const signature = headers['x-slack-signature'];
    const timestamp = Number(headers['x-slack-request-timestamp']);
    if (typeof signature !== 'string' || !Number.isFinite(timestamp)) return 'unverified';
    const now = this.#now();
    try {
      verifySlackRequest({
        signingSecret: this.#secret,
        body: rawBody,
        headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
        nowMilliseconds: now,
      });
    } catch {
      return 'unverified';
    }
    if (timestamp * 1000 > now + SIGNATURE_WINDOW_SECONDS * 1000) return 'future';
    this.#forgetExpired(now);
    if (this.#seen.has(signature)) return 'replayed';
    this.#seen.set(signature, (timestamp + SIGNATURE_WINDOW_SECONDS) * 1000);
    if (this.#seen.size > MAX_REMEMBERED) this.#seen.delete(this.#seen.keys().next().value ?? signature);
    return 'ok';
  }

  /**
   * Wraps an HTTP request listener (Bolt's receiver): the body is read here, the verdict given, and a
   * refused request answered 401 without reaching Bolt; others go on with the body already buffered,
   * which Bolt then reads from `rawBody` instead of the stream.
   */
  wrap(listener: RequestListener): RequestListener {
    return (req, res) => {
      void this.#screen(req, res, listener);
    };
  }

  async #screen(req: IncomingMessage, res: ServerResponse, listener: RequestListener): Promise<void> {
    if (req.method !== 'POST') return void listener(req, res);
    let raw: Buffer;
    try {
      raw = await readBody(req, BODY_LIMIT);
    } catch {
      res.writeHead(413).end();
      return;
    }
    (req as IncomingMessage & { rawBody?: Buffer }).rawBody = raw;
    const verdict = this.check(raw.toString(), req.headers);
    if (verdict === 'replayed' || verdict === 'future') {
      this.#log.warn(
        `Slack: refused a ${verdict === 'replayed' ? 'replayed' : 'future-dated'} signed request`,
        {
          path: req.url,
        },
      );
      res.writeHead(401).end();
      return;
    }
    listener(req, res);
  }

  #forgetExpired(now: number): void {
    for (const [signature, until] of this.#seen) {
      if (until > now) break;
      this.#seen.delete(signature);
    }
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    req.on('data', (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > limit) {
        req.destroy();
        reject(new Error('body too large'));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Bolt's HTTP receiver on `/slack/events` with the replay guard in front of it. */
export function guardedReceiver(options: {
  signingSecret: string;
  logger: Logger;
  boltLogger: BoltLogger;
  logLevel: LogLevel;
}): HTTPReceiver {
  const receiver = new HTTPReceiver({
    signingSecret: options.signingSecret,
    endpoints: '/slack/events',
    logger: options.boltLogger,
    logLevel: options.logLevel,
  });
  const guard = new ReplayGuard({ signingSecret: options.signingSecret, logger: options.logger });
  receiver.requestListener = guard.wrap(receiver.requestListener);
  return receiver;
}
