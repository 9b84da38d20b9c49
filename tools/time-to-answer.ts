/**
 * Start-up as a user meets it: how long each command takes from being spawned to its first line of
 * output (the answer of a one-photo `lookalike infer`) and to its exit. The commands run in turn, round
 * after round, so that a noisy moment on a shared machine hits all of them; medians and minimums.
 *
 *   npm run bench:startup -- [--runs 20] "bin/lookalike.js infer photo.png" "node old/dist/src/cli/main.js infer photo.png"
 *
 * Commands are split on spaces (no quoting) and run without a shell, from this small process: spawning
 * from a large one (the bench after its pool runs) added 40–80 ms to each. Leading `NAME=value` words set
 * the command's environment, as env(1) does. With --json, one JSON line of medians instead.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values, positionals: commands } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: 'string', default: '20' }, json: { type: 'boolean' } },
});
const runs = Number(values.runs);
if (commands.length === 0 || !(runs > 0)) {
  process.stderr.write('usage: npm run bench:startup -- [--runs N] "<command>" ["<command>" …]\n');
  process.exit(2);
}

/** Milliseconds to the first byte on stdout (null when none) and to exit. */
function once(command: string): Promise<{ first: number | null; exit: number }> {
  const words = command.split(' ').filter(Boolean);
  const env: Record<string, string> = { ...process.env } as Record<string, string>;
  while (/^[A-Z_][A-Z0-9_]*=/.test(words[0] ?? '')) {
    const [name = '', ...value] = (words.shift() ?? '').split('=');
    env[name] = value.join('=');
  }
  const [bin = '', ...args] = words;
  const start = performance.now();
  let first: number | null = null;
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'ignore'], env });
    child.stdout.on('data', () => {
      first ??= performance.now() - start;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`${command} exited with ${code}`));
      else resolve({ first, exit: performance.now() - start });
    });
  });
}

const times = commands.map(() => ({ first: [] as number[], exit: [] as number[] }));
for (let r = 0; r < runs; r++) {
  for (const [i, command] of commands.entries()) {
    const { first, exit } = await once(command);
    if (first !== null) times[i]!.first.push(first);
    times[i]!.exit.push(exit);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const fmt = (xs: number[]) =>
  xs.length === 0 ? 'none' : `${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)})`;
if (values.json) {
  const medians = times.map(({ first, exit }) => ({ first: median(first), exit: median(exit) }));
  process.stdout.write(`${JSON.stringify(medians)}\n`);
} else {
  for (const [i, command] of commands.entries()) {
    const { first, exit } = times[i]!;
    process.stdout.write(`first output ${fmt(first)}, exit ${fmt(exit)}: ${command}\n`);
  }
}
