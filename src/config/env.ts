// The one table of environment variables: `loadConfig` reads these names, `.env.example` is rendered from
// it (test/unit/chat-config.test.ts checks the file matches), and the start-up help lists the optional ones.

/** The sections of `.env.example`, in order. */
export const ENV_SECTIONS = {
  discord: 'Discord (discord.js v14)',
  slack: 'Slack (@slack/bolt)',
  playground: 'Playground (used when no platform token is set)',
  everyone: 'Everyone',
  scale: 'Scaling out (see README, "Scaling out"); leave empty on one machine',
} as const;

/** One environment variable Lookalike reads. */
export interface EnvVar {
  name: string;
  section: keyof typeof ENV_SECTIONS;
  /** Comment lines above it in `.env.example`; empty when the previous one explains it. */
  comment: readonly string[];
  /** The value `.env.example` shows (empty: unset). */
  example: string;
  /** Optional everywhere (listed in the "nothing configured" help). */
  optional?: boolean;
}

/** Every variable, in `.env.example` order. */
export const ENV_TABLE: readonly EnvVar[] = [
  {
    name: 'DISCORD_TOKEN',
    section: 'discord',
    comment: ['Bot token and application id from https://discord.com/developers/applications'],
    example: '',
  },
  { name: 'DISCORD_APP_ID', section: 'discord', comment: [], example: '' },
  {
    name: 'DISCORD_GUILD_ID',
    section: 'discord',
    comment: ['Register slash commands to one server while developing (npm run deploy:discord)'],
    example: '',
  },
  {
    name: 'DISCORD_API_URL',
    section: 'discord',
    comment: [
      'Optional REST base URL (without /v10), e.g. an @discordjs/proxy; the gateway URL',
      "is then read from that API's /gateway/bot",
    ],
    example: '',
  },
  {
    name: 'DISCORD_CDN_URL',
    section: 'discord',
    comment: ['Optional CDN base for profile pictures (default https://cdn.discordapp.com)'],
    example: '',
  },
  {
    name: 'SLACK_BOT_TOKEN',
    section: 'slack',
    comment: ['Bot token (xoxb-…) and, for Socket Mode (the default), an app-level token (xapp-…)'],
    example: '',
  },
  { name: 'SLACK_APP_TOKEN', section: 'slack', comment: [], example: '' },
  {
    name: 'SLACK_MODE',
    section: 'slack',
    comment: ['socket (default, no public URL needed) or http (needs SLACK_SIGNING_SECRET)'],
    example: 'socket',
  },
  { name: 'SLACK_SIGNING_SECRET', section: 'slack', comment: [], example: '' },
  {
    name: 'SLACK_API_URL',
    section: 'slack',
    comment: ['Optional Web API base URL; GovSlack workspaces use https://slack-gov.com/api/'],
    example: '',
  },
  { name: 'PORT', section: 'playground', comment: [], example: '3000', optional: true },
  { name: 'HOST', section: 'playground', comment: [], example: '127.0.0.1', optional: true },
  {
    name: 'ADMIN_USER_IDS',
    section: 'everyone',
    comment: ['Comma-separated user ids with admin rights on every platform (1234 or discord:1234)'],
    example: '',
    optional: true,
  },
  {
    name: 'LOOKALIKE_STORE',
    section: 'everyone',
    comment: [
      'Gallery store, any keyv URL: sqlite://./data/lookalike.sqlite (default),',
      'redis://user:pass@host:6379, memory:// (lost on exit)',
    ],
    example: 'sqlite://./data/lookalike.sqlite',
    optional: true,
  },
  {
    name: 'FACE_BACKEND',
    section: 'everyone',
    comment: [
      'Face backend: auto (ONNX Runtime, else tfjs-node where it installed, else wasm), onnx, tensorflow or wasm',
    ],
    example: 'auto',
    optional: true,
  },
  {
    name: 'FACE_PRECISION',
    section: 'everyone',
    comment: [
      'Model precision on ONNX Runtime: auto (int8 where the CPU has AVX-512 VNNI or AVX-VNNI, else fp32),',
      'int8 or fp32. Changing it re-embeds galleries once (docs/engine-speed.md)',
    ],
    example: 'auto',
    optional: true,
  },
  {
    name: 'LOOKALIKE_WORKERS',
    section: 'everyone',
    comment: ['Inference worker threads (default: one per core)'],
    example: '',
    optional: true,
  },
  {
    name: 'LOOKALIKE_DEBUG',
    section: 'everyone',
    comment: ['Set to 1 for stack traces of unexpected command-line errors'],
    example: '',
    optional: true,
  },
  {
    name: 'LOOKALIKE_QUEUE',
    section: 'scale',
    comment: [
      'Redis inference queue: bot processes queue photos there and `npm run worker`',
      'processes (on any machine) analyse them. Empty: the in-process pool, as before.',
    ],
    example: '',
  },
  {
    name: 'LOOKALIKE_QUEUE_LIMIT',
    section: 'scale',
    comment: ['Bot: photos that may wait over all bot processes before "busy, try again" (100)'],
    example: '',
  },
  {
    name: 'LOOKALIKE_QUEUE_TTL',
    section: 'scale',
    comment: [
      'Bot: seconds a photo may wait and be analysed before the member is asked to try',
      'again and the photo is dropped from Redis (60)',
    ],
    example: '',
  },
  {
    name: 'LOOKALIKE_QUEUE_LOCK',
    section: 'scale',
    comment: [
      "Worker: seconds a worker's lock on a photo lasts; a dead worker's photo is",
      'retried on another worker after about this long (10)',
    ],
    example: '',
  },
  {
    name: 'DISCORD_SHARDS',
    section: 'scale',
    comment: ['Discord shards in this process: auto (as many as Discord recommends) or a count'],
    example: '',
  },
  {
    name: 'DISCORD_SHARD_IDS',
    section: 'scale',
    comment: ["...or this machine's share when several machines split the shards: ids out of a count"],
    example: '',
  },
  { name: 'DISCORD_SHARD_COUNT', section: 'scale', comment: [], example: '' },
];

/** Every environment variable Lookalike reads, for help texts. */
export const ENV_VARS: readonly string[] = ENV_TABLE.map((v) => v.name);

const HEADER = [
  '# Lookalike configuration. Every platform is optional: with none set, `npm start`',
  '# serves the local playground at http://127.0.0.1:3000.',
  '# Tokens are read from the environment only and are never logged.',
];

/** The text of `.env.example`, rendered from the table. */
export function renderEnvExample(): string {
  const lines = [...HEADER];
  for (const [section, title] of Object.entries(ENV_SECTIONS)) {
    lines.push('', `# --- ${title} `.padEnd(77, '-'));
    for (const v of ENV_TABLE.filter((e) => e.section === section)) {
      lines.push(...v.comment.map((c) => `# ${c}`), `${v.name}=${v.example}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
