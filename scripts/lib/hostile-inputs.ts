// Issue 21's hostile inputs beyond image files: gallery packs, names, multipart requests with endless
// parts, odd files in an enrolment folder, and a store file deleted under a running process. Generated
// in memory (or in a folder the caller gives); `npm run bad-inputs` writes them beside the image corpus.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, ftruncateSync, mkdirSync, openSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { writeZip } from '../../src/gallery/zip-archive.ts';
import { readData } from './data.ts';

/** A fingerprint no engine has: packs carrying it are re-embedded from their thumbnails. */
export const FOREIGN_ENGINE = {
  sha256: 'f'.repeat(64),
  models: {},
  tuning: {},
};

/** One photo of a hand-made pack manifest. */
export interface RawPackPhoto {
  hash?: string;
  thumbnail: string;
  source?: string;
  embedding: Float32Array;
}

/** A pack written by hand, so that it can say what `encodePack` never would. */
export async function rawPack(
  identities: { name: string; photos: RawPackPhoto[] }[],
  files: Record<string, Uint8Array>,
  engine: unknown = FOREIGN_ENGINE,
): Promise<Uint8Array> {
  const photos = identities.flatMap((identity) => identity.photos);
  const dim = photos[0]?.embedding.length ?? 0;
  const all = new Float32Array(photos.length * dim);
  for (const [i, photo] of photos.entries()) all.set(photo.embedding, i * dim);
  const bytes = new Uint8Array(all.buffer);
  let n = 0;
  const manifest = {
    format: 'lookalike-gallery-pack',
    version: 1,
    createdAt: '2026-12-04T00:00:00.000Z',
    engine,
    embeddingDim: dim,
    embeddings: { file: 'embeddings.f32', sha256: createHash('sha256').update(bytes).digest('hex') },
    identities: identities.map((identity) => ({
      name: identity.name,
      photos: identity.photos.map((photo) => ({
        hash: photo.hash ?? createHash('sha256').update(`photo ${n++}`).digest('hex'),
        thumbnail: photo.thumbnail,
        addedAt: '2026-12-04T00:00:00.000Z',
        ...(photo.source ? { source: photo.source } : {}),
      })),
    })),
  };
  return writeZip([
    { path: 'lookalike-pack.json', data: new TextEncoder().encode(JSON.stringify(manifest)) },
    { path: 'embeddings.f32', data: bytes },
    ...Object.entries(files).map(([file, data]) => ({ path: file, data, compress: false })),
  ]);
}

/** A 112-pixel face thumbnail like the engine's; `variant` changes one pixel, so each is distinct. */
export async function thumbnail(variant = 0): Promise<Uint8Array> {
  const raw = await sharp(readData('bbt', 'penny', 'penny1.png'))
    .resize(112, 112)
    .removeAlpha()
    .raw()
    .toBuffer();
  raw.writeUInt32LE(variant, 0);
  return new Uint8Array(
    await sharp(raw, { raw: { width: 112, height: 112, channels: 3 } })
      .png()
      .toBuffer(),
  );
}

/** A unit embedding of `dim` values in the engine's blocks (faceres √0.1, dlib √0.9 when 1152). */
export function unitEmbedding(dim: number, seed = 1): Float32Array {
  const out = new Float32Array(dim);
  const blocks =
    dim === 1152
      ? [
          [0, 1024, Math.sqrt(0.1)],
          [1024, 1152, Math.sqrt(0.9)],
        ]
      : [[0, dim, 1]];
  for (const [from, to, norm] of blocks as [number, number, number][]) {
    let sum = 0;
    for (let i = from; i < to; i++) {
      out[i] = Math.sin(seed * 7.1 + i * 0.37);
      sum += out[i]! * out[i]!;
    }
    for (let i = from; i < to; i++) out[i] = (out[i]! / Math.sqrt(sum)) * norm;
  }
  return out;
}

/** A hostile pack and what importing it must say. */
export interface HostilePack {
  kind: string;
  name: string;
  bytes: Uint8Array;
  /** The refusal's text, or undefined where the pack is imported (with its paths cut). */
  refusal?: RegExp;
}

/**
 * Packs that tried to poison or stall a gallery (issue 21, items 1–3 and issue 20 §6). `engine` is the
 * importing engine's fingerprint, for packs whose embeddings would be used as they are.
 */
export async function hostilePacks(engine: unknown, dim = 1152): Promise<HostilePack[]> {
  const thumb = await thumbnail();
  const huge = new Float32Array(dim).fill(3.0e38);
  // Another engine's (so they would be re-embedded), 8 values each and all different, so the embeddings
  // file does not compress like a ZIP bomb and the manifest's own count is what refuses the pack.
  const many = Array.from({ length: 5001 }, (_, i) => ({
    thumbnail: 'thumbnails/a.png',
    embedding: unitEmbedding(8, i + 1),
  }));
  return [
    {
      kind: 'pack: embedding of 3.0e38 values, this engine',
      name: 'pack-huge-embedding.zip',
      bytes: await rawPack(
        [{ name: 'Sheldon', photos: [{ thumbnail: 'thumbnails/a.png', embedding: huge }] }],
        { 'thumbnails/a.png': thumb },
        engine,
      ),
      refusal: /embedding of photo 1 of "Sheldon" is not one Lookalike makes/,
    },
    {
      kind: 'pack: a thumbnail that is not an image',
      name: 'pack-bad-thumbnail.zip',
      bytes: await rawPack(
        [{ name: 'Penny', photos: [{ thumbnail: 'thumbnails/a.png', embedding: unitEmbedding(dim) }] }],
        { 'thumbnails/a.png': new TextEncoder().encode('this is not a PNG at all') },
        engine,
      ),
      refusal: /thumbnail of photo 1 of "Penny" is not an image I can use/,
    },
    {
      kind: 'pack: 5,001 photos listed, one thumbnail',
      name: 'pack-many-photos.zip',
      bytes: await rawPack([{ name: 'Penny', photos: many }], { 'thumbnails/a.png': thumb }),
      refusal: /lists 5001 photos, more than 5000/,
    },
    {
      kind: 'pack: two photos, one thumbnail',
      name: 'pack-same-thumbnail.zip',
      bytes: await rawPack([{ name: 'Penny', photos: many.slice(0, 2) }], { 'thumbnails/a.png': thumb }),
      refusal: /photo 2 of "Penny" has the same thumbnail as another photo/,
    },
    {
      kind: 'pack: absolute paths of the exporting machine',
      name: 'pack-paths.zip',
      bytes: await rawPack(
        [
          {
            name: 'Penny',
            photos: [
              {
                thumbnail: 'thumbnails/a.png',
                embedding: unitEmbedding(dim),
                source: '/home/someone/celebs/penny/0.png',
              },
            ],
          },
        ],
        { 'thumbnails/a.png': thumb },
        engine,
      ),
    },
  ];
}

/** Names that must be refused at enrolment, with why. */
export const HOSTILE_NAMES: { kind: string; name: string; refusal: RegExp }[] = [
  { kind: 'name: masked link', name: '[link](http://evil.example)', refusal: /chat formatting or a link/ },
  { kind: 'name: Slack link', name: '<http://evil.example|Penny>', refusal: /chat formatting or a link/ },
  { kind: 'name: channel ping', name: '<!channel>', refusal: /chat formatting or a link/ },
  { kind: 'name: zero-width spaces only', name: '\u200b\u200b', refusal: /nothing visible/ },
  { kind: 'name: an arrow', name: 'Penny -> Amy', refusal: /chat formatting or a link/ },
  { kind: 'name: 300 characters', name: 'x'.repeat(300), refusal: /too long/ },
];

/** A multipart body with `parts` tiny parts (what once held the playground's event loop for 21 s). */
export function manyPartsBody(parts: number, boundary = 'lookalikeboundary'): Uint8Array {
  const one = `--${boundary}\r\nContent-Disposition: form-data; name="x"\r\n\r\ny\r\n`;
  return new TextEncoder().encode(`${one.repeat(parts)}--${boundary}--\r\n`);
}

/**
 * Odd files in a person's folder of `lookalike enroll <dir>` (issue 21, item 9): a subfolder, a symlinked
 * folder, a dangling symlink, a FIFO named like a photo and a sparse 3 GB "photo". Returns what each is.
 */
export function oddFiles(person: string): { file: string; why: RegExp }[] {
  mkdirSync(path.join(person, 'sub.png'), { recursive: true });
  symlinkSync('/tmp', path.join(person, 'linked.png'));
  symlinkSync(path.join(person, 'nowhere.png'), path.join(person, 'dangling.png'));
  execFileSync('mkfifo', [path.join(person, 'fifo.png')]);
  const huge = openSync(path.join(person, 'huge.png'), 'w');
  ftruncateSync(huge, 3 * 1024 ** 3);
  closeSync(huge);
  writeFileSync(path.join(person, 'empty.png'), new Uint8Array(0));
  return [
    { file: 'dangling.png', why: /a link to nothing/ },
    { file: 'empty.png', why: /empty/ },
    { file: 'fifo.png', why: /not a regular file/ },
    { file: 'huge.png', why: /too large/ },
    { file: 'linked.png', why: /a folder/ },
    { file: 'sub.png', why: /a folder/ },
  ];
}
