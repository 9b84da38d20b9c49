import { existsSync } from 'node:fs';
import nodeModule from 'node:module';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { type CoreConfig, engineOptions, loadCoreConfig, quietOnnxRuntime } from '../config/index.ts';
import type { FaceEngine } from '../domain/face.ts';
import { GLOBAL_SCOPE } from '../domain/types.ts';
import { isConfigError, isUserError } from '../errors.ts';
import { consoleOutput } from './output.ts';
import { isFolder } from './photo-walk.ts';
import { UsageError } from './usage.ts';

/** The commands `dispatch.ts` runs. */
const COMMANDS = [
  'enroll',
  'train',
  'reembed',
  'list',
  'remove',
  'rename',
  'infer',
  'compare',
  'export',
  'pack',
];

const USAGE = `usage: lookalike <command> [options]

commands:
  enroll <dir>                     enrol one subfolder per person (<dir>/<person>/*.jpg)
  enroll --name "Name" <images…>   add photos to one person
  train                            retrain the classifier now (enrolling already retrains)
  reembed [--from <dir>]           re-embed photos another engine embedded (from their originals in <dir>,
                                   matched by content, else from their thumbnails)
  list                             list the gallery
  remove <name>                    remove an identity and its photos
  rename <old> <new>               rename an identity
  infer <images or folders…> [--explain]
                                   name the nearest celebrity for every face; folders are searched
                                   recursively (non-images skipped); answers print as they come
                                   (--explain: and the face regions that make it alike, about a
                                   second more per face)
  compare <a> <b>                  similarity of the largest face in each image
  export <dir>                     write OpenFace's labels.csv and reps.csv
  pack export <file>               write the whole gallery (names, thumbnails, embeddings) to one pack
  pack import <file>               add a pack's people (re-embedded when another engine made it)

options (every command):
  --store <keyv-url>   gallery store (default LOOKALIKE_STORE or sqlite://./data/lookalike.sqlite)
  --scope <id>         gallery scope (default "global")
  --json               machine-readable output, one JSON object per line
  -h, --help           this help`;

/** Runs the CLI with these arguments and environment and returns the exit code. */
export async function run(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    process.stderr.write(`lookalike: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  if (!COMMANDS.includes(command)) {
    process.stderr.write(`lookalike: unknown command "${command}"\n${USAGE}\n`);
    return 2;
  }
  const out = consoleOutput(values.json === true);
  let debug = false;
  try {
    const config = loadCoreConfig(env);
    // Before any engine starts: see quietOnnxRuntime (a long argument list crashed ONNX Runtime's set-up).
    quietOnnxRuntime();
    debug = config.debug;
    // A photo or two: loading one engine here beats starting a worker per core. A folder may hold any number.
    const inline = (command === 'infer' || command === 'compare') && rest.length <= 2 && !rest.some(isFolder);
    // Many photos: the pool's workers start now, loading their runtime and models on the other cores while
    // this thread loads the store, the gallery and the commands below, instead of after them.
    // (Not when no path exists: a mistyped command should fail at once, not after the workers' start.)
    const engine = command === 'infer' && !inline && rest.some(existsSync) ? startPool(config) : undefined;
    // A failed start is told by the first photo that needs the pool, not as an unhandled rejection now.
    engine?.catch(() => {});
    const scope = values.scope ?? GLOBAL_SCOPE;
    // The store, engine and commands load only past --help, which then starts in a fraction of the time.
    const [{ openContext }, { runCommand }] = await Promise.all([
      import('./context.ts'),
      import('./dispatch.ts'),
    ]);
    const opened = await openContext({ store: values.store, scope, out, config, inline, engine });
    let closing: Promise<void> | undefined;
    closeRun = () => {
      closing ??= opened.close();
      return closing;
    };
    // Twice the pool's workers in flight: each has its next photo read and waiting while it works on one.
    const inFlight = 2 * (config.workers ?? availableParallelism());
    return await runCommand(opened.ctx, command, rest, { ...values, inFlight });
  } catch (err) {
    out.endProgress();
    // The reader left (`| head`): what failed since, such as photos refused by the closing pool, is nobody's concern.
    if (pipeClosed) return 0;
    if (err instanceof UsageError) {
      process.stderr.write(`lookalike: ${err.message}\n`);
      return 2;
    }
    const expected = isUserError(err) || isConfigError(err);
    const message = (err as Error).message;
    // A ConfigError lists every problem, one per line; other errors are told in their first line.
    process.stderr.write(`lookalike: ${isConfigError(err) ? message : message.split('\n')[0]}\n`);
    if (!expected && debug) process.stderr.write(`${(err as Error).stack}\n`);
    return 1;
  } finally {
    await closeRun?.();
  }
}

/** The worker pool of a CLI run, started (openContext's `engine`); its failure reaches the first photo. */
async function startPool(config: CoreConfig): Promise<FaceEngine> {
  const { createFaceEngine } = await import('../engine/index.ts');
  const log = (line: string) => process.stderr.write(`${line}\n`);
  return createFaceEngine({ ...engineOptions(config, log), warmup: false });
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      store: { type: 'string' },
      scope: { type: 'string' },
      json: { type: 'boolean' },
      explain: { type: 'boolean' },
      name: { type: 'string' },
      from: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** Set once a reader has closed the pipe: the run then ends with 0, saying nothing more. */
let pipeClosed = false;
/** Closes what the running command opened (once, however many call it); set once the context is open. */
let closeRun: (() => Promise<void>) | undefined;

/**
 * A reader that stops early (`lookalike list | head -3`) closes the pipe: end quietly with 0, as Unix tools
 * do, instead of dying on an unhandled EPIPE with a stack. Photos still in the pool are abandoned, but
 * the pool is closed before the exit: exiting at once stopped a worker inside an ONNX Runtime call,
 * which aborts the whole process ("terminate called after throwing an instance of 'Napi::Error'", exit
 * 134; 11 of 20 runs of `lookalike infer --json ../shared/data/bbt | head -c 10` before this).
 */
function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    if (pipeClosed) return;
    pipeClosed = true;
    void Promise.resolve(closeRun?.())
      .catch(() => {})
      .finally(() => process.exit(0));
  });
}

/**
 * Node 22.1+ keeps the V8 code of every module it compiles in a cache (in the temporary folder, or
 * NODE_COMPILE_CACHE; NODE_DISABLE_COMPILE_CACHE turns it off): a one-shot `lookalike infer` then skips
 * compiling the ~150 modules it loads after this line, about 60 ms of CPU on Node 24 (docs/engine-speed.md).
 * Node 20 has no such cache; the call is skipped there.
 */
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
endQuietlyOnClosedPipe(process.stdout);
endQuietlyOnClosedPipe(process.stderr);
// The wasm runtime installs process-wide handlers that rethrow; exit explicitly once done.
const code = await run(process.argv.slice(2));
process.exit(pipeClosed ? 0 : code);
