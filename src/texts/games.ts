// Sentences of the games and of channel watching.
import type { Texts } from './fields.ts';

/** The sentences about games, by identifier. */
export const GAME_TEXTS = {
  game_running: () =>
    'A game is already running in this channel: wait for it to end, or end it with `/game stop`.',
  game_over: () => 'The game is over.',
  game_no_action: () => 'That game has no such action.',
  game_none: () => 'No game is running in this channel.',
  game_stop_forbidden: (c) => `Only ${c.name}, who started this game, or a server admin can end it.`,
  game_usage: (c) => `Use ${c.usage}.`,
  guess_too_few: (c) =>
    `Who's that celebrity? needs at least ${c.minimum} people in the gallery to make up four answers, ` +
    `and this one has ${c.count}. An admin can add people with \`/enroll\`.`,
  battle_none: () => 'No lookalike battle is running in this channel. Start one with `/game battle`.',
  battle_celebrity_gone: (c) => `${c.name} is no longer in the gallery, so selfies can't be scored.`,
  not_in_gallery: (c) =>
    `${c.name ? `**${c.name}**` : 'That person'} isn't in the gallery. \`/gallery list\` shows who is.`,
  twins_none: () => 'No twin finder is running in this channel. Start one with `/game twins`.',
  twins_selfie_needed: () =>
    'Attach a selfie: `/game join image:<photo>`. It is kept only for this game unless you add `keep:true`.',
  twins_over: () => 'The twin finder is over.',
  watch_usage: () => 'Use `/watch on` or `/watch off`.',
} satisfies Texts;
