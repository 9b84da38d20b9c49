// Reading and writing ZIP archives (yauzl / yazl) with limits, for gallery imports and packs. An archive
// comes from an admin's upload, so it is treated as hostile: the whole central directory is checked
// before a single entry is inflated, and one bad entry refuses the whole archive.
import type { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { type Entry, fromBufferPromise, type ZipFile as ZipReader } from 'yauzl';
import { ZipFile as ZipWriter } from 'yazl';
import { UserError } from '../errors.ts';
import type { TextContext } from '../user-texts.ts';

/** Limits on an archive, all checked against the central directory before anything is inflated. */
export interface ZipLimits {
  /** Most entries (files and folders). */
  maxEntries: number;
  /** Largest uncompressed entry: the image decoder refuses files over 20 MiB anyway. */
  maxEntryBytes: number;
  /** Largest uncompressed total, which is held in memory while importing. */
  maxTotalBytes: number;
  /** Largest uncompressed/compressed ratio of an entry over 64 KiB (photos barely compress). */
  maxRatio: number;
}

/** Enough for a few thousand photos; far below what would strain the bot's memory. */
export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 5000,
  maxEntryBytes: 20 * 1024 * 1024,
  maxTotalBytes: 256 * 1024 * 1024,
  maxRatio: 100,
};

/** One file of an archive. */
export interface ZipEntry {
  /** Path inside the archive, `/`-separated, never absolute and never with `..`. */
  path: string;
  data: Uint8Array;
}

// Small entries (names lists, empty files) may compress very well without being bombs.
const RATIO_FLOOR = 64 * 1024;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

function refuse(context: TextContext): UserError {
  return new UserError('bad_archive', context);
}

function mib(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
}

// yauzl reports unsafe names as errors while reading the directory; its texts name the path.
function directoryError(err: unknown): UserError {
  const message = err instanceof Error ? err.message : String(err);
  if (/absolute path/i.test(message))
    return refuse({ text: 'zip_absolute_path', value: message.split(': ')[1] });
  if (/invalid relative path/i.test(message)) {
    return refuse({ text: 'zip_climbing_path', value: message.split(': ')[1] });
  }
  if (/invalid characters/i.test(message)) return refuse({ text: 'zip_backslash' });
  return new UserError('bad_archive', { text: 'zip_unreadable' }, { cause: err });
}

/** Checks one central-directory entry against the limits and the rules on paths and links. */
function checkEntry(entry: Entry, limits: ZipLimits): void {
  const name = entry.fileName;
  const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
  if (mode === S_IFLNK) throw refuse({ text: 'zip_link', file: name });
  if (entry.isEncrypted()) throw refuse({ text: 'zip_encrypted', file: name });
  if (!entry.canDecodeFileData()) throw refuse({ text: 'zip_compression', file: name });
  if (name.split('/').some((part) => part === '..')) throw refuse({ text: 'zip_climbs', file: name });
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) throw refuse({ text: 'zip_absolute', file: name });
  if (entry.uncompressedSize > limits.maxEntryBytes) {
    throw refuse({
      text: 'zip_entry_too_large',
      file: name,
      size: mib(entry.uncompressedSize),
      sizeLimit: mib(limits.maxEntryBytes),
    });
  }
  if (
    entry.uncompressedSize > RATIO_FLOOR &&
    entry.uncompressedSize > limits.maxRatio * Math.max(1, entry.compressedSize)
  ) {
    throw refuse({ text: 'zip_bomb', file: name, limit: limits.maxRatio });
  }
}

async function readAll(stream: Readable, limit: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += (chunk as Buffer).byteLength;
    // yauzl already holds entries to their declared size; this guards against a bug there.
    if (total > limit) throw new Error('entry larger than declared');
    chunks.push(chunk as Buffer);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * Reads every file of an archive into memory. First the whole central directory is read and checked
 * (entry count, per-entry and total unpacked size, compression ratio, no `..`, no absolute path, no link,
 * no encryption); only then are the entries inflated, each checked against its declared size and CRC.
 * Any problem is a `bad_archive` UserError that names it, and nothing is returned.
 */
export async function readZip(
  bytes: Uint8Array,
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
): Promise<ZipEntry[]> {
  let zip: ZipReader;
  try {
    zip = await fromBufferPromise(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      lazyEntries: true,
      decodeStrings: true,
      validateEntrySizes: true,
      strictFileNames: false,
    });
  } catch (err) {
    throw directoryError(err);
  }
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw refuse({ text: 'zip_too_many_entries', count: zip.entryCount, limit: limits.maxEntries });
    }
    const files: Entry[] = [];
    let total = 0;
    try {
      for await (const entry of zip.eachEntry()) {
        checkEntry(entry, limits);
        if (entry.fileName.endsWith('/')) continue;
        total += entry.uncompressedSize;
        if (total > limits.maxTotalBytes) {
          throw refuse({ text: 'zip_too_large', sizeLimit: mib(limits.maxTotalBytes) });
        }
        files.push(entry);
      }
    } catch (err) {
      throw err instanceof UserError ? err : directoryError(err);
    }
    const out: ZipEntry[] = [];
    for (const entry of files) {
      try {
        const stream = await zip.openReadStreamPromise(entry);
        const data = await readAll(stream, entry.uncompressedSize);
        // yauzl checks sizes but leaves the CRC to its caller.
        if (crc32(data) !== entry.crc32) throw new Error('CRC mismatch');
        out.push({ path: entry.fileName, data });
      } catch (err) {
        throw new UserError(
          'bad_archive',
          { text: 'zip_entry_damaged', file: entry.fileName },
          { cause: err },
        );
      }
    }
    return out;
  } finally {
    zip.close();
  }
}

/** Writes files into a ZIP in memory; `compress: false` stores them as they are (PNGs barely shrink). */
export async function writeZip(
  files: { path: string; data: Uint8Array; compress?: boolean }[],
): Promise<Uint8Array> {
  const zip = new ZipWriter();
  // A fixed time, so that the same gallery always exports to the same bytes.
  const mtime = new Date('2000-01-01T00:00:00Z');
  for (const file of files) {
    zip.addBuffer(Buffer.from(file.data.buffer, file.data.byteOffset, file.data.byteLength), file.path, {
      mtime,
      compress: file.compress ?? true,
    });
  }
  zip.end();
  return readAll(zip.outputStream as Readable, Number.POSITIVE_INFINITY);
}
