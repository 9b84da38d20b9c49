// Issue 12's store faults, induced for real: `kill -9` of `lookalike enroll` with 400 photos in the
// middle of writing them, and the SQLite store's disk filling up, then turning read-only, under a running
// bot. The gallery stays consistent, nothing stored before is lost, and the messages say what happened.
// The disk faults mount a 1 MiB tmpfs, which needs root (as `npm test`'s own preparation does).
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createLogger } from '../../src/chat/logger.ts';
import type { ChatContext, OptionValue } from '../../src/chat/types.ts';
import { loadConfig } from '../../src/config/index.ts';
import { Gallery } from '../../src/gallery/gallery.ts';
import { type RunningApp, startApp } from '../../src/main.ts';
import { openStore } from '../../src/store/index.ts';
import { RecordingResponder } from '../fixtures/chat-fakes.ts';
import { dataDir } from '../fixtures/data.ts';
import { photo } from '../support/bbt-photo.ts';
import { CLI_BIN } from '../support/cli-run.ts';
import { dumpSqliteStore } from '../support/store-dump.ts';

const run = promisify(execFile);

/** What a scope's gallery holds, read back through a fresh store: names, photo counts, version, blobs. */
async function inspect(file: string) {
  const store = await openStore(`sqlite://${file}`);
  try {
    const gallery = new Gallery(store);
    const listed = await gallery.list('global');
    const snapshot = await gallery.snapshot('global');
    return {
      version: await gallery.version('global'),
      people: new Map(listed.map((i) => [i.name, i.photos.length])),
      // Photos the index lists whose blob (embedding, thumbnail) can be read.
      readable: snapshot.identities.reduce((n, i) => n + i.photos.length, 0),
      listed: listed.reduce((n, i) => n + i.photos.length, 0),
      model: (await gallery.getModel('global')) !== null,
      // Every stored photo blob, referenced or not, read straight from the file.
      blobs: [...(await dumpSqliteStore(file)).keys()].filter((k) => k.startsWith('photos:')).length,
    };
  } finally {
    await store.close();
  }
}

function size(file: string): number {
  return existsSync(file) ? statSync(file).size : 0;
}

describe('fault: kill -9 in the middle of a 400-photo `lookalike enroll`', { timeout: 300_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lookalike-enroll-kill-'));
  const faces = path.join(dir, 'faces');
  const db = path.join(dir, 'gallery.sqlite');
  const store = `sqlite://${db}`;

  before(() => {
    // The 400 celebrity crops, as one folder per person (linked, not copied).
    const celebs = path.join(dataDir(), 'celebs');
    mkdirSync(faces);
    for (const person of readdirSync(celebs))
      symlinkSync(path.join(celebs, person), path.join(faces, person));
    const total = readdirSync(faces).reduce((n, p) => n + readdirSync(path.join(faces, p)).length, 0);
    assert.equal(total, 400);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves a consistent gallery, and running it again completes it', async () => {
    const child = spawn(process.execPath, [CLI_BIN, 'enroll', faces, '--store', store, '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_c, s) => resolve(s)));
    // Killed once the photos are being written: the store (file and write-ahead log) has grown by 1 MB.
    let start = -1;
    let killedAt = 0;
    while (child.exitCode === null && child.signalCode === null) {
      const now = size(db) + size(`${db}-wal`);
      if (start < 0 && existsSync(db)) start = now;
      if (start >= 0 && now - start > 1_000_000) {
        killedAt = now - start;
        child.kill('SIGKILL');
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.equal(await exited, 'SIGKILL', 'killed while it was writing, not after it finished');
    const killed = await inspect(db);
    console.log(
      `killed after ${Math.round(killedAt / 1000)} kB written: ${JSON.stringify({ ...killed, people: killed.people.size })}`,
    );
    // One commit for the whole run: before it, nothing; after it, everything. Never part of a person.
    assert.equal(killed.people.size, 0, 'no identity before the commit');
    assert.equal(killed.version, 0, 'the version counts no change that is not there');
    assert.equal(killed.listed, 0);
    assert.ok(killed.blobs > 0, 'photos written before the kill are there, unreferenced');

    const { stdout } = await run(process.execPath, [CLI_BIN, 'enroll', faces, '--store', store, '--json'], {
      timeout: 240_000,
    });
    const summary = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      enrolled: number;
      identities: number;
      skipped: unknown[];
    };
    assert.equal(summary.identities, 20);
    assert.equal(summary.enrolled + summary.skipped.length, 400);
    const done = await inspect(db);
    assert.equal(done.people.size, 20);
    assert.equal(done.listed, summary.enrolled, 'every photo the run reported is listed');
    assert.equal(done.readable, done.listed, 'and every listed photo has its embedding and thumbnail');
    assert.equal(done.version, 1, 'one change, one version');
    assert.ok(done.model, 'the classifier cached for that version');
    assert.equal(done.blobs, done.listed, 'the killed run left no orphan: the re-run committed its blobs');
  });
});

/**
 * A 2 MiB tmpfs at `dir` (root only), so the disk can fill up and turn read-only for real. It must keep
 * room after the first test's last enrolment (the photos, the model and the embeddings packed for
 * answering): on a full disk SQLite cannot checkpoint its log at close, and with the -wal and -shm files
 * left beside it a read-only disk opens, so the second test would see no refusal.
 */
function mountSmallDisk(dir: string): void {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    throw new Error(`this fault test mounts a tmpfs and needs root: ${String(err)}`);
  }
}

/** Fills the rest of the file system at `dir` with one file, to the last block; returns its path. */
async function fill(dir: string): Promise<string> {
  const filler = path.join(dir, 'filler');
  for (const bytes of [64 * 1024, 4096, 512]) {
    const chunk = Buffer.alloc(bytes, 1);
    for (;;) {
      try {
        await appendFile(filler, chunk);
      } catch {
        break;
      }
    }
  }
  return filler;
}

describe('fault: the SQLite store fills up, then turns read-only, under a running bot', {
  timeout: 180_000,
}, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lookalike-small-disk-'));
  let app: RunningApp | undefined;
  const config = () =>
    loadConfig({ LOOKALIKE_STORE: `sqlite://${dir}/lookalike.sqlite`, HOST: '127.0.0.1', PORT: '0' });
  const ctx: ChatContext = {
    platform: 'playground',
    scope: 'playground',
    channelId: 'playground',
    user: { id: 'playground:admin', platformId: 'admin', displayName: 'admin', isPlatformAdmin: true },
  };
  const command = async (line: string, options: Record<string, OptionValue | undefined> = {}) => {
    const [name = '', subcommand] = line.split(' ');
    const responder = new RecordingResponder();
    await app!.bot.handleCommand(name, { ctx, subcommand, options }, responder);
    return responder.only().text;
  };
  const five = (person: string) =>
    Object.fromEntries([1, 2, 3, 4, 5].map((n) => [n === 1 ? 'image' : `image${n}`, photo(person, n)]));

  before(async () => {
    mountSmallDisk(dir);
    app = await startApp(config(), { logger: createLogger({ write: () => {} }) });
  });
  after(async () => {
    await app?.stop();
    // Lazily: the failed open on the read-only disk leaves its file handle to the garbage collector
    // (@keyv/sqlite does not close a database whose table creation failed).
    execFileSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('says the disk is full, keeps what was stored, and saves again once there is room', async () => {
    assert.match(await command('enroll', { name: 'Penny', ...five('penny') }), /Penny/);
    const filler = await fill(dir);
    const refused = await command('enroll', { name: 'Sheldon', ...five('sheldon') });
    assert.match(refused, /cannot save changes: the disk is full\. Nothing was changed/);
    assert.match(await command('gallery list'), /Penny/);
    assert.doesNotMatch(await command('gallery list'), /Sheldon/);
    assert.match(await command('lookalike', { image: photo('penny', 1) }), /Penny/);
    rmSync(filler);
    assert.match(await command('enroll', { name: 'Sheldon', ...five('sheldon') }), /Sheldon/);
    assert.match(await command('gallery list'), /Sheldon/);
  });

  it('refuses to start on a read-only disk with a message that says so, and loses nothing', async () => {
    // Linux refuses to make a file system read-only while a file on it is open for writing, so the bot
    // stops, the disk turns read-only, and the bot is started again on it.
    await app?.stop();
    app = undefined;
    execFileSync('mount', ['-o', 'remount,ro', dir]);
    try {
      await assert.rejects(
        startApp(config(), { logger: createLogger({ write: () => {} }) }),
        /^UserError: Cannot open the SQLite store at .*lookalike\.sqlite: the file system is read-only\. Set LOOKALIKE_STORE/,
      );
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', dir]);
    }
    app = await startApp(config(), { logger: createLogger({ write: () => {} }) });
    const listed = await command('gallery list');
    assert.match(listed, /Penny/);
    assert.match(listed, /Sheldon/);
    assert.match(await command('lookalike', { image: photo('sheldon', 1) }), /Sheldon/);
    assert.match(await command('enroll', { name: 'Amy', ...five('amy') }), /Amy/);
  });
});
