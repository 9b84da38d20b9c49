/**
 * The candidate softmax that answered before the linear SVM, kept as the evaluation's baseline
 * (`npm run eval`, `npm run bench:gallery -- --softmax`): trained with the prior mean face as its
 * offset, a face answered over its 8 nearest identities by centred centroid, as the old Matcher did.
 */
import { centre, centroid, shrunkMean } from '../../../src/classifier/centering.ts';
import { topK } from '../../../src/util/top-k.ts';
import { scaledLogits, softmaxInPlace, trainSoftmax } from './softmax.ts';

interface Identity {
  slug: string;
  embeddings: Float32Array[];
}

/** The softmax's answer for a face: every candidate's probability, best first. */
export type SoftmaxAnswer = { slug: string; p: number }[];

/** Trains the softmax baseline on a gallery; returns how it answers a face. */
export function softmaxBaseline(
  identities: readonly Identity[],
  prior: Float32Array,
): (x: Float32Array) => SoftmaxAnswer {
  const rows = identities.flatMap((i) => i.embeddings);
  const classOf = Int32Array.from(identities.flatMap((i, c) => i.embeddings.map(() => c)));
  const model = trainSoftmax(
    rows,
    classOf,
    identities.map((i) => i.slug),
    { offset: prior },
  );
  const mean = shrunkMean(rows, prior);
  const dirs = identities.map((i) => centroid(i.embeddings.map((e) => centre(e, mean))));
  return (x) => {
    const c = centre(x, mean);
    const scores = dirs.map((d) => d.reduce((s, v, j) => s + v * c[j]!, 0));
    const near = topK(scores, scores.length, 8);
    const p = softmaxInPlace(scaledLogits(model, x, near));
    return Array.from(near, (i, t) => ({ slug: identities[i]!.slug, p: p[t]! })).sort((a, b) => b.p - a.p);
  };
}

/** Top-1 of the softmax baseline on labelled probes. */
export function softmaxTop1(
  identities: readonly Identity[],
  probes: readonly { slug: string; e: Float32Array }[],
  prior: Float32Array,
): number {
  const answer = softmaxBaseline(identities, prior);
  return probes.filter((p) => answer(p.e)[0]?.slug === p.slug).length / probes.length;
}
