import { redact } from '../config/redact.ts';

/** Severity of a log line. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Extra context on a log line; values are printed as JSON. */
export type LogFields = Record<string, unknown>;

/** What the bot, adapters and main log through; every implementation must redact secrets. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** Options for `createLogger`. */
export interface LoggerOptions {
  /** Values to hide wherever they appear (tokens, signing secrets). */
  secrets?: readonly string[];
  /** Lines below this level are dropped (default `info`). */
  level?: LogLevel;
  /** Where lines go (default stderr). */
  write?: (line: string) => void;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

function serialise(fields: LogFields): string {
  return JSON.stringify(fields, (_key, value: unknown) => {
    if (value instanceof Error) {
      const code = (value as { code?: unknown }).code;
      return { name: value.name, message: value.message, code, stack: value.stack };
    }
    if (typeof value === 'bigint') return value.toString();
    return value;
  });
}

/** A line logger that redacts configured secrets and token-shaped strings from every line. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const min = ORDER[options.level ?? 'info'];
  const secrets = options.secrets ?? [];
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const log = (level: LogLevel, message: string, fields?: LogFields) => {
    if (ORDER[level] < min) return;
    const extra = fields && Object.keys(fields).length > 0 ? ` ${serialise(fields)}` : '';
    write(redact(`${new Date().toISOString()} ${level.toUpperCase()} ${message}${extra}`, secrets));
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
  };
}

/** A logger that drops everything, for tests that do not look at logs. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
