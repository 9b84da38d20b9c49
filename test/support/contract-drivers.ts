// Drivers of the adapter contract (adapter-contract.ts): each speaks its platform's wire format to the
// real adapter, through the same stand-ins the end-to-end tests use.
import { tmpdir } from 'node:os';
import { DiscordAdapter } from '../../src/adapters/discord/adapter.ts';
import { PlaygroundAdapter } from '../../src/adapters/playground/adapter.ts';
import { CSRF_HEADER } from '../../src/adapters/playground/server.ts';
import type { WireMessage } from '../../src/adapters/playground/wire.ts';
import { SlackAdapter } from '../../src/adapters/slack/adapter.ts';
import { actionId } from '../../src/adapters/slack/blocks.ts';
import { solidPng } from '../fixtures/chat-fakes.ts';
import { DiscordStandin, type RecordedRequest } from '../fixtures/discord-standin.ts';
import { blockActionPayload, commandBody, messageEventBody, signedPost } from '../fixtures/slack-payloads.ts';
import { type RecordedCall, SlackStandin } from '../fixtures/slack-standin.ts';
import type { ContractDriver, Said } from './adapter-contract.ts';

/** The typed form of a command, as Slack and the playground take it: `/game guess rounds:1`. */
export function commandLine(subcommand?: string, options: Record<string, string | number> = {}) {
  const pairs = Object.entries(options).map(([k, v]) => `${k}:${v}`);
  return [subcommand, ...pairs].filter((p) => p !== undefined).join(' ');
}

/** The playground's page, through its HTTP API. */
export function playgroundDriver(): ContractDriver {
  let adapter: PlaygroundAdapter | undefined;
  const said = async (res: Response): Promise<Said> => {
    const { replies } = (await res.json()) as { replies: WireMessage[] };
    const reply = replies[0];
    if (!reply) throw new Error('the playground answered nothing');
    return { text: [reply.title, reply.text].filter(Boolean).join('\n'), private: reply.ephemeral };
  };
  const send = (path: string, body: BodyInit, type?: string) =>
    fetch(new URL(path, adapter!.url), {
      method: 'POST',
      headers: { [CSRF_HEADER]: '1', ...(type ? { 'content-type': type } : {}) },
      body,
    });
  const form = (text: string, files: File[] = []) => {
    const body = new FormData();
    body.append('text', text);
    for (const f of files) body.append('files', f);
    return body;
  };
  return {
    platform: 'playground',
    hasMembers: false,
    secrets: [],
    logLines: [],
    async start(bot, logger) {
      adapter = new PlaygroundAdapter({ host: '127.0.0.1', port: 0, logger });
      await adapter.start(bot);
      return adapter;
    },
    async stop() {
      await adapter?.stop();
    },
    async command(_who, name, subcommand, options) {
      const line = `/${name} ${commandLine(subcommand, options)}`.trim();
      return said(await send('/api/command', form(line)));
    },
    async press(_who, ref, buttonId) {
      return said(
        await send('/api/button', JSON.stringify({ id: buttonId, messageId: ref.id }), 'application/json'),
      );
    },
    async postPhoto() {
      const png = new File([await solidPng(16)], 'me.png', { type: 'image/png' });
      await send('/api/command', form('', [png]));
    },
  };
}

const DISCORD_TOKEN = 'MTAwMDAwMDAwMDAwMDAwMDAy.GcOnTr.act-not-a-real-token-only-for-the-stand-in';
const DISCORD_USERS = {
  admin: { id: '500000000000000001', username: 'admin' },
  member: { id: '500000000000000003', username: 'bob' },
} as const;

function discordText(r: RecordedRequest | undefined): string {
  const body = (r?.body?.data ?? r?.body ?? {}) as {
    content?: string;
    embeds?: { title?: string; description?: string }[];
  };
  return [
    body.content ?? '',
    ...(body.embeds ?? []).map((e) => `${e.title ?? ''}\n${e.description ?? ''}`),
  ].join('\n');
}

/** Discord through discord.js, against the REST and gateway stand-in (DISCORD_API_URL). */
export function discordDriver(): ContractDriver {
  const standin = new DiscordStandin({ dataDir: tmpdir() });
  let adapter: DiscordAdapter | undefined;
  const callback = (id: string, token: string) => (r: RecordedRequest) =>
    r.method === 'POST' && r.path === `/interactions/${id}/${token}/callback`;
  const answer = (token: string) => (r: RecordedRequest) =>
    (r.method === 'PATCH' && r.path === `/webhooks/${standin.appId}/${token}/messages/@original`) ||
    (r.method === 'POST' && r.path === `/webhooks/${standin.appId}/${token}`);
  return {
    platform: 'discord',
    hasMembers: true,
    secrets: [DISCORD_TOKEN],
    logLines: [],
    async start(bot, logger) {
      standin.addFile('me.png', Buffer.from(await solidPng(16)));
      await standin.start();
      adapter = new DiscordAdapter({
        config: { token: DISCORD_TOKEN, appId: standin.appId, apiUrl: standin.apiUrl },
        logger,
        messageContent: true,
      });
      await adapter.start(bot);
      return adapter;
    },
    async stop() {
      await adapter?.stop();
      await standin.close();
    },
    async command(who, name, subcommand, options = {}) {
      const from = standin.requests.length;
      const sent = await standin.dispatchInteraction({
        name,
        subcommand,
        user: DISCORD_USERS[who],
        admin: who === 'admin',
        options: Object.entries(options).map(([n, value]) => ({
          name: n,
          type: typeof value === 'number' ? 4 : 3,
          value,
        })),
      });
      const ack = await standin.waitFor(callback(sent.id, sent.token), { from });
      // An answer before deferral comes in the callback itself (type 4); else it follows the deferral.
      if (ack.body?.type === 4) return { text: discordText(ack), private: DiscordStandin.isEphemeral(ack) };
      const reply = await standin.waitFor(answer(sent.token), { from });
      return {
        text: discordText(reply),
        private: DiscordStandin.isEphemeral(ack) || DiscordStandin.isEphemeral(reply),
      };
    },
    async press(who, ref, buttonId) {
      const from = standin.requests.length;
      const press = standin.dispatchButton({
        user: DISCORD_USERS[who],
        messageId: ref.id,
        customId: buttonId,
      });
      const ack = await standin.waitFor(callback(press.id, press.token), { from });
      // DEFERRED_UPDATE_MESSAGE: acknowledged without anything visible (rule 3).
      if (ack.body?.type !== 6)
        throw new Error(`a button press was acknowledged with type ${ack.body?.type}`);
      const told = await standin.waitFor(answer(press.token), { from });
      return { text: discordText(told), private: DiscordStandin.isEphemeral(told) };
    },
    async postPhoto(who) {
      await standin.dispatchMessage({
        user: DISCORD_USERS[who],
        channelId: standin.channelId,
        files: ['me.png'],
      });
    },
  };
}

const SLACK_BOT_TOKEN = 'xoxb-7777777777-8888888888-contractnotarealtokenonlyforthestandin';
const SLACK_SECRET = 'contract-signing-secret-0123456789abcdef';
const SLACK_CHANNEL = 'C0GENERAL';
const SLACK_USERS = { admin: 'U0ADMIN', member: 'U0BOB' } as const;

function slackText(call: RecordedCall): string {
  return `${String(call.args.text ?? '')}\n${JSON.stringify(call.args.blocks ?? [])}`;
}

/** Slack through Bolt in http mode (signed requests), against the Web API stand-in (SLACK_API_URL). */
export function slackDriver(): ContractDriver {
  const standin = new SlackStandin({ dataDir: tmpdir(), botToken: SLACK_BOT_TOKEN });
  let adapter: SlackAdapter | undefined;
  let endpoint = '';
  const post = async (body: string) => {
    const res = await signedPost(endpoint, body, 'application/x-www-form-urlencoded', {
      secret: SLACK_SECRET,
    });
    if (res.status !== 200) throw new Error(`Slack request answered ${res.status}`);
  };
  // The caller's answer: private (chat.postEphemeral, an ephemeral response_url) or in the channel.
  const answerTo = (userId: string) => (c: RecordedCall) =>
    (c.method === 'chat.postEphemeral' &&
      c.args.user === userId &&
      !/Working on it/.test(String(c.args.text))) ||
    c.method === 'response_url' ||
    (c.method === 'chat.postMessage' && c.args.channel === SLACK_CHANNEL && c.args.thread_ts === undefined);
  const said = (c: RecordedCall): Said => ({
    text: slackText(c),
    private:
      c.method === 'chat.postEphemeral' ||
      (c.method === 'response_url' && c.args.response_type !== 'in_channel'),
  });
  return {
    platform: 'slack',
    hasMembers: true,
    secrets: [SLACK_BOT_TOKEN, SLACK_SECRET],
    logLines: [],
    async start(bot, logger) {
      await standin.start();
      standin.addMember({ id: SLACK_USERS.admin, name: 'admin', admin: true });
      standin.addMember({ id: SLACK_USERS.member, name: 'bob' });
      adapter = new SlackAdapter({
        config: {
          mode: 'http',
          botToken: SLACK_BOT_TOKEN,
          signingSecret: SLACK_SECRET,
          apiUrl: standin.apiUrl,
        },
        logger,
        listen: { port: 0, host: '127.0.0.1' },
        photoGraceMs: 0,
        workingText: false,
      });
      await adapter.start(bot);
      endpoint = `http://127.0.0.1:${adapter.address!.port}/slack/events`;
      return adapter;
    },
    async stop() {
      await adapter?.stop();
      await standin.close();
    },
    async command(who, name, subcommand, options) {
      const from = standin.calls.length;
      await post(
        commandBody({
          teamId: standin.teamId,
          channelId: SLACK_CHANNEL,
          userId: SLACK_USERS[who],
          command: `/${name}`,
          text: commandLine(subcommand, options),
          responseUrl: standin.responseUrl(),
        }),
      );
      return said(await standin.waitFor(answerTo(SLACK_USERS[who]), { from }));
    },
    async press(who, ref, buttonId) {
      const from = standin.calls.length;
      const payload = blockActionPayload({
        teamId: standin.teamId,
        channelId: ref.channelId,
        userId: SLACK_USERS[who],
        messageTs: ref.id,
        actionId: actionId(0, buttonId),
        value: buttonId,
        responseUrl: standin.responseUrl(),
      });
      await post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
      return said(await standin.waitFor(answerTo(SLACK_USERS[who]), { from }));
    },
    async postPhoto(who) {
      const { body } = messageEventBody({
        teamId: standin.teamId,
        botUserId: standin.botUserId,
        channelId: SLACK_CHANNEL,
        userId: SLACK_USERS[who],
        files: [standin.file('me.png', Buffer.from(await solidPng(16)))],
      });
      const res = await signedPost(endpoint, JSON.stringify(body), 'application/json', {
        secret: SLACK_SECRET,
      });
      if (res.status !== 200) throw new Error(`Slack event answered ${res.status}`);
    },
  };
}
