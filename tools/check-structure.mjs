// Structure check, run from the project root by `npm run structure` (and `npm test`); a copy of the shared check. It reports import cycles among
// src/ and commands/ files and between the folders of src/, the neutral core's imports, test helpers inside src/, long source files,
// and where the environment is read.
import fs from 'node:fs';
import path from 'node:path';

const roots = ['src', 'commands'];
const files = [];
const walk = (d) => {
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (/\.(ts|mts)$/.test(e.name) && !e.name.endsWith('.d.ts')) files.push(p);
  }
};
for (const r of roots) if (fs.existsSync(r)) walk(r);
const imports = new Map();
const spec =
  /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;
for (const f of files) {
  const src = fs.readFileSync(f, 'utf8');
  const out = [];
  for (const m of src.matchAll(spec)) {
    const s = m[1] ?? m[2] ?? m[3];
    out.push(s);
  }
  imports.set(f, out);
}
const resolve = (from, s) => {
  if (!s.startsWith('.')) return null;
  const p = path.normalize(path.join(path.dirname(from), s));
  for (const c of [p, p.replace(/\.js$/, '.ts'), `${p}.ts`, path.join(p, 'index.ts')])
    if (files.includes(c)) return c;
  return null;
};
const graph = new Map(
  files.map((f) => [f, (imports.get(f) ?? []).map((s) => resolve(f, s)).filter(Boolean)]),
);
// Tarjan's strongly connected components
let idx = 0;
const st = [],
  on = new Set(),
  ix = new Map(),
  low = new Map(),
  sccs = [];
const strong = (v) => {
  ix.set(v, idx);
  low.set(v, idx);
  idx++;
  st.push(v);
  on.add(v);
  for (const w of graph.get(v)) {
    if (!ix.has(w)) {
      strong(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (on.has(w)) low.set(v, Math.min(low.get(v), ix.get(w)));
  }
  if (low.get(v) === ix.get(v)) {
    const c = [];
    let w;
    do {
      w = st.pop();
      on.delete(w);
      c.push(w);
    } while (w !== v);
    if (c.length > 1) sccs.push(c);
  }
};
for (const f of files) if (!ix.has(f)) strong(f);
const fails = [];
// Folders of src/ as one node each (src/x/… → src/x; a file directly in src/ is its own node): a cycle between
// folders means two layers each need the other, so neither can be understood or changed alone.
const folderOf = (f) => {
  const parts = f.split('/');
  return parts[0] === 'src' && parts.length > 2 ? `src/${parts[1]}` : f;
};
const fgraph = new Map();
for (const [f, ws] of graph) {
  if (!f.startsWith('src/')) continue;
  const a = folderOf(f);
  if (!fgraph.has(a)) fgraph.set(a, new Map());
  for (const w of ws) {
    if (!w.startsWith('src/')) continue;
    const b = folderOf(w);
    if (a !== b) {
      const m = fgraph.get(a);
      if (!m.has(b)) m.set(b, `${f} -> ${w}`);
    }
  }
}
const fReach = (from, to) => {
  const seen = new Set([from]);
  const q = [from];
  while (q.length) {
    const v = q.shift();
    for (const w of (fgraph.get(v) ?? new Map()).keys()) {
      if (w === to) return true;
      if (!seen.has(w)) {
        seen.add(w);
        q.push(w);
      }
    }
  }
  return false;
};
const folderCycles = [];
for (const [a, m] of fgraph)
  for (const [b, why] of m)
    if (a < b || !fgraph.get(b)?.has(a)) {
      if (fReach(b, a)) folderCycles.push(`${a} <-> ${b} (e.g. ${why})`);
    }
const rule = (name, bad) => {
  console.log(
    `${bad.length ? 'FAILS' : 'holds'}  ${name}${bad.length ? ` — ${bad.slice(0, 6).join('; ')}${bad.length > 6 ? ` (+${bad.length - 6} more)` : ''}` : ''}`,
  );
  if (bad.length) fails.push(name);
};
rule(
  'no import cycle in src/ and commands/',
  sccs.map((c) => `${c.length} files: ${c.slice(0, 4).join(', ')}…`),
);
const core = files.filter((f) => /^src\/(chat|core)\//.test(f));
rule(
  'src/chat and src/core import no games, adapters or platform SDK',
  core.flatMap((f) =>
    (imports.get(f) ?? [])
      .filter(
        (s) =>
          /discord\.js|@slack\/|\/games\/|\/adapters\//.test(s) ||
          (resolve(f, s) ?? '').match(/^src\/(games|adapters)\//),
      )
      .map((s) => `${f} -> ${s}`),
  ),
);
rule('no import cycle between folders of src/', folderCycles);
rule(
  'no test helpers inside src/',
  files.filter((f) => f.startsWith('src/') && /(^|\/)(testing|synthetic|fakes?|mocks?)\.ts$/.test(f)),
);
rule(
  'no source file over 400 lines',
  files
    .map((f) => [f, fs.readFileSync(f, 'utf8').split('\n').length])
    .filter(([, n]) => n > 400)
    .map(([f, n]) => `${f} ${n}`),
);
const envReads = files.filter(
  (f) => !f.startsWith('src/config/') && /process\.env\b/.test(fs.readFileSync(f, 'utf8')),
);
rule(
  'environment read only in src/config (and the entry points)',
  envReads.filter((f) => !/^src\/(main|cli\/main)\.ts$/.test(f)),
);
console.log(`structure: ${6 - fails.length}/6 rules hold`);
process.exit(fails.length ? 1 : 0);
