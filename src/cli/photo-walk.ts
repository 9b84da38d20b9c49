import { type Dirent, statSync } from 'node:fs';
import { open, opendir } from 'node:fs/promises';
import path from 'node:path';
import { isAcceptedKind, sniffKind } from '../image/sniff.ts';

/** One photo to analyse: a file named on the command line, or one found in a folder named there. */
export interface PhotoInput {
  file: string;
  /** Found by walking a folder: a file that is not an image is skipped with a reason, not an error. */
  fromFolder: boolean;
}

/** Whether a command-line argument names a folder (a missing path is not one: it fails as a file later). */
export function isFolder(arg: string): boolean {
  try {
    return statSync(arg).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The photos the arguments name, lazily: files as given, folders walked recursively in name order
 * (hidden files and folders left out; symbolic links to files followed, to folders not, so a link
 * cycle cannot loop). Nothing is listed ahead, so a folder of any size costs one directory at a time.
 */
export async function* photoInputs(args: readonly string[]): AsyncGenerator<PhotoInput> {
  for (const arg of args) {
    if (isFolder(arg)) yield* walk(arg);
    else yield { file: arg, fromFolder: false };
  }
}

async function* walk(dir: string): AsyncGenerator<PhotoInput> {
  const entries: Dirent[] = [];
  for await (const entry of await opendir(dir)) if (!entry.name.startsWith('.')) entries.push(entry);
  entries.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  for (const entry of entries) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(file);
    else if (entry.isFile() || (entry.isSymbolicLink() && isFile(file))) yield { file, fromFolder: true };
  }
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Why a file found in a folder is not analysed, from its first bytes (never its name), or undefined
 * when it is an image the decoder takes. Reads 4 KB, so a video in the folder is not read whole.
 */
export async function notImageReason(file: string): Promise<string | undefined> {
  const handle = await open(file, 'r');
  try {
    const head = new Uint8Array(4096);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const kind = sniffKind(head.subarray(0, bytesRead));
    if (isAcceptedKind(kind)) return undefined;
    return kind === 'unknown' ? 'not an image' : `not an image (${kind})`;
  } finally {
    await handle.close();
  }
}
