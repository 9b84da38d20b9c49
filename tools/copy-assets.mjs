// `npm run build`'s second step: tsc emits only JavaScript, so this copies what the compiled code reads
// next to itself (JSON data, the worker entry files, the playground's public/ folder) from src/ to dist/src/.
import fs from 'node:fs';
import path from 'node:path';

const skip = (file) => /\.(ts|mts|md)$/.test(file);
fs.cpSync('src', path.join('dist', 'src'), {
  recursive: true,
  filter: (source) => fs.statSync(source).isDirectory() || !skip(source),
});

// tsc's incremental build re-emits only sources whose content changed, so a file rewritten with the same
// content (`git stash` and `git stash pop`, a checkout back and forth) keeps an older dist/ file, and the
// tests' staleness check (test/support/compiled.ts) would ask for a build that changes nothing. tsc has
// just checked those outputs against the sources: mark them as current.
const now = new Date();
for (const dir of ['src', 'commands']) {
  for (const rel of fs.readdirSync(dir, { recursive: true })) {
    if (!/\.ts$/.test(rel) || /\.d\.ts$/.test(rel)) continue;
    const built = path.join('dist', dir, rel.replace(/\.ts$/, '.js'));
    const outdated = fs.statSync(built, { throwIfNoEntry: false });
    if (outdated && outdated.mtimeMs < fs.statSync(path.join(dir, rel)).mtimeMs)
      fs.utimesSync(built, now, now);
  }
}
