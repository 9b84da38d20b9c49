import type {
  Attachment,
  Command,
  CommandData,
  OptionSpec,
  OptionValue,
  SubcommandSpec,
  UserOption,
} from '../../chat/types.ts';
import { UserError } from '../../errors.ts';

/** A typed command line, ready for `Bot.handleCommand`. */
export interface ParsedCommand {
  name: string;
  subcommand?: string;
  options: Record<string, OptionValue | undefined>;
}

/** A command (or subcommand) as the page lists it in its suggestions. */
export interface CommandUsage {
  /** E.g. `/gallery rename`. */
  command: string;
  /** E.g. `/gallery rename <from> -> <to>`. */
  usage: string;
  description: string;
  admin: boolean;
}

// Typed arguments are split on this when a command takes several texts, so names may contain spaces.
const ARROW = /\s*(?:->|→)\s*/;
const YES = new Set(['true', 'yes', 'on', '1']);
const NO = new Set(['false', 'no', 'off', '0']);
const ME = new Set(['me', '@me', 'myself']);

function unquote(text: string): string {
  const t = text.trim();
  const q = t[0];
  return t.length >= 2 && (q === '"' || q === "'") && t.endsWith(q) ? t.slice(1, -1) : t;
}

// Shell-like words: `"Brad Pitt" 3` gives two words.
function words(text: string): string[] {
  return [...text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
}

function photos(count: number): string {
  return count === 1 ? 'photo' : 'photos';
}

function attachmentUsage(specs: OptionSpec[]): string | undefined {
  const total = specs.length;
  if (total === 0) return undefined;
  const required = specs.filter((s) => s.required).length;
  if (required === total) return `+ ${total} ${photos(total)}`;
  if (required === 0) return total === 1 ? '[+ photo]' : `[+ up to ${total} photos]`;
  return `+ ${required}–${total} photos`;
}

/** How to type a command, e.g. `/enroll <name> + 1–5 photos`. */
export function usageOf(data: CommandData, sub?: SubcommandSpec): string {
  const specs = (sub ? sub.options : data.options) ?? [];
  const values = specs.filter((s) => s.type !== 'attachment');
  const strings = values.filter((s) => s.type === 'string').length;
  const args = values.map((s) => (s.required ? `<${s.name}>` : `[${s.name}]`));
  const parts = [`/${data.name}${sub ? ` ${sub.name}` : ''}`];
  if (args.length > 0) parts.push(args.join(strings >= 2 ? ' -> ' : ' '));
  const files = attachmentUsage(specs.filter((s) => s.type === 'attachment'));
  if (files) parts.push(files);
  return parts.join(' ');
}

/** One entry per command, or per subcommand, for the page's suggestions. */
export function usages(commands: Command[]): CommandUsage[] {
  return commands.flatMap(({ data }) => {
    const admin = data.requires?.includes('admin') ?? false;
    if (!data.subcommands) {
      return [{ command: `/${data.name}`, usage: usageOf(data), description: data.description, admin }];
    }
    return data.subcommands.map((sub) => ({
      command: `/${data.name} ${sub.name}`,
      usage: usageOf(data, sub),
      description: sub.description,
      admin: admin || (sub.requires?.includes('admin') ?? false),
    }));
  });
}

function convert(spec: OptionSpec, raw: string, me: UserOption): OptionValue {
  const value = unquote(raw);
  switch (spec.type) {
    case 'integer': {
      const n = Number(value);
      if (value === '' || !Number.isInteger(n)) {
        throw new UserError('bad_input', `\`${spec.name}\` must be a whole number, got "${value}".`);
      }
      return n;
    }
    case 'boolean': {
      const lower = value.toLowerCase();
      if (YES.has(lower)) return true;
      if (NO.has(lower)) return false;
      throw new UserError('bad_input', `\`${spec.name}\` must be yes or no, got "${value}".`);
    }
    case 'user':
      // The page has one person in it; "me" is the only member that can be picked.
      if (ME.has(value.toLowerCase())) return me;
      throw new UserError(
        'bad_input',
        `In the playground \`${spec.name}\` can only be \`me\`: there are no other members here.`,
      );
    default: {
      const choice = spec.choices?.find(
        (c) => c.value === value || c.name.toLowerCase() === value.toLowerCase(),
      );
      if (spec.choices && !choice) {
        const allowed = spec.choices.map((c) => c.value).join(', ');
        throw new UserError('bad_input', `\`${spec.name}\` must be one of: ${allowed}.`);
      }
      return choice?.value ?? value;
    }
  }
}

// `name:value` pairs (as Discord's client shows options) anywhere in the text; the rest is positional.
function splitNamed(text: string, specs: OptionSpec[]): { positional: string; named: Map<string, string> } {
  const named = new Map<string, string>();
  if (specs.length === 0) return { positional: text, named };
  const names = specs.map((s) => s.name.replace(/[^A-Za-z0-9_-]/g, '')).join('|');
  const re = new RegExp(`(?:^|\\s)(${names}):`, 'g');
  const hits = [...text.matchAll(re)];
  if (hits.length === 0) return { positional: text, named };
  hits.forEach((hit, i) => {
    const start = hit.index + hit[0].length;
    const end = hits[i + 1]?.index ?? text.length;
    named.set(hit[1]!, text.slice(start, end).trim());
  });
  return { positional: text.slice(0, hits[0]!.index).trim(), named };
}

function positionalValues(text: string, count: number): string[] {
  if (text === '') return [];
  if (count <= 1) return [text];
  if (ARROW.test(text)) return text.split(ARROW);
  const all = words(text);
  // The last option takes the rest, so `/enroll Brad Pitt`-style names need no quotes.
  return [...all.slice(0, count - 1), all.slice(count - 1).join(' ')].filter((w) => w !== '');
}

/**
 * Parses what was typed in the page (`/gallery rename Leonard -> Leo`, `/enroll name:Brad Pitt`) with
 * the attached files into a command invocation, using the command's own option declarations, so every
 * command works here without playground-specific code. Unknown commands pass through for the Bot to
 * answer; malformed arguments throw a UserError that names the usage.
 */
export function parseCommandLine(
  line: string,
  commands: Command[],
  attachments: Attachment[],
  me: UserOption,
): ParsedCommand {
  const match = /^\/(\S+)\s*([\s\S]*)$/.exec(line.trim());
  if (!match) throw new UserError('bad_input', 'Commands start with `/`, e.g. `/help`.');
  const name = match[1]!.toLowerCase();
  let rest = match[2]!.trim();
  const data = commands.find((c) => c.data.name === name)?.data;
  if (!data) return { name, options: {} };

  let sub: SubcommandSpec | undefined;
  if (data.subcommands) {
    const first = words(rest)[0]?.toLowerCase();
    sub = data.subcommands.find((s) => s.name === first);
    if (first !== undefined && !sub) {
      const list = data.subcommands.map((s) => `\`/${name} ${s.name}\``).join(', ');
      throw new UserError('bad_input', `/${name} has no "${first}": use ${list}.`);
    }
    if (sub) rest = rest.replace(/^\S+\s*/, '');
  }
  const label = sub ? `/${name} ${sub.name}` : `/${name}`;
  const usage = `Usage: \`${usageOf(data, sub)}\``;
  const specs = (sub ? sub.options : data.options) ?? [];
  const valueSpecs = specs.filter((s) => s.type !== 'attachment');
  const fileSpecs = specs.filter((s) => s.type === 'attachment');

  const options: Record<string, OptionValue | undefined> = {};
  const { positional, named } = splitNamed(rest, valueSpecs);
  for (const spec of valueSpecs) {
    const raw = named.get(spec.name);
    if (raw !== undefined) options[spec.name] = convert(spec, raw, me);
  }
  const open = valueSpecs.filter((s) => !named.has(s.name));
  const values = positionalValues(positional, open.length);
  if (values.length > open.length) {
    throw new UserError(
      'bad_input',
      `${label} ${open.length === 0 ? 'takes no text' : 'got more than it takes'}. ${usage}`,
    );
  }
  values.forEach((raw, i) => {
    options[open[i]!.name] = convert(open[i]!, raw, me);
  });

  if (attachments.length > fileSpecs.length) {
    const most =
      fileSpecs.length === 0 ? 'no files' : `at most ${fileSpecs.length} ${photos(fileSpecs.length)}`;
    throw new UserError('bad_input', `${label} takes ${most}, and ${attachments.length} were attached.`);
  }
  attachments.forEach((file, i) => {
    options[fileSpecs[i]!.name] = file;
  });

  const missing = specs.filter((s) => s.required && options[s.name] === undefined);
  if (missing.some((s) => s.type !== 'attachment')) {
    const names = missing.filter((s) => s.type !== 'attachment').map((s) => `\`${s.name}\``);
    throw new UserError('bad_input', `${label} needs ${names.join(' and ')}. ${usage}`);
  }
  if (missing.length > 0) {
    const count = fileSpecs.filter((s) => s.required).length;
    throw new UserError(
      'bad_input',
      `${label} needs ${count === 1 ? 'a photo' : `${count} photos`}: attach with the paperclip, drop them here or use the camera. ${usage}`,
    );
  }
  return sub ? { name, subcommand: sub.name, options } : { name, options };
}
