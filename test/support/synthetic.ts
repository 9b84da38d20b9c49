import type { GalleryIdentity } from '../../src/classifier/matcher.ts';
import { Rng } from '../../src/util/rng.ts';

/** Shape of a synthetic gallery. */
export interface SyntheticOptions {
  identities: number;
  perIdentity: number;
  dim: number;
  seed?: number;
  /** Spread of identities around the shared mean face (default 0.6). */
  identitySpread?: number;
  /** Spread of photos around their identity (default 0.5); higher makes identities overlap. */
  photoSpread?: number;
}

/**
 * A deterministic gallery shaped like faceres embeddings: non-negative, L2-normalised, every face
 * close to a shared mean face (so all cosines are high, as with real embeddings), identities as
 * clusters around it. For tests and benchmarks; `photos` draws more photos of the same identities.
 */
export function syntheticGallery(options: SyntheticOptions): {
  identities: GalleryIdentity[];
  photos: (identity: number, count: number) => Float32Array[];
} {
  const { identities, perIdentity, dim } = options;
  const rng = new Rng(options.seed ?? 1);
  const identitySpread = options.identitySpread ?? 0.6;
  const photoSpread = options.photoSpread ?? 0.5;
  const gauss = (): number => {
    // Box-Muller; 1 - u keeps the log argument in (0, 1].
    const u = 1 - rng.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
  };
  const scale = 1 / Math.sqrt(dim);
  const mean = Array.from({ length: dim }, () => (0.5 + rng.next()) * scale);
  const centres = Array.from({ length: identities }, () =>
    mean.map((m) => m + identitySpread * scale * gauss()),
  );
  const photos = (identity: number, count: number): Float32Array[] => {
    const centre = centres[identity];
    if (centre === undefined) throw new Error(`no identity ${identity}`);
    return Array.from({ length: count }, () => {
      const v = new Float32Array(dim);
      let norm = 0;
      for (let j = 0; j < dim; j++) {
        // ReLU: faceres embeddings are non-negative.
        const value = Math.max(0, centre[j]! + photoSpread * scale * gauss());
        v[j] = value;
        norm += value * value;
      }
      const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let j = 0; j < dim; j++) v[j]! *= inv;
      return v;
    });
  };
  return {
    identities: Array.from({ length: identities }, (_, k) => ({
      slug: `person-${String(k).padStart(4, '0')}`,
      name: `Person ${k}`,
      embeddings: photos(k, perIdentity),
    })),
    photos,
  };
}
