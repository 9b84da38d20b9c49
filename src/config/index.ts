import type { EngineOptions } from '../engine/index.ts';
import { ConfigError } from '../errors.ts';
import { ENV_TABLE } from './env.ts';
import { type DiscordShards, discordShards, type QueueConfig, queueConfig } from './scale-out.ts';

export { ENV_VARS, renderEnvExample } from './env.ts';
export { quietOnnxRuntime } from './native-runtime.ts';
export type { DiscordShards, QueueConfig } from './scale-out.ts';
export { sharedStateUrl } from './scale-out.ts';

/** Discord settings; present only when the bot should connect to Discord. */
export interface DiscordConfig {
  token: string;
  appId: string;
  /** Commands are registered to this server only (instant updates while developing); else globally. */
  guildId?: string;
  /** REST base URL without the version (`/v10` is appended by discord.js), e.g. an `@discordjs/proxy`. */
  apiUrl?: string;
  /** CDN base for profile pictures (DISCORD_CDN_URL; default Discord's, https://cdn.discordapp.com). */
  cdnUrl?: string;
  /** Which shards this process runs (DISCORD_SHARDS, DISCORD_SHARD_IDS); unset: one shard. */
  shards?: DiscordShards;
}

/** Slack settings; present only when the bot should connect to Slack. */
export interface SlackConfig {
  botToken: string;
  /** App-level token (`xapp-…`), needed in socket mode. */
  appToken?: string;
  /** Needed in http mode to verify Slack's request signatures. */
  signingSecret?: string;
  mode: 'socket' | 'http';
  apiUrl?: string;
}

/** The face engine backends FACE_BACKEND names; `auto` picks the fastest one installed. */
export const FACE_BACKENDS = ['auto', 'onnx', 'tensorflow', 'wasm'] as const;

/** Which backend the face engine uses. */
export type FaceBackend = (typeof FACE_BACKENDS)[number];

/** FACE_PRECISION's values; `auto` is int8 where the CPU has VNNI (src/engine/precision.ts). */
export const FACE_PRECISIONS = ['auto', 'int8', 'fp32'] as const;

/** Which precision the ONNX models run at. */
export type FacePrecision = (typeof FACE_PRECISIONS)[number];

/** What the service needs from the environment, for the bot and the command line alike. */
export interface CoreConfig {
  /** A keyv URL (`sqlite://data/lookalike.sqlite`, `redis://…`, `memory://`); unset: the store's default. */
  storeUrl?: string;
  faceBackend: FaceBackend;
  /** FACE_PRECISION, default auto. */
  facePrecision: FacePrecision;
  /** Inference worker threads; unset: one per core. */
  workers?: number;
  /** Stack traces for unexpected command-line errors (LOOKALIKE_DEBUG). */
  debug: boolean;
}

/** Everything read from the environment, validated once at start-up. */
export interface Config extends CoreConfig {
  discord?: DiscordConfig;
  slack?: SlackConfig;
  /** Platform ids or qualified ids (`discord:1234`) with admin rights on every server. */
  adminUserIds: string[];
  port: number;
  host: string;
  /** Inference through the Redis queue (LOOKALIKE_QUEUE); unset: the in-process pool. */
  queue?: QueueConfig;
}

/** What `npm run worker` reads: the queue to serve and the local engine to serve it with. */
export interface WorkerConfig extends Pick<CoreConfig, 'faceBackend' | 'facePrecision' | 'workers'> {
  queue: QueueConfig;
}

type Env = Record<string, string | undefined>;

const SNOWFLAKE = /^\d{5,25}$/;

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function url(env: Env, name: string, errors: string[]): string | undefined {
  const value = read(env, name);
  if (value === undefined) return undefined;
  try {
    const parsed = new URL(value);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http');
  } catch {
    errors.push(`${name} must be an http(s) URL, got "${value}".`);
    return undefined;
  }
  return value.replace(/\/+$/, '');
}

function missingFor(platform: string, present: string[], required: string[], env: Env): string | undefined {
  const missing = required.filter((name) => read(env, name) === undefined);
  if (missing.length === 0) return undefined;
  return `${platform} is partly configured (${present.join(', ')} set) but ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} missing.`;
}

function discord(env: Env, errors: string[]): DiscordConfig | undefined {
  const names = ['DISCORD_TOKEN', 'DISCORD_APP_ID', 'DISCORD_GUILD_ID', 'DISCORD_API_URL', 'DISCORD_CDN_URL'];
  const present = names.filter((n) => read(env, n) !== undefined);
  if (present.length === 0) return undefined;
  const problem = missingFor('Discord', present, ['DISCORD_TOKEN', 'DISCORD_APP_ID'], env);
  if (problem) {
    errors.push(problem);
    return undefined;
  }
  const appId = read(env, 'DISCORD_APP_ID')!;
  const guildId = read(env, 'DISCORD_GUILD_ID');
  if (!SNOWFLAKE.test(appId)) errors.push(`DISCORD_APP_ID must be a numeric id, got "${appId}".`);
  if (guildId !== undefined && !SNOWFLAKE.test(guildId)) {
    errors.push(`DISCORD_GUILD_ID must be a numeric id, got "${guildId}".`);
  }
  // discord.js appends `/v10` itself; accept a URL copied with the version so it is not doubled.
  const apiUrl = url(env, 'DISCORD_API_URL', errors)?.replace(/\/v\d+$/, '');
  const cdnUrl = url(env, 'DISCORD_CDN_URL', errors)?.replace(/\/+$/, '');
  return {
    token: read(env, 'DISCORD_TOKEN')!,
    appId,
    guildId,
    apiUrl,
    ...(cdnUrl ? { cdnUrl } : {}),
    shards: discordShards(env, errors),
  };
}

function slack(env: Env, errors: string[]): SlackConfig | undefined {
  const names = ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_MODE', 'SLACK_API_URL'];
  const present = names.filter((n) => read(env, n) !== undefined);
  if (present.length === 0) return undefined;
  const mode = read(env, 'SLACK_MODE') ?? 'socket';
  if (mode !== 'socket' && mode !== 'http') {
    errors.push(`SLACK_MODE must be "socket" or "http", got "${mode}".`);
    return undefined;
  }
  const needed = ['SLACK_BOT_TOKEN', mode === 'socket' ? 'SLACK_APP_TOKEN' : 'SLACK_SIGNING_SECRET'];
  const problem = missingFor(`Slack (${mode} mode)`, present, needed, env);
  if (problem) {
    errors.push(problem);
    return undefined;
  }
  return {
    botToken: read(env, 'SLACK_BOT_TOKEN')!,
    appToken: read(env, 'SLACK_APP_TOKEN'),
    signingSecret: read(env, 'SLACK_SIGNING_SECRET'),
    mode,
    apiUrl: url(env, 'SLACK_API_URL', errors),
  };
}

function port(env: Env, errors: string[]): number {
  const value = read(env, 'PORT');
  if (value === undefined) return 3000;
  const n = Number(value);
  // 0 asks the OS for a free port, which tests use.
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    errors.push(`PORT must be a whole number from 0 to 65535, got "${value}".`);
    return 3000;
  }
  return n;
}

function backend(env: Env, errors: string[]): FaceBackend {
  const value = read(env, 'FACE_BACKEND') ?? 'auto';
  const known = FACE_BACKENDS.find((b) => b === value.toLowerCase());
  if (known) return known;
  errors.push(
    `FACE_BACKEND must be ${FACE_BACKENDS.slice(0, -1).join(', ')} or ${FACE_BACKENDS.at(-1)}, got "${value}".`,
  );
  return 'auto';
}

function precision(env: Env, errors: string[]): FacePrecision {
  const value = read(env, 'FACE_PRECISION') ?? 'auto';
  const known = FACE_PRECISIONS.find((p) => p === value.toLowerCase());
  if (known) return known;
  errors.push(`FACE_PRECISION must be auto, int8 or fp32, got "${value}".`);
  return 'auto';
}

function workers(env: Env, errors: string[]): number | undefined {
  const value = read(env, 'LOOKALIKE_WORKERS');
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    errors.push(`LOOKALIKE_WORKERS must be a whole number of at least 1, got "${value}".`);
    return undefined;
  }
  return n;
}

function core(env: Env, errors: string[]): CoreConfig {
  const debug = read(env, 'LOOKALIKE_DEBUG');
  return {
    storeUrl: read(env, 'LOOKALIKE_STORE'),
    faceBackend: backend(env, errors),
    facePrecision: precision(env, errors),
    workers: workers(env, errors),
    debug: debug !== undefined && !/^(0|false|no|off)$/i.test(debug),
  };
}

function fail(errors: string[]): never {
  throw new ConfigError(`Invalid configuration:\n${errors.map((e) => `- ${e}`).join('\n')}`);
}

/** The face engine's options from the configuration (the engine itself reads no environment). */
export function engineOptions(config: CoreConfig, log: (line: string) => void): EngineOptions {
  return { backend: config.faceBackend, precision: config.facePrecision, workers: config.workers, log };
}

/** Reads what the service needs (store, face backend, workers, debug): what the command line uses. */
export function loadCoreConfig(env: Env): CoreConfig {
  const errors: string[] = [];
  const config = core(env, errors);
  if (errors.length > 0) fail(errors);
  return config;
}

/**
 * Reads and validates the configuration from environment variables (normally `process.env`). Every
 * platform is optional, but a partly configured one is an error naming what is missing; all problems
 * are reported at once as one ConfigError. Secrets never appear in its message.
 */
export function loadConfig(env: Env): Config {
  const errors: string[] = [];
  const config: Config = {
    ...core(env, errors),
    discord: discord(env, errors),
    slack: slack(env, errors),
    adminUserIds: (read(env, 'ADMIN_USER_IDS') ?? '')
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id !== ''),
    port: port(env, errors),
    host: read(env, 'HOST') ?? '127.0.0.1',
    queue: queueConfig(env, errors),
  };
  if (errors.length > 0) fail(errors);
  return config;
}

/** Reads and validates what an inference worker (`npm run worker`) needs; LOOKALIKE_QUEUE is required. */
export function loadWorkerConfig(env: Env = process.env): WorkerConfig {
  const errors: string[] = [];
  const queue = queueConfig(env, errors);
  if (!queue && errors.length === 0) {
    errors.push('LOOKALIKE_QUEUE is not set: point it at the Redis the bot processes queue photos on.');
  }
  const { faceBackend, facePrecision, workers } = core(env, errors);
  if (errors.length > 0 || !queue) fail(errors);
  return { queue, faceBackend, facePrecision, workers };
}

/** The values loggers must hide. */
export function secretsOf(config: Config): string[] {
  return [
    config.discord?.token,
    config.slack?.botToken,
    config.slack?.appToken,
    config.slack?.signingSecret,
    queuePassword(config.queue),
  ].filter((s): s is string => s !== undefined);
}

/** The password in a queue URL, hidden like a token (URLs are logged redacted, but errors may quote them). */
export function queuePassword(queue: QueueConfig | undefined): string | undefined {
  if (!queue) return undefined;
  try {
    return decodeURIComponent(new URL(queue.url).password) || undefined;
  } catch {
    return undefined;
  }
}

/** What to set to start at least one platform, printed when none is configured. */
export const NO_PLATFORM_HELP = [
  'No chat platform is configured, so there is nothing to start. Set one of:',
  '  Discord: DISCORD_TOKEN and DISCORD_APP_ID (optional: DISCORD_GUILD_ID, DISCORD_API_URL),',
  '           then run `npm run deploy:discord` once to register the slash commands.',
  '  Slack:   SLACK_BOT_TOKEN and SLACK_APP_TOKEN (socket mode, the default),',
  '           or SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET and SLACK_MODE=http.',
  `Optional everywhere: ${ENV_TABLE.filter((v) => v.optional)
    .map((v) => v.name)
    .join(', ')}.`,
].join('\n');
