// `npm run setup:tfjs-node`: makes FACE_BACKEND=tensorflow work where @tensorflow/tfjs-node's own install
// script cannot, because it downloads libtensorflow from storage.googleapis.com. TensorFlow's C API also
// ships in pip's tensorflow-cpu wheel (libtensorflow_cc.so.2 exports every TF_*/TFE_* symbol), so this
// takes the library from there and builds tfjs-node's binding against it. Every step says what it does,
// skips itself when already done, and stops with one clear line when it cannot go on. See docs/runtimes.md.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractEntries } from './lib/zip-extract.ts';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const MODULES = path.join(REPO, 'node_modules');
const PACKAGE = '@tensorflow/tfjs-node';
const PKG_DIR = path.join(MODULES, PACKAGE);
/** The wheel this was verified with; TF_WHEEL overrides it (e.g. `tensorflow-cpu==2.22.*`). */
const WHEEL = process.env.TF_WHEEL ?? 'tensorflow-cpu==2.21.*';
/** tfjs-node looks for its binding under lib/napi-v<highest N-API version it lists> (8); N-API keeps it valid on newer Node. */
const NAPI_VERSION = 8;
const BINDING = path.join(PKG_DIR, 'lib', `napi-v${NAPI_VERSION}`, 'tfjs_binding.node');
const LIB_DIR = path.join(PKG_DIR, 'deps', 'lib');
const INCLUDE_DIR = path.join(PKG_DIR, 'deps', 'include');
const LIBRARIES = ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2'];

class SetupError extends Error {}

function step(text: string): void {
  process.stdout.write(`setup:tfjs-node: ${text}\n`);
}

function run(command: string, args: string[], cwd: string, what: string): void {
  const result = spawnSync(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.error) throw new SetupError(`${what}: could not start ${command} (${result.error.message})`);
  if (result.status !== 0)
    throw new SetupError(`${what}: \`${command} ${args.join(' ')}\` failed (exit ${result.status})`);
}

function wantedVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  const version = pkg.optionalDependencies?.[PACKAGE] as string | undefined;
  if (!version) throw new SetupError(`package.json lists no ${PACKAGE} in optionalDependencies`);
  return version;
}

function installedVersion(dir: string): string | undefined {
  const file = path.join(dir, 'package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')).version as string) : undefined;
}

/** Every package folder directly under a node_modules folder (scoped ones as @scope/name). */
function packagesIn(modules: string): string[] {
  if (!existsSync(modules)) return [];
  return readdirSync(modules)
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) =>
      name.startsWith('@') ? readdirSync(path.join(modules, name)).map((sub) => `${name}/${sub}`) : [name],
    );
}

/**
 * Step 1: the package's JavaScript. `npm install` removes an optional dependency whose install script
 * failed, so on a fresh clone it is not there. npm installs it with scripts off into a scratch folder;
 * then it is copied in, and each of its dependencies that the project does not already have at the same
 * version goes into its own node_modules, where only it resolves them (the project's @tensorflow/tfjs-core
 * stays the one instance that Human, face-api and tfjs-node share).
 */
function installPackage(version: string): void {
  const have = installedVersion(PKG_DIR);
  if (have === version) {
    step(`1/4 ${PACKAGE}@${version} is in node_modules`);
    return;
  }
  step(
    `1/4 installing ${PACKAGE}@${version}'s JavaScript (npm, scripts off: its own script would download libtensorflow)`,
  );
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'tfjs-node-npm-'));
  try {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    run(
      npm,
      [
        'install',
        '--prefix',
        scratch,
        '--ignore-scripts',
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        `${PACKAGE}@${version}`,
      ],
      scratch,
      'npm install',
    );
    const staged = path.join(scratch, 'node_modules');
    rmSync(PKG_DIR, { recursive: true, force: true });
    cpSync(path.join(staged, PACKAGE), PKG_DIR, { recursive: true });
    const nested = path.join(PKG_DIR, 'node_modules');
    for (const name of packagesIn(staged)) {
      if (
        name === PACKAGE ||
        installedVersion(path.join(MODULES, name)) === installedVersion(path.join(staged, name))
      )
        continue;
      cpSync(path.join(staged, name), path.join(nested, name), { recursive: true });
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Step 2: libtensorflow and its C headers, out of pip's tensorflow-cpu wheel. */
async function installLibrary(): Promise<void> {
  const done =
    LIBRARIES.every((lib) => existsSync(path.join(LIB_DIR, lib))) &&
    existsSync(path.join(INCLUDE_DIR, 'tensorflow', 'c', 'c_api.h'));
  if (done) {
    step('2/4 libtensorflow is in deps/ (from the tensorflow-cpu wheel)');
    return;
  }
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'tfjs-node-wheel-'));
  try {
    step(
      `2/4 downloading the ${WHEEL} wheel with pip (about 270 MB; its libtensorflow_cc.so.2 carries the C API)`,
    );
    run(
      'python3',
      ['-m', 'pip', 'download', '--no-deps', '--quiet', '-d', scratch, WHEEL],
      scratch,
      'pip download',
    );
    const wheel = readdirSync(scratch).find((f) => f.endsWith('.whl'));
    if (!wheel) throw new SetupError(`pip download left no wheel in ${scratch}`);
    step(`    unpacking ${LIBRARIES.join(' and ')} and the C headers from ${wheel}`);
    rmSync(path.join(PKG_DIR, 'deps'), { recursive: true, force: true });
    mkdirSync(LIB_DIR, { recursive: true });
    mkdirSync(INCLUDE_DIR, { recursive: true });
    const extracted = await extractEntries(path.join(scratch, wheel), (name) => {
      if (LIBRARIES.some((lib) => name === `tensorflow/${lib}`))
        return path.join(LIB_DIR, path.basename(name));
      // The C API's headers and the few they include from elsewhere (TensorFlow's tstring, tsl's status).
      const header =
        /^tensorflow\/include\/((tensorflow\/c|tensorflow\/c\/eager|tensorflow\/core\/platform|tsl\/platform|xla\/tsl\/c)\/[^/]*\.h)$/.exec(
          name,
        );
      return header ? path.join(INCLUDE_DIR, header[1] as string) : undefined;
    });
    const missing = LIBRARIES.filter((lib) => !extracted.includes(path.join(LIB_DIR, lib)));
    if (missing.length > 0)
      throw new SetupError(`${wheel} has no ${missing.join(', ')}: this wheel does not ship the C API`);
    // tfjs-node links -ltensorflow -ltensorflow_framework: the C API lives in libtensorflow_cc here.
    symlinkSync('libtensorflow_cc.so.2', path.join(LIB_DIR, 'libtensorflow.so.2'));
    symlinkSync('libtensorflow_cc.so.2', path.join(LIB_DIR, 'libtensorflow.so'));
    symlinkSync('libtensorflow_framework.so.2', path.join(LIB_DIR, 'libtensorflow_framework.so'));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Node's headers for node-gyp: beside this Node (Debian's /usr/include/node), else any local copy; never a download. */
function nodeHeaders(): string {
  const candidates = [path.resolve(path.dirname(process.execPath), '..'), '/usr', '/usr/local'];
  const dir = candidates.find((d) => existsSync(path.join(d, 'include', 'node', 'node_api.h')));
  if (!dir) {
    throw new SetupError(
      `no Node headers (include/node/node_api.h) under ${candidates.join(', ')}: install them (Debian: apt-get install libnode-dev) or point NODE_HEADERS_DIR at a folder holding include/node`,
    );
  }
  return dir;
}

/** Step 3: the N-API binding, built by node-gyp against those headers and linked to deps/lib. */
function buildBinding(): void {
  if (existsSync(BINDING)) {
    step(`3/4 the binding is built (${path.relative(REPO, BINDING)})`);
    return;
  }
  const nodedir = process.env.NODE_HEADERS_DIR ?? nodeHeaders();
  const require = createRequire(import.meta.url);
  // npm hands its own node-gyp to scripts; a project dependency's copy will do as well.
  const gyp = process.env.npm_config_node_gyp ?? require.resolve('node-gyp/bin/node-gyp.js');
  step(`3/4 building the binding with node-gyp (about 20 s; Node headers from ${nodedir}/include/node)`);
  run(
    process.execPath,
    [
      gyp,
      'rebuild',
      `--nodedir=${nodedir}`,
      '--module_name=tfjs_binding',
      `--module_path=${path.dirname(BINDING)}`,
      `--napi_build_version=${NAPI_VERSION}`,
    ],
    PKG_DIR,
    'node-gyp',
  );
}

/** Step 4: load it, in a fresh process, as the engine will (oneDNN off: see src/engine/tfjs-node.ts). */
function verify(): void {
  step('4/4 loading tfjs-node');
  const probe = spawnSync(
    process.execPath,
    [
      '-e',
      `const tf = require(${JSON.stringify(PACKAGE)}); console.log(tf.getBackend(), tf.version['tfjs-node'])`,
    ],
    {
      cwd: REPO,
      env: { ...process.env, TF_ENABLE_ONEDNN_OPTS: '0', TF_CPP_MIN_LOG_LEVEL: '2' },
      encoding: 'utf8',
    },
  );
  const [backend, version] = probe.stdout.trim().split(' ');
  if (probe.status !== 0 || backend !== 'tensorflow')
    throw new SetupError(`tfjs-node does not load:\n${probe.stderr.trim().split('\n').slice(-5).join('\n')}`);
  step(`done: tfjs-node ${version} runs on the tensorflow backend; FACE_BACKEND=tensorflow is available`);
}

try {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new SetupError(
      `this script builds for Linux x64 from pip's wheel; on ${process.platform}-${process.arch} use tfjs-node's own install (npm rebuild ${PACKAGE})`,
    );
  }
  installPackage(wantedVersion());
  await installLibrary();
  buildBinding();
  verify();
} catch (err) {
  if (!(err instanceof SetupError)) throw err;
  process.stderr.write(`setup:tfjs-node failed: ${err.message}\n`);
  process.exitCode = 1;
}
