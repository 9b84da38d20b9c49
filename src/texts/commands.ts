// Sentences about commands: their options, typed command text, rights, limits and the bot's availability.
import type { TextFields, Texts } from './fields.ts';

/** What a member who asks while the bot is shutting down (a restart) is told, instead of nothing. */
export const RESTARTING_TEXT = "I'm restarting right now: please try again in a few seconds.";

// What "x isn't available on this bot" calls each optional part; unknown ones get a neutral wording.
const FEATURES: Record<string, string> = {
  games: "Games aren't available on this bot.",
  settings: "Watching channels isn't available on this bot.",
  avatars: 'Profile pictures are not available here; attach a photo.',
  posting: "Games can't run here yet: this connection can't post game messages.",
  outside: 'That command only works in a server that added Lookalike.',
  import: 'Importing galleries is not available on this bot.',
  export: 'Exporting galleries is not available on this bot.',
};

// Typed command text that could not be read ends with how to write the command.
const withUsage = (sentence: string, c: TextFields) =>
  c.usage === undefined ? sentence : `${sentence} Usage: \`${c.usage}\``;

// Names shown as code.
const codes = (items: readonly string[] = []) => items.map((i) => `\`${i}\``);
const photos = (n: number) => (n === 1 ? 'photo' : 'photos');

/** The sentences about commands, by identifier. */
export const COMMAND_TEXTS = {
  forbidden: (c) => (c.command ? `Only admins can use /${c.command}.` : 'Only admins can do that.'),
  unavailable: (c) => FEATURES[c.feature ?? ''] ?? "That isn't available on this bot.",
  not_found: (c) => {
    if (c.command) return `I don't know the command /${c.command}.`;
    if (c.button !== undefined) return 'That button has expired.';
    return "I couldn't find that.";
  },
  rate_limited: (c) => {
    const s = c.seconds ?? 1;
    return `You're going a bit fast! Try again in ${s} second${s === 1 ? '' : 's'}.`;
  },
  busy: () => "I'm busy looking at a lot of faces right now. Please try again in a few seconds.",
  restarting: () => RESTARTING_TEXT,
  queued: (c) => {
    const s = Math.max(1, Math.round(c.seconds ?? 1));
    return `⏳ You're in the queue: ${c.ahead ?? 'a few'} ahead of you, about ${s} second${s === 1 ? '' : 's'}.`;
  },
  // Options, as the platform delivered them.
  option_missing: (c) => `Please fill in the \`${c.option}\` option.`,
  option_not_text: (c) => `The \`${c.option}\` option must be text.`,
  option_not_integer: (c) => `The \`${c.option}\` option must be a whole number.`,
  option_not_file: (c) => `The \`${c.option}\` option must be a file.`,
  option_not_member: (c) => `The \`${c.option}\` option must be a member.`,
  enroll_no_photo: () => 'Please attach at least one photo in `image`.',
  member_missing: () => 'Use this on a member.',
  page_out_of_range: (c) => `There ${c.count === 1 ? 'is only 1 page' : `are only ${c.count} pages`}.`,
  // Typed command text (Slack, the playground).
  takes_no_text: (c) => withUsage(`/${c.command} takes no text.`, c),
  left_over_words: (c) =>
    withUsage(
      `I don't know what \`${(c.value ?? '').slice(0, 60)}\` is for: every option was given by name. Put it inside the name, or leave it out.`,
      c,
    ),
  too_many_arrows: (c) => withUsage('Too many `->`.', c),
  names_need_arrow: (c) => withUsage('Separate the names with `->`.', c),
  too_many_words: (c) => withUsage('Too many words.', c),
  not_valid_value: (c) => withUsage(`\`${c.value}\` is not a valid ${c.option}.`, c),
  // The playground's command line.
  command_no_slash: () => 'Commands start with `/`, e.g. `/help`.',
  no_such_subcommand: (c) =>
    `/${c.command} has no "${c.subcommand}": use ${(c.items ?? []).map((s) => `\`/${c.command} ${s}\``).join(', ')}.`,
  playground_only_me: (c) =>
    `In the playground \`${c.option}\` can only be \`me\`: there are no other members here.`,
  value_not_integer: (c) => `\`${c.option}\` must be a whole number, got "${c.value}".`,
  value_not_boolean: (c) => `\`${c.option}\` must be yes or no, got "${c.value}".`,
  value_not_choice: (c) => `\`${c.option}\` must be one of: ${(c.items ?? []).join(', ')}.`,
  too_many_files: (c) =>
    `${c.command} takes ${c.limit ? `at most ${c.limit} ${photos(c.limit)}` : 'no files'}, and ${c.count} were attached.`,
  needs_options: (c) => `${c.command} needs ${codes(c.items).join(' and ')}. Usage: \`${c.usage}\``,
  needs_photos: (c) =>
    `${c.command} needs ${c.count === 1 ? 'a photo' : `${c.count} photos`}: attach with the paperclip, drop them here or use the camera. Usage: \`${c.usage}\``,
} satisfies Texts;
