// Checks and I/O before an event reaches a game's rules: finding the answering gallery, scoring a selfie,
// reading an opt-in selfie. Slow work (downloads, inference) happens here, outside the channel's lock.
import { plural } from '../chat/format.ts';
import { readImage } from '../chat/options.ts';
import type { Attachment, ChatContext, Reply } from '../chat/types.ts';
import { GLOBAL_SCOPE, type IdentityInfo, type LookalikeService, type Scope } from '../domain/types.ts';
import { UserError } from '../errors.ts';
import { slugify } from '../gallery/slug.ts';
import { battleOpen, createBattle, DEFAULT_BATTLE_MINUTES } from './battle.ts';
import type { GameFaces } from './faces.ts';
import { createGuess, DEFAULT_ROUNDS, MAX_ROUNDS, pointsAt } from './guess.ts';
import type { GameState } from './rules.ts';
import { createTwins, DEFAULT_TWINS_MINUTES, twinsOpen } from './twins.ts';
import type { GameStart, GameTiming, OptIn, Outcome } from './types.ts';

/** What the manager gives a new game. */
export type NewGame = GameStart;

/** A game ready to be created in the channel's lock, and the command's reply once it is. */
export interface Prepared {
  create(game: NewGame): Outcome<GameState>;
  reply: Reply;
}

/** Options of `/game guess`. */
export interface GuessOptions {
  rounds?: number;
}

/** Options of `/game battle`. */
export interface BattleOptions {
  /** The celebrity's name (or slug) in the answering gallery. */
  celebrity: string;
  minutes?: number;
}

/** Options of `/game twins`. */
export interface TwinsOptions {
  minutes?: number;
}

/** Options of `/game join`. */
export interface JoinOptions {
  image?: Attachment;
  /** Keep the selfie after the game (until `/forget`). */
  keep?: boolean;
}

/** Longest battle or twin finder, in minutes. */
export const MAX_GAME_MINUTES = 30;

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.floor(value)));
}

/** The gallery that answers for `scope` (its own, or `global` while empty, as identify does) and its people. */
export async function answeringGallery(
  service: LookalikeService,
  scope: Scope,
): Promise<{ gallery: Scope; identities: IdentityInfo[] }> {
  const own = (await service.list(scope)).filter((i) => i.photos.length > 0);
  if (own.length > 0 || scope === GLOBAL_SCOPE) return { gallery: scope, identities: own };
  const global = (await service.list(GLOBAL_SCOPE)).filter((i) => i.photos.length > 0);
  return { gallery: GLOBAL_SCOPE, identities: global };
}

/** Prepares `/game guess`. */
export async function prepareGuess(
  service: LookalikeService,
  ctx: ChatContext,
  options: GuessOptions,
  env: { timing: GameTiming; random: () => number },
): Promise<Prepared> {
  const { gallery, identities } = await answeringGallery(service, ctx.scope);
  const rounds = clamp(options.rounds ?? DEFAULT_ROUNDS, 1, MAX_ROUNDS);
  const seconds = Math.round(env.timing.revealMs / 1000);
  return {
    create: (game) =>
      createGuess({
        ...game,
        gallery,
        identities: identities.map((i) => ({ slug: i.slug, name: i.name })),
        rounds,
        timing: env.timing,
        random: env.random,
      }),
    reply: {
      title: "🎮 Who's that celebrity?",
      text:
        `${plural(rounds, 'round')}, started by ${ctx.user.displayName}. A hidden face is posted in this channel and clears ` +
        `up every ${seconds} s: press the right name. The sooner, the more points (up to ${pointsAt(0)}); ` +
        'one try per round.',
      color: 0x5865f2,
    },
  };
}

/** Prepares `/game battle`: the celebrity must be in the answering gallery. */
export async function prepareBattle(
  service: LookalikeService,
  ctx: ChatContext,
  options: BattleOptions,
): Promise<Prepared> {
  const { gallery, identities } = await answeringGallery(service, ctx.scope);
  const wanted = options.celebrity.trim();
  const slug = wanted === '' ? '' : slugify(wanted);
  const celebrity = identities.find((i) => i.slug === slug || i.name.toLowerCase() === wanted.toLowerCase());
  if (!celebrity) {
    throw new UserError(
      'not_found',
      `${wanted === '' ? 'That person' : `**${wanted}**`} isn't in the gallery. \`/gallery list\` shows who is.`,
    );
  }
  const minutes = clamp(options.minutes ?? DEFAULT_BATTLE_MINUTES, 1, MAX_GAME_MINUTES);
  const thumbnail = await service.thumbnail(gallery, celebrity.slug);
  return {
    create: (game) =>
      createBattle({ ...game, minutes, celebrity: { slug: celebrity.slug, name: celebrity.name, gallery } }),
    reply: {
      title: `📸 Lookalike battle: ${celebrity.name}`,
      text:
        `Who looks most like **${celebrity.name}**? Post a selfie in this channel in the next ` +
        `${plural(minutes, 'minute')} (or use \`/game submit\`). Selfies are scored and never kept.`,
      ...(thumbnail ? { image: { name: 'celebrity.png', data: thumbnail, alt: celebrity.name } } : {}),
      color: 0xeb459e,
    },
  };
}

/** Prepares `/game twins`. */
export function prepareTwins(options: TwinsOptions): Prepared {
  const minutes = clamp(options.minutes ?? DEFAULT_TWINS_MINUTES, 1, MAX_GAME_MINUTES);
  return {
    create: (game) => createTwins({ ...game, minutes }),
    reply: {
      title: '👯 Twin finder',
      text:
        `Which two of you look most alike? Join with \`/game join image:<selfie>\` in the next ` +
        `${plural(minutes, 'minute')}. Your selfie is stored only for this game, unless you add \`keep:true\`.`,
      color: 0x57f287,
    },
  };
}

/** Scores a battle selfie; the face crop is returned for the announcement, never stored. */
export async function prepareSelfie(
  faces: GameFaces,
  state: GameState | undefined,
  image: Attachment,
  now: number,
): Promise<{ gameId: string; score: number; face: Uint8Array }> {
  if (state?.kind !== 'battle' || !battleOpen(state, now)) {
    throw new UserError(
      'not_found',
      'No lookalike battle is running in this channel. Start one with `/game battle`.',
    );
  }
  const reading = await faces.read(await readImage(image));
  const { celebrity } = state;
  const score = await faces.similarityTo(celebrity.gallery, celebrity.slug, reading.embedding);
  if (score === null) {
    throw new UserError(
      'not_found',
      `${celebrity.name} is no longer in the gallery, so selfies can't be scored.`,
    );
  }
  return { gameId: state.id, score, face: reading.thumbnail };
}

/** What happens to a twin-finder selfie after the game, as the member is told when joining. */
export function keptText(keep: boolean): string {
  return keep
    ? 'Your selfie is kept for later games until you `/forget`.'
    : 'Your selfie is deleted when the game ends.';
}

/** Reads a twin-finder selfie, or reuses the kept one; nothing is stored here. */
export async function prepareJoin(
  faces: GameFaces,
  state: GameState | undefined,
  options: JoinOptions,
  stored: OptIn | undefined,
  now: number,
): Promise<{ gameId: string; value: OptIn }> {
  if (state?.kind !== 'twins' || !twinsOpen(state, now)) {
    throw new UserError(
      'not_found',
      'No twin finder is running in this channel. Start one with `/game twins`.',
    );
  }
  const keep = options.keep ?? stored?.keep ?? false;
  if (options.image) {
    const reading = await faces.read(await readImage(options.image));
    return { gameId: state.id, value: { ...reading, keep, savedAt: new Date(now).toISOString() } };
  }
  if (!stored) {
    throw new UserError(
      'bad_input',
      'Attach a selfie: `/game join image:<photo>`. It is kept only for this game unless you add `keep:true`.',
    );
  }
  return { gameId: state.id, value: { ...stored, keep } };
}
