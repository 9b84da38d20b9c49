// The scale test of the Redis inference queue, on loopback: Redis, two inference worker processes and
// two bot-side producer processes; a burst of 200 real photos with one worker killed (SIGKILL) in the
// middle. Every photo must be answered exactly once. Throughputs are printed, never asserted.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { Redis } from 'ioredis';
import { dataDir, people } from '../scripts/lib/data.ts';
import { type BurstResult, QueueCluster, throughput } from '../scripts/lib/queue-cluster.ts';
import { QUEUE_PREFIX } from '../src/queue/wire.ts';

/** 200 real photos: the first 10 celebrity crops of each of the 20 people. */
function photos(): string[] {
  return people(path.join(dataDir(), 'celebs')).flatMap((person) => person.files.slice(0, 10));
}

let cluster: QueueCluster;

before(async () => {
  cluster = await QueueCluster.start();
  await Promise.all([cluster.addWorker(), cluster.addWorker(), cluster.addProducer(), cluster.addProducer()]);
});

after(async () => {
  await cluster?.stop();
});

it('answers every photo of a 200-photo burst exactly once while a worker is killed, and prints throughputs', async (t) => {
  const files = photos();
  assert.equal(files.length, 200);

  // A short warm-up (the first photos after start-up are slow), then the two-worker figure, no kill.
  await cluster.burst(files.slice(0, 10));
  const two = await cluster.burst(files.slice(0, 60));
  assert.ok(two.answers.every((a) => a.ok));

  const [victim, survivor] = cluster.workers;
  let stalled = 0;
  survivor!.onLine((line) => {
    if (line.includes('retrying a stalled job')) stalled++;
  });
  const killed = cluster.burst(files, {
    onAnswer: (_answer, count) => {
      // Mid-burst: both workers are busy with a photo each, so the victim dies holding one.
      if (count === 60) victim!.process.kill('SIGKILL');
    },
  });
  const burst = await killed;
  assert.equal(victim!.process.signalCode, 'SIGKILL');

  const answered = new Map<string, number>();
  for (const a of burst.answers) answered.set(a.file, (answered.get(a.file) ?? 0) + 1);
  const failures = burst.answers.filter((a) => !a.ok);
  assert.deepEqual(failures, [], 'no photo failed or timed out');
  assert.equal(burst.answers.length, 200, 'one answer per photo');
  assert.deepEqual(
    [...answered.values()].filter((n) => n !== 1),
    [],
    'no photo answered twice',
  );
  assert.deepEqual([...answered.keys()].sort(), [...files].sort(), 'every photo answered');
  assert.ok(
    burst.answers.every((a) => (a.faces ?? 0) >= 1),
    'every crop has its face',
  );

  // No photo or answer outlives its job.
  const redis = new Redis(cluster.url);
  const left = (await redis.keys(`${QUEUE_PREFIX}:*`)).filter((k) => /:[0-9a-f-]{36}$/.test(k));
  redis.disconnect();
  assert.deepEqual(left, []);

  // The one-worker figure, on the survivor.
  const one = await cluster.burst(files.slice(0, 60));
  assert.ok(one.answers.every((a) => a.ok));

  const line = (name: string, r: BurstResult) =>
    `${name}: ${r.answers.length} photos in ${(r.ms / 1000).toFixed(1)} s, ${throughput(r).toFixed(1)} photos/s`;
  t.diagnostic(line('1 worker', one));
  t.diagnostic(line('2 workers', two));
  t.diagnostic(
    `${line('kill burst (2 workers, one killed after 60 answers)', burst)}; ${stalled} stalled job(s) retried, ` +
      `${burst.dropped} duplicate answer(s) dropped, ${burst.answers.length} answers for 200 photos`,
  );
});
