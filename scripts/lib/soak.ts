// Issue 12's overload soak: bursts of photos from many members, faster than the pool infers, through the
// Discord and Slack stand-ins into the real app (`startApp`: real adapters, Bot, rate limits and engine
// pool). Every interaction is followed from its dispatch to its acknowledgement and its answers.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createLogger } from '../../src/chat/logger.ts';
import { loadConfig } from '../../src/config/index.ts';
import { type RunningApp, startApp } from '../../src/main.ts';
import { DiscordStandin, type RecordedRequest } from '../../test/support/discord-standin.ts';
import { mentionPhoto } from '../../test/support/slack-payloads.ts';
import { type RecordedCall, SlackStandin } from '../../test/support/slack-standin.ts';
import { dataDir, people, readData } from './data.ts';
import {
  LAG_RESOLUTION_MS,
  type Outcome,
  type PhaseReport,
  report,
  type SoakPhase,
  type Tracked,
} from './soak-report.ts';

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
const QUEUED = /in the queue:/;
const BUSY = /busy looking at a lot of faces/;
const RATE = /going a bit fast/;
// Settles a public deferral before a private follow-up; neither an answer nor a note.
const PLACEHOLDER = '…';

function outcomeOf(text: string, rich: boolean): Outcome {
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

/** Runs the phases one after the other against one app; each phase's figures are measured on its own. */
export async function runSoak(options: SoakOptions): Promise<PhaseReport[]> {
  const bbt = path.join(dataDir(), 'bbt');
  const cast = people(bbt);
  const photos = cast.flatMap((p) => p.files.map((f) => `${p.name}/${path.basename(f)}`));
  const discord = new DiscordStandin({ dataDir: bbt });
  // Served from memory, so that dispatching a burst reads no file between interactions.
  for (const p of photos) discord.addFile(p, readData('bbt', p));
  const slack = new SlackStandin({ dataDir: bbt, botToken: BOT_TOKEN, appToken: APP_TOKEN });
  await discord.start();
  await slack.start();
  let app: RunningApp | undefined;
  try {
    app = await startApp(
      loadConfig({
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
      }),
      {
        discordMessageContent: false,
        logger: createLogger({ level: 'warn', write: options.log ?? (() => {}) }),
      },
    );
    // The global gallery, as `lookalike enroll` fills it: two photos of each person.
    const service = app.bot.deps.lookalike;
    for (const person of cast) {
      const images = person.files
        .slice(0, 2)
        .map((f) => ({ name: path.basename(f), data: new Uint8Array(readFileSync(f)) }));
      await service.enroll('global', person.name, images, 'soak');
    }
    // A bot that has been running has measured its time per photo; so has this one, after these.
    await Promise.all(photos.slice(0, 4).map((p) => service.identify('global', readData('bbt', p))));

    await warmUp(discord, slack, photos[0]!);

    const reports: PhaseReport[] = [];
    for (const [index, phase] of options.phases.entries()) {
      reports.push(await runPhase(index, phase, { discord, slack, photos, drain: options.drainTimeoutMs }));
    }
    return reports;
  } finally {
    await app?.stop();
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
}

async function runPhase(index: number, phase: SoakPhase, stage: Stage): Promise<PhaseReport> {
  const { discord, slack, photos } = stage;
  const tracked = new Map<string, Tracked>();
  const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 50);
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
  lag.enable();
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
    lag.disable();
    return report(phase, [...tracked.values()], { lag, peakRss, dispatchedMs });
  } finally {
    clearInterval(sampler);
    discord.off('request', onRequest);
    slack.off('call', onSlackCall);
    slack.off('ack', onAck);
  }
}
