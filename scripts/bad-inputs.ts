// Writes the bad-input corpus of issue 12 (scripts/lib/bad-inputs.ts) into a folder, for trying it by
// hand: `npm run bad-inputs -- [folder]` (default: a new temporary folder), then e.g.
// `npx lookalike infer <folder>/*`. The files are generated, never committed.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { badInputs } from './lib/bad-inputs.ts';

const dir = process.argv[2] ?? mkdtempSync(path.join(tmpdir(), 'lookalike-bad-inputs-'));
const inputs = await badInputs();
for (const input of inputs) writeFileSync(path.join(dir, input.name), input.bytes);
const width = Math.max(...inputs.map((i) => i.kind.length));
for (const input of inputs) {
  const expected = !('text' in input.expect) ? 'an answer' : `${input.expect.code} ${input.expect.text}`;
  console.log(
    `${input.kind.padEnd(width)}  ${input.name.padEnd(14)} ${String(input.bytes.length).padStart(9)} B  ${expected}`,
  );
}
console.log(`${inputs.length} kinds written to ${dir}`);
