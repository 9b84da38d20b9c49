import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The CLI as users run it: bin/lookalike.js, which loads the compiled JavaScript in dist/. */
export const CLI_BIN = fileURLToPath(new URL('../../bin/lookalike.js', import.meta.url));

/** What a CLI run gave: its exit code, output, and when its first stdout line came (while it still ran?). */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Whether the process was still running when its first stdout line arrived. */
  firstLineWhileRunning: boolean;
}

/**
 * Runs the CLI in a child process. `closeStdout` closes the reading end of its stdout at once, as
 * `lookalike list | head -0` would, so every write it makes meets EPIPE.
 */
export function runCli(
  args: string[],
  options: { env?: Record<string, string>; closeStdout?: boolean } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], {
      env: { ...process.env, LOOKALIKE_WORKERS: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let firstLineWhileRunning: boolean | undefined;
    if (options.closeStdout) child.stdout.destroy();
    else {
      child.stdout.on('data', (d) => {
        stdout += d;
        if (firstLineWhileRunning === undefined && stdout.includes('\n')) {
          firstLineWhileRunning = child.exitCode === null && child.signalCode === null;
        }
      });
    }
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({
        code: code ?? (signal ? 128 : -1),
        stdout,
        stderr: signal ? `${stderr}\nkilled by ${signal}` : stderr,
        firstLineWhileRunning: firstLineWhileRunning ?? false,
      }),
    );
  });
}

/** The JSON records a `--json` run printed, one per line (other lines, such as warnings, left out). */
export function jsonLines<T = Record<string, unknown>>(text: string): T[] {
  return text
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as T);
}
