import { createRequire } from 'node:module';
import { env } from 'node:process';
import { isMainThread } from 'node:worker_threads';

const require = createRequire(import.meta.url);

/**
 * TensorFlow settings that must be in the environment before libtensorflow loads, unless the operator set
 * them. oneDNN off: with TensorFlow's oneDNN kernels on (its default on x86), Human's faceres graph dies
 * with SIGFPE on AMD Zen 5 (BlazeFace still runs); TensorFlow's own kernels run both. Log level 2: no
 * info lines about CPU features on every start.
 */
const TF_DEFAULTS: Record<string, string> = { TF_ENABLE_ONEDNN_OPTS: '0', TF_CPP_MIN_LOG_LEVEL: '2' };

/**
 * Puts TF_DEFAULTS into the process environment where the operator did not set them. These are not Lookalike's
 * settings (src/config parses those): they are libtensorflow's, which it reads with getenv, so they must be
 * written right before it loads, by whichever code loads it. Only the
 * main thread's writes reach that real environment (a worker thread's environment object is a copy), so the pool
 * calls this before it starts workers; in a worker it only checks that this happened.
 */
export function applyTensorflowDefaults(): void {
  for (const [name, value] of Object.entries(TF_DEFAULTS)) {
    if (isMainThread) env[name] ??= value;
    else if (env[name] === undefined)
      throw new Error(
        `${name} is unset in this worker: the main thread must call applyTensorflowDefaults() before starting it`,
      );
  }
}

/**
 * tfjs-node 4.22 calls `util.isNullOrUndefined` from Node's own `util` module, which Node 23 removed
 * (deprecated since Node 4): on Node 24 every kernel call then throws "is not a function". The same
 * function, defined where Node no longer has it, keeps tfjs-node working on every supported Node.
 */
function restoreRemovedUtil(): void {
  const util = require('node:util') as { isNullOrUndefined?: (value: unknown) => boolean };
  if (typeof util.isNullOrUndefined !== 'function') {
    util.isNullOrUndefined = (value: unknown) => value === null || value === undefined;
  }
}

/** Loads @tensorflow/tfjs-node, with TensorFlow's settings in place first. */
export function loadTfjsNode(): unknown {
  applyTensorflowDefaults();
  restoreRemovedUtil();
  return require('@tensorflow/tfjs-node');
}
