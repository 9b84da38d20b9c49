import { DEFAULT_TUNING, embeddingDim } from '../domain/tuning.ts';
import { engineFingerprint } from '../engine/fingerprint.ts';
import { createFaceEngine, type EngineOptions, type FaceEngine, requestedTuning } from '../engine/index.ts';
import { Gallery, type ScopeLocks } from '../gallery/index.ts';
import { openStore, type Store } from '../store/index.ts';
import { CoreService, type ServiceOptions } from './service.ts';

export * from '../domain/types.ts';
export { CoreService } from './service.ts';

/** Options of `openService`: the service's own, and where its store and engine come from. */
export interface OpenOptions extends ServiceOptions {
  /** keyv URL (the caller reads LOOKALIKE_STORE); default sqlite://./data/lookalike.sqlite. */
  storeUrl?: string;
  engine?: EngineOptions;
  /** Opens another face engine instead of the in-process pool (the Redis queue's, for one). */
  openEngine?: () => Promise<FaceEngine>;
  /** Gallery write locks shared with other processes (src/coordination); default: this process's. */
  galleryLocks?: ScopeLocks;
}

/**
 * The service opened by `openService`, with the store it writes to and a way to shut both down; `startApp`
 * (src/main.ts) wraps it in a `RunningApp` with the bot and its adapters.
 */
export interface OpenedService {
  service: CoreService;
  store: Store;
  close(): Promise<void>;
}

/** Opens the store, starts the inference pool and returns the service over them. */
export async function openService(options: OpenOptions = {}): Promise<OpenedService> {
  const store = await openStore(options.storeUrl);
  try {
    const engine = options.openEngine ? await options.openEngine() : await createFaceEngine(options.engine);
    // Packs and photos must carry the tuning the engine really runs with, not only the default.
    const tuning = engine.tuning ?? { ...DEFAULT_TUNING, ...requestedTuning(options.engine ?? {}) };
    const gallery = new Gallery(store, { locks: options.galleryLocks, embeddingDim: embeddingDim(tuning) });
    const service = new CoreService(engine, gallery, {
      fingerprint: () => engineFingerprint(tuning),
      ...options,
    });
    return {
      service,
      store,
      async close() {
        // In order: abort imports (nothing more reaches the engine), drain the engine, then close the store.
        await service.stopWork();
        await engine.close();
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}
