// Issue 12's overload soak: bursts of photos from many members, faster than the pool infers, through the
// Discord and Slack stand-ins into the real app, in its own process (`soak-bot.ts`: `startApp`, real
// adapters, Bot, rate limits and engine pool). Every interaction is followed from its dispatch to its
// acknowledgement and its answers; the bot measures its own event-loop delay and RSS.
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { dataDir, people, readData } from '../../test/fixtures/data.ts';
import { DiscordStandin, type RecordedRequest } from '../../test/fixtures/discord-standin.ts';
import { mentionPhoto } from '../../test/fixtures/slack-payloads.ts';
import { type RecordedCall, SlackStandin } from '../../test/fixtures/slack-standin.ts';
import type { SoakBotMessage } from './soak-bot.ts';
import { type AnswerKind, type PhaseReport, report, type SoakPhase, type Tracked } from './soak-report.ts';

export type { PhaseReport, SoakPhase } from './soak-report.ts';
export { formatReport } from './soak-report.ts';

/** Options of `runSoak`. */
export interface SoakOptions {
  phases: SoakPhase[];
  /** How long a phase may take to answer everything before the rest counts as lost (default 180 s). */
  drainTimeoutMs?: number;
  /** Inference worker threads (default: one per core, as `npm start`). */
  workers?: number;
  /** Where the bot's warnings and errors go (default: nowhere). */
  log?: (line: string) => void;
}

const DISCORD_TOKEN = 'MTAwMDAwMDAwMDAwMDAwMDAy.GsOaKk.soak-token-only-for-the-stand-in-xyzxyz';
const BOT_TOKEN = 'xoxb-7777777777-8888888888-soaksoaksoaksoak';
const APP_TOKEN = 'xapp-1-A0STANDIN-9999999999-soaksoaksoaksoak';
const BOT_FILE = fileURLToPath(new URL('./soak-bot.ts', import.meta.url));
const QUEUED = /in the queue:/;
const BUSY = /busy looking at a lot of faces/;
const RATE = /going a bit fast/;
// Settles a public deferral before a private follow-up; neither an answer nor a note.
const PLACEHOLDER = '…';

function outcomeOf(text: string, rich: boolean): AnswerKind {
  if (BUSY.test(text)) return 'busy';
  if (RATE.test(text)) return 'rate_limited';
  return rich ? 'result' : 'error';
}

/** The interaction token in a callback or webhook path. */
function tokenOf(p: string): string | undefined {
  return /^\/interactions\/\d+\/([^/]+)\/callback$/.exec(p)?.[1] ?? /^\/webhooks\/\d+\/([^/]+)/.exec(p)?.[1];
}

function discordFollower(tracked: Map<string, Tracked>) {
  return (r: RecordedRequest) => {
    const token = tokenOf(r.path);
    const t = token === undefined ? undefined : tracked.get(token);
    if (!t) return;
    t.requests++;
    const body = r.body ?? {};
    const data = (r.path.endsWith('/callback') ? body.data : body) as
      | { content?: string; embeds?: unknown[] }
      | undefined;
    const text = String(data?.content ?? '');
    const rich = (data?.embeds?.length ?? 0) > 0;
    if (r.path.endsWith('/callback')) {
      t.ackAt ??= r.at;
      if (body.type === 4) t.finals.push({ at: r.at, outcome: outcomeOf(text, rich) });
    } else if (r.method === 'PATCH' && QUEUED.test(text)) {
      t.noted = true;
    } else if ((r.method === 'PATCH' && text !== PLACEHOLDER) || r.method === 'POST') {
      t.finals.push({ at: r.at, outcome: outcomeOf(text, rich) });
    }
  };
}

function slackFollower(tracked: Map<string, Tracked>) {
  return (c: RecordedCall) => {
    const t = tracked.get(String(c.args.thread_ts ?? ''));
    if (!t) return;
    t.requests++;
    const text = String(c.args.text ?? '');
    if (c.method === 'chat.postEphemeral' && QUEUED.test(text)) t.noted = true;
    else if (c.method === 'files.completeUploadExternal') t.finals.push({ at: c.at, outcome: 'result' });
    else if (c.method === 'chat.postEphemeral' || c.method === 'chat.postMessage')
      t.finals.push({ at: c.at, outcome: outcomeOf(text, false) });
  };
}

/** Member ids of a phase: fresh ones, so that every phase starts with full rate-limit buckets. */
function memberId(platform: SoakPhase['platform'], phase: number, m: number): string {
  return platform === 'discord'
    ? `6${String(phase).padStart(2, '0')}${String(m).padStart(15, '0')}`
    : `U0SOAK${phase}X${m}`;
}

/** The bot in its own process, as `npm start` runs it, and its IPC channel. */
interface BotProcess {
  child: ChildProcess;
  /** Sends `type` and, for `report`, resolves with the bot's own figures. */
  ask(type: 'measure'): void;
  ask(type: 'report'): Promise<Extract<SoakBotMessage, { type: 'report' }>>;
  stop(): Promise<void>;
}

async function forkBot(env: Record<string, string>, log: (line: string) => void): Promise<BotProcess> {
  const child = fork(BOT_FILE, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream! }).on('line', log);
  }
  const next = (type: SoakBotMessage['type']) =>
    new Promise<SoakBotMessage>((resolve, reject) => {
      const onMessage = (m: SoakBotMessage) => {
        if (m.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(m);
      };
      const onExit = (code: number | null) => reject(new Error(`the soak bot exited (code ${code})`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  await next('ready');
  return {
    child,
    ask: ((type: 'measure' | 'report') => {
      const answer = type === 'report' ? next('report') : undefined;
      child.send({ type });
      return answer;
    }) as BotProcess['ask'],
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs the phases one after the other against one bot; each phase's figures are measured on its own. */
export async function runSoak(options: SoakOptions): Promise<PhaseReport[]> {
  const bbt = path.join(dataDir(), 'bbt');
  const photos = people(bbt).flatMap((p) => p.files.map((f) => `${p.name}/${path.basename(f)}`));
  const discord = new DiscordStandin({ dataDir: bbt });
  // Served from memory, so that dispatching a burst reads no file between interactions.
  for (const p of photos) discord.addFile(p, readData('bbt', p));
  const slack = new SlackStandin({ dataDir: bbt, botToken: BOT_TOKEN, appToken: APP_TOKEN });
  await discord.start();
  await slack.start();
  let bot: BotProcess | undefined;
  try {
    bot = await forkBot(
      {
        DISCORD_TOKEN,
        DISCORD_APP_ID: discord.appId,
        DISCORD_API_URL: discord.apiUrl,
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_APP_TOKEN: APP_TOKEN,
        SLACK_API_URL: slack.apiUrl,
        LOOKALIKE_STORE: 'memory://',
        HOST: '127.0.0.1',
        PORT: '0',
        ...(options.workers ? { LOOKALIKE_WORKERS: String(options.workers) } : {}),
      },
      options.log ?? (() => {}),
    );
    await warmUp(discord, slack, photos[0]!);

    const reports: PhaseReport[] = [];
    for (const [index, phase] of options.phases.entries()) {
      const stage = { discord, slack, photos, drain: options.drainTimeoutMs, bot };
      reports.push(await runPhase(index, phase, stage));
    }
    return reports;
  } finally {
    await bot?.stop();
    await discord.close();
    await slack.close();
  }
}

/** One answered photo on each platform first: a bot that has been running has loaded all its code. */
async function warmUp(discord: DiscordStandin, slack: SlackStandin, file: string): Promise<void> {
  const from = discord.requests.length;
  const { token } = await discord.dispatchInteraction({
    name: 'lookalike',
    user: { id: '699999999999999999', username: 'warm-up' },
    options: [{ name: 'image', type: 11, file }],
  });
  await discord.waitFor((r) => r.method === 'PATCH' && r.path.includes(token), { from, timeoutMs: 60_000 });
  const since = slack.calls.length;
  const { ts } = mentionPhoto(slack, { userId: 'U0WARMUP', file, channelId: 'C0SOAK' });
  await slack.waitFor((c) => c.method === 'files.completeUploadExternal' && c.args.thread_ts === ts, {
    from: since,
    timeoutMs: 60_000,
  });
}

interface Stage {
  discord: DiscordStandin;
  slack: SlackStandin;
  photos: string[];
  drain?: number;
  bot: BotProcess;
}

async function runPhase(index: number, phase: SoakPhase, stage: Stage): Promise<PhaseReport> {
  const { discord, slack, photos } = stage;
  const tracked = new Map<string, Tracked>();
  const onRequest = discordFollower(tracked);
  const onCall = slackFollower(tracked);
  let seen = slack.calls.length;
  const onSlackCall = () => {
    for (; seen < slack.calls.length; seen++) onCall(slack.calls[seen]!);
  };
  const envelopes = new Map<string, string>();
  const onAck = () => {
    for (const ack of slack.acks) {
      const t = tracked.get(envelopes.get(ack.envelope_id) ?? '');
      if (t && t.ackAt === undefined) t.ackAt = ack.at;
    }
  };
  discord.on('request', onRequest);
  slack.on('call', onSlackCall);
  slack.on('ack', onAck);
  stage.bot.ask('measure');
  const started = performance.now();
  try {
    // Round-robin over the members: the first `members` photos are everyone's first, and so on.
    for (let i = 0; i < phase.photos; i++) {
      const m = i % phase.members;
      const member = memberId(phase.platform, index, m);
      const file = photos[i % photos.length]!;
      if (phase.platform === 'discord') {
        const sentAt = performance.now();
        const { token } = await discord.dispatchInteraction({
          name: 'lookalike',
          user: { id: member, username: `soak${m}` },
          options: [{ name: 'image', type: 11, file }],
        });
        tracked.set(token, { member, sentAt, finals: [], noted: false, requests: 0 });
      } else {
        const sentAt = performance.now();
        const { ts, envelope } = mentionPhoto(slack, { userId: member, file, channelId: 'C0SOAK' });
        tracked.set(ts, { member, sentAt, finals: [], noted: false, requests: 0 });
        envelopes.set(envelope, ts);
      }
    }
    const dispatchedMs = performance.now() - started;
    const deadline = performance.now() + (stage.drain ?? 180_000);
    const pending = () => [...tracked.values()].some((t) => t.finals.length === 0);
    while (pending() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    // A little longer, so that a second answer to anything would be seen.
    await new Promise((r) => setTimeout(r, 1_500));
    const measured = await stage.bot.ask('report');
    return report(phase, [...tracked.values()], { ...measured, dispatchedMs });
  } finally {
    discord.off('request', onRequest);
    slack.off('call', onSlackCall);
    slack.off('ack', onAck);
  }
}
