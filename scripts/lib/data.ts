import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Resolved from the repository, not the working directory, so scripts and tests work from anywhere.
const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** The shared face photos (LOOKALIKE_DATA, default ../shared/data beside the repo), or a clear error. */
export function dataDir(): string {
  const dir = path.resolve(REPO, process.env.LOOKALIKE_DATA ?? path.join('..', 'shared', 'data'));
  if (!existsSync(dir)) {
    throw new Error(
      `Face photos not found at ${dir}: set LOOKALIKE_DATA or check out ../shared/data beside the repo.`,
    );
  }
  return dir;
}

/** Reads one shared test photo, failing with where it looked when it is missing. */
export function readData(...parts: string[]): Uint8Array {
  const file = path.join(dataDir(), ...parts);
  if (!existsSync(file)) throw new Error(`Test photo not found at ${file} (set LOOKALIKE_DATA to override)`);
  return new Uint8Array(readFileSync(file));
}

/** Files of one person's folder, in natural order (0.png, 1.png, …, 10.png). */
export function personFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.(png|jpe?g|webp)$/i.test(f))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((f) => path.join(dir, f));
}

/** The people of a folder like celebs/<person>/*.png, sorted by name. */
export function people(dir: string): { name: string; files: string[] }[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'group')
    .map((d) => d.name)
    .sort()
    .map((name) => ({ name, files: personFiles(path.join(dir, name)) }));
}
