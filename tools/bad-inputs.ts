// Writes the bad-input corpus of issues 12 and 21 into a folder, for trying it by hand:
// `npm run bad-inputs -- [folder]` (default: a new temporary folder), then e.g.
// `npx lookalike infer <folder>/*`, `npx lookalike pack import <folder>/packs/pack-huge-embedding.zip` or
// `npx lookalike enroll <folder>/odd-files`. The files are generated, never committed.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_TUNING } from '../src/domain/tuning.ts';
import { engineFingerprint } from '../src/engine/fingerprint.ts';
import { badInputs } from '../test/fixtures/bad-inputs.ts';
import { HOSTILE_NAMES, hostilePacks, manyPartsBody, oddFiles } from '../test/fixtures/hostile-inputs.ts';

const dir = process.argv[2] ?? mkdtempSync(path.join(tmpdir(), 'lookalike-bad-inputs-'));
const inputs = await badInputs();
for (const input of inputs) writeFileSync(path.join(dir, input.name), input.bytes);
const rows: [string, string, number, string][] = inputs.map((input) => [
  input.kind,
  input.name,
  input.bytes.length,
  !('text' in input.expect) ? 'an answer' : `${input.expect.code} ${input.expect.text}`,
]);

// Packs (issue 21, items 1–3; issue 20 §6), made for this machine's engine where their embeddings count.
mkdirSync(path.join(dir, 'packs'), { recursive: true });
for (const pack of await hostilePacks(engineFingerprint(DEFAULT_TUNING))) {
  writeFileSync(path.join(dir, 'packs', pack.name), pack.bytes);
  rows.push([
    pack.kind,
    `packs/${pack.name}`,
    pack.bytes.length,
    pack.refusal ? `bad_pack ${pack.refusal}` : 'imported, base names only',
  ]);
}
// Names (items 4, 5): one per line, to type after `/enroll` or `lookalike enroll --name`.
writeFileSync(
  path.join(dir, 'names.txt'),
  `${HOSTILE_NAMES.map((n) => JSON.stringify(n.name)).join('\n')}\n`,
);
for (const n of HOSTILE_NAMES) rows.push([n.kind, 'names.txt', n.name.length, `bad_name ${n.refusal}`]);
// Multipart (item 6): POST with `content-type: multipart/form-data; boundary=lookalikeboundary`.
const parts = manyPartsBody(500_000);
writeFileSync(path.join(dir, 'many-parts.multipart'), parts);
rows.push(['multipart: 500,000 parts', 'many-parts.multipart', parts.length, '413 more than 10 parts']);
// Odd files (item 9): `lookalike enroll <dir>/odd-files`.
const person = path.join(dir, 'odd-files', 'penny');
mkdirSync(person, { recursive: true });
for (const odd of oddFiles(person))
  rows.push([`odd file: ${odd.file}`, `odd-files/penny/${odd.file}`, 0, `skipped ${odd.why}`]);
// The store file deleted (item 11) is an action, not a file: `rm data/lookalike.sqlite*` under a running
// bot, then /enroll: refused with "deleted or replaced while I was running" (test/system/hostile-store.test.ts).
rows.push(['store file deleted under a running bot', '(rm store.sqlite*)', 0, 'store_moved, logged once']);

const width = Math.max(...rows.map((r) => r[0].length));
const nameWidth = Math.max(...rows.map((r) => r[1].length));
for (const [kind, name, bytes, expected] of rows) {
  console.log(`${kind.padEnd(width)}  ${name.padEnd(nameWidth)} ${String(bytes).padStart(9)} B  ${expected}`);
}
console.log(`${rows.length} kinds written to ${dir}`);
