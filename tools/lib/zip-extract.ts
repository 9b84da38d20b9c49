import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type Entry, openPromise } from 'yauzl';

/**
 * Streams the entries of a zip (a Python wheel) that `target` names a destination for onto disk, and
 * returns those destinations. Streaming matters: libtensorflow_cc.so.2 is 790 MB unpacked.
 */
export async function extractEntries(
  file: string,
  target: (name: string) => string | undefined,
): Promise<string[]> {
  const zip = await openPromise(file, { lazyEntries: true, autoClose: false });
  const written: string[] = [];
  try {
    const entries: Entry[] = await new Promise((resolve, reject) => {
      const all: Entry[] = [];
      zip.on('entry', (entry: Entry) => {
        all.push(entry);
        zip.readEntry();
      });
      zip.on('end', () => resolve(all));
      zip.on('error', reject);
      zip.readEntry();
    });
    for (const entry of entries) {
      const dest = entry.fileName.endsWith('/') ? undefined : target(entry.fileName);
      if (!dest) continue;
      mkdirSync(path.dirname(dest), { recursive: true });
      await pipeline(await zip.openReadStreamPromise(entry), createWriteStream(dest));
      written.push(dest);
    }
  } finally {
    zip.close();
  }
  return written;
}
