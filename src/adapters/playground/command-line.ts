import {
  commandEntries,
  parseText,
  parseValue,
  stripQuotes,
  type TextStyle,
  usage,
} from '../../chat/command-text.ts';
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

/** How the page's members type commands: every value as a word (`me` for a member), files attached. */
export const PLAYGROUND_TEXT: TextStyle = { users: 'word', photos: true };
const ME = new Set(['me', '@me', 'myself']);

/** How to type a command, e.g. `/enroll <name> + 1–5 photos`. */
export function usageOf(data: CommandData, sub?: SubcommandSpec): string {
  return usage(data, sub?.name, PLAYGROUND_TEXT);
}

/** One entry per command, or per subcommand, for the page's suggestions. */
export function usages(commands: Command[]): CommandUsage[] {
  return commandEntries(commands.map((c) => c.data)).map((e) => ({
    command: e.command,
    usage: usageOf(e.data, e.sub),
    description: e.description,
    admin: e.admin,
  }));
}

function convert(spec: OptionSpec, raw: string, me: UserOption): OptionValue {
  const value = stripQuotes(raw);
  if (spec.type === 'user') {
    // The page has one person in it; "me" is the only member that can be picked.
    if (ME.has(value.toLowerCase())) return me;
    throw new UserError('bad_option', { text: 'playground_only_me', option: spec.name });
  }
  const parsed = parseValue(spec, value);
  if (parsed !== undefined) return parsed;
  if (spec.type === 'integer') {
    throw new UserError('bad_option', { text: 'value_not_integer', option: spec.name, value });
  }
  if (spec.type === 'boolean') {
    throw new UserError('bad_option', { text: 'value_not_boolean', option: spec.name, value });
  }
  const items = spec.choices?.map((c) => String(c.value)) ?? [];
  throw new UserError('bad_option', { text: 'value_not_choice', option: spec.name, items });
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
  if (!match) throw new UserError('bad_command', { text: 'command_no_slash' });
  const name = match[1]!.toLowerCase();
  const data = commands.find((c) => c.data.name === name)?.data;
  if (!data) return { name, options: {} };

  const parsed = parseText(data, match[2]!, PLAYGROUND_TEXT);
  const sub = parsed.sub;
  if (parsed.subcommand !== undefined && !sub) {
    const items = data.subcommands?.map((s) => s.name) ?? [];
    throw new UserError('bad_command', {
      text: 'no_such_subcommand',
      command: name,
      subcommand: parsed.subcommand,
      items,
    });
  }
  if (parsed.error) throw parsed.error;
  const label = sub ? `/${name} ${sub.name}` : `/${name}`;
  const usage = usageOf(data, sub);
  const specs = (sub ? sub.options : data.options) ?? [];
  const fileSpecs = specs.filter((s) => s.type === 'attachment');
  const options: Record<string, OptionValue | undefined> = {};
  for (const spec of specs) {
    const raw = parsed.values[spec.name];
    if (raw !== undefined) options[spec.name] = convert(spec, raw, me);
  }

  if (attachments.length > fileSpecs.length) {
    throw new UserError('bad_command', {
      text: 'too_many_files',
      command: label,
      limit: fileSpecs.length,
      count: attachments.length,
    });
  }
  attachments.forEach((file, i) => {
    options[fileSpecs[i]!.name] = file;
  });

  const missing = specs.filter((s) => s.required && options[s.name] === undefined);
  if (missing.some((s) => s.type !== 'attachment')) {
    const items = missing.filter((s) => s.type !== 'attachment').map((s) => s.name);
    throw new UserError('missing_option', { text: 'needs_options', command: label, items, usage });
  }
  if (missing.length > 0) {
    const count = fileSpecs.filter((s) => s.required).length;
    throw new UserError('missing_option', { text: 'needs_photos', command: label, count, usage });
  }
  return sub ? { name, subcommand: sub.name, options } : { name, options };
}
