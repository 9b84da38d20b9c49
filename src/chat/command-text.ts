// The one reader of typed command text, for platforms where members type `/command words` (Slack's
// slash commands, the playground's message box): subcommands, `name:value` pairs, `->` between names,
// yes/no words, quotes, and how to write each command (usage). Adapters add only what is theirs: Slack's
// `<@U…>` mentions and recent photos, the playground's `me` and attached files.
import { UserError } from '../errors.ts';
import type { TextContext } from '../user-texts.ts';
import type { CommandData, OptionSpec, OptionValue, SubcommandSpec } from './types.ts';

/** What a platform's members type, as the parser and the usage texts need to know it. */
export interface TextStyle {
  /** `word`: a user option is typed like any value (`me`); `mention`: it comes from `@name`. */
  users: 'word' | 'mention';
  /** Whether usage texts show the photos a command takes (`+ 2 photos`). */
  photos: boolean;
}

/** Typed text read for a command: the subcommand and each option's raw text. */
export interface ParsedText {
  /** The first word, lower-cased, when the command has subcommands (also an unknown one). */
  subcommand?: string;
  /** The subcommand's spec, when the first word names one. */
  sub?: SubcommandSpec;
  /** Raw text by option name; `parseValue` converts it. */
  values: Record<string, string>;
  /** Why the text could not be read, with the usage: thrown by the playground, said by Slack. */
  error?: UserError;
  /** Words typed to a command that takes no typed options (some platforms ignore them). */
  extra?: string;
}

/** Separates two or more names: `/gallery rename Old Name -> New Name` (also `→` and `=>`). */
export const ARROW = /\s*(?:->|→|=>)\s*/;
const YES = /^(yes|true|on|1)$/i;
const NO = /^(no|false|off|0)$/i;
const INTEGER = /^[+-]?\d+$/;
const QUOTED = /^"(.*)"$|^“(.*)”$|^'(.*)'$/s;

/** The subcommand spec of `data` named `name`, if any. */
export function subcommandOf(data: CommandData, name: string | undefined): SubcommandSpec | undefined {
  return name === undefined ? undefined : data.subcommands?.find((s) => s.name === name);
}

/** The options a command (or its subcommand) takes. */
export function optionsOf(data: CommandData, subcommand?: string): readonly OptionSpec[] {
  return (subcommand !== undefined ? subcommandOf(data, subcommand)?.options : data.options) ?? [];
}

/** Splits on whitespace, keeping "double-quoted", “curly-quoted” and 'single-quoted' words together. */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const m of text.matchAll(/"([^"]*)"|“([^”]*)”|'([^']*)'|(\S+)/g)) {
    tokens.push(m[1] ?? m[2] ?? m[3] ?? m[4] ?? '');
  }
  return tokens;
}

/** The text without one pair of surrounding quotes. */
export function stripQuotes(text: string): string {
  const m = QUOTED.exec(text.trim());
  return m ? (m[1] ?? m[2] ?? m[3] ?? '') : text.trim();
}

/** Whether the option is typed as a word on this platform (photos never are; users only as `word`). */
function typedAsWord(spec: OptionSpec, style: TextStyle): boolean {
  return spec.type === 'attachment' ? false : spec.type !== 'user' || style.users === 'word';
}

function photosUsage(specs: readonly OptionSpec[]): string | undefined {
  const total = specs.length;
  if (total === 0) return undefined;
  const required = specs.filter((s) => s.required).length;
  if (required === total) return `+ ${total} ${total === 1 ? 'photo' : 'photos'}`;
  if (required === 0) return total === 1 ? '[+ photo]' : `[+ up to ${total} photos]`;
  return `+ ${required}–${total} photos`;
}

/** How to type a command, e.g. `/gallery rename <from> -> <to>`, `/enroll <name> + 1–5 photos`. */
export function usage(data: CommandData, subcommand: string | undefined, style: TextStyle): string {
  const specs = optionsOf(data, subcommand);
  const words = specs.filter((o) => typedAsWord(o, style));
  const parts = [`/${data.name}`];
  if (subcommand !== undefined) parts.push(subcommand);
  else if (data.subcommands) parts.push(data.subcommands.map((s) => s.name).join('|'));
  const args = words.map((o) => (o.required ? `<${o.name}>` : `[${o.name}]`));
  if (args.length > 0)
    parts.push(args.join(words.filter((o) => o.type === 'string').length >= 2 ? ' -> ' : ' '));
  if (style.users === 'mention')
    parts.push(...specs.filter((o) => o.type === 'user').map((o) => `[@${o.name}]`));
  const photos = style.photos ? photosUsage(specs.filter((o) => o.type === 'attachment')) : undefined;
  if (photos) parts.push(photos);
  return parts.join(' ');
}

/**
 * Converts an option's raw text: whole numbers, yes/no words (yes, true, on, 1 / no, false, off, 0),
 * a choice by value or name, or the text. Undefined when the text does not fit the option.
 */
export function parseValue(spec: OptionSpec, raw: string): OptionValue | undefined {
  const value = stripQuotes(raw);
  if (spec.type === 'integer') return INTEGER.test(value) ? Number(value) : undefined;
  if (spec.type === 'boolean') return YES.test(value) ? true : NO.test(value) ? false : undefined;
  if (spec.type !== 'string') return undefined;
  if (!spec.choices) return value;
  const lower = value.toLowerCase();
  return spec.choices.find((c) => c.value === value || c.name.toLowerCase() === lower)?.value;
}

function fits(spec: OptionSpec, token: string): boolean {
  if (spec.type === 'integer') return INTEGER.test(token);
  if (spec.type === 'boolean') return YES.test(token) || NO.test(token);
  return true;
}

/**
 * Reads typed text for a command:
 * - when the command has subcommands, the first word picks one (`/gallery list 2`);
 * - `name:value` pairs (`/gallery list page:2`) fill options by name, each value running to the next pair;
 * - otherwise words fill the options in order: numbers and yes/no one word each, a name the words
 *   between them (`/enroll Brad Pitt`, `/game battle Brad Pitt 3`), quotes group words, and two or more
 *   names are separated by `->` (`/gallery rename Old Name -> New Name`; one word each needs none).
 * Photos (and users, where they are mentions) are not typed: the adapter fills them.
 */
export function parseText(data: CommandData, rawText: string, style: TextStyle): ParsedText {
  const result: ParsedText = { values: {} };
  let text = rawText.replace(/\s+/g, ' ').trim();
  if (data.subcommands && text !== '') {
    const [, first = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(text) ?? [];
    result.subcommand = first.toLowerCase();
    result.sub = subcommandOf(data, result.subcommand);
    text = rest;
  }
  if (text === '') return result;
  const words = optionsOf(data, result.subcommand).filter((o) => typedAsWord(o, style));
  const shown = () => usage(data, result.subcommand, style);
  if (words.length === 0) {
    result.extra = text;
    const command = `${data.name}${result.subcommand ? ` ${result.subcommand}` : ''}`;
    result.error = new UserError('bad_command', { text: 'takes_no_text', command, usage: shown() });
    return result;
  }
  const named = assignNamed(words, text, result);
  if (named) {
    if (named !== true) result.error = new UserError('bad_command', { ...named, usage: shown() });
    return result;
  }
  if (words.length >= 2 && ARROW.test(text)) {
    const parts = text.split(ARROW).map(stripQuotes);
    if (parts.length > words.length) {
      result.error = new UserError('bad_command', { text: 'too_many_arrows', usage: shown() });
      return result;
    }
    parts.forEach((p, i) => {
      if (p !== '') result.values[words[i]!.name] = p;
    });
    return result;
  }
  const error = assignPositional(words, tokenize(text), result);
  if (error) result.error = new UserError('bad_command', { ...error, usage: shown() });
  return result;
}

// Numbers and yes/no take one word each; one name takes the words left between them, so
// `/game battle Brad Pitt 3` is celebrity "Brad Pitt" and minutes 3. Several names need `->`.
function assignPositional(
  options: OptionSpec[],
  tokens: string[],
  result: ParsedText,
): TextContext | undefined {
  const names = options.filter((o) => o.type === 'string');
  if (names.length >= 2 && tokens.length > options.length) return { text: 'names_need_arrow' };
  if (names.length !== 1) {
    if (tokens.length > options.length) return { text: 'too_many_words' };
    tokens.forEach((t, i) => {
      result.values[options[i]!.name] = t;
    });
    return undefined;
  }
  const at = options.indexOf(names[0]!);
  let start = 0;
  for (const o of options.slice(0, at)) {
    const t = tokens[start];
    if (t === undefined) return undefined;
    result.values[o.name] = t;
    start++;
  }
  const after = options.slice(at + 1);
  let end = tokens.length;
  // Trailing options are filled from the end while the words look like them (they are often optional).
  for (let i = after.length - 1; i >= 0 && end - 1 > start; i--) {
    const o = after[i]!;
    const t = tokens[end - 1]!;
    if (!fits(o, t)) {
      if (o.required) return { text: 'not_valid_value', value: t, option: o.name };
      continue;
    }
    result.values[o.name] = t;
    end--;
  }
  const name = tokens.slice(start, end).join(' ');
  if (name !== '') result.values[names[0]!.name] = name;
  return undefined;
}

// `page:2`, `name:Brad Pitt`: the syntax Discord's client shows, which the shared help texts use. True when
// the text had pairs, and what was wrong with it when words were left over.
function assignNamed(options: OptionSpec[], text: string, result: ParsedText): boolean | TextContext {
  const names = options.map((o) => o.name.replace(/[^a-z0-9_-]/gi, '')).filter((n) => n !== '');
  if (names.length === 0) return false;
  const hits = [...text.matchAll(new RegExp(`(?:^|\\s)(${names.join('|')}):`, 'gi'))];
  if (hits.length === 0) return false;
  hits.forEach((hit, i) => {
    const start = hit.index + hit[0].length;
    const end = hits[i + 1]?.index ?? text.length;
    const option = options.find((o) => o.name.toLowerCase() === hit[1]!.toLowerCase());
    const value = stripQuotes(text.slice(start, end));
    if (option && value !== '') result.values[option.name] = value;
  });
  const leading = text.slice(0, hits[0]!.index).trim();
  const unnamed = options.find((o) => result.values[o.name] === undefined);
  if (leading !== '' && unnamed) result.values[unnamed.name] = stripQuotes(leading);
  // `/enroll Mr name:Evil`: words before the pairs that no option takes were dropped without a word.
  else if (leading !== '') return { text: 'left_over_words', value: leading };
  return true;
}

/** A command, or one of its subcommands, as lists of commands show it (`/help`, the page's suggestions). */
export interface CommandEntry {
  /** E.g. `/gallery rename`. */
  command: string;
  data: CommandData;
  sub?: SubcommandSpec;
  description: string;
  /** For admins only (the command's or the subcommand's `requires`). */
  admin: boolean;
}

/** One entry per typed command, or per subcommand, in order; menu commands (`target`) are not typed. */
export function commandEntries(list: readonly CommandData[]): CommandEntry[] {
  return list.flatMap((data) => {
    if (data.target) return [];
    const admin = data.requires?.includes('admin') ?? false;
    if (!data.subcommands) return [{ command: `/${data.name}`, data, description: data.description, admin }];
    return data.subcommands.map((sub) => ({
      command: `/${data.name} ${sub.name}`,
      data,
      sub,
      description: sub.description,
      admin: admin || (sub.requires?.includes('admin') ?? false),
    }));
  });
}
