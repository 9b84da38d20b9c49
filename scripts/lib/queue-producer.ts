// A bot-side process for the queue's scale test and benchmark: a QueueEngine that, for each JSON line
// `{"burst": id, "files": [...], "sequential"?: true}` on stdin, reads those photos and sends them all
// at once (or one after another), printing one JSON line per answer and `{"burst": id, "done": true}`.
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

const [url, limit, ttlMs] = process.argv.slice(2);
const engine = await QueueEngine.open({ url: url!, limit: Number(limit), ttlMs: Number(ttlMs) });
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

for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'exit') break;
  const { burst, files, sequential } = JSON.parse(line) as {
    burst: string;
    files: string[];
    sequential?: boolean;
  };
  const droppedBefore = engine.dropped;
  const images = files.map((file) => [file, new Uint8Array(readFileSync(file))] as const);
  if (sequential) for (const [file, image] of images) await one(burst, file, image);
  else await Promise.all(images.map(([file, image]) => one(burst, file, image)));
  process.stdout.write(`${JSON.stringify({ burst, done: true, dropped: engine.dropped - droppedBefore })}\n`);
}
await engine.close();
process.stdout.write('closed\n');
