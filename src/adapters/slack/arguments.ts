// Slack's part of reading slash-command text: its `<@U…>` mentions and `&amp;` escapes. Everything else
// (subcommands, `name:value`, `->`, yes/no, usage) is the chat layer's one parser, src/chat/command-text.ts.
import { parseText, type TextStyle, usage as usageIn } from '../../chat/command-text.ts';
import type { CommandData } from '../../chat/types.ts';

export { optionsOf, tokenize } from '../../chat/command-text.ts';

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

/** How Slack members type commands: members as @mentions, photos posted before the command. */
export const SLACK_TEXT: TextStyle = { users: 'mention', photos: false };

// Slack escapes users as <@U123|name> (or <@U123> when the command's should_escape is on).
const USER_MENTION = /<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g;

/** Undoes Slack's escaping of `&`, `<` and `>` in command text. */
export function unescapeSlack(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** How to type a command in Slack, e.g. `/gallery rename <from> -> <to>`. */
export function usage(data: CommandData, subcommand?: string): string {
  return usageIn(data, subcommand, SLACK_TEXT);
}

/**
 * Reads a slash command's text for a neutral command (see `parseText`): `<@U…>` mentions fill `user`
 * options in order. Extra words for a command that takes no options at all (`/help me`) are harmless;
 * `/lookalike Brad Pitt` shows a misunderstanding (it wants a photo or a mention) and gets the usage.
 */
export function parseArguments(data: CommandData | undefined, rawText: string): ParsedArguments {
  const result: ParsedArguments = { values: {}, users: {} };
  if (!data) return result;
  const mentioned = [...rawText.matchAll(USER_MENTION)].map((m) => m[1]!);
  const text = unescapeSlack(rawText.replace(USER_MENTION, ' '));
  const parsed = parseText(data, text, SLACK_TEXT);
  result.subcommand = parsed.subcommand;
  result.values = parsed.values;
  const options = (parsed.sub ?? data).options ?? [];
  options
    .filter((o) => o.type === 'user')
    .forEach((o, i) => {
      const id = mentioned[i];
      if (id !== undefined) result.users[o.name] = id;
    });
  const takesNothing = parsed.extra !== undefined && options.length === 0;
  if (parsed.error && !takesNothing) result.error = parsed.error.message;
  return result;
}
