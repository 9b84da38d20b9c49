// Requests as Slack sends them to an app in http mode: slash commands (form-encoded), Events API callbacks
// (JSON) and interactivity payloads (form-encoded `payload`), signed with the app's signing secret.
import { createHmac, randomBytes } from 'node:crypto';
import { newTs, type SlackStandin } from './slack-standin.ts';

/** The v0 signature Slack puts in `x-slack-signature`: HMAC-SHA256 of `v0:<timestamp>:<body>`. */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** How to sign (or mis-sign) a request. */
export interface SignOptions {
  secret: string;
  /** Seconds since the epoch; default now. */
  timestamp?: number;
  /** Sign with this secret instead, to forge a bad signature. */
  signWith?: string;
}

/** POSTs `body` to the app's endpoint with Slack's signature headers; resolves with status and text. */
export async function signedPost(
  url: string,
  body: string,
  contentType: string,
  sign: SignOptions,
): Promise<{ status: number; text: string }> {
  const timestamp = sign.timestamp ?? Math.floor(Date.now() / 1000);
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(sign.signWith ?? sign.secret, timestamp, body),
    },
    body,
  });
  return { status: res.status, text: await res.text() };
}

/** A slash command body. */
export function commandBody(spec: {
  teamId: string;
  channelId: string;
  userId: string;
  command: string;
  text?: string;
  responseUrl: string;
}): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: spec.teamId,
    team_domain: 'standin',
    channel_id: spec.channelId,
    channel_name: 'general',
    user_id: spec.userId,
    user_name: spec.userId.toLowerCase(),
    command: spec.command,
    text: spec.text ?? '',
    api_app_id: 'A0STANDIN',
    is_enterprise_install: 'false',
    response_url: spec.responseUrl,
    trigger_id: `${Date.now()}.${randomBytes(4).toString('hex')}`,
  }).toString();
}

/** A message event (a file share when `files` are given), as the Events API callback body. */
export function messageEventBody(spec: {
  teamId: string;
  botUserId: string;
  channelId: string;
  userId: string;
  files?: Record<string, unknown>[];
  text?: string;
  ts?: string;
  type?: 'message' | 'app_mention';
  threadTs?: string;
}): { body: Record<string, unknown>; ts: string } {
  const ts = spec.ts ?? newTs();
  const event: Record<string, unknown> = {
    type: spec.type ?? 'message',
    channel: spec.channelId,
    channel_type: 'channel',
    user: spec.userId,
    text: spec.text ?? '',
    ts,
    event_ts: ts,
    team: spec.teamId,
  };
  if (spec.files) {
    event.files = spec.files;
    event.upload = false;
    if (event.type === 'message') event.subtype = 'file_share';
  }
  if (spec.threadTs) event.thread_ts = spec.threadTs;
  return {
    ts,
    body: {
      token: 'deprecated-verification-token',
      team_id: spec.teamId,
      api_app_id: 'A0STANDIN',
      event,
      type: 'event_callback',
      event_id: `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [
        { team_id: spec.teamId, user_id: spec.botUserId, is_bot: true, is_enterprise_install: false },
      ],
      is_ext_shared_channel: false,
    },
  };
}

/** A `block_actions` payload for a pressed button. */
export function blockActionPayload(spec: {
  teamId: string;
  channelId: string;
  userId: string;
  messageTs: string;
  actionId: string;
  value: string;
  responseUrl: string;
}): Record<string, unknown> {
  return {
    type: 'block_actions',
    user: { id: spec.userId, username: spec.userId.toLowerCase(), team_id: spec.teamId },
    api_app_id: 'A0STANDIN',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: spec.messageTs, channel_id: spec.channelId },
    trigger_id: `${Date.now()}.${randomBytes(4).toString('hex')}`,
    team: { id: spec.teamId, domain: 'standin' },
    channel: { id: spec.channelId, name: 'general' },
    message: { type: 'message', ts: spec.messageTs, text: '' },
    response_url: spec.responseUrl,
    actions: [
      {
        type: 'button',
        action_id: spec.actionId,
        block_id: 'b1',
        value: spec.value,
        text: { type: 'plain_text', text: 'press' },
        action_ts: String(Date.now() / 1000),
      },
    ],
  };
}

/** A `message_action` payload: `userId` ran the message shortcut `callbackId` on a message with `files`. */
export function messageShortcutPayload(spec: {
  teamId: string;
  channelId: string;
  userId: string;
  callbackId: string;
  message: { ts: string; user: string; files: Record<string, unknown>[]; threadTs?: string };
  responseUrl: string;
}): Record<string, unknown> {
  return {
    type: 'message_action',
    token: 'deprecated-verification-token',
    action_ts: String(Date.now() / 1000),
    team: { id: spec.teamId, domain: 'standin' },
    user: {
      id: spec.userId,
      username: spec.userId.toLowerCase(),
      team_id: spec.teamId,
      name: spec.userId.toLowerCase(),
    },
    channel: { id: spec.channelId, name: 'general' },
    is_enterprise_install: false,
    callback_id: spec.callbackId,
    trigger_id: `${Date.now()}.${randomBytes(4).toString('hex')}`,
    response_url: spec.responseUrl,
    message_ts: spec.message.ts,
    message: {
      type: 'message',
      user: spec.message.user,
      ts: spec.message.ts,
      text: '',
      files: spec.message.files,
      upload: false,
      ...(spec.message.threadTs ? { thread_ts: spec.message.threadTs } : {}),
    },
  };
}

/** Posts `file` as `userId` in `channelId` with an @mention of the bot, through the stand-in's socket. */
export function mentionPhoto(
  standin: SlackStandin,
  spec: { userId: string; file: string; channelId?: string },
): { ts: string; envelope: string } {
  const { body, ts } = messageEventBody({
    teamId: standin.teamId,
    botUserId: standin.botUserId,
    channelId: spec.channelId ?? 'C0GENERAL',
    userId: spec.userId,
    text: `<@${standin.botUserId}> who is this?`,
    files: [standin.file(spec.file)],
  });
  return { ts, envelope: standin.sendEnvelope('events_api', body) };
}

/** Sends a slash command through the stand-in's socket, as Socket Mode delivers it; returns its envelope. */
export function slashCommand(
  standin: SlackStandin,
  spec: { userId: string; command: string; text?: string; channelId?: string },
): string {
  const body = commandBody({
    teamId: standin.teamId,
    channelId: spec.channelId ?? 'C0GENERAL',
    userId: spec.userId,
    command: spec.command,
    text: spec.text,
    responseUrl: standin.responseUrl(),
  });
  return standin.sendEnvelope('slash_commands', Object.fromEntries(new URLSearchParams(body)));
}
