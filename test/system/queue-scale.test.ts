// The scale test of the Redis inference queue, on loopback: Redis, two inference worker processes and
// two bot-side producer processes; a burst of 200 real photos with one worker killed (SIGKILL) in the
// middle. Every photo must be answered exactly once. Throughputs are printed, never asserted. The two
// producers are also game bots sharing games through the same Redis: during the burst a game started
// from both at once runs once, and of many right answers through both, exactly one scores.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { Redis } from 'ioredis';
import { QUEUE_PREFIX } from '../../src/queue/wire.ts';
import { askGame, type BurstResult, QueueCluster, throughput } from '../../tools/lib/queue-cluster.ts';
import type { Child } from '../fixtures/child.ts';
import { dataDir, people } from '../fixtures/data.ts';

/** What both bot processes said about one game: starts, answers, and the final scoreboards posted. */
interface GameRun {
  starts: string[];
  answers: string[];
  finals: string[];
}

/**
 * Plays one guess round through both bot processes at once: both start it in one channel, then 20
 * members press the right name, alternately through each process; waits until the game is over.
 */
async function playAcross(bots: Child[]): Promise<GameRun> {
  const finals: string[] = [];
  for (const bot of bots) {
    bot.onLine((line) => {
      if (
        line.startsWith('{"post"') &&
        line.includes('"channelId":"scale"') &&
        line.includes('final scores')
      ) {
        finals.push(line);
      }
    });
  }
  const starts = await Promise.all(
    bots.map((bot, i) => askGame(bot, { op: 'guess', user: String(i + 1), channel: 'scale', rounds: 1 })),
  );
  const { state } = await askGame(bots[1]!, { op: 'state', channel: 'scale' });
  const round = state as { id: string; plan: { answer: { slug: string } }[] } | null;
  assert.ok(round, 'the game is in the shared state');
  const button = `game:${round.id}:0:${round.plan[0]!.answer.slug}`;
  const answers = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      askGame(bots[i % bots.length]!, { op: 'press', user: String(100 + i), channel: 'scale', button }),
    ),
  );
  // The final scoreboard is posted before the state is deleted, so once it is gone every post is in.
  while ((await askGame(bots[0]!, { op: 'state', channel: 'scale' })).state !== null) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    starts: starts.map((s) => `${s.title ?? ''} ${s.text ?? ''}`),
    answers: answers.map((a) => a.text ?? ''),
    finals,
  };
}

/** 200 real photos: the first 10 celebrity crops of each of the 20 people. */
function photos(): string[] {
  return people(path.join(dataDir(), 'celebs')).flatMap((person) => person.files.slice(0, 10));
}

let cluster: QueueCluster;

before(async () => {
  cluster = await QueueCluster.start();
  const games = { revealMs: 2_000, pauseMs: 1_000 };
  await Promise.all([
    cluster.addWorker(),
    cluster.addWorker(),
    cluster.addProducer(1_000, 600_000, games),
    cluster.addProducer(1_000, 600_000, games),
  ]);
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
  const game = await playAcross(cluster.producers);
  const burst = await killed;
  assert.equal(victim!.process.signalCode, 'SIGKILL');

  // One game in the channel, one winner, one final scoreboard, whichever process each event reached.
  assert.equal(game.starts.filter((s) => /Who's that celebrity/.test(s)).length, 1, game.starts.join(' | '));
  assert.equal(game.starts.filter((s) => /already running in this channel/.test(s)).length, 1);
  assert.equal(game.answers.filter((a) => a.startsWith('✓')).length, 1, game.answers.join(' | '));
  assert.equal(game.answers.filter((a) => /^Too late: User 1\d\d got it first\.$/.test(a)).length, 19);
  assert.equal(game.finals.length, 1, 'one final scoreboard');
  const winner = /🥇 \*\*(User 1\d\d)\*\*/.exec(game.finals[0]!)?.[1];
  assert.ok(winner, game.finals[0]);

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
  t.diagnostic(
    `game across the 2 bot processes during the burst: ${game.starts.length} starts -> 1 game, ` +
      `${game.answers.length} right answers -> 1 scored (${winner}), ${game.finals.length} final scoreboard`,
  );
});
