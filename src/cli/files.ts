import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readSync,
  statSync,
} from 'node:fs';
import path from 'node:path';
import type { NamedImage, Skipped } from '../domain/types.ts';
import { UserError } from '../errors.ts';
import { folderDisplayName } from '../gallery/slug.ts';
import { DEFAULT_MAX_BYTES } from '../image/decode.ts';

/** Largest photo the command line reads: the decoder's own limit, so nothing larger is read at all. */
export const MAX_INPUT_BYTES = DEFAULT_MAX_BYTES;

function megabytes(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
}

// Why a path that failed to open cannot be read, in words (a dangling link is ENOENT on its target).
function openFailure(file: string, code: string | undefined): UserError {
  if (code === 'ENOENT') {
    let link = false;
    try {
      link = lstatSync(file).isSymbolicLink();
    } catch {}
    return new UserError('bad_path', { text: link ? 'path_dangling_link' : 'path_missing', file });
  }
  if (code === 'EISDIR') return new UserError('bad_path', { text: 'path_is_folder', file });
  return new UserError('bad_path', { text: 'path_unreadable', file, why: String(code) });
}

/**
 * Reads a file the user named, with a one-line error when it cannot be read. The file is opened without
 * blocking and checked on the open descriptor before a byte is read: a folder, a FIFO (which would hang
 * a plain read), a device or a file over `maxBytes` (which would be read whole, gigabytes of it) is
 * refused by its type and size, and the check cannot be raced by swapping the path.
 */
export function readInput(file: string, maxBytes = MAX_INPUT_BYTES): Uint8Array {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw openFailure(file, (err as NodeJS.ErrnoException).code);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new UserError('bad_path', { text: 'path_is_folder', file });
    if (!stat.isFile()) throw new UserError('bad_path', { text: 'path_not_regular', file });
    if (stat.size > maxBytes) {
      throw new UserError('file_too_large', {
        text: 'path_too_large',
        file,
        size: megabytes(stat.size),
        sizeLimit: megabytes(maxBytes),
      });
    }
    if (stat.size === 0) throw new UserError('empty_file', { file });
    const data = new Uint8Array(stat.size);
    let at = 0;
    while (at < data.length) {
      const n = readSync(fd, data, at, data.length - at, at);
      if (n === 0) break;
      at += n;
    }
    return at === data.length ? data : data.subarray(0, at);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw openFailure(file, (err as NodeJS.ErrnoException).code);
  } finally {
    closeSync(fd);
  }
}

/** "barack_obama" -> "Barack Obama": OpenFace folder names become display names. */
export const displayName = folderDisplayName;

/**
 * One batch per subfolder of `dir`, like OpenFace's aligned_faces/<person>/. A file that cannot be
 * read as a photo (a folder inside a person's folder, a link to nothing, a FIFO, a file too large or
 * empty) is skipped with its reason, as a photo without a face is; the rest are enrolled.
 */
export function folderBatches(dir: string): {
  batches: { name: string; images: NamedImage[] }[];
  skipped: Skipped[];
} {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new UserError('bad_path', { text: 'path_not_folder', file: dir });
    entries = readdirSync(dir).sort();
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError('bad_path', { text: 'folder_missing', file: dir });
  }
  const skipped: Skipped[] = [];
  const isFolder = (p: string) => {
    try {
      return statSync(p).isDirectory();
    } catch {
      return false;
    }
  };
  const batches = entries
    .filter((e) => !e.startsWith('.') && isFolder(path.join(dir, e)))
    .map((person) => {
      const folder = path.join(dir, person);
      const files = readdirSync(folder)
        .filter((f) => !f.startsWith('.'))
        .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
      const images: NamedImage[] = [];
      for (const f of files) {
        const file = path.join(folder, f);
        try {
          images.push({ name: file, data: readInput(file) });
        } catch (err) {
          if (!(err instanceof UserError)) throw err;
          skipped.push({ file, code: err.code, reason: err.message.replace(`${file}: `, '') });
        }
      }
      return { name: displayName(person), images };
    })
    .filter((b) => b.images.length > 0);
  if (batches.length === 0 && skipped.length === 0) {
    throw new UserError('bad_path', { text: 'folder_no_people', file: dir });
  }
  return { batches, skipped };
}

/** Every file under `dir`, recursively, skipping hidden ones (originals to match by sha256). */
export function listImages(dir: string): string[] {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {}
  if (!isDir) throw new UserError('bad_path', { text: 'folder_missing', file: dir });
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => !path.basename(f).startsWith('.'))
    .map((f) => path.join(dir, f))
    .filter((f) => {
      try {
        return lstatSync(f).isFile();
      } catch {
        return false;
      }
    });
}
