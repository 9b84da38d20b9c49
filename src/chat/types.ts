import type { RegionScore } from '../domain/resemblance.ts';
import type { Candidate, LookalikeService, Scope } from '../domain/types.ts';

/** The chat platforms Lookalike runs on; src/chat never imports their SDKs. */
export type Platform = 'discord' | 'slack' | 'playground';

/** A member as the chat layer sees them. */
export interface ChatUser {
  /** Platform-qualified id, e.g. `discord:1234`, used for storage and /forget. */
  id: string;
  /** The platform's own id, e.g. `1234`. */
  platformId: string;
  displayName: string;
  /** URL of the profile picture, when the platform exposes one. */
  avatarUrl?: string;
  /** Whether the adapter saw platform admin rights (Manage Server, workspace admin…). */
  isPlatformAdmin: boolean;
}

/** A file attached to a message or command; bytes are only downloaded when asked. */
export interface Attachment {
  name: string;
  contentType?: string;
  /** Size in bytes, when the platform announces it. */
  size?: number;
  /** Downloads the bytes (with the adapter's size limit and timeout). */
  fetch(): Promise<Uint8Array>;
}

/** Where a command or message came from. */
export interface ChatContext {
  platform: Platform;
  /** The gallery scope of this server / workspace (`discord:<guildId>`, `slack:<teamId>`, `playground`). */
  scope: Scope;
  channelId: string;
  user: ChatUser;
  /** The raw platform payload, as an escape hatch; handlers should not need it. */
  raw?: unknown;
  /**
   * False when this connection cannot see ordinary messages (Discord without the Message Content intent),
   * so watched channels only answer mentions; absent means it can.
   */
  seesAllMessages?: boolean;
  /** What is different on this platform, for `/help` to add (Slack: how photos reach slash commands). */
  platformHelp?: string;
  /**
   * Run where the bot itself is not installed: a DM, or a server that only the member installed it for
   * (Discord user installs). `scope` is then the global gallery, and only `userInstallable` commands run.
   */
  outsideServer?: boolean;
  /** Aborted when the request behind this command is gone (the playground's client hung up), so long work stops. */
  signal?: AbortSignal;
}

/** Types of command options, mapped by each adapter to its platform's own. */
export type OptionType = 'string' | 'integer' | 'boolean' | 'user' | 'attachment';

/** One typed option of a command. */
export interface OptionSpec {
  name: string;
  description: string;
  type: OptionType;
  required?: boolean;
  choices?: readonly { name: string; value: string }[];
  min?: number;
  max?: number;
  /** What an attachment takes (default photos): Slack, whose commands carry no files, picks recent shares of it. */
  accepts?: 'image' | 'archive';
}

/**
 * What a command may require: admin rights, or an optional dependency (a key of `OptionalDeps`) without
 * which it answers "not available on this bot". The Bot checks them all before `execute` runs.
 */
export type Requirement = 'admin' | keyof OptionalDeps;

/** A subcommand, e.g. `/gallery list`. */
export interface SubcommandSpec {
  name: string;
  description: string;
  options?: readonly OptionSpec[];
  requires?: readonly Requirement[];
  /** Runs the face engine (see `CommandData.usesEngine`). */
  usesEngine?: boolean;
}

/** A command's declaration, shared by every platform. */
export interface CommandData {
  name: string;
  description: string;
  options?: readonly OptionSpec[];
  subcommands?: readonly SubcommandSpec[];
  requires?: readonly Requirement[];
  /** Replies are only for the caller (help, /forget): adapters defer privately so no public placeholder shows. */
  ephemeral?: boolean;
  /**
   * Without a photo, the command uses the caller's profile picture (`/lookalike`): adapters that find
   * photos themselves (Slack's recent photos) then do not insist on one.
   */
  avatarFallback?: boolean;
  /**
   * Run from a menu on a message or a member instead of typed (Discord's message and user commands, Slack's
   * message shortcuts). `name` is then the label members see, and what it was run on is `input.target`;
   * typed-command lists (`/help`, the playground, Slack's slash commands) leave it out.
   */
  target?: 'message' | 'user';
  /**
   * Members may install it for themselves and run it anywhere, also where the bot is not installed (Discord
   * user installs, DMs); there it answers from the global gallery. Admin commands and games never are.
   */
  userInstallable?: boolean;
  /**
   * Runs the face engine on photos: the Bot asks the engine's load before deferring, refuses with "busy"
   * in one reply when the wait would be too long, and tells the member their place when it is long.
   */
  usesEngine?: boolean;
}

type NamesOf<O> = O extends readonly { name: infer N extends string }[] ? N : never;

/**
 * The option names a command declares (its own and its subcommands'), from data declared
 * `as const satisfies CommandData`; option getters take only these, so a typo fails the type check.
 */
export type OptionName<D extends CommandData> =
  | (D extends { options: infer O } ? NamesOf<O> : never)
  | (D extends { subcommands: readonly (infer S)[] }
      ? S extends { options: infer O }
        ? NamesOf<O>
        : never
      : never);

/** A resolved `user` option value. */
export interface UserOption {
  id: string;
  platformId: string;
  displayName: string;
  avatarUrl?: string;
}

/** A resolved option value. */
export type OptionValue = string | number | boolean | UserOption | Attachment;

/** A picture attached to a reply. */
export interface ReplyImage {
  name: string;
  data: Uint8Array;
  alt?: string;
}

/** A button under a reply (games). */
export interface ReplyButton {
  /** Opaque id routed back to the chat layer (`Bot.handleButton`) when pressed. */
  id: string;
  label: string;
  style?: 'primary' | 'secondary' | 'success' | 'danger';
  disabled?: boolean;
}

/** One face's match in a reply, for renderers that draw it. */
export interface ReplyMatch {
  label: string;
  confidence: number;
  similarity: number;
  top: Candidate[];
  /** Why the face resembles its best match, best region first. */
  resemblance?: RegionScore[];
}

/** A platform-neutral reply; each adapter renders it natively (embed, Block Kit, HTML). */
export interface Reply {
  /** Markdown-ish text: `**bold**`, line breaks. Always set, as the fallback rendering. */
  text: string;
  title?: string;
  fields?: { name: string; value: string; inline?: boolean }[];
  image?: ReplyImage;
  buttons?: ReplyButton[];
  /** Only the caller sees it (errors, help). */
  ephemeral?: boolean;
  /** Structured match data, for renderers that draw a confidence bar, a top 3 and the resemblance. */
  matches?: ReplyMatch[];
  /** Accent colour, e.g. 0x5865f2. */
  color?: number;
  /** A file to download (a gallery pack), attached as it is rather than shown as a picture. */
  file?: { name: string; data: Uint8Array };
}

/** What a menu command (`CommandData.target`) was run on. */
export interface CommandTarget {
  /** The message's files, in posted order (message commands and shortcuts). */
  attachments?: Attachment[];
  /** The member (user commands). */
  user?: UserOption;
}

/** A command invocation as handlers see it; `N` narrows the option names (see `OptionName`). */
export interface CommandInput<N extends string = string> {
  ctx: ChatContext;
  subcommand?: string;
  options: Partial<Record<N, OptionValue>>;
  /** What a menu command was run on; absent for typed commands. */
  target?: CommandTarget;
}

/** Which channels answer every photo posted in them (`/watch`). */
export interface ChannelSettings {
  isWatched(scope: Scope, channelId: string): Promise<boolean>;
  setWatched(scope: Scope, channelId: string, watched: boolean): Promise<void>;
}

/** Where a message posted outside a command's reply lives, so it can be edited later (a game round). */
export interface MessageRef {
  platform: Platform;
  channelId: string;
  /** The platform's message id (Discord snowflake, Slack `ts`, playground id). */
  id: string;
}

/**
 * Posts and edits messages beyond a command's reply (the adapters' `post`/`edit`: game rounds, an import's
 * progress); `src/games/poster.ts`'s `AdapterPoster` is the one over the running adapters.
 */
export interface Poster {
  /** Whether this platform's adapter can post and edit. */
  supports(platform: Platform): boolean;
  post(platform: Platform, channelId: string, reply: Reply): Promise<MessageRef>;
  edit(ref: MessageRef, reply: Reply): Promise<void>;
}

/**
 * Parts a bot may run without, which commands name in `requires`. Features add theirs by declaration
 * merging (`src/games/deps.ts` adds `games`), so this module never imports them.
 */
export interface OptionalDeps {
  /** Watched channels; without it `/watch` says it is unavailable and only mentions are answered. */
  settings: ChannelSettings;
}

/** What handlers can use; tests pass fakes. */
export interface Deps extends Partial<OptionalDeps> {
  service: LookalikeService;
  /** Milliseconds since the epoch; tests pass a fake clock (default `Date.now`). */
  now?: () => number;
  /** Downloads a profile picture with a size limit and a timeout (default: a plain limited HTTP GET). */
  fetchAvatar?: (url: string) => Promise<Uint8Array>;
  /** Posts and edits progress messages (`/gallery import`); absent: no progress is shown. */
  poster?: Poster;
}

/** A command module: its data and its handler, written once for every platform. */
export interface Command {
  data: CommandData;
  /** Returns the reply; throws UserError for expected failures. */
  execute(input: CommandInput, deps: Deps): Promise<Reply>;
}
