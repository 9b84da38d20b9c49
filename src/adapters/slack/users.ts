import type { LRUCache } from 'lru-cache';
import type { Logger } from '../../chat/logger.ts';
import type { ChatUser, UserOption } from '../../chat/types.ts';
import { expiringCache } from '../../util/expiring-cache.ts';
import type { SlackWeb } from './files.ts';
import type { SlackUserInfo } from './payloads.ts';

/** Workspace admins and owners may run admin commands (`/enroll`, `/watch`, `/gallery remove`). */
export function isWorkspaceAdmin(info: SlackUserInfo | undefined): boolean {
  return info?.is_admin === true || info?.is_owner === true || info?.is_primary_owner === true;
}

/**
 * The profile photo to use instead of an uploaded selfie. Slack's generated initials avatar (no custom
 * image) is reported as absent: it has no face, so `/lookalike` should ask for a photo instead.
 */
export function avatarOf(info: SlackUserInfo | undefined): string | undefined {
  const p = info?.profile;
  if (!p || p.is_custom_image === false) return undefined;
  return p.image_512 ?? p.image_original ?? p.image_192;
}

/** The name Slack shows for a member. */
export function displayNameOf(userId: string, info: SlackUserInfo | undefined, fallback?: string): string {
  const p = info?.profile;
  return p?.display_name || p?.real_name || info?.name || fallback || userId;
}

/** A Slack member as the chat layer's ChatUser. */
export function toChatUser(userId: string, info: SlackUserInfo | undefined, fallbackName?: string): ChatUser {
  return {
    id: `slack:${userId}`,
    platformId: userId,
    displayName: displayNameOf(userId, info, fallbackName),
    avatarUrl: avatarOf(info),
    isPlatformAdmin: isWorkspaceAdmin(info),
  };
}

/** Options for `new UserDirectory`. */
export interface UserDirectoryOptions {
  /** How long a lookup is reused (default 60 s): a demoted admin keeps their rights at most this long. */
  ttlMs?: number;
  /** Members remembered at most (default 500). */
  max?: number;
  now?: () => number;
}

/** `users.info` with a small cache, so a burst of commands does not hit Slack's rate limits. */
export class UserDirectory {
  readonly #client: SlackWeb;
  readonly #logger: Logger;
  readonly #cache: LRUCache<string, Promise<SlackUserInfo | undefined>>;

  constructor(client: SlackWeb, logger: Logger, options: UserDirectoryOptions = {}) {
    this.#client = client;
    this.#logger = logger;
    this.#cache = expiringCache({
      max: options.max ?? 500,
      ttlMs: options.ttlMs ?? 60_000,
      now: options.now,
    });
  }

  /** What Slack says about `userId`; undefined (and a warning) when it cannot be asked. */
  info(userId: string): Promise<SlackUserInfo | undefined> {
    const hit = this.#cache.get(userId);
    if (hit) return hit;
    const info = this.#client.users
      .info({ user: userId })
      .then((res) => res.user as SlackUserInfo | undefined)
      .catch((error: unknown) => {
        // Treat the member as a non-admin without a photo rather than failing their command.
        this.#logger.warn('Slack: users.info failed', { userId, error });
        this.#cache.delete(userId);
        return undefined;
      });
    this.#cache.set(userId, info);
    return info;
  }

  /** The member as a ChatUser, with admin rights and profile photo. */
  async chatUser(userId: string, fallbackName?: string): Promise<ChatUser> {
    return toChatUser(userId, await this.info(userId), fallbackName);
  }

  /** A mentioned member as a `user` option value. */
  async userOption(userId: string): Promise<UserOption> {
    const info = await this.info(userId);
    return {
      id: `slack:${userId}`,
      platformId: userId,
      displayName: displayNameOf(userId, info),
      avatarUrl: avatarOf(info),
    };
  }
}
