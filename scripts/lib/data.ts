import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** The shared face photos (LOOKALIKE_DATA, default ../shared/data), or a clear error. */
export function dataDir(): string {
  const dir = path.resolve(process.env.LOOKALIKE_DATA ?? path.join(process.cwd(), '..', 'shared', 'data'));
  if (!existsSync(dir)) {
    throw new Error(
      `Face photos not found at ${dir}: set LOOKALIKE_DATA or check out ../shared/data beside the repo.`,
    );
  }
  return dir;
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
