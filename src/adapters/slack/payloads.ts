// The few fields of Slack's payloads the adapter reads. Bolt's own types are wide unions (every message
// subtype, every action element); narrowing to these keeps the mapping code readable and testable.

/** A file as Slack describes it in message events and `files.info`. */
export interface SlackFile {
  id: string;
  name?: string;
  title?: string;
  mimetype?: string;
  filetype?: string;
  size?: number;
  url_private?: string;
  url_private_download?: string;
  /** `check_file_info` when the event left the details out (large or Slack Connect files). */
  file_access?: string;
}

/** A `message` or `app_mention` event. */
export interface SlackMessageEvent {
  type: string;
  subtype?: string;
  channel: string;
  channel_type?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
  files?: SlackFile[];
}

/** A slash command invocation. */
export interface SlackCommandPayload {
  command: string;
  text?: string;
  team_id: string;
  channel_id: string;
  user_id: string;
  user_name?: string;
  response_url?: string;
}

/** A `block_actions` payload: someone pressed a button. */
export interface SlackBlockActionPayload {
  type: string;
  user: { id: string; name?: string; username?: string; team_id?: string };
  team?: { id: string } | null;
  channel?: { id: string };
  container?: { channel_id?: string; message_ts?: string; thread_ts?: string };
  message?: { ts: string; thread_ts?: string };
  response_url?: string;
  actions: { action_id: string; value?: string; type: string }[];
}

/** A `message_action` payload: a member ran a message shortcut on `message`. */
export interface SlackMessageShortcut {
  type: string;
  callback_id: string;
  team?: { id: string } | null;
  channel: { id: string };
  user: { id: string; name?: string; username?: string; team_id?: string };
  message: { ts: string; thread_ts?: string; user?: string; files?: SlackFile[] };
  response_url?: string;
}

/** What `users.info` says about a member. */
export interface SlackUserInfo {
  id: string;
  name?: string;
  is_admin?: boolean;
  is_owner?: boolean;
  is_primary_owner?: boolean;
  is_bot?: boolean;
  profile?: {
    display_name?: string;
    real_name?: string;
    image_original?: string;
    image_512?: string;
    image_192?: string;
    /** False for Slack's generated initials avatar, which has no face to match. */
    is_custom_image?: boolean;
  };
}

/** The workspace an Events API callback came from. */
export function teamOf(body: unknown): string {
  const b = body as { team_id?: string; authorizations?: { team_id?: string | null }[] };
  return b.team_id ?? b.authorizations?.[0]?.team_id ?? 'unknown';
}
