import { type CoreConfig, engineOptions } from '../config/index.ts';
import { CoreService } from '../core/service.ts';
import type {
  Analysis,
  AnalyzeOptions,
  BareFace,
  FaceEngine,
  FaceImage,
  ThumbnailOptions,
} from '../domain/face.ts';
import { embeddingDim, resolveTuning, type Tuning } from '../domain/tuning.ts';
import { selectBackend } from '../engine/backend.ts';
import { createFaceEngine, type EngineOptions, requestedTuning } from '../engine/index.ts';
import { Gallery } from '../gallery/index.ts';
import { openStore, type Store } from '../store/index.ts';
import type { Output } from './output.ts';

/** What every CLI command gets. */
export interface CliContext {
  service: CoreService;
  scope: string;
  out: Output;
  store: Store;
}

/**
 * Starts the inference pool on first use only: list, rename, remove, train and export
 * never look at a photo, so they should not pay for loading models.
 */
class LazyEngine implements FaceEngine {
  readonly #options: EngineOptions;
  #engine: Promise<FaceEngine> | undefined;
  backend = 'pending';
  /** Known before the engine starts: the gallery and the fingerprint depend on it. */
  readonly tuning: Tuning;

  constructor(options: EngineOptions, started?: Promise<FaceEngine>) {
    this.#options = options;
    this.tuning = resolveTuning(selectBackend(options.backend ?? 'auto'), requestedTuning(options));
    if (started) {
      this.#engine = this.#named(started);
      // Its failure reaches the first analyze (or nobody, when no photo needs it): never unhandled.
      this.#engine.catch(() => {});
    }
  }

  #named(engine: Promise<FaceEngine>): Promise<FaceEngine> {
    return engine.then((e) => {
      this.backend = e.backend;
      return e;
    });
  }

  #get(): Promise<FaceEngine> {
    this.#engine ??= this.#named(createFaceEngine(this.#options));
    return this.#engine;
  }

  analyze(image: Uint8Array, options?: ThumbnailOptions): Promise<Analysis>;
  analyze(image: Uint8Array, options?: AnalyzeOptions): Promise<Analysis<BareFace>>;
  async analyze(image: Uint8Array, options?: AnalyzeOptions): Promise<Analysis<BareFace>> {
    return (await this.#get()).analyze(image, options);
  }

  /**
   * `infer --explain` goes through here: CoreService builds its explainer only for an engine that has
   * this method, so without it the CLI printed no explanation at all.
   */
  async embedFaceImages(images: FaceImage[]): Promise<Float32Array[]> {
    const engine = await this.#get();
    if (!engine.embedFaceImages) throw new Error(`the ${engine.backend} engine cannot embed face images`);
    return engine.embedFaceImages(images);
  }

  async close(): Promise<void> {
    // An engine that failed to start has nothing to close; its error reached whoever used it.
    await (await this.#engine?.catch(() => undefined))?.close();
  }
}

/** Opens the store and a lazily started engine for one CLI run; `config` comes from the environment. */
export async function openContext(options: {
  store?: string;
  scope: string;
  out: Output;
  config: CoreConfig;
  /** Analyse on this thread rather than start the worker pool (a photo or two: start-up dominates). */
  inline?: boolean;
  /** The engine, started already (main.ts starts the pool's workers before it loads this module). */
  engine?: Promise<FaceEngine>;
}): Promise<{
  ctx: CliContext;
  close(): Promise<void>;
}> {
  const store = await openStore(options.store ?? options.config.storeUrl);
  // On a Redis store, bot processes may write the same galleries: take turns with them. Loaded only then,
  // so a run on SQLite pays nothing for it.
  const shared =
    store.kind === 'redis'
      ? (await import('../coordination/index.ts')).openGalleryLocks(options.store ?? options.config.storeUrl!)
      : undefined;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const engine = new LazyEngine(
    // Every command is one-shot: its first photo warms the models up anyway.
    { ...engineOptions(options.config, log), inline: options.inline ?? false, warmup: false },
    options.engine,
  );
  // The gallery takes the embeddings this engine makes: fused on ONNX Runtime, faceres alone on tfjs.
  const gallery = new Gallery(store, { locks: shared?.locks, embeddingDim: embeddingDim(engine.tuning) });
  const service = new CoreService(engine, gallery);
  return {
    ctx: { service, scope: options.scope, out: options.out, store },
    async close() {
      await engine.close();
      await shared?.close();
      await store.close();
    },
  };
}
