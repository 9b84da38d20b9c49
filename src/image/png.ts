import { crc32, deflateSync, inflateSync } from 'node:zlib';
import type { RgbImage } from './geometry.ts';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Bytes of a chunk around its body: length, type and CRC. */
const CHUNK_BYTES = 12;
/** PNG's filter type 4 (spec 9.2): each byte less the Paeth prediction from its left, upper and upper-left. */
const PAETH = 4;
/**
 * zlib's level for the thumbnails' pixels. After the Paeth filter, level 1 is within 4 % of level 3's
 * size (18.0 against 17.4 KB a face) for 80 % of its CPU (docs/engine-speed.md, "Thumbnails
 * without sharp").
 */
const LEVEL = 1;

/** PNG's Paeth predictor (spec 9.4) from the left, upper and upper-left samples. */
function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

function writeChunk(out: Buffer, at: number, type: string, body: Uint8Array): number {
  out.writeUInt32BE(body.length, at);
  out.write(type, at + 4, 'latin1');
  out.set(body, at + 8);
  out.writeUInt32BE(crc32(out.subarray(at + 4, at + 8 + body.length)), at + 8 + body.length);
  return at + CHUNK_BYTES + body.length;
}

/**
 * Encodes 8-bit RGB pixels (width × height, interleaved) as a PNG, on this thread. The engines make
 * one for every face they answer with: sharp's encoder cost 1.4–1.6 ms of CPU for a 112-px face,
 * most of it the pipeline and its hop to libuv's threads, where this takes about 0.6 ms and a
 * pool's worker waits on no other thread for it. Lossless either way: the same pixels decode back.
 * One filter for every row (Paeth, which suits photos) instead of trying all five per row: in
 * JavaScript the rows' choice cost more than it saved.
 */
export function encodePng(rgb: Uint8Array, width: number, height: number): Uint8Array {
  const stride = width * 3;
  if (rgb.length !== stride * height)
    throw new RangeError(`${rgb.length} bytes is not ${width}×${height} RGB`);
  const rows = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const cur = y * stride;
    const prev = cur - stride;
    const at = y * (stride + 1);
    rows[at] = PAETH;
    for (let x = 0; x < stride; x++) {
      const a = x >= 3 ? (rgb[cur + x - 3] as number) : 0;
      const b = y > 0 ? (rgb[prev + x] as number) : 0;
      const c = x >= 3 && y > 0 ? (rgb[prev + x - 3] as number) : 0;
      rows[at + 1 + x] = ((rgb[cur + x] as number) - paeth(a, b, c)) & 255;
    }
  }
  const idat = deflateSync(rows, { level: LEVEL });
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits per sample
  header[9] = 2; // truecolour; compression, filter method and interlace stay 0
  const out = Buffer.alloc(SIGNATURE.length + 3 * CHUNK_BYTES + header.length + idat.length);
  out.set(SIGNATURE, 0);
  let at = writeChunk(out, SIGNATURE.length, 'IHDR', header);
  at = writeChunk(out, at, 'IDAT', idat);
  writeChunk(out, at, 'IEND', new Uint8Array(0));
  // A view of a buffer of its own (not Node's shared pool), so a worker can transfer it.
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** PNG colour types (spec 11.2.2) and the samples a pixel has in each. */
const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/**
 * Chunks that leave the pixels as sharp's decode gives them: text, dates, density, the sRGB intent,
 * a suggested background (flattening uses ours), and gamma and chromaticities, which libvips does not
 * apply either. Any other ancillary chunk (an ICC profile, EXIF orientation) sends the file to sharp.
 */
const PASSIVE = new Set(['pHYs', 'tEXt', 'zTXt', 'iTXt', 'tIME', 'sRGB', 'bKGD', 'gAMA', 'cHRM', 'sBIT']);

/** A PNG's header and compressed pixels, from `readPng`. */
export interface PngFile {
  width: number;
  height: number;
  colourType: number;
  idat: Uint8Array[];
  palette?: Uint8Array;
  transparency?: Uint8Array;
}

/**
 * The chunks of a PNG that `decodePng` can decode to the very pixels sharp gives: 8 bits a sample,
 * not interlaced, every chunk's CRC right, and no chunk that would change the pixels (ICC profile,
 * EXIF). Anything else, damaged files included, gives undefined, and sharp decides.
 */
export function readPng(bytes: Uint8Array): PngFile | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!SIGNATURE.every((b, i) => bytes[i] === b)) return undefined;
  let png: PngFile | undefined;
  for (let at = SIGNATURE.length; at + CHUNK_BYTES <= bytes.length; ) {
    const length = view.getUint32(at);
    const end = at + 8 + length;
    if (end + 4 > bytes.length || crc32(bytes.subarray(at + 4, end)) !== view.getUint32(end))
      return undefined;
    const type = String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!, bytes[at + 6]!, bytes[at + 7]!);
    const body = bytes.subarray(at + 8, end);
    if (type === 'IHDR') {
      if (png || length !== 13) return undefined;
      const [depth, colourType, compression, filter, interlace] = body.subarray(8);
      if (depth !== 8 || compression || filter || interlace) return undefined;
      if (colourType === undefined || !(colourType in CHANNELS)) return undefined;
      png = { width: view.getUint32(at + 8), height: view.getUint32(at + 12), colourType, idat: [] };
      if (!png.width || !png.height) return undefined;
    } else if (!png) {
      return undefined;
    } else if (type === 'IDAT') {
      png.idat.push(body);
    } else if (type === 'PLTE' && png.colourType === 3 && !png.palette && length % 3 === 0) {
      png.palette = body;
    } else if (type === 'tRNS' && !png.transparency) {
      png.transparency = body;
    } else if (type === 'IEND') {
      const usable = png.colourType !== 3 || png.palette !== undefined;
      return usable && png.idat.length > 0 ? png : undefined;
    } else if (!PASSIVE.has(type)) {
      return undefined;
    }
    at = end + 4;
  }
  return undefined;
}

/**
 * Decodes what `readPng` accepted to 8-bit RGB, transparency flattened on white as sharp's
 * `flatten({ background: '#ffffff' })` does (truncating, checked against sharp for every colour and
 * alpha). Undefined when the pixel data is damaged or short: sharp then reports it. Why not sharp
 * itself: a sharp decode costs about 1.1 ms of CPU for a 150-pixel portrait, nearly all of it the
 * pipeline, its threads and their hand-offs; this takes about a third of that (docs/engine-speed.md).
 */
export function decodePng(png: PngFile): RgbImage | undefined {
  const { width, height, colourType } = png;
  const channels = CHANNELS[colourType] as number;
  const stride = width * channels;
  const expected = (stride + 1) * height;
  let rows: Uint8Array;
  try {
    const idat = png.idat.length === 1 ? (png.idat[0] as Uint8Array) : Buffer.concat(png.idat);
    rows = inflateSync(idat, { maxOutputLength: expected });
  } catch {
    return undefined;
  }
  if (rows.length !== expected || !unfilter(rows, stride, height, channels)) return undefined;
  const data = new Uint8Array(width * height * 3);
  return toRgb(png, rows, data) ? { data, width, height } : undefined;
}

/** Undoes PNG's five row filters in place; each row keeps its filter byte in front. */
function unfilter(rows: Uint8Array, stride: number, height: number, bpp: number): boolean {
  for (let y = 0; y < height; y++) {
    const at = y * (stride + 1);
    const cur = at + 1;
    const prev = cur - stride - 1;
    const filter = rows[at];
    if (filter === 0) continue;
    if (filter === 1) {
      for (let x = bpp; x < stride; x++)
        rows[cur + x] = (rows[cur + x] as number) + (rows[cur + x - bpp] as number);
    } else if (filter === 2) {
      if (y > 0)
        for (let x = 0; x < stride; x++)
          rows[cur + x] = (rows[cur + x] as number) + (rows[prev + x] as number);
    } else if (filter === 3) {
      for (let x = 0; x < stride; x++) {
        const left = x >= bpp ? (rows[cur + x - bpp] as number) : 0;
        const up = y > 0 ? (rows[prev + x] as number) : 0;
        rows[cur + x] = (rows[cur + x] as number) + ((left + up) >> 1);
      }
    } else if (filter === 4) {
      for (let x = 0; x < stride; x++) {
        const a = x >= bpp ? (rows[cur + x - bpp] as number) : 0;
        const b = y > 0 ? (rows[prev + x] as number) : 0;
        const c = x >= bpp && y > 0 ? (rows[prev + x - bpp] as number) : 0;
        rows[cur + x] = (rows[cur + x] as number) + paeth(a, b, c);
      }
    } else {
      return false;
    }
  }
  return true;
}

/** A colour sample over white at `alpha`, as libvips' flatten rounds it (down). */
function overWhite(sample: number, alpha: number): number {
  return Math.floor((sample * alpha + 255 * (255 - alpha)) / 255);
}

/**
 * The one fully transparent colour a grey or RGB PNG's tRNS names, as 8-bit samples: tRNS gives it in
 * 16 bits, and an 8-bit sample matches its low byte when its high byte is 0. Undefined for none.
 */
function transparentKey(colourType: number, trns: Uint8Array | undefined): number[] | undefined {
  const samples = colourType === 0 ? 1 : colourType === 2 ? 3 : 0;
  if (!trns || samples === 0 || trns.length !== 2 * samples) return undefined;
  const key: number[] = [];
  for (let k = 0; k < samples; k++) {
    if (trns[2 * k]) return undefined;
    key.push(trns[2 * k + 1] as number);
  }
  return key;
}

/** Expands unfiltered rows to RGB; false for a palette index past the palette's end. */
function toRgb(png: PngFile, rows: Uint8Array, out: Uint8Array): boolean {
  const { width, height, colourType, palette, transparency: trns } = png;
  const stride = width * (CHANNELS[colourType] as number);
  // The common photos first: opaque RGB rows are copied whole, opaque grey spread to three samples.
  if (colourType === 2 && !trns) {
    for (let y = 0; y < height; y++)
      out.set(rows.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)), y * stride);
    return true;
  }
  if (colourType === 0 && !trns) {
    for (let y = 0, o = 0; y < height; y++) {
      const row = y * (stride + 1) + 1;
      for (let x = 0; x < width; x++, o += 3) {
        const v = rows[row + x] as number;
        out[o] = v;
        out[o + 1] = v;
        out[o + 2] = v;
      }
    }
    return true;
  }
  const key = transparentKey(colourType, trns);
  let o = 0;
  for (let y = 0; y < height; y++) {
    const row = y * (stride + 1) + 1;
    for (let x = 0; x < width; x++, o += 3) {
      if (colourType === 2) {
        const i = row + 3 * x;
        const r = rows[i] as number;
        const g = rows[i + 1] as number;
        const b = rows[i + 2] as number;
        const clear = key !== undefined && r === key[0] && g === key[1] && b === key[2];
        out[o] = clear ? 255 : r;
        out[o + 1] = clear ? 255 : g;
        out[o + 2] = clear ? 255 : b;
      } else if (colourType === 0 || colourType === 4) {
        const v = rows[row + (colourType === 4 ? 2 * x : x)] as number;
        const alpha = colourType === 4 ? (rows[row + 2 * x + 1] as number) : v === key?.[0] ? 0 : 255;
        out[o] = out[o + 1] = out[o + 2] = alpha === 255 ? v : overWhite(v, alpha);
      } else if (colourType === 6) {
        const i = row + 4 * x;
        const alpha = rows[i + 3] as number;
        for (let k = 0; k < 3; k++)
          out[o + k] = alpha === 255 ? (rows[i + k] as number) : overWhite(rows[i + k] as number, alpha);
      } else {
        const index = rows[row + x] as number;
        if (!palette || 3 * index + 2 >= palette.length) return false;
        const alpha = trns && index < trns.length ? (trns[index] as number) : 255;
        for (let k = 0; k < 3; k++) out[o + k] = overWhite(palette[3 * index + k] as number, alpha);
      }
    }
  }
  return true;
}
