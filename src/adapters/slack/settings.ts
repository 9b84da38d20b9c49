import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Logger } from '../../chat/logger.ts';
import type { SlackConfig } from '../../config/index.ts';
import { ConfigError } from '../../errors.ts';
import { slackErrorCode } from './outbox.ts';

/** Where Bolt's HTTP receiver listens in http mode (`startApp` passes HOST and PORT). */
export interface ListenOptions {
  port: number;
  host: string;
}

/**
 * The Web API base for `slackApiUrl`. WebClient appends method names to it directly, so it needs the
 * trailing slash the config strips (`https://slack-gov.com/api` -> `https://slack-gov.com/api/`).
 */
export function slackApiBase(config: Pick<SlackConfig, 'apiUrl'>): string | undefined {
  if (!config.apiUrl) return undefined;
  return config.apiUrl.endsWith('/') ? config.apiUrl : `${config.apiUrl}/`;
}

/** The `host[:port]` of SLACK_API_URL, where the bot token and response_urls may also go. */
export function extraHostsOf(config: Pick<SlackConfig, 'apiUrl'>): string[] {
  if (!config.apiUrl) return [];
  try {
    return [new URL(config.apiUrl).host.toLowerCase()];
  } catch {
    return [];
  }
}

const ORDER: Record<LogLevel, number> = {
  [LogLevel.DEBUG]: 0,
  [LogLevel.INFO]: 1,
  [LogLevel.WARN]: 2,
  [LogLevel.ERROR]: 3,
};

function text(parts: unknown[]): string {
  return parts
    .map((p) => (typeof p === 'string' ? p : p instanceof Error ? `${p.name}: ${p.message}` : safeJson(p)))
    .join(' ');
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Bolt's logger interface over ours, so Bolt's and the Socket Mode client's lines are redacted too. */
export function boltLogger(logger: Logger, initial: LogLevel = LogLevel.INFO): BoltLogger {
  let level = initial;
  let name = 'bolt';
  const emit = (at: LogLevel, parts: unknown[]) => {
    if (ORDER[at] < ORDER[level]) return;
    logger[at](`Slack ${name}: ${text(parts)}`);
  };
  return {
    debug: (...parts: unknown[]) => emit(LogLevel.DEBUG, parts),
    info: (...parts: unknown[]) => emit(LogLevel.INFO, parts),
    warn: (...parts: unknown[]) => emit(LogLevel.WARN, parts),
    error: (...parts: unknown[]) => emit(LogLevel.ERROR, parts),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: (next: string) => {
      name = next;
    },
  };
}

// A refused token is a configuration mistake: say which setting, like loadConfig does.
export function rejected(setting: string, what: string, err: unknown): unknown {
  const code = slackErrorCode(err);
  if (code === undefined) return err;
  return new ConfigError(`Slack refused ${setting} (${code}). Check that it is ${what}.`, {
    cause: err,
  });
}
