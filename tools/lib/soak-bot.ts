// The bot under soak, in its own process (forked by `runSoak`): `startApp` from the environment, as
// `npm start` runs it, with the global gallery filled. Over the IPC channel it measures its own event-loop
// delay and RSS between `measure` and `report`, so the stand-ins' work is not counted as the bot's.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createLogger } from '../../src/chat/logger.ts';
import { loadConfig } from '../../src/config/index.ts';
import { startApp } from '../../src/main.ts';
import { dataDir, people } from '../../test/fixtures/data.ts';
import { LAG_RESOLUTION_MS } from './soak-report.ts';

/** What the bot process says over IPC. */
export type SoakBotMessage =
  | { type: 'ready' }
  | { type: 'report'; lagP50Ms: number; lagP99Ms: number; peakRss: number };

const send = (message: SoakBotMessage) => process.send?.(message);

const app = await startApp(loadConfig(process.env), {
  discordMessageContent: false,
  logger: createLogger({ level: 'warn', write: (line) => process.stderr.write(`${line}\n`) }),
});
// The global gallery, as `lookalike enroll` fills it: two photos of each person.
for (const person of people(path.join(dataDir(), 'bbt'))) {
  const images = person.files
    .slice(0, 2)
    .map((f) => ({ name: path.basename(f), data: new Uint8Array(readFileSync(f)) }));
  await app.bot.deps.service.enroll('global', person.name, images, 'soak');
}

let lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
let peakRss = 0;
let sampler: NodeJS.Timeout | undefined;
process.on('message', async (message: { type: string }) => {
  if (message.type === 'measure') {
    lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
    lag.enable();
    peakRss = process.memoryUsage.rss();
    sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
    }, 50);
  } else if (message.type === 'report') {
    lag.disable();
    clearInterval(sampler);
    const beyond = (p: number) => Math.max(0, lag.percentile(p) / 1e6 - LAG_RESOLUTION_MS);
    send({ type: 'report', lagP50Ms: beyond(50), lagP99Ms: beyond(99), peakRss });
  } else if (message.type === 'stop') {
    await app.stop();
    process.exit(0);
  }
});
send({ type: 'ready' });
