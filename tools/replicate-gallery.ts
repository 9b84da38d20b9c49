/**
 * A large gallery for start-up and memory measurements, made from a real one: every identity of the
 * `global` scope copied `--copies` times under new names, with new photo hashes and each embedding
 * jittered (uniform noise of ±0.005 per value, renormalised) so that no two copies are the same point.
 * Thumbnails, landmarks and descriptors are kept as they are (they only make the blobs as large as real
 * ones). docs/engine-speed.md, "Start-up with a gallery", times `lookalike infer` on the result.
 *
 *   npm run gallery:replicate -- sqlite://tmp/st-celebs.sqlite sqlite://tmp/st-big.sqlite --copies 10
 */
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Gallery } from '../src/gallery/index.ts';
import { openStore } from '../src/store/index.ts';
import { Rng } from '../src/util/rng.ts';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { copies: { type: 'string', default: '10' } },
});
const [fromUrl, toUrl] = positionals;
const copies = Number(values.copies);
if (!fromUrl || !toUrl || !(copies >= 1)) {
  console.error('usage: npm run gallery:replicate -- <from-store> <to-store> [--copies N]');
  process.exit(2);
}
const from = await openStore(fromUrl);
const to = await openStore(toUrl);
try {
  const snapshot = await new Gallery(from).snapshot('global');
  const target = new Gallery(to);
  const rng = new Rng(1);
  for (let k = 0; k < copies; k++) {
    const batches = snapshot.identities.map((identity) => ({
      name: `${identity.name} ${k}`,
      photos: identity.photos.map(({ hash, embedding, thumbnail, landmarks, descriptors, engine }) => {
        const jittered = Float32Array.from(embedding, (v) => v + 0.01 * (rng.next() - 0.5));
        const norm = Math.hypot(...jittered);
        return {
          hash: createHash('sha256').update(`${hash}:${k}`).digest('hex'),
          embedding: jittered.map((v) => v / norm),
          thumbnail,
          addedBy: 'cli',
          ...(landmarks ? { landmarks } : {}),
          ...(descriptors ? { descriptors } : {}),
          ...(engine ? { engine } : {}),
        };
      }),
    }));
    await target.enrollMany('global', batches);
  }
  const photos = (await target.snapshot('global')).identities.reduce((n, i) => n + i.photos.length, 0);
  console.log(`${toUrl}: ${snapshot.identities.length * copies} identities, ${photos} photos`);
} finally {
  await from.close();
  await to.close();
}
