// Gateway payloads the Discord stand-in sends: users, members, channels and the guild, with the fields
// discord.js reads when it builds its structures.

/** A user as the stand-in sends it. */
export interface StandinUser {
  id: string;
  username: string;
  /** Avatar hash (served by the stand-in's CDN, see `DiscordStandin.avatar`); none: the default avatar. */
  avatar?: string;
}

const MANAGE_GUILD = 1n << 5n;
const VIEW_CHANNEL = 1n << 10n;
const SEND_MESSAGES = 1n << 11n;

/** What ordinary members (and the bot) may do in the stand-in server. */
export const MEMBER_PERMISSIONS = VIEW_CHANNEL | SEND_MESSAGES;

/** A user object. */
export function userPayload(user: StandinUser, bot = false): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    global_name: user.username,
    discriminator: '0',
    avatar: user.avatar ?? null,
    bot,
    flags: 0,
  };
}

/** A guild member with resolved permissions, as in interactions; `admin` grants Manage Server. */
export function memberPayload(user: StandinUser, admin: boolean): Record<string, unknown> {
  return {
    user: userPayload(user),
    roles: [],
    nick: null,
    avatar: null,
    premium_since: null,
    joined_at: '2024-01-01T00:00:00.000Z',
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    permissions: (MEMBER_PERMISSIONS | (admin ? MANAGE_GUILD : 0n)).toString(),
  };
}

/** A guild text channel. */
export function channelPayload(guildId: string, id: string, name: string): Record<string, unknown> {
  return {
    id,
    type: 0,
    guild_id: guildId,
    name,
    position: 0,
    permission_overwrites: [],
    nsfw: false,
    topic: null,
    last_message_id: null,
    parent_id: null,
    rate_limit_per_user: 0,
    flags: 0,
  };
}

/** The GUILD_CREATE payload of a small server with the given text channels (the first is `general`). */
export function guildPayload(guildId: string, channelIds: string[]): Record<string, unknown> {
  return {
    id: guildId,
    name: 'Stand-in Server',
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: '900000000000000001',
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: [
      {
        id: guildId,
        name: '@everyone',
        color: 0,
        hoist: false,
        icon: null,
        unicode_emoji: null,
        position: 0,
        permissions: MEMBER_PERMISSIONS.toString(),
        managed: false,
        mentionable: false,
        flags: 0,
      },
    ],
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    joined_at: '2024-01-01T00:00:00.000Z',
    large: false,
    unavailable: false,
    member_count: 4,
    voice_states: [],
    members: [],
    channels: channelIds.map((id, i) => channelPayload(guildId, id, i === 0 ? 'general' : 'selfies')),
    threads: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
    premium_tier: 0,
    premium_subscription_count: 0,
    preferred_locale: 'en-US',
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
  };
}
