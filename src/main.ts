import { pathToFileURL } from 'node:url';
import { commands } from '../commands/index.ts';
import { lookalikeCommand, WHY_BUTTON_PREFIX, whyButton } from '../commands/lookalike.ts';
import { DiscordAdapter } from './adapters/discord/adapter.ts';
import { PlaygroundAdapter } from './adapters/playground/adapter.ts';
import { SlackAdapter } from './adapters/slack/adapter.ts';
import type { Adapter } from './chat/adapter.ts';
import { Bot } from './chat/bot.ts';
import { createLogger, type Logger } from './chat/logger.ts';
import { photoAnswers } from './chat/photo-route.ts';
import { DEFAULT_RATE_LIMIT, type RateLimitOptions } from './chat/rate-limit.ts';
import { createChannelSettings, type WatchSetting } from './chat/settings.ts';
import {
  type Config,
  engineOptions,
  loadConfig,
  NO_PLATFORM_HELP,
  quietOnnxRuntime,
  secretsOf,
  sharedStateUrl,
} from './config/index.ts';
import { openCoordination } from './coordination/index.ts';
import { type CoreService, openService } from './core/index.ts';
import { reembedFix } from './core/reembed.ts';
import { isConfigError, isUserError } from './errors.ts';
import { engineFaces } from './games/faces.ts';
import { GameManager } from './games/manager.ts';
import { AdapterPoster } from './games/poster.ts';
import type { GameTiming } from './games/types.ts';
import { openQueueEngine } from './queue/index.ts';
import { redactUrl } from './store/index.ts';

/** Overrides for `startApp`, for tests; `npm start` uses none. */
export interface StartOptions {
  logger?: Logger;
  rateLimit?: RateLimitOptions | false;
  /** Forces Discord's Message Content intent on or off (default: as enabled in the portal). */
  discordMessageContent?: boolean;
  /** Shorter game timings, for end-to-end tests. */
  gameTiming?: Partial<GameTiming>;
}

/** The running process (`startApp`): the bot over the service, its connected platforms, and a clean shutdown. */
export interface RunningApp {
  bot: Bot;
  adapters: Adapter[];
  games: GameManager;
  logger: Logger;
  stop(): Promise<void>;
}

/** Whether the configuration names at least one platform to start. */
export function hasPlatform(config: Config): boolean {
  return config.discord !== undefined || config.slack !== undefined;
}

/** What `npm start` prints when no platform is configured, before it opens the playground instead. */
export function playgroundHint(config: Config): string {
  // NO_PLATFORM_HELP's first line says there is nothing to start; the rest lists what to set.
  const [, ...howTo] = NO_PLATFORM_HELP.split('\n');
  return [
    `No chat platform is configured, so Lookalike starts the local playground on http://${config.host}:${config.port}/.`,
    'To connect a chat platform instead, set:',
    ...howTo,
  ].join('\n');
}

/** Re-embeds every scope's photos that another engine embedded, logging what could not be. */
async function reembedGalleries(service: CoreService, logger: Logger): Promise<void> {
  try {
    const current = service.currentEngine();
    if (!current) return;
    for (const scope of await service.gallery.scopes()) {
      // reembed reads the scope once and commits nothing when every photo is already this engine's.
      const report = await service.reembed(scope);
      if (report.reembedded > 0)
        logger.info(`gallery ${scope}: re-embedded ${report.reembedded} photos with this engine`);
      if (report.failed.length > 0)
        logger.warn(
          `gallery ${scope}: ${report.failed.length} photos could not be re-embedded from their thumbnails and are left out of answers; fix: ${reembedFix(scope)}`,
        );
    }
  } catch (err) {
    logger.warn(`re-embedding the galleries failed: ${(err as Error).message}`);
  }
}

/**
 * Opens the service (`openService`), builds the bot and starts every configured platform; what `npm start` runs. With no
 * platform configured it starts the local web playground (src/adapters/playground) instead.
 */
export async function startApp(config: Config, options: StartOptions = {}): Promise<RunningApp> {
  const playgroundOnly = !hasPlatform(config);
  const logger = options.logger ?? createLogger({ secrets: secretsOf(config) });
  // Several bot processes on one Redis share rate limits, games and gallery locks there; one keeps its own.
  const sharedUrl = sharedStateUrl(config);
  const shared = sharedUrl ? openCoordination(sharedUrl, { log: (l, f) => logger.info(l, f) }) : undefined;
  if (sharedUrl) logger.info(`shared state: rate limits, games and gallery locks on ${redactUrl(sharedUrl)}`);
  const opened = await openService({
    galleryLocks: shared?.galleryLocks,
    storeUrl: config.storeUrl,
    // The playground serves its page at once and says on it while the engine warms up.
    engine: { ...engineOptions(config, (line) => logger.info(line)), background: playgroundOnly },
    // With LOOKALIKE_QUEUE, photos go to `npm run worker` processes instead of this process's pool.
    openEngine: config.queue ? () => openQueueEngine(config.queue!, (l, f) => logger.info(l, f)) : undefined,
  }).catch(async (err: unknown) => {
    // Its connections would keep the process alive after a failed start.
    await shared?.close();
    throw err;
  });
  // Galleries another engine embedded are re-embedded now, in the background, not on a member's photo.
  void reembedGalleries(opened.service, logger);
  // Games post through whichever adapter serves the game's platform (filled in below, once they exist).
  const poster = new AdapterPoster();
  const games = new GameManager({
    store: opened.store,
    service: opened.service,
    faces: engineFaces(opened.service),
    poster,
    logger,
    timing: options.gameTiming,
    sync: shared?.games,
  });
  const settings = createChannelSettings(opened.store.namespace<WatchSetting>('settings'));
  const bot = new Bot({
    deps: { service: opened.service, settings, games, poster },
    commands,
    adminUserIds: config.adminUserIds,
    logger,
    // One person testing on their own computer would only be slowed down by the per-user limit.
    rateLimit: options.rateLimit ?? (playgroundOnly ? false : undefined),
    limiter: shared?.rateLimiter(options.rateLimit || DEFAULT_RATE_LIMIT),
  });

  const adapters: Adapter[] = [];
  if (config.discord) {
    adapters.push(
      new DiscordAdapter({ config: config.discord, logger, messageContent: options.discordMessageContent }),
    );
  }
  if (config.slack) {
    // http mode listens on HOST:PORT (the playground, the other user of that port, only runs without platforms).
    adapters.push(
      new SlackAdapter({ config: config.slack, logger, listen: { port: config.port, host: config.host } }),
    );
  }
  if (playgroundOnly) {
    const engineReady = opened.service.engine.ready?.();
    engineReady?.catch((error: unknown) => logger.error('the face engine failed to start', { error }));
    adapters.push(new PlaygroundAdapter({ host: config.host, port: config.port, logger, engineReady }));
  }

  // Photos posted in channels: a battle in progress takes them first, then watched channels and mentions.
  games.attach(bot);
  bot.routeImages(photoAnswers({ command: lookalikeCommand, settings, logger }));
  // "Why?" under an answer explains that face on demand (docs/resemblance.md).
  bot.onButton(WHY_BUTTON_PREFIX, whyButton(bot.deps));
  for (const adapter of adapters) poster.add(adapter);

  const started: Adapter[] = [];
  const stop = async () => {
    // Long imports first: aborted now, they reply at once ("restarting") instead of holding the adapters'
    // drain; opened.close() then waits for them before it drains the engine and closes the store.
    const imports = opened.service.stopWork();
    // Timers first, so no round posts through an adapter that is shutting down; games resume on restart.
    await games.stop();
    for (const adapter of started.reverse()) {
      await adapter
        .stop()
        .catch((error: unknown) => logger.error(`stopping ${adapter.platform} failed`, { error }));
    }
    started.length = 0;
    await imports;
    await shared?.close();
    await opened.close();
  };
  try {
    for (const adapter of adapters) {
      await adapter.start(bot);
      started.push(adapter);
    }
    // After the adapters: a restored game whose deadline passed while the bot was down posts at once.
    await games.start();
  } catch (err) {
    await stop();
    throw err;
  }
  return { bot, adapters, games, logger, stop };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    console.error(isConfigError(err) ? err.message : err);
    process.exit(1);
  }
  if (!hasPlatform(config)) console.error(playgroundHint(config));
  quietOnnxRuntime();
  const app = await startApp(config);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      // A second Ctrl-C means the person does not want to wait for running commands.
      process.exit(130);
    }
    stopping = true;
    app.logger.info(`${signal} received, shutting down`);
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        app.logger.error('shutdown failed', { error });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

// Run only as the entry point, so tests can import startApp without starting anything.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    // A refused token or a taken port is the operator's to fix: one line, no stack.
    console.error(isConfigError(err) || isUserError(err) ? err.message : err);
    process.exit(1);
  });
}
