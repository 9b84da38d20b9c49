// Child processes running TypeScript entries (inference workers, producers) for the scale test and
// benchmark: spawned with tsx, read line by line, killed by their own pid.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** A running child with its stdout lines as they arrive, and its stderr kept for error messages. */
export interface Child {
  process: ChildProcess;
  /** Calls `fn` on each stdout and stderr line from now on. */
  onLine(fn: (line: string) => void): void;
  /** Resolves with the first stdout or stderr line that `match` accepts; rejects if the child exits first. */
  waitFor(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Writes one line to its stdin. */
  send(line: string): void;
  /** The last of its stderr, for failure messages. */
  stderr(): string;
  /** Sends `signal` and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Runs `node --import tsx <file> ...args` from the repository root with `env` added to this environment. */
export function spawnTsx(file: string, args: string[] = [], env: Record<string, string> = {}): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // Writing to a child that was killed must not end this process with an unhandled EPIPE.
  child.stdin!.on('error', () => {});
  const listeners: ((line: string) => void)[] = [];
  let err = '';
  createInterface({ input: child.stdout! }).on('line', (line) => {
    for (const fn of [...listeners]) fn(line);
  });
  createInterface({ input: child.stderr! }).on('line', (line) => {
    err = `${err}${line}\n`.slice(-4_000);
    for (const fn of [...listeners]) fn(line);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    process: child,
    onLine: (fn) => listeners.push(fn),
    waitFor(match, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        let settled = false;
        const done = (fn: () => void) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          listeners.splice(listeners.indexOf(listen), 1);
          fn();
        };
        const listen = (line: string) => {
          if (match(line)) done(() => resolve(line));
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`${file}: no expected line within ${timeoutMs} ms\n${err}`))),
          timeoutMs,
        );
        listeners.push(listen);
        exited.then(() =>
          done(() => reject(new Error(`${file} exited (${child.exitCode ?? child.signalCode})\n${err}`))),
        );
      });
    },
    send: (line) => void child.stdin!.write(`${line}\n`),
    stderr: () => err,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
