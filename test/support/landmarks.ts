// Real-looking 68-point landmark sets for tests: the mean face of OpenFace's dlib alignment template
// (iBUG 300-W order, in units of the face's width), placed, sized, turned and perturbed on request.

// prettier-ignore
const TEMPLATE = [
  0.0792, 0.3392, 0.0829, 0.457, 0.0968, 0.5756, 0.1221, 0.6919, 0.1687, 0.8003, 0.2398, 0.8957, 0.3257,
  0.9771, 0.4223, 1.0433, 0.5318, 1.0608, 0.6413, 1.0398, 0.7381, 0.9723, 0.8244, 0.8896, 0.8948, 0.7925,
  0.9394, 0.6815, 0.9611, 0.5622, 0.9706, 0.4418, 0.9712, 0.3221, 0.1638, 0.2492, 0.2178, 0.2043, 0.2913,
  0.1924, 0.3675, 0.2036, 0.4393, 0.2331, 0.5864, 0.2281, 0.6602, 0.1959, 0.7375, 0.1824, 0.8132, 0.1928,
  0.8708, 0.2353, 0.5153, 0.3186, 0.5162, 0.3962, 0.5171, 0.4738, 0.5182, 0.5532, 0.4337, 0.6041, 0.4755,
  0.6208, 0.5207, 0.6343, 0.5659, 0.6188, 0.6071, 0.6016, 0.2524, 0.3311, 0.2987, 0.3026, 0.3557, 0.303,
  0.4037, 0.3387, 0.3525, 0.35, 0.2968, 0.3505, 0.6313, 0.3341, 0.6791, 0.2965, 0.736, 0.2947, 0.7829, 0.3213,
  0.7403, 0.3418, 0.685, 0.3437, 0.3532, 0.7462, 0.4146, 0.7191, 0.4777, 0.7068, 0.5227, 0.7171, 0.5698,
  0.7054, 0.6352, 0.7157, 0.6995, 0.7394, 0.6394, 0.8052, 0.5764, 0.8354, 0.5254, 0.8417, 0.4764, 0.8375,
  0.4138, 0.81, 0.3801, 0.75, 0.478, 0.7451, 0.5234, 0.7489, 0.5711, 0.7433, 0.6724, 0.7442, 0.5725, 0.7766,
  0.524, 0.7834, 0.4776, 0.7785,
];

/** The mean face, one unit wide. */
export const MEAN_FACE = Float32Array.from(TEMPLATE);

/** A seeded generator of standard normal numbers (Box–Muller over mulberry32). */
export function gaussian(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** `base` with every coordinate moved by normal noise of `sigma` face widths. */
export function perturb(base: Float32Array, sigma: number, seed: number): Float32Array {
  const next = gaussian(seed);
  return base.map((v) => v + sigma * next());
}

/** `shape` (in face widths) scaled to `size` pixels, turned by `angle` radians and moved to (x, y). */
export function place(shape: Float32Array, x: number, y: number, size: number, angle = 0): Float32Array {
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const out = new Float32Array(shape.length);
  for (let i = 0; i < shape.length; i += 2) {
    const u = ((shape[i] as number) - 0.5) * size;
    const v = ((shape[i + 1] as number) - 0.5) * size;
    out[i] = x + u * cos - v * sin;
    out[i + 1] = y + u * sin + v * cos;
  }
  return out;
}

/** `shape` mirrored left to right (its points keep their indices, so it is another shape). */
export function mirrored(shape: Float32Array): Float32Array {
  return shape.map((v, i) => (i % 2 === 0 ? 1 - v : v));
}

/**
 * People with their own face shape (the mean face plus `between` noise) and photos of them (their shape
 * plus `within` noise, placed anywhere at any size and slight turn): `photos[p][k]` in pixels.
 */
export function syntheticPeople(
  people: number,
  photosEach: number,
  options: { between?: number; within?: number; seed?: number } = {},
): Float32Array[][] {
  const { between = 0.02, within = 0.004, seed = 1 } = options;
  return Array.from({ length: people }, (_, p) => {
    const own = perturb(MEAN_FACE, between, seed * 1000 + p);
    return Array.from({ length: photosEach }, (_, k) => {
      const jitter = gaussian(seed * 7919 + p * 97 + k);
      const shape = perturb(own, within, seed * 31 + p * 131 + k);
      return place(shape, 56 + 4 * jitter(), 56 + 4 * jitter(), 80 + 10 * jitter(), 0.1 * jitter());
    });
  });
}
