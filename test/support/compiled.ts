import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_BIN } from './cli-run.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Sources (src/, commands/) whose compiled file in dist/ is missing or older than they are. */
export function staleSources(): string[] {
  const stale: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(REPO, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        const source = statSync(path.join(REPO, rel)).mtimeMs;
        const built = statSync(path.join(REPO, 'dist', rel.replace(/\.ts$/, '.js')), {
          throwIfNoEntry: false,
        });
        if (!built || built.mtimeMs < source) stale.push(rel);
      }
    }
  };
  for (const dir of ['src', 'commands']) walk(dir);
  return stale;
}

/**
 * The compiled CLI, after checking that dist/ matches the sources: `npm test` builds first (pretest), a
 * single test file run by hand does not, and an old build would test old code.
 */
export function compiledCli(): string {
  const stale = staleSources();
  if (stale.length > 0) {
    throw new Error(
      `dist/ is older than ${stale.length} source file(s) (${stale.slice(0, 3).join(', ')}…): run \`npm run build\` first`,
    );
  }
  return CLI_BIN;
}

/** What a finished child process said. */
export interface NodeRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs Node (this test's own executable) with these arguments and extra environment, collecting its output. */
export function runNode(args: string[], env: Record<string, string> = {}): Promise<NodeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
