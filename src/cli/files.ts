import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { NamedImage } from '../domain/types.ts';
import { UserError } from '../errors.ts';
import { folderDisplayName } from '../gallery/slug.ts';

/** Reads a file the user named, with a one-line error when it cannot be read. */
export function readInput(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(
      'bad_input',
      code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot read (${code})`,
    );
  }
}

/** "barack_obama" -> "Barack Obama": OpenFace folder names become display names. */
export const displayName = folderDisplayName;

/** One batch per subfolder of `dir`, like OpenFace's aligned_faces/<person>/. */
export function folderBatches(dir: string): { name: string; images: NamedImage[] }[] {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new UserError('bad_input', `${dir} is not a folder`);
    entries = readdirSync(dir).sort();
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError('bad_input', `${dir}: no such folder`);
  }
  const batches = entries
    .filter((e) => statSync(path.join(dir, e)).isDirectory())
    .map((person) => {
      const folder = path.join(dir, person);
      const files = readdirSync(folder)
        .filter((f) => !f.startsWith('.'))
        .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
      return {
        name: displayName(person),
        images: files.map((f) => ({ name: path.join(folder, f), data: readFileSync(path.join(folder, f)) })),
      };
    })
    .filter((b) => b.images.length > 0);
  if (batches.length === 0) {
    throw new UserError('bad_input', `${dir} has no subfolders with photos (expected ${dir}/<person>/*.jpg)`);
  }
  return batches;
}

/** Every file under `dir`, recursively, skipping hidden ones (originals to match by sha256). */
export function listImages(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new UserError('bad_input', `${dir}: no such folder`);
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => !path.basename(f).startsWith('.'))
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile());
}
