import { centre } from '../classifier/centering.ts';
import type { Matcher } from '../classifier/matcher.ts';
import type { Analysis, BareFace, EngineLoad, FaceEngine } from '../domain/face.ts';
import { DEFAULT_TUNING, embeddingDim } from '../domain/tuning.ts';
import {
  type BareAnswer,
  type Comparison,
  type EnrollResult,
  type ExplainedFace,
  type FaceAnswer,
  type ForgetResult,
  GLOBAL_SCOPE,
  type Identification,
  type IdentityInfo,
  type ImportSummary,
  type LookalikeService,
  type NamedImage,
  type Scope,
  type Skipped,
} from '../domain/types.ts';
import { type CalibrationProfile, readCalibration } from '../engine/calibration.ts';
import { type EngineFingerprint, engineFingerprint } from '../engine/fingerprint.ts';
import { UserError } from '../errors.ts';
import type { Gallery } from '../gallery/index.ts';
import { cleanName as cleanPersonName } from '../gallery/slug.ts';
import { explainFaces, ResemblanceExplainer } from '../resemblance/index.ts';
import { cosine, decodeFloat32, similarity } from '../util/vectors.ts';
import { type Accepted, type ProgressFn, preparePhotos, skip, toInfo, toPhotos } from './enrolment.ts';
import { finiteAnswer } from './finite-answers.ts';
import { type HeldFace, heldFaces, holdFaces } from './held-faces.ts';
import { MatcherCache } from './matchers.ts';
import { type CurrentEngine, type ReembedReport, reembed } from './reembed.ts';

/** A UserError that names the file it is about (`a.png: …`); other errors are left as they are. */
function naming(err: unknown, file: string | undefined): unknown {
  if (file === undefined || !(err instanceof UserError) || err.message.includes(file)) return err;
  return new UserError(err.code, { ...err.context, about: file }, { cause: err });
}

/** Options of the service. */
export interface ServiceOptions {
  /** Thresholds and the prior mean face; default models/calibration.json (see README, "Calibration"). */
  calibration?: CalibrationProfile;
  /** Photos analysed at once during enrolment (keeps the pool's queue from overflowing). */
  concurrency?: number;
  /** The engine's fingerprint, stamped on packs (default: engineFingerprint() of models/ and DEFAULT_TUNING). */
  fingerprint?: () => EngineFingerprint;
  /** Explains matches region by region (default: occlusion on this engine, where it can embed face images). */
  explainer?: ResemblanceExplainer;
}

/**
 * The one implementation of `LookalikeService` (src/domain/types.ts): it ties the face engine, the gallery
 * and the classifier together. The trained classifier is cached per scope and gallery version,
 * in memory and in the store beside the gallery, so it is retrained only after a change.
 */
export class CoreService implements LookalikeService {
  readonly engine: FaceEngine;
  readonly gallery: Gallery;
  readonly sameThreshold: number;
  /** Centred cosine above which /compare says "same person". */
  readonly pairThreshold: number;
  readonly #prior: Float32Array;
  readonly #concurrency: number;
  readonly #fingerprintOf: () => EngineFingerprint;
  #fingerprint: EngineFingerprint | undefined;
  readonly #matchers: MatcherCache;
  readonly #explainer: ResemblanceExplainer | undefined;
  /** Answered faces held in memory for a while, so that a "Why?" can explain them on demand. */
  readonly #held = heldFaces();
  readonly #stopping = new AbortController();
  readonly #running = new Set<Promise<unknown>>();

  constructor(engine: FaceEngine, gallery: Gallery, options: ServiceOptions = {}) {
    this.engine = engine;
    this.gallery = gallery;
    // The thresholds belong to the embeddings this engine makes (faceres alone on tfjs, fused on onnx).
    const calibration = options.calibration ?? readCalibration(engine.tuning ?? DEFAULT_TUNING);
    this.sameThreshold = calibration.sameThreshold;
    this.pairThreshold = calibration.pairThreshold;
    this.#prior = decodeFloat32(calibration.prior, embeddingDim(calibration.tuning), 1)[0] as Float32Array;
    this.#concurrency = options.concurrency ?? 4;
    this.#matchers = new MatcherCache({
      gallery,
      sameThreshold: this.sameThreshold,
      prior: this.#prior,
      currentEngine: () => this.currentEngine(),
      reembed: (scope) => this.reembed(scope),
    });
    this.#fingerprintOf = options.fingerprint ?? (() => engineFingerprint(engine.tuning ?? DEFAULT_TUNING));
    const embed = engine.embedFaceImages?.bind(engine);
    this.#explainer = options.explainer ?? (embed && new ResemblanceExplainer(gallery, embed));
  }

  /** The engine's load, for chat to refuse or queue a photo before deferring (undefined: it cannot say). */
  load(extra = 0): EngineLoad | undefined {
    return this.engine.load?.(extra);
  }

  /** The fingerprint of the engine whose embeddings this service stores (read once). */
  fingerprint(): EngineFingerprint {
    this.#fingerprint ??= this.#fingerprintOf();
    return this.#fingerprint;
  }

  /** Imports a ZIP of per-person photo folders or a gallery pack into `scope`, in one commit. */
  async importArchive(
    scope: Scope,
    zip: Uint8Array,
    addedBy: string,
    options: { onProgress?: ProgressFn; packOnly?: boolean; signal?: AbortSignal } = {},
  ): Promise<ImportSummary> {
    // Aborted by the caller, or by stopWork() when the process shuts down.
    const signal = options.signal
      ? AbortSignal.any([options.signal, this.#stopping.signal])
      : this.#stopping.signal;
    // Packs and ZIPs (yauzl, yazl) load on first use: `lookalike infer` starts without them.
    const running = import('../gallery/zip-import.ts').then(({ importArchive }) =>
      importArchive(this, scope, zip, addedBy, { ...options, signal }),
    );
    this.#running.add(running);
    try {
      return await running;
    } finally {
      this.#running.delete(running);
    }
  }

  /**
   * Stops long work before shutdown: running imports are aborted (no new photo goes to the engine, nothing
   * is committed), and this resolves once they have settled, so the engine and store can close after.
   */
  async stopWork(): Promise<void> {
    this.#stopping.abort(new UserError('busy', { text: 'restarting' }));
    await Promise.allSettled([...this.#running]);
  }

  /** The scope's gallery as a pack: names, thumbnails, embeddings and this engine's fingerprint. */
  async exportPack(scope: Scope): Promise<{ pack: Uint8Array; identities: number; photos: number }> {
    const snapshot = await this.gallery.snapshot(scope);
    const { encodePack } = await import('../gallery/pack.ts');
    const photos = snapshot.identities.reduce((n, identity) => n + identity.photos.length, 0);
    return {
      pack: await encodePack(snapshot, this.fingerprint()),
      identities: snapshot.identities.length,
      photos,
    };
  }

  /** Prepared photos as the gallery enrols them, stamped with who added them and now. */
  toPhotos(accepted: Accepted[], addedBy: string): ReturnType<typeof toPhotos> {
    return toPhotos(accepted, addedBy, this.fingerprint().sha256);
  }

  /** The classifier for a scope at its current gallery version, trained only when the gallery changed. */
  matcher(scope: Scope, force = false): Promise<{ matcher: Matcher; version: number }> {
    return this.#matchers.get(scope, force);
  }

  /**
   * Re-embeds the scope's photos that another engine embedded (an engine change, or photos stored
   * before engines were fingerprinted), from `originals` (sha256 → bytes) where given, else from
   * their thumbnails. Photos that cannot be re-embedded are left out of training until fixed with
   * reembedFix(scope).
   */
  async reembed(scope: Scope, originals?: Map<string, Uint8Array>): Promise<ReembedReport> {
    const current = this.currentEngine() ?? {
      id: this.fingerprint().sha256,
      dim: embeddingDim(DEFAULT_TUNING),
    };
    return reembed(
      { engine: this.engine, gallery: this.gallery, current, concurrency: this.#concurrency },
      scope,
      originals,
    );
  }

  /** The engine's fingerprint and embedding length, where the engine says what it runs. */
  currentEngine(): CurrentEngine | undefined {
    const tuning = this.engine.tuning;
    return tuning ? { id: this.fingerprint().sha256, dim: embeddingDim(tuning) } : undefined;
  }

  /** Retrains a scope's classifier now, whatever the cache holds. */
  async train(scope: Scope): Promise<Matcher['summary'] & { seconds: number; version: number }> {
    const started = performance.now();
    const { matcher, version } = await this.matcher(scope, true);
    return { ...matcher.summary, seconds: (performance.now() - started) / 1000, version };
  }

  /** The scope that answers for `scope`: itself, or `global` while its own gallery is empty. */
  async answeringScope(scope: Scope): Promise<Scope> {
    if (scope === GLOBAL_SCOPE) return scope;
    const own = await this.gallery.list(scope);
    return own.length > 0 ? scope : GLOBAL_SCOPE;
  }

  /**
   * LookalikeService.identify. With `thumbnails: false` (and no `explain`, which reads them) the engine
   * makes no thumbnails and no face is held for "Why?": for callers that show no picture (`lookalike infer`).
   */
  identify(
    scope: Scope,
    image: Uint8Array,
    options?: { explain?: boolean; thumbnails?: true },
  ): Promise<Identification>;
  identify(
    scope: Scope,
    image: Uint8Array,
    options?: { explain?: boolean; thumbnails?: boolean },
  ): Promise<Identification<BareAnswer>>;
  async identify(
    scope: Scope,
    image: Uint8Array,
    options: { explain?: boolean; thumbnails?: boolean } = {},
  ): Promise<Identification<BareAnswer>> {
    const answering = await this.answeringScope(scope);
    const matching = this.matcher(answering);
    if (options.thumbnails === false && !options.explain) {
      const [{ matcher }, analysis] = await Promise.all([
        matching,
        this.engine.analyze(image, { strict: true, thumbnails: false }),
      ]);
      return answersOf(answering, matcher, analysis);
    }
    const [{ matcher }, analysis] = await Promise.all([
      matching,
      this.engine.analyze(image, { strict: true }),
    ]);
    const bare = answersOf(answering, matcher, analysis);
    const answers: FaceAnswer[] = analysis.faces.map((face, i) => ({
      ...bare.faces[i]!,
      thumbnail: face.thumbnail,
    }));
    const faces =
      this.#explainer && options.explain
        ? await explainFaces(this.#explainer, answering, analysis, answers)
        : this.#explainer
          ? await holdFaces(this.#held, answering, analysis, answers)
          : answers;
    return { ...bare, faces };
  }

  /** Why a face answered earlier resembles its best match, or null when it is no longer held. */
  async explain(explainId: string): Promise<ExplainedFace | null> {
    const held: HeldFace | undefined = this.#held.get(explainId);
    if (!held || !this.#explainer) return null;
    const resemblance = await this.#explainer.explain(held.scope, held.match.slug, held.face);
    if (!resemblance) return null;
    return { thumbnail: held.face.thumbnail, match: { ...held.match, resemblance }, top: held.top };
  }

  /** Analyses photos for enrolment: exactly one face each, or a reason to skip. */
  async prepare(
    images: NamedImage[],
    onProgress?: ProgressFn,
    signal?: AbortSignal,
  ): Promise<{ accepted: Accepted[]; skipped: Skipped[] }> {
    return preparePhotos(this.engine, images, this.#concurrency, onProgress, signal);
  }

  async enroll(scope: Scope, name: string, images: NamedImage[], addedBy: string): Promise<EnrollResult> {
    // Checked before any photo is analysed: a name the gallery refuses would waste the analysis.
    const cleanName = cleanPersonName(name);
    const { accepted, skipped } = await this.prepare(images);
    if (accepted.length === 0) {
      const existing = await this.gallery.get(scope, cleanName).catch(() => undefined);
      return {
        identity: existing ? toInfo(existing) : { name: cleanName, slug: '', photos: [] },
        added: [],
        skipped,
        version: await this.gallery.version(scope),
      };
    }
    const result = await this.gallery.enroll(scope, cleanName, this.toPhotos(accepted, addedBy));
    for (const d of result.duplicates) skipped.push(skip(d.source ?? d.hash, 'duplicate'));
    await this.matcher(scope);
    return {
      identity: toInfo(result.identity),
      added: result.added.map((p) => ({
        file: p.source ?? p.hash,
        hash: p.hash,
        ignoredFaces: accepted.find((a) => a.hash === p.hash)?.ignoredFaces ?? 0,
      })),
      skipped,
      version: result.version,
    };
  }

  /** Bulk enrolment, one identity per batch; each identity is committed whole or not at all. */
  async enrollMany(
    scope: Scope,
    batches: { name: string; images: NamedImage[] }[],
    addedBy: string,
    onProgress?: ProgressFn,
  ): Promise<{
    enrolled: number;
    identities: number;
    skipped: Skipped[];
    /** Photos that enrolled their main face, leaving smaller faces or edge slivers out. */
    mainFaceOnly: { file: string; ignoredFaces: number }[];
  }> {
    const total = batches.reduce((n, b) => n + b.images.length, 0);
    let base = 0;
    const skipped: Skipped[] = [];
    const mainFaceOnly: { file: string; ignoredFaces: number }[] = [];
    const ready: { name: string; photos: ReturnType<typeof toPhotos> }[] = [];
    for (const batch of batches) {
      const offset = base;
      const prepared = await this.prepare(batch.images, (done) => onProgress?.(offset + done, total));
      base += batch.images.length;
      skipped.push(...prepared.skipped);
      for (const a of prepared.accepted)
        if (a.ignoredFaces > 0) mainFaceOnly.push({ file: a.file, ignoredFaces: a.ignoredFaces });
      if (prepared.accepted.length > 0)
        ready.push({ name: batch.name, photos: this.toPhotos(prepared.accepted, addedBy) });
    }
    const { results } = await this.gallery.enrollMany(scope, ready);
    let enrolled = 0;
    for (const r of results) {
      enrolled += r.added.length;
      for (const d of r.duplicates) skipped.push(skip(d.source ?? d.hash, 'duplicate'));
    }
    await this.matcher(scope);
    const identities = (await this.gallery.list(scope)).length;
    return { enrolled, identities, skipped, mainFaceOnly };
  }

  async compare(a: Uint8Array, b: Uint8Array, names?: [string, string]): Promise<Comparison> {
    const [fa, fb] = await Promise.all([
      this.engine.analyze(a).catch((err: unknown) => Promise.reject(naming(err, names?.[0]))),
      this.engine.analyze(b).catch((err: unknown) => Promise.reject(naming(err, names?.[1]))),
    ]);
    const first = fa.faces[0];
    const second = fb.faces[0];
    if (!first || !second) {
      const which = !first && !second ? 'both' : !first ? 'first' : 'second';
      const file = which === 'both' ? undefined : names?.[which === 'first' ? 0 : 1];
      throw naming(new UserError('no_face', { source: which }), file);
    }
    // Shown: the plain similarity. Decided: the centred cosine, calibrated for pairs of photos.
    const same =
      cosine(centre(first.embedding, this.#prior), centre(second.embedding, this.#prior)) >=
      this.pairThreshold;
    return {
      similarity: similarity(first.embedding, second.embedding),
      same,
      thumbnails: [first.thumbnail, second.thumbnail],
    };
  }

  async list(scope: Scope): Promise<IdentityInfo[]> {
    return (await this.gallery.list(scope)).map(toInfo);
  }

  async rename(scope: Scope, from: string, to: string): Promise<IdentityInfo> {
    return toInfo(await this.gallery.rename(scope, from, to));
  }

  async remove(scope: Scope, name: string): Promise<IdentityInfo> {
    return toInfo(await this.gallery.removeIdentity(scope, name));
  }

  async removePhoto(scope: Scope, hash: string): Promise<void> {
    await this.gallery.removePhoto(scope, hash);
  }

  async thumbnail(scope: Scope, slug: string): Promise<Uint8Array | null> {
    return (await this.gallery.photoThumbnail(scope, slug)) ?? null;
  }

  async forget(userId: string): Promise<ForgetResult> {
    const photos = await this.gallery.forgetUser(userId);
    return { photos, other: [] };
  }

  /** Every enrolled photo of a scope with its label, for OpenFace-style export. */
  async embeddings(
    scope: Scope,
  ): Promise<{ name: string; slug: string; source?: string; embedding: Float32Array }[]> {
    const snapshot = await this.gallery.embeddingSnapshot(scope);
    return snapshot.identities.flatMap((i) =>
      i.photos.map((p) => ({ name: i.name, slug: i.slug, source: p.source, embedding: p.embedding })),
    );
  }
}

/** Each face's best match and top candidates in `scope`, by `matcher`. */
function answersOf(scope: Scope, matcher: Matcher, analysis: Analysis<BareFace>): Identification<BareAnswer> {
  let method: Identification['method'] = matcher.method;
  const faces = analysis.faces.map((face): BareAnswer => {
    const result = finiteAnswer(matcher.identify(face.embedding));
    method = result.method;
    return { box: face.box, score: face.score, match: result.match, top: result.top };
  });
  return { scope, method, width: analysis.width, height: analysis.height, faces };
}
