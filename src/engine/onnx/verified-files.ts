import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The record a cache entry keeps of the last model file that checked out against its manifest sha256. */
const RECORD = 'verified.json';

/**
 * Margin, in ms, between a file's last change and the hash that is recorded: a write within the same
 * tick of the file system's clock after the hash would leave every stat field as recorded (git's "racy"
 * index entries); a file last changed this long before its hash began cannot be.
 */
const RACY_MS = 2000;

/**
 * One state of a file as the kernel reports it: device, inode, size, and the modification and change
 * times in nanoseconds. Any write changes the change time (ctime), which no user can set back, and a
 * replaced file has another inode; so an unchanged identity means unchanged bytes, short of writes that
 * bypass the file system (a raw device) or a disk that silently rots (neither of which the cached graph,
 * which is what actually runs, is checked against either).
 */
export function fileIdentity(file: string): string | undefined {
  try {
    const s = statSync(file, { bigint: true });
    return [s.dev, s.ino, s.size, s.mtimeNs, s.ctimeNs].join(':');
  } catch {
    return undefined;
  }
}

/**
 * True when `entryDir` records this very file as hashed to `sha256` before: the same identity, whose
 * device and inode name one file whatever path (a link, another checkout's copy) led to it.
 */
export function stillVerified(entryDir: string, file: string, sha256: string): boolean {
  try {
    const record = JSON.parse(readFileSync(path.join(entryDir, RECORD), 'utf8')) as Record<string, unknown>;
    return record.sha256 === sha256 && record.identity === fileIdentity(file);
  } catch {
    return false;
  }
}

/**
 * Records that `file` hashed to `sha256`, when its identity was the same before the hash (`before`,
 * taken when the hash began, at `startedMs`) and after it, and its last change is older than RACY_MS.
 * Best effort: a folder that cannot be written just means the next start hashes again.
 */
export function rememberVerified(
  entryDir: string,
  file: string,
  sha256: string,
  before: string | undefined,
  startedMs: number,
): void {
  try {
    const s = statSync(file, { bigint: true });
    if (!before || fileIdentity(file) !== before) return;
    if (Number(s.ctimeNs / 1_000_000n) > startedMs - RACY_MS) return;
    const record = path.join(entryDir, RECORD);
    const partial = `${record}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    writeFileSync(partial, JSON.stringify({ file, sha256, identity: before }));
    renameSync(partial, record);
  } catch {
    // Read-only cache or a vanished entry: nothing is recorded.
  }
}
