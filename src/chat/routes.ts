// How features (games, the watched-channel answers) attach to the Bot without the Bot knowing them:
// they register button and image routes through `ChatRoutes`, and answer through a `Responder`.
import type { UserError } from '../errors.ts';
import type { Attachment, ChatContext, Deps, Reply } from './types.ts';

/** How a reply is deferred. */
export interface DeferOptions {
  /** The answer will be private, so the placeholder is too. */
  ephemeral?: boolean;
  /** Shown in place of the placeholder until the answer replaces it ("queued, 12 ahead of you"). */
  note?: string;
}

/** How an adapter answers one command or message; the Bot drives it, the adapter renders natively. */
export interface Responder {
  /**
   * Acknowledges now and answers later (Discord's 3-second deadline, Slack's ack); safe to call twice.
   * `note` (the member's place in the queue) is shown while they wait, where the platform can show it.
   */
  defer(opts?: DeferOptions): Promise<void>;
  /** Sends the answer, replacing the deferred placeholder when there is one. */
  send(reply: Reply): Promise<void>;
  readonly deferred: boolean;
}

/** Handles a pressed button whose id starts with the prefix it was registered under. */
export type ButtonHandler = (ctx: ChatContext, buttonId: string, responder: Responder) => Promise<void>;

/** What the adapter knows about a posted message with photos. */
export interface ImageMessageOptions {
  /** The bot was @mentioned, so it answers even outside watched channels. */
  mentioned: boolean;
}

/** Where photos posted in a channel go; the Bot asks each route in registration order. */
export interface ImageRoute {
  /** Names the route in logs (`game photo`, `message`). */
  readonly label: string;
  /** Whether this route answers the photo; asked for every posted photo, so keep it cheap. */
  claims(ctx: ChatContext, message: ImageMessageOptions): boolean | Promise<boolean>;
  /** Answers the photo. */
  handle(ctx: ChatContext, image: Attachment, deps: Deps): Promise<Reply>;
  /** Failures answered with silence instead of an error reply (a faceless photo in a watched channel). */
  quiet?(error: UserError, message: ImageMessageOptions): boolean;
}

/** What a feature may register with the Bot; the Bot implements it, tests may pass a recorder. */
export interface ChatRoutes {
  /** Routes presses of buttons whose id starts with `prefix` (e.g. `game:`) to `handler`. */
  onButton(prefix: string, handler: ButtonHandler): void;
  /** Sends photos that `route` claims to it, after the routes registered before it. */
  routeImages(route: ImageRoute): void;
}
