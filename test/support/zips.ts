// Crafted ZIP archives for import tests: real ones from the shared photos, and hostile ones.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ZipFile } from 'yazl';
import { dataDir, people } from '../fixtures/data.ts';

/** One file to put in a test archive. */
export interface TestFile {
  path: string;
  data: Uint8Array;
  mode?: number;
  compress?: boolean;
}

/** Builds a ZIP in memory with yazl. */
export async function buildZip(files: TestFile[]): Promise<Uint8Array> {
  const zip = new ZipFile();
  for (const file of files) {
    zip.addBuffer(Buffer.from(file.data), file.path, {
      mode: file.mode,
      compress: file.compress ?? true,
    });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * Replaces a name in both the local header and the central directory. yazl refuses to write unsafe
 * names itself, so hostile ones are made by writing a harmless name of the same length and patching it.
 */
export function renameEntry(zip: Uint8Array, from: string, to: string): Uint8Array {
  if (from.length !== to.length) throw new Error('renameEntry needs names of equal length');
  const out = Buffer.from(zip);
  const needle = Buffer.from(from);
  let at = out.indexOf(needle);
  let count = 0;
  while (at !== -1) {
    out.write(to, at);
    count++;
    at = out.indexOf(needle, at + 1);
  }
  if (count === 0) throw new Error(`${from} is not in the archive`);
  return new Uint8Array(out);
}

/** `count` people × `photos` celebrity crops as files `<prefix><person>/<n>.png`. */
export function celebFiles(count: number, photos: number, prefix = ''): TestFile[] {
  return people(path.join(dataDir(), 'celebs'))
    .slice(0, count)
    .flatMap((person) =>
      person.files.slice(0, photos).map((file) => ({
        path: `${prefix}${person.name}/${path.basename(file)}`,
        data: new Uint8Array(readFileSync(file)),
      })),
    );
}
