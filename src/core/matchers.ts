// The trained classifier of each scope, cached per gallery version in memory and in the store beside the
// gallery, so it is retrained only after a change (then warm, from the latest stored model).
import { Matcher, type MatcherJSON } from '../classifier/matcher.ts';
import { trainOffThread } from '../classifier/train-off-thread.ts';
import type { Scope } from '../domain/types.ts';
import type { Gallery } from '../gallery/index.ts';
import { trainable } from './finite-answers.ts';
import { type CurrentEngine, embeddedBy, type ReembedReport, stalePhotos } from './reembed.ts';

/** What the cache needs of the service. */
export interface MatcherSources {
  gallery: Gallery;
  sameThreshold: number;
  prior: Float32Array;
  /** The engine's fingerprint and embedding length, where it says (a test fake may not). */
  currentEngine(): CurrentEngine | undefined;
  reembed(scope: Scope): Promise<ReembedReport>;
}

export class MatcherCache {
  readonly #sources: MatcherSources;
  /** Each scope's latest build; the version is the one its snapshot read. */
  readonly #matchers = new Map<Scope, Promise<{ matcher: Matcher; version: number }>>();
  /** The gallery version each scope's last re-embedding left, so a failed photo is not retried on every answer. */
  readonly #reembedded = new Map<Scope, number>();

  constructor(sources: MatcherSources) {
    this.#sources = sources;
  }

  /**
   * The classifier for a scope at its current gallery version, trained only when the gallery changed.
   * A first build reads no version beforehand: its snapshot says which version it is.
   */
  async get(scope: Scope, force = false): Promise<{ matcher: Matcher; version: number }> {
    let cached = force ? undefined : this.#matchers.get(scope);
    while (cached) {
      const [version, built] = await Promise.all([
        this.#sources.gallery.version(scope),
        cached.catch(() => null),
      ]);
      if (built?.version === version) return built;
      // Stale. Another caller may have started the new build while this one waited: share it.
      const latest = this.#matchers.get(scope);
      if (latest === cached) break;
      cached = latest;
    }
    const build = this.#build(scope, force);
    this.#matchers.set(scope, build);
    try {
      return await build;
    } catch (err) {
      if (this.#matchers.get(scope) === build) this.#matchers.delete(scope);
      throw err;
    }
  }

  async #build(scope: Scope, force: boolean): Promise<{ matcher: Matcher; version: number }> {
    const { gallery, sameThreshold, prior } = this.#sources;
    // Embeddings only: the thumbnails stay in their blobs. The stored model is read alongside.
    const storedModel = gallery.storedModel(scope);
    storedModel.catch(() => {});
    let snapshot = await gallery.embeddingSnapshot(scope);
    const current = this.#sources.currentEngine();
    // Another engine's embeddings are never mixed in: re-embed them first (once per gallery version).
    // An engine that does not say what it runs (a test fake) is taken to fit every photo.
    if (
      current &&
      stalePhotos(snapshot, current).length > 0 &&
      this.#reembedded.get(scope) !== snapshot.version
    ) {
      const report = await this.#sources.reembed(scope);
      this.#reembedded.set(scope, report.version);
      snapshot = await gallery.embeddingSnapshot(scope);
    }
    // The stored model holds no embeddings: it is restored over the snapshot's.
    const identities = snapshot.identities
      .map((i) => ({
        slug: i.slug,
        name: i.name,
        // A stored embedding no engine makes (3e38 from an unchecked pack) never enters training.
        embeddings: trainable(i.photos)
          .filter((p) => !current || embeddedBy(p, current))
          .map((p) => p.embedding),
      }))
      .filter((i) => i.embeddings.length > 0);
    const { version } = snapshot;
    const stored = await storedModel;
    if (!force && stored?.version === version) {
      try {
        return { matcher: Matcher.fromJSON(stored.model, identities, { sameThreshold }), version };
      } catch {
        // A model of an older format: train a new one.
      }
    }
    const previous = (stored?.model ?? null) as MatcherJSON | null;
    const matcher = await trainOffThread(identities, { sameThreshold, prior, previous });
    await gallery.setModel(scope, version, matcher.toJSON());
    return { matcher, version };
  }
}
