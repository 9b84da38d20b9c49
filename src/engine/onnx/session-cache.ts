import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { type ModelManifest, readVerified, sha256, verifyFile } from '../model-files.ts';
import { fileIdentity, rememberVerified, stillVerified } from './verified-files.ts';

/** The optimised graph in a cache entry; its pre-packed weights lie beside it in `WEIGHTS`. */
const GRAPH = 'model.onnx';
const WEIGHTS = 'model.data';

/**
 * Where the optimised graphs are kept: the user's own cache folder. Not models/ (it holds exactly what
 * its manifest lists, and may be read-only in an install), never a shared temporary folder (where another
 * user could plant a graph). When it cannot be written there is no cache: every start builds, as before.
 */
export function defaultCacheDirs(): string[] {
  try {
    return [path.join(os.homedir(), '.cache', 'lookalike', 'onnx')];
  } catch {
    // No HOME and no passwd entry (some containers): os.homedir throws; no cache then.
    return [];
  }
}

let cpuName: string | undefined;

/** The CPU's model name and flags: level `all` lays weights out for this CPU's vector width. */
function cpuIdentity(): string {
  if (cpuName === undefined) {
    try {
      const text = readFileSync('/proc/cpuinfo', 'utf8');
      cpuName = `${/^model name\s*:(.*)$/m.exec(text)?.[1]?.trim()}|${/^flags\s*:(.*)$/m.exec(text)?.[1]?.trim()}`;
    } catch {
      cpuName = `${os.arch()}|${os.cpus()[0]?.model ?? ''}`;
    }
  }
  return cpuName;
}

/**
 * The name of a model's cache entry: the sha256 the manifest lists for it (so a changed model, with its
 * manifest updated, never meets the old entry), ONNX Runtime's version, the session options that shape
 * the graph, and the CPU.
 */
export function cacheKey(
  file: string,
  modelSha: string,
  ortVersion: string,
  options: Ort.InferenceSession.SessionOptions,
): string {
  const shape = [
    modelSha,
    ortVersion,
    options.graphOptimizationLevel,
    options.executionProviders,
    cpuIdentity(),
  ];
  return `${path.basename(file, '.onnx')}-${sha256(Buffer.from(JSON.stringify(shape))).slice(0, 20)}`;
}

/** The options a session needs to save its optimised graph with the pre-packed weights beside it. */
function savingOptions(
  options: Ort.InferenceSession.SessionOptions,
  graph: string,
): Ort.InferenceSession.SessionOptions {
  return {
    ...options,
    optimizedModelFilePath: graph,
    // Its one warning (a level-`all` graph fits only this CPU) is what cacheKey's CPU part is for.
    logSeverityLevel: 3,
    extra: {
      session: {
        optimized_model_external_initializers_file_name: WEIGHTS,
        optimized_model_external_initializers_min_size_in_bytes: '1024',
        save_external_prepacked_constant_initializers: '1',
      },
    },
  };
}

/** A fresh folder for one entry in the first cache folder that can be written, or undefined. */
function scratchFolder(dirs: string[]): { dir: string; scratch: string } | undefined {
  for (const dir of dirs) {
    try {
      mkdirSync(dir, { recursive: true });
      return { dir, scratch: mkdtempSync(path.join(dir, 'partial-')) };
    } catch {
      // Read-only or absent: try the next one; none at all means no cache.
    }
  }
  return undefined;
}

/**
 * Creates the session of one model file listed in the manifest, through the cache of its optimised graph.
 *
 * Why: creating a session from the .onnx bytes parses them and pre-packs every convolution's weights,
 * about 360 ms of CPU for dlib-resnet alone; from the cached graph ONNX Runtime maps the weights
 * already packed (docs/engine-speed.md, "Start-up"). The model file is still checked against the
 * manifest on every start, before its entry is used: hashed (verifyFile), unless the entry records
 * that very file as hashed before and unchanged since (verified-files.ts: device, inode, size,
 * modification and change times). A miss reads and checks it as without a cache, and saves the entry
 * into a scratch folder renamed into place once complete, so a crash never leaves half an entry. An entry that fails to load is
 * rebuilt; a folder that cannot be written is passed over silently.
 */
export async function createCachedSession(
  ort: typeof Ort,
  modelsDir: string,
  file: string,
  manifest: ModelManifest,
  options: Ort.InferenceSession.SessionOptions,
  cacheDirs: string[],
): Promise<Ort.InferenceSession> {
  const entry = manifest.files[file];
  const key = entry && cacheKey(file, entry.sha256, ort.env.versions.node ?? '', options);
  const hit = key ? cacheDirs.map((dir) => path.join(dir, key, GRAPH)).find(isFile) : undefined;
  if (hit && entry) {
    const model = path.join(modelsDir, file);
    const entryDir = path.dirname(hit);
    // Hashed before and unchanged since (verified-files.ts): not hashed again.
    const known = stillVerified(entryDir, model, entry.sha256);
    if (!known) {
      const before = fileIdentity(model);
      const startedMs = Date.now();
      verifyFile(modelsDir, file, manifest);
      rememberVerified(entryDir, model, entry.sha256, before, startedMs);
    }
    // The graph is optimised already; running the optimisers again would only cost time.
    const session = await ort.InferenceSession.create(hit, {
      ...options,
      graphOptimizationLevel: 'disabled',
    }).catch(() => undefined);
    if (session) return session;
  }
  const bytes = readVerified(modelsDir, file, manifest);
  const target = key ? scratchFolder(cacheDirs) : undefined;
  if (!target || !key) return ort.InferenceSession.create(bytes, options);
  try {
    const session = await ort.InferenceSession.create(
      bytes,
      savingOptions(options, path.join(target.scratch, GRAPH)),
    );
    const final = path.join(target.dir, key);
    // A broken entry (it failed to load above) makes way; another process may have just saved the same.
    rmSync(final, { recursive: true, force: true });
    try {
      renameSync(target.scratch, final);
    } catch {
      // Another process renamed its own copy first: theirs serves as well.
    }
    pruneSuperseded(target.dir, key);
    return session;
  } catch {
    return ort.InferenceSession.create(bytes, options);
  } finally {
    rmSync(target.scratch, { recursive: true, force: true });
  }
}

/** Scratch folders older than this were left by a process that died while saving. */
const ABANDONED_MS = 60 * 60 * 1000;

/**
 * Removes what a new entry supersedes: the same model's entries under other keys (an older model or
 * runtime, ~22 MB for dlib-resnet) and scratch folders abandoned by a crash. Best effort: a folder
 * another process still maps stays readable to it until it closes (Linux keeps unlinked files).
 */
function pruneSuperseded(dir: string, key: string): void {
  const model = key.slice(0, key.lastIndexOf('-') + 1);
  try {
    for (const name of readdirSync(dir)) {
      const folder = path.join(dir, name);
      const superseded = name.startsWith(model) && name !== key && name.length === key.length;
      const abandoned = name.startsWith('partial-') && Date.now() - statSync(folder).mtimeMs > ABANDONED_MS;
      if (superseded || abandoned) rmSync(folder, { recursive: true, force: true });
    }
  } catch {
    // Nothing to gain from failing a start over a tidy-up.
  }
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
