import { UserError } from '../errors.ts';

/** Largest file the bot downloads: far above any selfie, far below what would strain memory. */
export const MAX_DOWNLOAD_BYTES = 10 * 1024 * 1024;
/** Slow CDNs get this long; the interaction token lasts 15 minutes, but people stop waiting much sooner. */
export const DOWNLOAD_TIMEOUT_MS = 15_000;

/** Options for `downloadLimited`. */
export interface DownloadOptions {
  maxBytes?: number;
  timeoutMs?: number;
  /** Size the platform announced, checked before any byte is fetched. */
  announcedSize?: number;
  /** Extra request headers (Slack files need an Authorization header). */
  headers?: Record<string, string>;
  /** For tests. */
  fetchImpl?: typeof fetch;
}

function tooLarge(maxBytes: number): UserError {
  const mb = Math.round((maxBytes / (1024 * 1024)) * 10) / 10;
  return new UserError('file_too_large', { sizeLimit: String(mb) });
}

/**
 * Downloads `url` into memory, refusing by announced size first, then by Content-Length, then while
 * streaming (a server may lie or omit the length). Failures are UserErrors with a friendly text.
 */
export async function downloadLimited(url: string, options: DownloadOptions = {}): Promise<Uint8Array> {
  const maxBytes = options.maxBytes ?? MAX_DOWNLOAD_BYTES;
  const timeoutMs = options.timeoutMs ?? DOWNLOAD_TIMEOUT_MS;
  if (options.announcedSize !== undefined && options.announcedSize > maxBytes) throw tooLarge(maxBytes);

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await (options.fetchImpl ?? fetch)(url, {
      signal: controller.signal,
      headers: options.headers,
    });
    if (!res.ok || !res.body) {
      throw new UserError('download_failed', { status: res.status });
    }
    const length = Number(res.headers.get('content-length'));
    if (Number.isFinite(length) && length > maxBytes) {
      await res.body.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge(maxBytes);
      }
      chunks.push(value);
    }
    const out = new Uint8Array(total);
    let offset = 0;
    for (const chunk of chunks) {
      out.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return out;
  } catch (err) {
    if (err instanceof UserError) throw err;
    if (controller.signal.aborted) {
      throw new UserError('timeout', { text: 'download_slow' }, { cause: err });
    }
    throw new UserError('download_failed', {}, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

/** The default `Deps.fetchAvatar`: a limited download of a public profile picture. */
export function fetchAvatar(url: string): Promise<Uint8Array> {
  return downloadLimited(url);
}
