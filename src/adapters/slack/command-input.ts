import { parseValue } from '../../chat/command-text.ts';
import type { ChatContext, Command, CommandInput, OptionSpec, OptionValue } from '../../chat/types.ts';
import { optionsOf, parseArguments, usage } from './arguments.ts';
import { acceptsFile, type FileAccess, toAttachment } from './files.ts';
import type { SlackCommandPayload } from './payloads.ts';
import type { RecentImages } from './recent-images.ts';
import type { UserDirectory } from './users.ts';

/** A slash command mapped to the neutral command, or why it cannot run as typed. */
export interface MappedCommand {
  input: CommandInput;
  /** A usage hint for the caller (bad text, no photo shared); the command should not run. */
  problem?: string;
}

/** What `toCommandInput` needs besides the payload. */
export interface CommandSources {
  command: Command | undefined;
  ctx: ChatContext;
  users: UserDirectory;
  recent: RecentImages;
  files: FileAccess;
  /** How long to wait for a photo still on its way before saying none was shared (default: no wait). */
  graceMs?: number;
  /** Whether the caller will be refused anyway (admin commands); then nothing is waited for. */
  refused?: (subcommand: string | undefined) => boolean;
}

// Anything that does not fit stays text, so the command reports the bad value in its own words.
function typed(spec: OptionSpec, raw: string): OptionValue {
  return parseValue(spec, raw) ?? raw;
}

function minutes(ms: number): string {
  const m = Math.max(1, Math.round(ms / 60_000));
  return `${m} minute${m === 1 ? '' : 's'}`;
}

function photoHint(
  name: string,
  shown: string,
  required: number,
  max: number,
  windowMs: number,
  hasUserOption: boolean,
): string {
  const within = `within ${minutes(windowMs)}`;
  if (required === 0) {
    return (
      `I need a photo of you: post a selfie in this channel, then run \`/${name}\` ${within}, or @mention me on the photo. ` +
      `A profile photo would work too, but your Slack profile has none${hasUserOption ? ` (or try \`/${name} @someone\`)` : ''}.`
    );
  }
  const what =
    required === 1 && max > 1
      ? `the photos (up to ${max} in one message)`
      : required === 1
        ? 'the photo'
        : `${required} photos (in one message or one after the other)`;
  return `Slack slash commands can't carry files: first post ${what} in this channel, then run \`${shown}\` ${within}.`;
}

/**
 * Turns a slash command into the neutral CommandInput. Typed arguments follow `parseArguments`; mentioned
 * members fill `user` options; attachment options get the caller's recent photos in this channel
 * (`RecentImages.pick`), except when a member was mentioned for a command whose photos are optional
 * (`/lookalike @alice` means Alice's profile photo, not the caller's last selfie). Attachments stay lazy.
 */
export async function toCommandInput(
  payload: SlackCommandPayload,
  src: CommandSources,
): Promise<MappedCommand> {
  const data = src.command?.data;
  const parsed = parseArguments(data, payload.text ?? '');
  const options: Record<string, OptionValue | undefined> = {};
  const input: CommandInput = { ctx: src.ctx, subcommand: parsed.subcommand, options };
  if (!data) return { input };

  const specs = optionsOf(data, parsed.subcommand);
  for (const spec of specs) {
    const raw = parsed.values[spec.name];
    if (raw !== undefined) options[spec.name] = typed(spec, raw);
  }
  const mentioned = Object.entries(parsed.users);
  for (const [name, userId] of mentioned) options[name] = await src.users.userOption(userId);

  const photoSpecs = specs.filter((s) => s.type === 'attachment');
  const required = photoSpecs.filter((s) => s.required).length;
  const skipPhotos = mentioned.length > 0 && required === 0;
  // A command's attachments all take one kind: photos, or the ZIP of `/gallery import`.
  const kind = photoSpecs[0]?.accepts ?? 'image';
  const pick = () =>
    skipPhotos
      ? []
      : src.recent.pick(payload.team_id, payload.channel_id, payload.user_id, {
          required,
          max: photoSpecs.length,
          accept: (file) => acceptsFile(kind, file),
        });
  let files = pick();
  const short = () =>
    files.length < required ||
    (data.avatarFallback === true && files.length === 0 && !skipPhotos && !src.ctx.user.avatarUrl);
  if (parsed.error) return { input, problem: parsed.error };
  const shown = usage(data, parsed.subcommand);
  const missingText = specs.find(
    (s) => s.required && s.type !== 'attachment' && s.type !== 'user' && options[s.name] === undefined,
  );
  if (missingText) return { input, problem: `Please give the \`${missingText.name}\`: \`${shown}\`` };
  if (short() && src.graceMs && !src.refused?.(parsed.subcommand)) {
    // The command may have overtaken the event of the photo posted just before it.
    await src.recent.whenShared(payload.team_id, payload.channel_id, payload.user_id, src.graceMs);
    files = pick();
  }
  photoSpecs.forEach((spec, i) => {
    const file = files[i];
    if (file) options[spec.name] = toAttachment(file, src.files);
  });

  const hasUserOption = specs.some((s) => s.type === 'user');
  if (short()) {
    const problem =
      kind === 'archive'
        ? `Slack slash commands can't carry files: first share the .zip (or the pack from \`/gallery export\`) in this channel, then run \`${shown}\` within ${minutes(src.recent.ttlMs)}.`
        : photoHint(data.name, shown, required, photoSpecs.length, src.recent.ttlMs, hasUserOption);
    return { input, problem };
  }
  return { input };
}
