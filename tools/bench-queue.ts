// `npm run bench:queue [-- --photos 200 --workers 3]`: the Redis inference queue on loopback. Two
// bot-side producer processes send bursts of real photos to 1, 2, then 3 inference worker processes
// (one wasm thread each), and the script prints the throughput of each and the queue's latency
// overhead per photo (round trip through Redis minus the engine's own stage times, photos sent one at
// a time to one idle worker). Figures are printed, never asserted; the README quotes them.
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { dataDir, people } from '../test/fixtures/data.ts';
import { QueueCluster, throughput } from './lib/queue-cluster.ts';

const { values } = parseArgs({
  options: { photos: { type: 'string', default: '200' }, workers: { type: 'string', default: '3' } },
});
const count = Number(values.photos);
const maxWorkers = Number(values.workers);
const all = people(path.join(dataDir(), 'celebs')).flatMap((person) => person.files);
const files = Array.from({ length: count }, (_, i) => all[i % all.length]!);

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const cluster = await QueueCluster.start();
try {
  await Promise.all([cluster.addWorker(), cluster.addProducer(), cluster.addProducer()]);
  // Warm-up, then the latency overhead: one photo at a time from one producer to the one idle worker.
  await cluster.burst(files.slice(0, 10));
  const sequential = await cluster.burst(files.slice(0, 40), {
    sequential: true,
    producers: [cluster.producers[0]!],
  });
  const overhead = sequential.answers.map((a) => a.ms - (a.engineMs ?? 0));
  const engine = sequential.answers.map((a) => a.engineMs ?? 0);
  console.log(
    `queue latency overhead per photo: median ${median(overhead).toFixed(1)} ms ` +
      `(round trip ${median(sequential.answers.map((a) => a.ms)).toFixed(1)} ms, engine ${median(engine).toFixed(1)} ms; ` +
      `${sequential.answers.length} photos one at a time; load average ${loadavg()[0]!.toFixed(1)})`,
  );
  for (let workers = 1; workers <= maxWorkers; workers++) {
    if (workers > 1) {
      await cluster.addWorker();
      await cluster.burst(files.slice(0, 10 * workers));
    }
    const burst = await cluster.burst(files);
    const failed = burst.answers.filter((a) => !a.ok);
    console.log(
      `${workers} worker${workers === 1 ? '' : 's'}: ${burst.answers.length} photos in ${(burst.ms / 1000).toFixed(1)} s, ` +
        `${throughput(burst).toFixed(1)} photos/s${failed.length ? ` (${failed.length} failed: ${failed[0]!.error})` : ''}` +
        ` (load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores)`,
    );
  }
} finally {
  await cluster.stop();
}
