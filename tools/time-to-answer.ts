/**
 * Start-up as a user meets it: how long each command takes from being spawned to its first line of
 * output (the answer of a one-photo `lookalike infer`) and to its exit. The commands run in turn, round
 * after round, so that a noisy moment on a shared machine hits all of them; medians and minimums.
 *
 *   npm run bench:startup -- [--runs 20] "bin/lookalike.js infer photo.png" "node old/dist/src/cli/main.js infer photo.png"
 *
 * Commands are split on spaces (no quoting) and run without a shell, from this small process: spawning
 * from a large one (the bench after its pool runs) adds its own milliseconds.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values, positionals: commands } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: 'string', default: '20' } },
});
const runs = Number(values.runs);
if (commands.length === 0 || !(runs > 0)) {
  process.stderr.write('usage: npm run bench:startup -- [--runs N] "<command>" ["<command>" …]\n');
  process.exit(2);
}

/** Milliseconds to the first byte on stdout (null when none) and to exit. */
function once(command: string): Promise<{ first: number | null; exit: number }> {
  const [bin = '', ...args] = command.split(' ').filter(Boolean);
  const start = performance.now();
  let first: number | null = null;
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'ignore'] });
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
for (const [i, command] of commands.entries()) {
  const { first, exit } = times[i]!;
  process.stdout.write(`first output ${fmt(first)}, exit ${fmt(exit)}: ${command}\n`);
}
