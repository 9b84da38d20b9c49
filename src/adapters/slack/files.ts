import type { types, webApi } from '@slack/bolt';
import { downloadLimited } from '../../chat/download.ts';
import type { Attachment, ReplyImage } from '../../chat/types.ts';
import { UserError } from '../../errors.ts';
import type { SlackFile } from './payloads.ts';

/** The part of Bolt's WebClient the adapter calls (tests pass fakes). */
export type SlackWeb = Pick<webApi.WebClient, 'chat' | 'files' | 'users'>;

/** How the adapter downloads files members share. */
export interface FileAccess {
  /** Slack serves `url_private` only with the bot token in an Authorization header. */
  botToken: string;
  /** Extra hosts the token may be sent to (the SLACK_API_URL host); Slack's own are always allowed. */
  extraHosts?: string[];
  maxBytes?: number;
  timeoutMs?: number;
  /** Fills in a file the event only announced (`file_access: check_file_info`), via `files.info`. */
  lookup?: (fileId: string) => Promise<SlackFile | undefined>;
  fetchImpl?: typeof fetch;
}

const IMAGE_TYPES = /^(jpe?g|png|webp|gif|avif|tiff?|heic)$/i;
const GENERIC_TYPES = /^(application|binary)\/octet-stream$/i;
const IMAGE_NAMES = /\.(jpe?g|png|webp|gif|avif|tiff?)$/i;

/** Whether a shared file is a picture, by MIME type, Slack's filetype, or name. */
export function isImageFile(file: SlackFile): boolean {
  // A generic type says nothing; the bytes decide after the download (readImage sniffs them).
  if (file.mimetype && GENERIC_TYPES.test(file.mimetype)) return true;
  if (file.mimetype) return file.mimetype.toLowerCase().startsWith('image/');
  if (file.filetype) return IMAGE_TYPES.test(file.filetype);
  return IMAGE_NAMES.test(file.name ?? '');
}

const ARCHIVE_TYPES = /^application\/(zip|x-zip|x-zip-compressed)$/i;

/** Whether a shared file is a ZIP (a gallery to import), by MIME type, Slack's filetype, or name. */
export function isArchiveFile(file: SlackFile): boolean {
  if (file.mimetype && ARCHIVE_TYPES.test(file.mimetype)) return true;
  if (file.filetype?.toLowerCase() === 'zip') return true;
  return /\.zip$/i.test(file.name ?? '');
}

/** Whether a shared file is what an attachment option takes: a photo (never a ZIP) or a ZIP. */
export function acceptsFile(kind: 'image' | 'archive', file: SlackFile): boolean {
  return kind === 'archive' ? isArchiveFile(file) : isImageFile(file) && !isArchiveFile(file);
}

/** Whether `url` is on a host the bot token may be sent to: Slack, GovSlack, or a configured one. */
export function isTrustedHost(url: string, extraHosts: readonly string[] = []): boolean {
  let host: string;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return false;
    host = parsed.host.toLowerCase();
  } catch {
    return false;
  }
  const name = host.replace(/:\d+$/, '');
  if (['slack.com', 'slack-gov.com'].some((d) => name === d || name.endsWith(`.${d}`))) return true;
  return extraHosts.some((h) => h.toLowerCase() === host);
}

// Without a valid token Slack answers url_private with its sign-in page (HTTP 200, text/html), which
// would otherwise surface as a confusing "not an image" error.
function refuseHtml(fetchImpl: typeof fetch): typeof fetch {
  return async (input, init) => {
    const res = await fetchImpl(input, init);
    if ((res.headers.get('content-type') ?? '').toLowerCase().startsWith('text/html')) {
      await res.body?.cancel().catch(() => {});
      throw new UserError('download_failed', { text: 'slack_download_refused' });
    }
    return res;
  };
}

/** A shared file as a lazy neutral Attachment: downloaded with the bot token only when a command asks. */
export function toAttachment(file: SlackFile, access: FileAccess): Attachment {
  const name = file.name ?? file.title ?? `${file.id}.${file.filetype ?? 'png'}`;
  return {
    name,
    contentType: file.mimetype,
    size: file.size,
    fetch: async () => {
      let url = file.url_private_download ?? file.url_private;
      let size = file.size;
      if (!url && access.lookup) {
        const full = await access.lookup(file.id);
        url = full?.url_private_download ?? full?.url_private;
        size = full?.size ?? size;
      }
      if (!url) throw new UserError('not_found', { text: 'slack_file_gone', file: name });
      if (!isTrustedHost(url, access.extraHosts)) {
        // The bot token must never travel to a host that is not Slack's.
        throw new UserError('download_failed', { text: 'slack_foreign_host', file: name });
      }
      return downloadLimited(url, {
        maxBytes: access.maxBytes,
        timeoutMs: access.timeoutMs,
        announcedSize: size,
        headers: { Authorization: `Bearer ${access.botToken}` },
        fetchImpl: refuseHtml(access.fetchImpl ?? fetch),
      });
    },
  };
}

/** A file name Slack shows nicely (no path separators or control characters). */
export function safeFileName(name: string): string {
  const clean = name.replace(/[^A-Za-z0-9._ -]+/g, '_').replace(/^[._ ]+/, '');
  return clean === '' ? 'image.png' : clean.slice(0, 80);
}

/** Where an uploaded file is shared; without a channel it stays private to the bot (for `chat.update`). */
export interface UploadTarget {
  channelId?: string;
  threadTs?: string;
  /** The message's blocks: the file share then carries them, so text, picture and buttons are one message. */
  blocks?: types.KnownBlock[];
}

/** A finished upload. */
export interface Uploaded {
  fileId: string;
  /** The file as `files.completeUploadExternal` returned it (its `shares` may already name the message). */
  file?: Record<string, unknown>;
}

/**
 * Uploads a picture through Slack's external upload flow: `files.getUploadURLExternal`, the raw bytes
 * POSTed to the returned `upload_url` (pre-signed, so the token is not sent there), then
 * `files.completeUploadExternal`, which shares it in the channel (and thread) when one is given.
 */
export async function uploadImage(
  client: SlackWeb,
  image: ReplyImage,
  target: UploadTarget,
  options: { timeoutMs?: number; fetchImpl?: typeof fetch } = {},
): Promise<Uploaded> {
  const filename = safeFileName(image.name);
  const ticket = await client.files.getUploadURLExternal({
    filename,
    length: image.data.byteLength,
    alt_text: image.alt,
  });
  if (!ticket.upload_url || !ticket.file_id)
    throw new Error('files.getUploadURLExternal returned no upload_url');
  const res = await (options.fetchImpl ?? fetch)(ticket.upload_url, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    // A copy typed as an ArrayBuffer-backed view, which fetch's BodyInit accepts.
    body: new Uint8Array(image.data),
    signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
  });
  await res.body?.cancel().catch(() => {});
  if (!res.ok) throw new Error(`uploading the picture failed (HTTP ${res.status})`);

  const files: [{ id: string; title: string }] = [{ id: ticket.file_id, title: image.alt ?? filename }];
  const done = target.channelId
    ? await client.files.completeUploadExternal({
        files,
        channel_id: target.channelId,
        ...(target.threadTs ? { thread_ts: target.threadTs } : {}),
        ...(target.blocks ? { blocks: target.blocks } : {}),
      })
    : await client.files.completeUploadExternal({ files });
  const file = (done.files as Record<string, unknown>[] | undefined)?.[0];
  return { fileId: ticket.file_id, file };
}

/** The `ts` of the message that shares `file` in `channelId`, from a file object's `shares`, if known yet. */
export function shareTs(file: Record<string, unknown> | undefined, channelId: string): string | undefined {
  const shares = file?.shares as
    | Record<string, Record<string, { ts?: string }[] | undefined> | undefined>
    | undefined;
  return shares?.public?.[channelId]?.[0]?.ts ?? shares?.private?.[channelId]?.[0]?.ts;
}
