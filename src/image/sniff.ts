/** Image formats that people may send; everything else is refused as `not_image`. */
export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'avif' | 'tiff';

/** What a file's first bytes say it is: an accepted image format, or a named kind that is refused. */
export type SniffedKind = ImageFormat | 'heic' | 'svg' | 'pdf' | 'zip' | 'bmp' | 'video' | 'text' | 'unknown';

const ACCEPTED: ReadonlySet<SniffedKind> = new Set(['jpeg', 'png', 'webp', 'gif', 'avif', 'tiff']);

// ISO-BMFF brands: AVIF is accepted, the HEVC-coded HEIF family (iPhone photos) is not.
const AVIF_BRANDS = new Set(['avif', 'avis']);
const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs', 'mif1', 'msf1']);
const VIDEO_BRANDS = /^(isom|iso\d|mp4\d|mp41|mp42|avc1|qt {2}|M4V |3gp\d|dash)$/;

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, Math.min(end, bytes.length)));
}

function startsWith(bytes: Uint8Array, magic: readonly number[], at = 0): boolean {
  return magic.every((b, i) => bytes[at + i] === b);
}

function isoBrandKind(bytes: Uint8Array): SniffedKind | undefined {
  if (ascii(bytes, 4, 8) !== 'ftyp') return undefined;
  const size = Math.min(
    bytes.length,
    ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0,
  );
  // The major brand, then the compatible brands: `mif1` alone is ambiguous, an `avif` among them is not.
  const brands = [ascii(bytes, 8, 12)];
  for (let i = 16; i + 4 <= size; i += 4) brands.push(ascii(bytes, i, i + 4));
  if (brands.some((b) => AVIF_BRANDS.has(b))) return 'avif';
  if (brands.some((b) => HEIC_BRANDS.has(b))) return 'heic';
  if (VIDEO_BRANDS.test(brands[0] ?? '')) return 'video';
  return 'unknown';
}

/** The kind of file by its magic numbers (never by its name or claimed type, which anyone can set). */
export function sniffKind(bytes: Uint8Array): SniffedKind {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  const head = ascii(bytes, 0, 6);
  if (head === 'GIF87a' || head === 'GIF89a') return 'gif';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'webp';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a]))
    return 'tiff';
  const iso = isoBrandKind(bytes);
  if (iso) return iso;
  if (ascii(bytes, 0, 5) === '%PDF-') return 'pdf';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06]))
    return 'zip';
  if (ascii(bytes, 0, 2) === 'BM') return 'bmp';
  if (startsWith(bytes, [0x1a, 0x45, 0xdf, 0xa3])) return 'video';
  // Text-like formats: look past a byte-order mark and leading white space.
  const text = new TextDecoder('utf-8', { fatal: false })
    .decode(bytes.subarray(0, 1024))
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  if (/^(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*(<!doctype svg|<svg)/s.test(text) || /<svg[\s>]/.test(text)) {
    return 'svg';
  }
  if (bytes.length > 0 && looksLikeText(bytes.subarray(0, 512))) return 'text';
  return 'unknown';
}

function looksLikeText(bytes: Uint8Array): boolean {
  let printable = 0;
  for (const b of bytes)
    if (b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127) || b >= 0xc2) printable++;
  return printable / bytes.length > 0.95;
}

/** Whether the bytes start like one of the image formats the decoder accepts. */
export function isAcceptedKind(kind: SniffedKind): kind is ImageFormat {
  return ACCEPTED.has(kind);
}

/**
 * Whether a claimed content type means the file is surely not an image, so it is not worth downloading.
 * Only unambiguous types count: a generic one (`application/octet-stream`) is decided by the bytes.
 */
export function surelyNotImage(contentType: string | undefined): boolean {
  const type = (contentType ?? '').toLowerCase().split(';')[0]!.trim();
  return type.startsWith('text/') || type.startsWith('video/') || type === 'application/pdf';
}
