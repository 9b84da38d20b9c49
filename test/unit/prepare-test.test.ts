import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SKLEARN_PACKAGE } from '../../tools/lib/sklearn.ts';
import { installCommand, prepare, requirements } from '../../tools/prepare-test.ts';

// An apt-get stand-in that records its arguments and succeeds.
function recorder(calls: string[][]) {
  return (args: string[]) => {
    calls.push(args);
    return true;
  };
}

const env = { REDIS_SERVER: '/opt/redis-server', CHROMIUM_PATH: '/opt/chromium' };

test('nothing to do when every program and module is there', () => {
  const calls: string[][] = [];
  const code = prepare({ env, exists: () => true, root: true, apt: recorder(calls) });
  assert.equal(code, 0);
  assert.deepEqual(calls, []);
});

test('as root with apt-get, installs exactly the missing packages', () => {
  const present = new Set(['/opt/redis-server', SKLEARN_PACKAGE]);
  const calls: string[][] = [];
  const code = prepare({
    env,
    exists: (path) => present.has(path),
    root: true,
    apt: (args) => {
      calls.push(args);
      if (args[0] === 'install') present.add('/opt/chromium');
      return true;
    },
    write: () => {},
  });
  assert.equal(code, 0);
  assert.deepEqual(calls, [['--version'], ['update', '-qq'], ['install', '-y', '-qq', 'chromium']]);
});

test('without root, stops at once with the one command to run', () => {
  let text = '';
  const calls: string[][] = [];
  const code = prepare({
    env,
    exists: () => false,
    root: false,
    apt: recorder(calls),
    write: (t) => {
      text += t;
    },
  });
  assert.equal(code, 1);
  assert.deepEqual(calls, []);
  assert.match(text, /sudo apt-get update && sudo apt-get install -y redis-server chromium python3-sklearn/);
});

test('a failed apt-get says so and names the command', () => {
  let text = '';
  const code = prepare({
    env,
    exists: () => false,
    root: true,
    apt: (args) => args[0] === '--version',
    write: (t) => {
      text += t;
    },
  });
  assert.equal(code, 1);
  assert.match(text, /apt-get failed[\s\S]*apt-get install -y redis-server chromium python3-sklearn/);
});

test('paths follow the same overrides as the tests', () => {
  assert.deepEqual(
    requirements(env).map((r) => r.path),
    ['/opt/redis-server', '/opt/chromium', SKLEARN_PACKAGE],
  );
  assert.equal(requirements({})[0]?.path, '/usr/bin/redis-server');
  assert.equal(installCommand(['chromium'], true), 'apt-get update && apt-get install -y chromium');
});
