// `npm test`'s pretest step: the tests use two programs and sklearn from Debian's packages, so a fresh
// machine gets them here (when it can install them) or a stop at once with the one command to run,
// instead of a redis, browser or classifier reference test failing minutes later.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { SKLEARN_PACKAGE } from './lib/sklearn.ts';

/** A program or module the tests need, where they look for it, and the Debian package that provides it. */
export interface Requirement {
  path: string;
  pkg: string;
  why: string;
}

/** What the tests need: the same paths and overrides as test/unit/store-redis.test.ts and the browser tests. */
export function requirements(env: NodeJS.ProcessEnv = process.env): Requirement[] {
  return [
    { path: env.REDIS_SERVER ?? '/usr/bin/redis-server', pkg: 'redis-server', why: 'the Redis store tests' },
    {
      path: env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      pkg: 'chromium',
      why: "the playground's browser tests",
    },
    // Debian's own interpreter imports it (tools/lib/sklearn.ts), whatever python3 is first on PATH.
    { path: SKLEARN_PACKAGE, pkg: 'python3-sklearn', why: "the classifier's sklearn reference tests" },
  ];
}

/** The requirements whose program is missing. */
export function missing(reqs: Requirement[], exists: (path: string) => boolean = existsSync): Requirement[] {
  return reqs.filter((req) => !exists(req.path));
}

/** The one command a person runs to install `pkgs` themselves. */
export function installCommand(pkgs: string[], root: boolean): string {
  return `${root ? '' : 'sudo '}apt-get update && ${root ? '' : 'sudo '}apt-get install -y ${pkgs.join(' ')}`;
}

function apt(args: string[]): boolean {
  const result = spawnSync('apt-get', args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status === 0;
}

/** What `prepare` looks at and runs; tests replace them. */
export interface PrepareOptions {
  env?: NodeJS.ProcessEnv;
  exists?: (path: string) => boolean;
  /** Whether this process may install packages (root). */
  root?: boolean;
  /** Runs apt-get with these arguments; false when it is absent or fails. */
  apt?: (args: string[]) => boolean;
  write?: (text: string) => void;
}

/** Installs what is missing when it can (root with apt-get); returns the exit code for `npm test`. */
export function prepare(options: PrepareOptions = {}): number {
  const exists = options.exists ?? existsSync;
  const write = options.write ?? ((text: string) => process.stderr.write(text));
  const run = options.apt ?? apt;
  const absent = missing(requirements(options.env), exists);
  if (absent.length === 0) return 0;
  const pkgs = absent.map((req) => req.pkg);
  const root = options.root ?? process.getuid?.() === 0;
  const list = absent.map((req) => `${req.pkg} (${req.why})`).join(', ');
  if (root && run(['--version'])) {
    write(`pretest: installing ${list} with apt-get…\n`);
    if (run(['update', '-qq']) && run(['install', '-y', '-qq', ...pkgs])) {
      const still = missing(absent, exists);
      if (still.length === 0) return 0;
      write(`pretest: apt-get ran, but ${still.map((req) => req.path).join(', ')} is still missing.\n`);
      return 1;
    }
    write(`pretest: apt-get failed; run it yourself:\n  ${installCommand(pkgs, true)}\n`);
    return 1;
  }
  write(
    `pretest: the tests need ${list}, which ${absent.length === 1 ? 'is' : 'are'} not installed. Run:\n` +
      `  ${installCommand(pkgs, root)}\n` +
      '(or set REDIS_SERVER / CHROMIUM_PATH to where they are), then npm test again.\n',
  );
  return 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = prepare();
