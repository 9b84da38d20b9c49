// A bot-side process for the queue's scale test and benchmark: a QueueEngine that, for each JSON line
// `{"burst": id, "files": [...], "sequential"?: true}` on stdin, reads those photos and sends them all
// at once (or one after another), printing one JSON line per answer and `{"burst": id, "done": true}`.
// With `games [revealMs pauseMs [hang]]` after its arguments it also runs games shared through the same
// Redis (game-bot.ts), taking `{"game": id, "op": …}` lines while bursts run.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { QueueEngine } from '../../src/queue/queue-engine.ts';

/** One answer as the producer prints it. */
export interface ProducerAnswer {
  burst: string;
  file: string;
  ok: boolean;
  faces?: number;
  error?: string;
  /** Milliseconds from queueing the photo to its answer. */
  ms: number;
  /** Milliseconds the engine spent on it (its stage timings). */
  engineMs?: number;
}

const [url, limit, ttlMs, games, revealMs, pauseMs, hang] = process.argv.slice(2);
const engine = await QueueEngine.open({ url: url!, limit: Number(limit), ttlMs: Number(ttlMs) });
// Loaded only when asked for, so the queue benchmark runs no games.
const gameBot =
  games === 'games'
    ? await (await import('./game-bot.ts')).startGameBot(url!, {
        revealMs: Number(revealMs ?? 6_000),
        pauseMs: Number(pauseMs ?? 3_000),
        hangTimers: hang === 'hang',
      })
    : undefined;
process.stdout.write('ready\n');

async function one(burst: string, file: string, image: Uint8Array): Promise<void> {
  const start = performance.now();
  let answer: ProducerAnswer;
  try {
    const analysis = await engine.analyze(image);
    const t = analysis.timings;
    const engineMs = t.decode + t.detect + t.align + t.embed;
    answer = { burst, file, ok: true, faces: analysis.faces.length, ms: performance.now() - start, engineMs };
  } catch (err) {
    answer = { burst, file, ok: false, error: (err as Error).message, ms: performance.now() - start };
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}

async function runBurst(burst: string, files: string[], sequential?: boolean): Promise<void> {
  const droppedBefore = engine.dropped;
  const images = files.map((file) => [file, new Uint8Array(readFileSync(file))] as const);
  if (sequential) for (const [file, image] of images) await one(burst, file, image);
  else await Promise.all(images.map(([file, image]) => one(burst, file, image)));
  process.stdout.write(`${JSON.stringify({ burst, done: true, dropped: engine.dropped - droppedBefore })}\n`);
}

// Requests run side by side (game answers arrive during a burst); `exit` waits for them all.
const running: Promise<void>[] = [];
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'exit') break;
  const request = JSON.parse(line) as
    | { burst: string; files: string[]; sequential?: boolean }
    | import('./game-bot.ts').GameRequest;
  if ('game' in request) running.push(gameBot!.handle(request));
  else running.push(runBurst(request.burst, request.files, request.sequential));
}
await Promise.allSettled(running);
await gameBot?.stop();
await engine.close();
process.stdout.write('closed\n');
