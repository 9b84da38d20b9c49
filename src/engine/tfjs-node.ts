import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * TensorFlow settings that must be in the environment before libtensorflow loads, unless the operator set
 * them. oneDNN off: with TensorFlow's oneDNN kernels on (its default on x86), Human's faceres graph dies
 * with SIGFPE on AMD Zen 5 (BlazeFace still runs); TensorFlow's own kernels run both. Log level 2: no
 * info lines about CPU features on every start.
 */
const TF_DEFAULTS: Record<string, string> = { TF_ENABLE_ONEDNN_OPTS: '0', TF_CPP_MIN_LOG_LEVEL: '2' };

/**
 * Loads @tensorflow/tfjs-node with TF_DEFAULTS applied. This writes the process environment, so it is
 * one of the places tools/check-structure.mjs allows it: libtensorflow reads these with getenv, and
 * Node's worker threads share the one real environment, so it must be set here, before the first load,
 * whichever thread or entry point loads it.
 */
export function loadTfjsNode(): unknown {
  for (const [name, value] of Object.entries(TF_DEFAULTS)) process.env[name] ??= value;
  return require('@tensorflow/tfjs-node');
}
