// `npm run build`'s second step: tsc emits only JavaScript, so this copies what the compiled code reads
// next to itself (JSON data, the worker entry files, the playground's public/ folder) from src/ to dist/src/.
import fs from 'node:fs';
import path from 'node:path';

const skip = (file) => /\.(ts|mts|md)$/.test(file);
fs.cpSync('src', path.join('dist', 'src'), {
  recursive: true,
  filter: (source) => fs.statSync(source).isDirectory() || !skip(source),
});
