// Games join the commands' dependencies here, so the neutral `src/chat/types.ts` never imports them.
import type { GameManager } from './manager.ts';

declare module '../chat/types.ts' {
  /** Group chat games (`/game`, `/leaderboard`); `/forget` also clears what they keep. Absent: games are off. */
  interface OptionalDeps {
    games: GameManager;
  }
}
