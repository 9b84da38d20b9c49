import type { ChatContext, ChatUser } from '../../chat/types.ts';

const SLACK_TIPS =
  '**On Slack** slash commands cannot carry files: post the photo in the channel, then run the command ' +
  'within a few minutes (or @mention me on the photo). `/enroll <name>` uses the photos of your last message, ' +
  '`/compare` your last two photos, `/gallery import` the last ZIP you shared. Names with spaces: `/gallery rename Old Name -> New Name`. ' +
  'On a message with a photo, *More actions (⋮) → Who do they look like?* answers in its thread.';

/** Where a Slack command, photo, button or shortcut came from; galleries are per workspace. */
export function slackContext(teamId: string, channelId: string, user: ChatUser, raw: unknown): ChatContext {
  // Slack delivers every message of channels the bot is in (message.channels / message.groups).
  return {
    platform: 'slack',
    scope: `slack:${teamId}`,
    channelId,
    user,
    raw,
    seesAllMessages: true,
    platformHelp: SLACK_TIPS,
  };
}
