import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { resolveTuning } from '../../domain/tuning.ts';
import { MODELS_DIR, type ModelManifest, readManifest } from '../model-files.ts';
import { type PrecisionChoice, resolvePrecision } from '../precision.ts';
import { WORKER_STACK_MB } from '../thread-stack.ts';
import { modelFile, type OnnxModel } from './models.ts';

const require = createRequire(import.meta.url);

/**
 * The smallest model ONNX Runtime accepts (one Identity node, float32[1] in and out, opset 13), written
 * out by hand: creating any session performs the runtime's one-time set-up (its environment, the
 * operator schemas and the CPU kernels' registry, ~50 ms of CPU), and this one needs no file.
 */
const TINY_MODEL = 'CAc6NwoQCgF4EgF5IghJZGVudGl0eRIBZ1oPCgF4EgoKCAgBEgQKAggBYg8KAXkSCgoICAESBAoCCAFCAhAN';

/**
 * The helper thread's code (CommonJS, evaluated: no module loader to start): loads ONNX Runtime, creates
 * and drops the tiny session, then hashes each model file as model-files.ts `verifyFile` does (through
 * one 1 MiB buffer) and posts a `HelperDigest`, `sha` null where the file cannot be read. `identity`
 * is verified-files.ts `fileIdentity`, written out again here: keep the two alike.
 */
const HELPER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { closeSync, openSync, readSync, statSync } = require('node:fs');
const identity = (file) => {
  const s = statSync(file, { bigint: true });
  return [s.dev, s.ino, s.size, s.mtimeNs, s.ctimeNs].join(':');
};
const hashAll = () => {
  const chunk = Buffer.allocUnsafe(1 << 20);
  for (const file of workerData.files) {
    let sha = null;
    let before = null;
    const startedMs = Date.now();
    try {
      before = identity(file);
      const fd = openSync(file, 'r');
      try {
        const hash = createHash('sha256');
        for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) hash.update(chunk.subarray(0, n));
        sha = hash.digest('hex');
      } finally {
        closeSync(fd);
      }
    } catch {}
    parentPort.postMessage({ file, sha, before, startedMs });
  }
};
let setUp;
try {
  const ort = require(workerData.ort);
  setUp = ort.InferenceSession.create(Buffer.from(workerData.model, 'base64'), {
    logSeverityLevel: 3,
    graphOptimizationLevel: 'disabled',
    enableCpuMemArena: false,
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  }).then((session) => session.release());
} catch (err) {
  setUp = Promise.reject(err);
}
setUp.catch(() => {}).finally(() => {
  parentPort.postMessage({ setUp: true });
  hashAll();
});
`;

/** One model file as the helper hashed it: its sha256, and its identity when the hash began (`startedMs`). */
export interface HelperDigest {
  sha: string;
  before: string | undefined;
  startedMs: number;
}

/** Settles once the helper is out of ONNX Runtime's native set-up (or never started, or died). */
let outOfNative: Promise<void> = Promise.resolve();

/** Longest the process waits for the helper's set-up before it exits anyway (it takes ~0.15 s). */
const SETTLE_LIMIT_MS = 10_000;

/**
 * Resolves once no helper thread is inside ONNX Runtime's native set-up. A process that exits (or a
 * worker terminated) meanwhile can abort ("terminate called after throwing an instance of
 * 'Napi::Error'", seen in 2 of 30 runs of `compare missing.jpg photo.png`): the CLI awaits this before
 * it exits. Hashing, done after, is safe to cut short.
 */
export async function prestartSettled(): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, SETTLE_LIMIT_MS);
  });
  await Promise.race([outOfNative, limit]);
  clearTimeout(timer);
}

/** The digests the helper is computing, by the model file's absolute path; each is handed out once. */
const pending = new Map<string, Promise<HelperDigest | undefined>>();

/** The models an engine of this tuning opens (onnx-engine.ts `create`), in the order it opens them. */
function modelsOf(landmarks: boolean): OnnxModel[] {
  return landmarks ? ['blazeface', 'faceres', 'landmarks68', 'dlib-resnet'] : ['blazeface', 'faceres'];
}

/**
 * Starts, on a helper thread, what a one-shot command's ONNX engine would otherwise do first on the main
 * thread: load ONNX Runtime's library and perform its one-time set-up (process-wide: the main thread's
 * sessions then skip it), and hash the model files for their sha256 check (`prestartedDigest`). Why: the
 * main thread meanwhile loads its own modules (sharp, the store, the gallery), so on two cores about
 * 100 ms of a one-photo `lookalike infer` come off the time to answer (docs/engine-speed.md, "Start-up").
 * Best effort: without onnxruntime-node, a readable manifest or a thread, it does nothing and the engine
 * checks the files itself as before. The thread does not keep the process alive.
 */
export function prestartOnnx(options: { precision?: PrecisionChoice; modelsDir?: string } = {}): void {
  const dir = options.modelsDir ?? MODELS_DIR;
  // The tuning the engine will run with (engine/index.ts `requestedTuning`, on ONNX Runtime).
  const tuning = resolveTuning('onnx', { precision: resolvePrecision(options.precision) });
  let ort: string;
  let manifest: ModelManifest;
  try {
    ort = require.resolve('onnxruntime-node');
    manifest = readManifest(dir);
  } catch {
    return;
  }
  const files = modelsOf(tuning.landmarks).map((m) =>
    path.join(dir, modelFile(m, tuning.precision, manifest)),
  );
  const settle = new Map<string, (digest: HelperDigest | undefined) => void>();
  for (const file of files) pending.set(file, new Promise((resolve) => settle.set(file, resolve)));
  // Whatever the helper did not hash (it failed, or exited early) the engine checks itself.
  const giveUp = () => {
    for (const resolve of settle.values()) resolve(undefined);
  };
  try {
    const worker = new Worker(HELPER, {
      eval: true,
      workerData: { ort, files, model: TINY_MODEL },
      resourceLimits: { stackSizeMb: WORKER_STACK_MB },
    });
    worker.unref();
    outOfNative = new Promise((resolve) => {
      worker.on('exit', () => resolve());
      worker.on('message', (msg: { setUp?: true }) => {
        if (msg.setUp) resolve();
      });
    });
    type Digested = { file: string; sha: string | null; before: string | null; startedMs: number };
    worker.on('message', (msg: Digested | { setUp: true }) => {
      if ('setUp' in msg) return;
      const { file, sha, before, startedMs } = msg;
      settle.get(file)?.(sha ? { sha, before: before ?? undefined, startedMs } : undefined);
      settle.delete(file);
    });
    worker.on('error', giveUp);
    worker.on('exit', giveUp);
  } catch {
    giveUp();
  }
}

/**
 * The sha256 the helper computed for this model file (absolute path), once: undefined when no helper
 * was started for it, a promise of undefined when the helper could not read it (the caller then checks
 * the file itself, which names what is wrong).
 */
export function prestartedDigest(file: string): Promise<HelperDigest | undefined> | undefined {
  const digest = pending.get(file);
  pending.delete(file);
  return digest;
}
