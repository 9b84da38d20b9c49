// Issue 12's three defects: images are decided by their bytes (not their label), huge claimed sizes get
// the "too big" message, and empty files say so.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { isImageFile } from '../../src/adapters/slack/files.ts';
import { claimsImage, looksLikeImage, readImage } from '../../src/chat/options.ts';
import type { Attachment } from '../../src/chat/types.ts';
import { decodeImage } from '../../src/image/decode.ts';
import { sniffKind, surelyNotImage } from '../../src/image/sniff.ts';
import { jpegWithHeader, pngWithHeader } from '../fixtures/bad-inputs.ts';
import { rejectsWith } from '../support/user-errors.ts';

/** An attachment that counts its downloads. */
function attachment(name: string, contentType: string | undefined, bytes: Uint8Array) {
  const a = {
    name,
    contentType,
    size: bytes.length,
    downloads: 0,
    fetch: async () => {
      a.downloads++;
      return bytes;
    },
  } satisfies Attachment & { downloads: number };
  return a;
}

const colour = () => sharp({ create: { width: 40, height: 30, channels: 3, background: '#3a7' } });

describe('images are decided by their bytes', () => {
  for (const [format, encode] of [
    ['webp', () => colour().webp().toBuffer()],
    ['avif', () => colour().avif().toBuffer()],
    ['tiff', () => colour().tiff().toBuffer()],
  ] as const) {
    it(`reads a valid ${format} sent as application/octet-stream, whatever its name`, async () => {
      const bytes = new Uint8Array(await encode());
      for (const name of [`x.${format}`, 'upload', 'photo.bin']) {
        const a = attachment(name, 'application/octet-stream', bytes);
        assert.ok(looksLikeImage(a), `${name} is worth downloading`);
        assert.deepEqual(await readImage(a), bytes);
        const decoded = await decodeImage(bytes);
        assert.equal(decoded.format, format);
      }
    });
  }

  it('treats a generic type as "decide by the bytes" on every platform', () => {
    const generic = attachment('x.webp', 'application/octet-stream', new Uint8Array(1));
    assert.ok(looksLikeImage(generic));
    assert.ok(!claimsImage(generic));
    assert.ok(isImageFile({ id: 'F1', name: 'x.webp', mimetype: 'application/octet-stream' }));
    assert.ok(!isImageFile({ id: 'F2', name: 'notes.txt', mimetype: 'text/plain' }));
  });

  it('refuses surely-not-image types without downloading them, naming what they are', async () => {
    for (const type of ['text/plain', 'application/pdf', 'video/mp4']) {
      const a = attachment('photo.png', type, new Uint8Array([0xff, 0xd8, 0xff]));
      const err = await rejectsWith(readImage(a), 'not_image');
      assert.match(err.message, /^`photo\.png` is not an image I can read/);
      assert.equal(a.downloads, 0, `${type} is not downloaded`);
    }
    assert.ok(surelyNotImage('text/html; charset=utf-8'));
    assert.ok(!surelyNotImage('application/octet-stream'));
    assert.ok(!surelyNotImage(undefined));
  });

  it('refuses what merely claims to be an image, by its real kind', async () => {
    const cases: [string, Uint8Array, RegExp][] = [
      ['a.png', Buffer.from('%PDF-1.4\n%%EOF\n'), /a PDF document/],
      ['a.jpg', Buffer.from('PK\u0003\u0004 zip'), /a ZIP archive/],
      ['a.png', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), /an SVG drawing/],
      ['a.jpg', Buffer.from([0, 0, 0, 24, ...Buffer.from('ftypheic\0\0\0\0mif1heic'), 0, 0]), /HEIC/],
    ];
    for (const [name, bytes, what] of cases) {
      const err = await rejectsWith(readImage(attachment(name, 'image/png', bytes)), 'not_image');
      assert.match(err.message, what);
      assert.match(err.message, new RegExp(`^\`${name}\``));
      const decoded = await rejectsWith(decodeImage(bytes), 'not_image');
      assert.match(decoded.message, what);
    }
    // Text is left to the decoder, which has the last word on bytes it does not recognise.
    const text = Buffer.from('just some words\n');
    assert.deepEqual(await readImage(attachment('a.png', 'image/png', text)), text);
    assert.match((await rejectsWith(decodeImage(text), 'not_image')).message, /a text file/);
  });

  it('tells AVIF from HEIC by the brands of the shared container', async () => {
    assert.equal(sniffKind(await colour().avif().toBuffer()), 'avif');
    assert.equal(sniffKind(Buffer.from([0, 0, 0, 24, ...Buffer.from('ftypmif1\0\0\0\0mif1heic')])), 'heic');
    assert.equal(sniffKind(Buffer.from([0, 0, 0, 24, ...Buffer.from('ftypmif1\0\0\0\0mif1avif')])), 'avif');
    assert.equal(sniffKind(Buffer.from([0, 0, 0, 24, ...Buffer.from('ftypisom\0\0\0\0isomavc1')])), 'video');
  });
});

describe('huge claimed dimensions get the "too big" message', () => {
  for (const [what, make, size] of [
    ['a PNG header claiming 30000x30000', async () => pngWithHeader(30_000, 30_000), '30000x30000'],
    ['a JPEG header claiming 65000x65000', () => jpegWithHeader(65_000, 65_000), '65000x65000'],
    ['a PNG header claiming 12000x12000', async () => pngWithHeader(12_000, 12_000), '12000x12000'],
  ] as const) {
    it(`refuses ${what} quickly, naming the size and the limit`, async () => {
      const bytes = await make();
      const started = performance.now();
      const err = await rejectsWith(decodeImage(bytes), 'too_many_pixels');
      assert.ok(performance.now() - started < 1000, 'refused from the header, without decoding');
      assert.equal(err.message, `That image is too big (${size} pixels); the limit is 40 megapixels.`);
    });
  }
});

describe('empty files', () => {
  it('says the file is empty, from the decoder and from a download', async () => {
    const err = await rejectsWith(decodeImage(new Uint8Array(0)), 'empty_file');
    assert.match(err.message, /empty/);
    const named = await rejectsWith(
      readImage(attachment('selfie.jpg', 'image/jpeg', new Uint8Array(0))),
      'empty_file',
    );
    assert.equal(named.message, '`selfie.jpg` is empty (0 bytes): please send the photo again.');
  });

  it('calls a file that starts like an image but is damaged "damaged", not "not an image"', async () => {
    const png = await colour().png().toBuffer();
    await rejectsWith(decodeImage(png.subarray(0, 20)), 'corrupt_image');
  });
});
