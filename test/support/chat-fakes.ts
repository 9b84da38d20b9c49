// Fakes for testing commands, the Bot and adapters without a platform or the face engine.
import sharp from 'sharp';
import { lookalikeCommand } from '../../commands/lookalike.ts';
import type { Bot } from '../../src/chat/bot.ts';
import { photoAnswers } from '../../src/chat/photo-route.ts';
import type { DeferOptions, Responder } from '../../src/chat/routes.ts';
import type { Attachment, ChannelSettings, ChatContext, Reply } from '../../src/chat/types.ts';
import type {
  Comparison,
  EnrollResult,
  ForgetResult,
  Identification,
  IdentityInfo,
  LookalikeService,
  NamedImage,
} from '../../src/domain/types.ts';

/** A call the fake service received. */
export interface ServiceCall {
  method: keyof LookalikeService;
  args: unknown[];
}

/** A LookalikeService whose methods are `overrides` (or harmless defaults), recording every call. */
export type FakeLookalike = LookalikeService & { calls: ServiceCall[] };

/** A small solid-colour PNG, for thumbnails and photos in tests. */
export async function solidPng(width = 64, height = width, rgb: [number, number, number] = [200, 120, 90]) {
  const png = await sharp({
    create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } },
  })
    .png()
    .toBuffer();
  return new Uint8Array(png);
}

/** An identity with `photos` photos, for list/enroll results. */
export function identity(name: string, photos = 1): IdentityInfo {
  return {
    name,
    slug: name.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
    photos: Array.from({ length: photos }, (_, i) => ({
      hash: `${name}-${i}`,
      addedBy: 'discord:1',
      addedAt: '2025-01-01T00:00:00.000Z',
    })),
  };
}

/** One-face identification of `name`, as the real service returns it. */
export function identification(
  name: string,
  options: {
    scope?: string;
    same?: boolean;
    thumbnail: Uint8Array;
    confidence?: number;
    similarity?: number;
  },
): Identification {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const confidence = options.confidence ?? 0.73;
  const similarity = options.similarity ?? 0.81;
  return {
    scope: options.scope ?? 'discord:guild',
    method: 'svm',
    width: 64,
    height: 64,
    faces: [
      {
        box: [4, 4, 40, 40],
        score: 0.99,
        thumbnail: options.thumbnail,
        match: { name, slug, confidence, similarity, same: options.same ?? false },
        top: [
          { name, slug, confidence, similarity },
          { name: 'Second Best', slug: 'second-best', confidence: 0.2, similarity: 0.5 },
          { name: 'Third Best', slug: 'third-best', confidence: 0.07, similarity: 0.4 },
        ],
      },
    ],
  };
}

/** A fake service; unspecified methods return empty but valid results. */
export function fakeLookalike(overrides: Partial<LookalikeService> = {}): FakeLookalike {
  const calls: ServiceCall[] = [];
  const defaults: LookalikeService = {
    identify: async (scope): Promise<Identification> => ({
      scope,
      method: 'none',
      width: 1,
      height: 1,
      faces: [],
    }),
    enroll: async (_scope, name, images: NamedImage[]): Promise<EnrollResult> => ({
      identity: identity(name, images.length),
      added: images.map((i) => ({ file: i.name, hash: i.name })),
      skipped: [],
      version: 1,
    }),
    compare: async (): Promise<Comparison> => {
      throw new Error('compare not faked');
    },
    list: async () => [],
    rename: async (_scope, _from, to) => identity(to),
    remove: async (_scope, name) => identity(name),
    removePhoto: async () => {},
    thumbnail: async () => null,
    forget: async (): Promise<ForgetResult> => ({ photos: 0, other: [] }),
  };
  const service = { calls } as unknown as FakeLookalike;
  // Optional methods (`load`, `importArchive`…) exist only when a test passes them.
  const keys = new Set([...Object.keys(defaults), ...Object.keys(overrides)]) as Set<keyof LookalikeService>;
  for (const key of keys) {
    const impl = (overrides[key] ?? defaults[key]) as (...args: unknown[]) => unknown;
    (service as unknown as Record<string, unknown>)[key] = (...args: unknown[]) => {
      calls.push({ method: key, args });
      return impl(...args);
    };
  }
  return service;
}

/** A chat context for user `id` (platform id) in `scope`/`channelId`. */
export function fakeContext(
  options: Partial<Omit<ChatContext, 'user'>> & { userId?: string; admin?: boolean; avatarUrl?: string } = {},
): ChatContext {
  const userId = options.userId ?? '1001';
  return {
    platform: options.platform ?? 'discord',
    scope: options.scope ?? 'discord:guild',
    channelId: options.channelId ?? 'channel-1',
    user: {
      id: `${options.platform ?? 'discord'}:${userId}`,
      platformId: userId,
      displayName: `User ${userId}`,
      avatarUrl: options.avatarUrl,
      isPlatformAdmin: options.admin ?? false,
    },
    seesAllMessages: options.seesAllMessages,
  };
}

/** An attachment over in-memory bytes, counting downloads. */
export function fakeAttachment(
  name: string,
  data: Uint8Array | (() => Promise<Uint8Array>),
  contentType: string | undefined = 'image/png',
): Attachment & { fetches: number } {
  const attachment = {
    name,
    contentType,
    size: typeof data === 'function' ? undefined : data.byteLength,
    fetches: 0,
    fetch: async () => {
      attachment.fetches++;
      return typeof data === 'function' ? data() : data;
    },
  };
  return attachment;
}

/** A Responder that records what the Bot did, in order. */
export class RecordingResponder implements Responder {
  readonly events: string[] = [];
  readonly replies: Reply[] = [];
  deferredEphemeral: boolean | undefined;
  /** The queue note the Bot deferred with, if any. */
  note: string | undefined;
  #deferred = false;
  /** Makes `send` fail, to test what happens when the platform rejects an answer. */
  failSend = false;

  get deferred(): boolean {
    return this.#deferred;
  }

  async defer(opts: DeferOptions = {}): Promise<void> {
    this.events.push('defer');
    this.#deferred = true;
    this.deferredEphemeral = opts.ephemeral ?? false;
    this.note = opts.note;
  }

  async send(reply: Reply): Promise<void> {
    this.events.push('send');
    if (this.failSend) throw new Error('platform rejected the message');
    this.replies.push(reply);
  }

  /** The one reply sent; fails when there was not exactly one. */
  only(): Reply {
    if (this.replies.length !== 1) throw new Error(`expected one reply, got ${this.replies.length}`);
    return this.replies[0]!;
  }
}

/** Registers what `src/main.ts` registers for posted photos: mentions and watched channels answered by /lookalike. */
export function withPhotoAnswers(bot: Bot, settings?: ChannelSettings): Bot {
  bot.routeImages(photoAnswers({ command: lookalikeCommand, settings, logger: bot.logger }));
  return bot;
}
