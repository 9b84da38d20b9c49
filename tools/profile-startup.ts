/**
 * Where a one-shot `lookalike infer <photo>` spends its main thread, by phase: runs the compiled CLI
 * once under `node --cpu-prof` and sorts each sample by the first phase found on its stack.
 *
 *   npm run build && npm run profile:startup -- <photo> [--cli dist/src/cli/main.js] [--node <node>]
 *
 * The profiler samples wall time of the main thread (descheduled time included): read it on a quiet
 * machine. Node's own start before the profiler begins (~0.1 s, `node -e 0`) is not in it. A gallery:
 * LOOKALIKE_STORE=sqlite://… in the environment.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface Profile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const MODULE_LOADING = new Set([
  'evaluate',
  'Module._load',
  'loadAndTranslate',
  'getModuleJobForImport',
  '_link',
  'require',
  'compileForInternalLoader',
  'requireBuiltin',
]);

/** Phases in the order they are tried: a sample counts for the first whose frame is on its stack. */
const PHASES: [string, (f: CallFrame) => boolean][] = [
  ['garbage collector', (f) => f.functionName === '(garbage collector)'],
  ['idle', (f) => f.functionName === '(idle)'],
  [
    'reading + sha256 of model files',
    (f) => f.functionName === 'readVerified' || f.functionName === 'verifyFile',
  ],
  [
    'ONNX sessions (runtime set-up included)',
    (f) => f.functionName === 'OnnxruntimeSessionHandler' || f.functionName === 'initOrt',
  ],
  ['model runs', (f) => f.url.endsWith('onnxruntime-node/dist/backend.js') && f.functionName === ''],
  [
    'the photo (decode, resizes, crops, thumbnail)',
    (f) => f.functionName === 'analyze' && f.url.includes('onnx-engine'),
  ],
  ['module loading', (f) => MODULE_LOADING.has(f.functionName)],
];

/** Milliseconds per phase, largest first, and the profile's length. */
function phases(profile: Profile): { total: number; rows: [string, number][] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const spent = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const stack: CallFrame[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const node = byId.get(cur);
      if (node) stack.push(node.callFrame);
    }
    const phase = PHASES.find(([, test]) => stack.some(test))?.[0] ?? 'other';
    spent.set(phase, (spent.get(phase) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return {
    total: (profile.endTime - profile.startTime) / 1000,
    rows: [...spent].sort((a, b) => b[1] - a[1]),
  };
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { cli: { type: 'string' }, node: { type: 'string' } },
});
const photo = positionals[0];
if (!photo) {
  process.stderr.write(
    'usage: npm run profile:startup -- <photo> [--cli dist/src/cli/main.js] [--node <node>]\n',
  );
  process.exit(2);
}
const dir = mkdtempSync(path.join(os.tmpdir(), 'lookalike-profile-'));
try {
  const cli = values.cli ?? 'dist/src/cli/main.js';
  const args = ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '200', cli, 'infer', photo];
  // The tunable bin/lookalike.js's #! line sets (it is read when the process starts, so not through the launcher here).
  const env = {
    ...process.env,
    GLIBC_TUNABLES: `glibc.malloc.hugetlb=1:${process.env.GLIBC_TUNABLES ?? ''}`,
  };
  const run = spawnSync(values.node ?? process.execPath, args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env,
  });
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (run.status !== 0 || !file) throw new Error(`the CLI exited with ${run.status} and no profile`);
  const { total, rows } = phases(JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Profile);
  process.stdout.write(`${cli} infer ${photo}: ${total.toFixed(0)} ms profiled\n`);
  for (const [phase, ms] of rows) process.stdout.write(`${ms.toFixed(0).padStart(6)} ms  ${phase}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
