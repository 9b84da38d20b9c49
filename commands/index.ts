import type { Command } from '../src/chat/types.ts';
import { compareCommand } from './compare.ts';
import { enrollCommand } from './enroll.ts';
import { forgetCommand } from './forget.ts';
import { galleryCommand } from './gallery.ts';
import { gameCommand } from './game.ts';
import { helpCommand } from './help.ts';
import { leaderboardCommand } from './leaderboard.ts';
import { lookalikeCommand } from './lookalike.ts';
import { lookalikeMemberCommand } from './lookalike-member.ts';
import { lookalikeMessageCommand } from './lookalike-message.ts';
import { watchCommand } from './watch.ts';

/** Every command, in the order platforms list them. Adding one here registers it everywhere. */
export const commands: Command[] = [
  lookalikeCommand,
  compareCommand,
  galleryCommand,
  enrollCommand,
  watchCommand,
  forgetCommand,
  gameCommand,
  leaderboardCommand,
  helpCommand,
  // Menu commands (right-click a message or a member), after the typed ones.
  lookalikeMessageCommand,
  lookalikeMemberCommand,
];
