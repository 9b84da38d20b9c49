import type { CommandData, OptionSpec, SubcommandSpec } from '../../chat/types.ts';

/** A slash command's text, split into the neutral command's subcommand and option values. */
export interface ParsedArguments {
  subcommand?: string;
  /** Raw text of string, integer and boolean options, by option name. */
  values: Record<string, string>;
  /** Slack user ids given for `user` options (`<@U123|name>` in the text), by option name. */
  users: Record<string, string>;
  /** Why the text could not be read, for an ephemeral usage hint. */
  error?: string;
}

/** Option types typed as text in Slack (attachments come from recent photos, users from mentions). */
const TEXT_TYPES: ReadonlySet<OptionSpec['type']> = new Set(['string', 'integer', 'boolean']);
// Slack escapes users as <@U123|name> (or <@U123> when the command's should_escape is on).
const USER_MENTION = /<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g;
const ARROW = /\s*(?:->|→|=>)\s*/;

/** The subcommand spec of `data` named `name`, if any. */
export function subcommandOf(data: CommandData, name: string | undefined): SubcommandSpec | undefined {
  return name === undefined ? undefined : data.subcommands?.find((s) => s.name === name);
}

/** The options a command (or its subcommand) takes. */
export function optionsOf(data: CommandData, subcommand?: string): readonly OptionSpec[] {
  return (subcommand !== undefined ? subcommandOf(data, subcommand)?.options : data.options) ?? [];
}

/** Undoes Slack's escaping of `&`, `<` and `>` in command text. */
export function unescapeSlack(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Splits on whitespace, keeping "double-quoted" (or “curly-quoted”) words together. */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const m of text.matchAll(/"([^"]*)"|“([^”]*)”|(\S+)/g)) tokens.push(m[1] ?? m[2] ?? m[3] ?? '');
  return tokens;
}

/** How to type a command in Slack, e.g. `/gallery rename <from> -> <to>`. */
export function usage(data: CommandData, subcommand?: string): string {
  const text = optionsOf(data, subcommand).filter((o) => TEXT_TYPES.has(o.type));
  const users = optionsOf(data, subcommand).filter((o) => o.type === 'user');
  const parts = [`/${data.name}`];
  if (subcommand !== undefined) parts.push(subcommand);
  else if (data.subcommands) parts.push(data.subcommands.map((s) => s.name).join('|'));
  const words = text.map((o) => (o.required ? `<${o.name}>` : `[${o.name}]`));
  if (text.filter((o) => o.type === 'string').length >= 2) parts.push(words.join(' -> '));
  else parts.push(...words);
  parts.push(...users.map((o) => `[@${o.name}]`));
  return parts.join(' ');
}

/**
 * Reads a slash command's text for a neutral command:
 * - when the command has subcommands, the first word picks one (`/gallery list 2`);
 * - `<@U…>` mentions fill `user` options, in order;
 * - `name:value` pairs (`/gallery list page:2`) fill options by name, each value running to the next pair;
 * - otherwise words fill the text options in order: numbers and yes/no one word each, a name the words
 *   between them (`/enroll Brad Pitt`, `/game battle Brad Pitt 3`), "quotes" group words, and two or
 *   more names are separated by `->` (`/gallery rename Old Name -> New Name`; one word each needs none).
 * Attachment options are not typed: the adapter fills them from the caller's recent photos.
 */
export function parseArguments(data: CommandData | undefined, rawText: string): ParsedArguments {
  const result: ParsedArguments = { values: {}, users: {} };
  let text = rawText.trim();
  if (!data) return result;

  if (data.subcommands && text !== '') {
    const [first = '', ...rest] = text.split(/\s+/);
    result.subcommand = first.toLowerCase();
    text = rest.join(' ');
  }
  const options = optionsOf(data, result.subcommand);

  const userOptions = options.filter((o) => o.type === 'user');
  const mentioned = [...text.matchAll(USER_MENTION)].map((m) => m[1]!);
  userOptions.forEach((o, i) => {
    const id = mentioned[i];
    if (id !== undefined) result.users[o.name] = id;
  });
  text = unescapeSlack(text.replace(USER_MENTION, ' ')).replace(/\s+/g, ' ').trim();

  const textOptions = options.filter((o) => TEXT_TYPES.has(o.type));
  if (text === '') return result;
  if (textOptions.length === 0) {
    // `/help me` or `/watch on now`: extra words are harmless. But `/lookalike Brad Pitt` shows a
    // misunderstanding (it wants a photo or a mention), so commands with options say how to use them.
    if (options.length > 0) {
      result.error = `\`/${data.name}\` takes no text. Usage: \`${usage(data, result.subcommand)}\``;
    }
    return result;
  }

  if (assignNamed(textOptions, text, result)) return result;
  if (textOptions.length >= 2 && ARROW.test(text)) {
    const parts = text.split(ARROW).map((p) => stripQuotes(p.trim()));
    if (parts.length > textOptions.length) {
      result.error = `Too many \`->\`. Usage: \`${usage(data, result.subcommand)}\``;
      return result;
    }
    parts.forEach((p, i) => {
      if (p !== '') result.values[textOptions[i]!.name] = p;
    });
    return result;
  }

  const error = assignPositional(textOptions, tokenize(text), result);
  if (error) result.error = `${error} Usage: \`${usage(data, result.subcommand)}\``;
  return result;
}

function fits(spec: OptionSpec, token: string): boolean {
  if (spec.type === 'integer') return /^[+-]?\d+$/.test(token);
  if (spec.type === 'boolean') return /^(yes|no|true|false|on|off|1|0)$/i.test(token);
  return true;
}

// Numbers and yes/no take one word each; one name takes the words left between them, so
// `/game battle Brad Pitt 3` is celebrity "Brad Pitt" and minutes 3. Several names need `->`.
function assignPositional(
  options: OptionSpec[],
  tokens: string[],
  result: ParsedArguments,
): string | undefined {
  const names = options.filter((o) => o.type === 'string');
  if (names.length >= 2 && tokens.length > options.length) {
    return 'Separate the names with `->`.';
  }
  if (names.length !== 1) {
    if (tokens.length > options.length) return 'Too many words.';
    tokens.forEach((t, i) => {
      result.values[options[i]!.name] = t;
    });
    return undefined;
  }
  const at = options.indexOf(names[0]!);
  const before = options.slice(0, at);
  const after = options.slice(at + 1);
  let start = 0;
  for (const o of before) {
    const t = tokens[start];
    if (t === undefined) return undefined;
    result.values[o.name] = t;
    start++;
  }
  let end = tokens.length;
  // Trailing options are filled from the end while the words look like them (they are often optional).
  for (let i = after.length - 1; i >= 0 && end - 1 > start; i--) {
    const o = after[i]!;
    const t = tokens[end - 1]!;
    if (!fits(o, t)) {
      if (o.required) return `\`${t}\` is not a valid ${o.name}.`;
      continue;
    }
    result.values[o.name] = t;
    end--;
  }
  const name = tokens.slice(start, end).join(' ');
  if (name !== '') result.values[names[0]!.name] = name;
  return undefined;
}

function stripQuotes(text: string): string {
  const m = /^"(.*)"$|^“(.*)”$/.exec(text);
  return m ? (m[1] ?? m[2] ?? '') : text;
}

// `page:2`, `name:Brad Pitt image:…`: the Discord-style syntax the shared help texts show.
function assignNamed(options: OptionSpec[], text: string, result: ParsedArguments): boolean {
  const names = options.map((o) => o.name.replace(/[^a-z0-9_]/gi, '')).filter((n) => n !== '');
  if (names.length === 0) return false;
  const marker = new RegExp(`(?:^|\\s)(${names.join('|')}):`, 'gi');
  const hits = [...text.matchAll(marker)];
  if (hits.length === 0) return false;
  const leading = text.slice(0, hits[0]!.index).trim();
  hits.forEach((hit, i) => {
    const start = hit.index + hit[0].length;
    const end = hits[i + 1]?.index ?? text.length;
    const option = options.find((o) => o.name.toLowerCase() === hit[1]!.toLowerCase());
    const value = stripQuotes(text.slice(start, end).trim());
    if (option && value !== '') result.values[option.name] = value;
  });
  const unnamed = options.find((o) => result.values[o.name] === undefined);
  if (leading !== '' && unnamed) result.values[unnamed.name] = stripQuotes(leading);
  return true;
}
