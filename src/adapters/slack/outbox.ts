import type { Logger } from '../../chat/logger.ts';
import type { Reply } from '../../chat/types.ts';
import { noteBlock, renderReply } from './blocks.ts';
import { isTrustedHost, type SlackWeb, shareTs, uploadImage } from './files.ts';

/** Where a reply goes. */
export interface ReplyTarget {
  channelId: string;
  /** The thread to answer in: the parent message's `ts` (Slack rejects a reply's own ts here). */
  threadTs?: string;
  /** Who sees ephemeral replies. */
  userId?: string;
  /** A command's or button's `response_url`: the way to answer where the bot is not a member. */
  responseUrl?: string;
}

/** A message the outbox posted. */
export interface Posted {
  /** The message's `ts`; unknown for a fresh file share until Slack has processed it. */
  ts?: string;
  /** The uploaded picture, when the reply had one. */
  fileId?: string;
}

/** Options for `new SlackOutbox`. */
export interface OutboxOptions {
  logger: Logger;
  /** Extra hosts `response_url`s may point to (the SLACK_API_URL host). */
  extraHosts?: string[];
  uploadTimeoutMs?: number;
  fetchImpl?: typeof fetch;
  /** Waits between `files.info` polls while a file share's ts is unknown (default 250, 500, 1000, 2000 ms). */
  shareDelaysMs?: number[];
}

const NOT_A_MEMBER = new Set(['not_in_channel', 'channel_not_found']);

/** The Slack error code of a failed Web API call (`not_in_channel`…), if it is one. */
export function slackErrorCode(err: unknown): string | undefined {
  const data = (err as { data?: { error?: unknown } } | null)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

const INVITE_NOTE =
  "_I'm not a member of this channel, so I can't post pictures here. Invite me with `/invite @Lookalike`._";
const PRIVATE_PICTURE_NOTE = "_Pictures can't be shown in replies only you can see._";

/** Sends neutral Replies to Slack: messages, file shares with blocks, ephemerals and edits. */
export class SlackOutbox {
  readonly #client: SlackWeb;
  readonly #options: OutboxOptions;

  constructor(client: SlackWeb, options: OutboxOptions) {
    this.#client = client;
    this.#options = options;
  }

  /**
   * Posts a public reply. With a picture (or a file), it is uploaded and shared with the blocks as one
   * message (`files.completeUploadExternal` with `blocks`); otherwise `chat.postMessage`. Where the bot
   * is not a member, a command's `response_url` still answers, without the picture.
   */
  async publish(target: ReplyTarget, reply: Reply): Promise<Posted> {
    const message = renderReply(reply);
    // A file to download (a gallery pack) is shared the way a picture is.
    const upload = reply.image ?? (reply.file && { name: reply.file.name, data: reply.file.data });
    try {
      if (upload) {
        const up = await uploadImage(
          this.#client,
          upload,
          { channelId: target.channelId, threadTs: target.threadTs, blocks: message.blocks },
          { timeoutMs: this.#options.uploadTimeoutMs, fetchImpl: this.#options.fetchImpl },
        );
        return { fileId: up.fileId, ts: shareTs(up.file, target.channelId) };
      }
      const res = await this.#client.chat.postMessage({
        channel: target.channelId,
        ...(target.threadTs ? { thread_ts: target.threadTs } : {}),
        text: message.text,
        blocks: message.blocks,
        unfurl_links: false,
        unfurl_media: false,
      });
      return { ts: res.ts };
    } catch (err) {
      const code = slackErrorCode(err);
      if (!target.responseUrl || code === undefined || !NOT_A_MEMBER.has(code)) throw err;
      this.#options.logger.debug('Slack: not a member, answering through response_url', {
        channelId: target.channelId,
      });
      await this.respond(target.responseUrl, {
        response_type: 'in_channel',
        text: message.text,
        blocks: [...message.blocks, noteBlock(INVITE_NOTE)],
      });
      return {};
    }
  }

  /** Posts a reply only `target.userId` sees (errors, /help, /forget), with `chat.postEphemeral`. */
  async ephemeral(target: ReplyTarget, reply: Reply): Promise<void> {
    const message = renderReply(reply);
    // Ephemeral messages cannot carry files.
    const blocks = reply.image ? [...message.blocks, noteBlock(PRIVATE_PICTURE_NOTE)] : message.blocks;
    if (!target.userId) throw new Error('an ephemeral reply needs a user');
    try {
      await this.#client.chat.postEphemeral({
        channel: target.channelId,
        user: target.userId,
        ...(target.threadTs ? { thread_ts: target.threadTs } : {}),
        text: message.text,
        blocks,
      });
    } catch (err) {
      const code = slackErrorCode(err);
      if (!target.responseUrl || code === undefined || !NOT_A_MEMBER.has(code)) throw err;
      await this.respond(target.responseUrl, { response_type: 'ephemeral', text: message.text, blocks });
    }
  }

  /**
   * Replaces a message's text and blocks (`chat.update`). A new picture is uploaded privately and swapped
   * in with `file_ids`; should Slack refuse that, the text is still updated and the picture is posted in
   * the message's thread instead. Without a picture, the message keeps the one it has.
   */
  async update(channelId: string, ts: string, reply: Reply, imageChanged: boolean): Promise<void> {
    const message = renderReply(reply);
    const base = { channel: channelId, ts, text: message.text, blocks: message.blocks };
    if (!reply.image || !imageChanged) {
      await this.#client.chat.update(base);
      return;
    }
    const up = await uploadImage(
      this.#client,
      reply.image,
      {},
      { timeoutMs: this.#options.uploadTimeoutMs, fetchImpl: this.#options.fetchImpl },
    );
    try {
      await this.#client.chat.update({ ...base, file_ids: [up.fileId] });
    } catch (err) {
      this.#options.logger.warn('Slack: could not swap the picture of a message; posting it in the thread', {
        channelId,
        error: err,
      });
      await this.#client.chat.update(base);
      await uploadImage(
        this.#client,
        reply.image,
        { channelId, threadTs: ts },
        { timeoutMs: this.#options.uploadTimeoutMs, fetchImpl: this.#options.fetchImpl },
      );
    }
  }

  /**
   * The ts of the message sharing `fileId` in `channelId`. Slack shares an upload asynchronously, so the
   * completion may not name the message yet; `files.info` is polled a few times.
   */
  async findShareTs(channelId: string, fileId: string): Promise<string | undefined> {
    for (const delay of [0, ...(this.#options.shareDelaysMs ?? [250, 500, 1000, 2000])]) {
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      const res = await this.#client.files.info({ file: fileId });
      const ts = shareTs(res.file as Record<string, unknown> | undefined, channelId);
      if (ts) return ts;
    }
    return undefined;
  }

  /** POSTs a message to a `response_url` (valid 30 minutes, 5 times; works where the bot is no member). */
  async respond(url: string, body: Record<string, unknown>): Promise<void> {
    if (!isTrustedHost(url, this.#options.extraHosts)) throw new Error('response_url is not a Slack URL');
    const res = await (this.#options.fetchImpl ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    await res.body?.cancel().catch(() => {});
    if (!res.ok) throw new Error(`response_url answered HTTP ${res.status}`);
  }
}
