import type { Metadata, OutputInfo } from 'sharp';
import { UserError } from '../errors.ts';
import { assertRgb, type RgbImage } from './geometry.ts';
import { decodePng, readPng } from './png.ts';
import { sharp } from './sharp.ts';
import { type ImageFormat, isAcceptedKind, sniffKind } from './sniff.ts';

export type { ImageFormat } from './sniff.ts';

/** Limits and sizes for one decode. */
export interface DecodeOptions {
  /** Largest accepted file in bytes (default 20 MiB). */
  maxBytes?: number;
  /** Largest accepted image in pixels, width x height, checked from the header (default 40 megapixels). */
  maxPixels?: number;
  /** The decoded image's longest side is scaled down to at most this (default 1024); never enlarged. */
  maxSide?: number;
  /** Seconds a decode may take before it fails with `timeout` (default 20). */
  timeoutSeconds?: number;
}

/** An upright sRGB image ready for face detection, plus what is needed to map boxes back to the file. */
export interface DecodedImage extends RgbImage {
  /** Size of the upright (EXIF-rotated) original image. */
  originalWidth: number;
  originalHeight: number;
  /** Decoded size divided by upright original size (1 when not scaled down). */
  scale: number;
  format: ImageFormat;
  /**
   * Nearly one colour (every channel's spread under FLAT_SPREAD levels): there is no face to find, and a
   * detector shown such an image may still report one (a black 1×1024 strip gave "Leonard, confidence 1").
   */
  flat: boolean;
}

/** An image with a border added around it; `offset` is where the original's top-left pixel now sits. */
export interface PaddedImage extends RgbImage {
  offset: { x: number; y: number };
}

/** How `padImage` fills the border. */
export type PadMode = 'grey' | 'edge' | 'mirror';

/** Default largest accepted file: 20 MiB. */
export const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;
/** Default largest accepted image: 40 megapixels. */
export const DEFAULT_MAX_PIXELS = 40_000_000;
/** Default longest side of a decoded image. */
export const DEFAULT_MAX_SIDE = 1024;
/** Longest side over shortest side beyond which an image is a strip, not a photo (panoramas are ~4:1). */
export const MAX_ASPECT_RATIO = 8;
/** Standard deviation of pixel values (0–255) under which an image counts as one flat colour. */
export const FLAT_SPREAD = 2;

/** Whether an RGB image is nearly one colour: the largest per-channel standard deviation under FLAT_SPREAD. */
export function isFlat(data: Uint8Array): boolean {
  // One pass, one local sum per channel: integer sums stay exact in doubles (2^53 is far above
  // 40 megapixels × 255²), and locals rather than `sum[i % 3]` make this about 10× faster.
  let r = 0;
  let g = 0;
  let b = 0;
  let rr = 0;
  let gg = 0;
  let bb = 0;
  for (let i = 0; i + 2 < data.length; i += 3) {
    const x = data[i] as number;
    const y = data[i + 1] as number;
    const z = data[i + 2] as number;
    r += x;
    g += y;
    b += z;
    rr += x * x;
    gg += y * y;
    bb += z * z;
  }
  const n = data.length / 3;
  const spread = (sum: number, squares: number) => squares / n - (sum / n) ** 2 < FLAT_SPREAD ** 2;
  return spread(r, rr) && spread(g, gg) && spread(b, bb);
}

/**
 * The accepted format named by sharp's metadata, or undefined to refuse it. sharp reports AVIF as `heif`;
 * HEIC shares that container but is not supported, so `compression` decides.
 */
export function acceptedFormat(meta: Pick<Metadata, 'format' | 'compression'>): ImageFormat | undefined {
  switch (meta.format) {
    case 'jpeg':
    case 'png':
    case 'webp':
    case 'gif':
    case 'tiff':
      return meta.format;
    case 'heif':
      return meta.compression === 'av1' ? 'avif' : undefined;
    default:
      return undefined;
  }
}

function formatMb(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return Number.isInteger(mb) ? `${mb}` : mb.toFixed(1);
}

function positiveOption(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`${name} must be a positive number, got ${value}`);
  return v;
}

/** What the decode needs of a file's header. */
type Header = Pick<Metadata, 'format' | 'width' | 'height'> &
  Partial<Pick<Metadata, 'compression' | 'orientation' | 'autoOrient'>>;

/** The header as sharp reads it: format, size and orientation, before any pixel is decoded. */
async function readMetadata(input: Uint8Array): Promise<Metadata> {
  // Without `limitInputPixels: false` sharp refuses a header over its own limit with an error that hides the size.
  try {
    return await sharp(input, { limitInputPixels: false }).metadata();
  } catch (err) {
    // The bytes start like an image, so a header sharp cannot read is damage, not the wrong kind of file.
    throw new UserError('corrupt_image', {}, { cause: err });
  }
}

/**
 * Decodes an untrusted image file into an upright, sRGB, 3-channel raw image no larger than `maxSide`.
 * Throws `UserError` (`file_too_large`, `empty_file`, `not_image`, `too_many_pixels`, `corrupt_image`, `timeout`)
 * for bad input.
 */
export async function decodeImage(input: Uint8Array, options: DecodeOptions = {}): Promise<DecodedImage> {
  const maxBytes = positiveOption('maxBytes', options.maxBytes, DEFAULT_MAX_BYTES);
  const maxPixels = Math.floor(positiveOption('maxPixels', options.maxPixels, DEFAULT_MAX_PIXELS));
  const maxSide = Math.floor(positiveOption('maxSide', options.maxSide, DEFAULT_MAX_SIDE));
  const timeoutSeconds = Math.ceil(positiveOption('timeoutSeconds', options.timeoutSeconds, 20));

  // Checked before sharp sees the bytes, so an oversized upload costs nothing to refuse.
  if (input.length > maxBytes) {
    throw new UserError('file_too_large', {
      text: 'image_too_large',
      size: formatMb(input.length),
      sizeLimit: formatMb(maxBytes),
    });
  }
  if (input.length === 0) throw new UserError('empty_file');
  // The magic numbers decide, before sharp sees the bytes: SVG (entities, scripts, external references)
  // and every other format sharp could parse but people should not send never reach a parser.
  const kind = sniffKind(input);
  if (!isAcceptedKind(kind)) throw new UserError('not_image', { kind });

  // A plain PNG's header is read here, and its pixels too when no resize is needed (decodePng: the
  // same pixels as sharp's, for a third of the CPU). Every other file, and any PNG outside that
  // subset or damaged, goes to sharp.
  const png = kind === 'png' ? readPng(input) : undefined;
  const meta: Header = png
    ? { format: 'png', width: png.width, height: png.height }
    : await readMetadata(input);
  const format = acceptedFormat(meta);
  if (!format) throw new UserError('not_image');
  if (!meta.width || !meta.height) throw new UserError('corrupt_image');

  // Guards against decompression bombs: a tiny file can claim a huge canvas.
  if (meta.width * meta.height > maxPixels) {
    throw new UserError('too_many_pixels', {
      width: meta.width,
      height: meta.height,
      limit: Math.round(maxPixels / 1e6),
    });
  }

  const originalWidth = meta.autoOrient?.width ?? meta.width;
  const originalHeight = meta.autoOrient?.height ?? meta.height;
  // From the header, before a pixel is decoded: a 1×39,999,999 strip is under the pixel limit yet took
  // 12–16 s to decode, and no face fits in it.
  if (Math.max(meta.width, meta.height) > MAX_ASPECT_RATIO * Math.min(meta.width, meta.height)) {
    throw new UserError('flat_image', { width: meta.width, height: meta.height });
  }
  const scale = Math.min(1, maxSide / Math.max(originalWidth, originalHeight));

  const plain = png && scale === 1 ? decodePng(png) : undefined;
  if (plain) return { ...plain, originalWidth, originalHeight, scale, format, flat: isFlat(plain.data) };

  // The pipeline limit backs up the header check in case a decoder disagrees with metadata().
  let pipeline = sharp(input, { failOn: 'truncated', limitInputPixels: maxPixels, pages: 1 }).timeout({
    seconds: timeoutSeconds,
  });
  // Auto-orientation only where the EXIF tag asks for it: the same pixels, and on an upright photo
  // libvips' rotate step costs 10–20 % of the decode (docs/engine-speed.md, "Native image steps").
  if ((meta.orientation ?? 1) > 1) pipeline = pipeline.rotate();
  if (scale < 1) {
    // Exact target size (not fit: 'inside') so the reported scale matches the long side exactly.
    const width = Math.max(1, Math.round(originalWidth * scale));
    const height = Math.max(1, Math.round(originalHeight * scale));
    pipeline = pipeline.resize(width, height, { fit: 'fill' });
  }
  pipeline = pipeline.flatten({ background: '#ffffff' }).toColourspace('srgb').removeAlpha().raw();

  let result: { data: Buffer; info: OutputInfo };
  try {
    result = await pipeline.toBuffer({ resolveWithObject: true });
  } catch (err) {
    if (err instanceof Error && /timeout/i.test(err.message)) {
      throw new UserError('timeout', { text: 'image_slow' }, { cause: err });
    }
    throw new UserError('corrupt_image', {}, { cause: err });
  }
  const { data, info } = result;
  assertRgb(data, info.width, info.height);
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
    originalWidth,
    originalHeight,
    scale,
    format,
    flat: isFlat(data),
  };
}

/**
 * Adds a border of `fraction` of the width (left/right) and height (top/bottom) around an image.
 * Tight face crops leave a detector no context around the face; a border brings back a face-sized
 * margin. `grey` is a neutral flat fill, `edge` repeats the outermost pixels, `mirror` reflects them.
 */
export async function padImage(
  img: RgbImage,
  fraction: number,
  mode: PadMode = 'grey',
): Promise<PaddedImage> {
  assertRgb(img.data, img.width, img.height);
  if (!Number.isFinite(fraction) || fraction < 0)
    throw new RangeError(`fraction must be >= 0, got ${fraction}`);
  const x = Math.round(img.width * fraction);
  const y = Math.round(img.height * fraction);
  const { data, info } = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .extend({
      top: y,
      bottom: y,
      left: x,
      right: x,
      extendWith: mode === 'grey' ? 'background' : mode === 'edge' ? 'copy' : 'mirror',
      background: { r: 128, g: 128, b: 128 },
    })
    .raw()
    .toBuffer({ resolveWithObject: true });
  assertRgb(data, info.width, info.height);
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
    offset: { x, y },
  };
}
