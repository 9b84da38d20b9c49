import type { OverlayOptions } from 'sharp';
import type { Box } from '../domain/face.ts';
import type { RegionName } from '../domain/regions.ts';
import { type DecodeOptions, decodeImage } from './decode.ts';
import { assertBox } from './geometry.ts';
import { outlineLegend, outlineSvg } from './outline.ts';
import { sharp } from './sharp.ts';

/** What goes into a side-by-side reply picture. */
export interface SideBySideInput {
  /** PNG of the face found in the photo. */
  face: Uint8Array;
  /** PNG of the matched celebrity's enrolled thumbnail, or null to show a "?" placeholder. */
  match: Uint8Array | null;
  /** Label under the match (the celebrity's name); untrusted text is fine. */
  name?: string;
  /** Label under the face (default "You"). */
  faceLabel?: string;
  /** Line under both panels, e.g. "87% similar". */
  caption?: string;
  /** Regions to outline on both faces, from each face's landmarks in its own thumbnail's pixels. */
  outline?: OutlineInput;
}

/** Matching regions drawn on the side-by-side picture. */
export interface OutlineInput {
  /** 68 landmarks of `face`, in the pixels of that PNG. */
  face: Float32Array;
  /** 68 landmarks of `match`, in the pixels of that PNG. */
  match: Float32Array;
  /** The regions to outline, each with a label for the legend (e.g. "eyes 34%"), best first. */
  regions: { region: RegionName; label: string }[];
}

/** Options for `renderNumberedBoxes`. */
export interface NumberedBoxesOptions {
  /** Longest side of the output (default 1024). */
  maxSide?: number;
  /** Limits applied while decoding the photo (its `maxSide` is overridden by the one above). */
  decode?: DecodeOptions;
}

/** Side of each face panel in `renderSideBySide`. */
export const PANEL_SIZE = 256;
/** Blocks along the longer side for each pixelation level before the last (clear) one. */
export const PIXELATE_BLOCKS: readonly number[] = [4, 8, 16, 32];
/** Number of levels `renderPixelated` accepts: 0 (most hidden) to PIXELATE_LEVELS - 1 (clear). */
export const PIXELATE_LEVELS = PIXELATE_BLOCKS.length + 1;

const PAD = 16;
const LABEL_HEIGHT = 34;
const CAPTION_HEIGHT = 40;
const LEGEND_HEIGHT = 28;
const FONT = 'sans-serif';
const BACKGROUND = '#f4f4f6';
const BOX_COLOURS = ['#ff3b30', '#34c759', '#0a84ff', '#ff9f0a', '#bf5af2', '#64d2ff', '#ffd60a', '#ff375f'];
// Reply thumbnails are small; anything far larger than this is not one of ours.
const THUMBNAIL_MAX_PIXELS = 4096 * 4096;

// XML 1.0 forbids these; one of them in a user's name would make librsvg reject the whole SVG.
// Lone surrogates (from Array.from on malformed UTF-16) land in D800-DFFF and are dropped too.
function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    cp >= 0x10000
  );
}

/**
 * Makes untrusted text safe to put inside an SVG text node or attribute: drops characters XML forbids,
 * folds line breaks to spaces, cuts it to `maxChars` code points (with an ellipsis) and escapes markup.
 */
export function escapeXml(text: string, maxChars = Number.POSITIVE_INFINITY): string {
  const valid = Array.from(text)
    .filter((c) => isXmlChar(c.codePointAt(0) ?? 0))
    .join('');
  let clean = valid.replace(/\s+/g, ' ').trim();
  const chars = Array.from(clean);
  if (chars.length > maxChars)
    clean = `${chars
      .slice(0, Math.max(0, maxChars - 1))
      .join('')
      .trimEnd()}…`;
  return clean
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function textElement(x: number, y: number, size: number, text: string, extra = ''): string {
  return `<text x="${x}" y="${y}" font-family="${FONT}" font-size="${size}" text-anchor="middle" ${extra}>${text}</text>`;
}

// A face panel; with landmarks, the outlined regions are drawn over it in the panel's own pixels.
async function panel(
  png: Uint8Array,
  outline?: { landmarks: Float32Array; regions: RegionName[] },
): Promise<Buffer> {
  const image = sharp(png, { failOn: 'truncated', limitInputPixels: THUMBNAIL_MAX_PIXELS });
  const meta = await image.metadata();
  const resized = image.resize(PANEL_SIZE, PANEL_SIZE, { fit: 'cover' }).flatten({ background: BACKGROUND });
  if (outline) {
    const svg = outlineSvg(
      outline.landmarks,
      outline.regions,
      { width: meta.width, height: meta.height },
      PANEL_SIZE,
    );
    const base = await resized.toColourspace('srgb').png().toBuffer();
    return sharp(base)
      .composite([{ input: Buffer.from(svg), left: 0, top: 0 }])
      .png()
      .toBuffer();
  }
  return resized.toColourspace('srgb').png().toBuffer();
}

/**
 * Renders a PNG with the face from the photo on the left and the matched celebrity on the right
 * (or a "?" placeholder), each 256x256 with a label under it, and an optional caption below both.
 */
export async function renderSideBySide(input: SideBySideInput): Promise<Uint8Array> {
  const width = PAD * 3 + PANEL_SIZE * 2;
  const caption = input.caption === undefined ? '' : escapeXml(input.caption, 44);
  const legend = input.outline && input.match ? input.outline.regions : [];
  const height =
    PAD +
    PANEL_SIZE +
    LABEL_HEIGHT +
    (caption ? CAPTION_HEIGHT : 0) +
    (legend.length ? LEGEND_HEIGHT : 0) +
    PAD / 2;
  const leftX = PAD;
  const rightX = PAD * 2 + PANEL_SIZE;
  const labelY = PAD + PANEL_SIZE + 24;

  const faceLabel = escapeXml(input.faceLabel ?? 'You', 24);
  const name = escapeXml(input.name ?? (input.match ? '' : 'No match'), 24);
  const parts: string[] = [
    textElement(leftX + PANEL_SIZE / 2, labelY, 18, faceLabel, 'fill="#222"'),
    textElement(rightX + PANEL_SIZE / 2, labelY, 18, name, 'fill="#222" font-weight="bold"'),
  ];
  if (!input.match) {
    parts.unshift(
      `<rect x="${rightX}" y="${PAD}" width="${PANEL_SIZE}" height="${PANEL_SIZE}" rx="12" fill="#d5d5dc"/>`,
      textElement(rightX + PANEL_SIZE / 2, PAD + PANEL_SIZE / 2 + 56, 160, '?', 'fill="#8e8e99"'),
    );
  }
  if (caption) {
    parts.push(textElement(width / 2, labelY + LABEL_HEIGHT + 10, 24, caption, 'fill="#111"'));
  }
  if (legend.length) {
    const legendY = labelY + LABEL_HEIGHT + (caption ? CAPTION_HEIGHT : 0) - 2;
    parts.push(outlineLegend(legend, width / 2, legendY, FONT));
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;

  const drawn = legend.map((r) => r.region);
  const faceOutline =
    input.outline && legend.length ? { landmarks: input.outline.face, regions: drawn } : undefined;
  const layers: OverlayOptions[] = [
    { input: await panel(input.face, faceOutline), left: leftX, top: PAD },
    { input: Buffer.from(svg), left: 0, top: 0 },
  ];
  if (input.match) {
    const matchOutline =
      input.outline && legend.length ? { landmarks: input.outline.match, regions: drawn } : undefined;
    layers.push({ input: await panel(input.match, matchOutline), left: rightX, top: PAD });
  }

  const png = await sharp({ create: { width, height, channels: 3, background: BACKGROUND } })
    .composite(layers)
    .removeAlpha()
    .png()
    .toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

/**
 * Renders the photo (upright, longest side at most 1024 px) with a numbered outline on each face, so
 * people can say which face they mean. Boxes are in upright-original pixels, numbered from 1 in order.
 * Throws the same `UserError`s as `decodeImage` for a bad file.
 */
export async function renderNumberedBoxes(
  image: Uint8Array,
  boxes: readonly Box[],
  options: NumberedBoxesOptions = {},
): Promise<Uint8Array> {
  for (const box of boxes) assertBox(box);
  const decoded = await decodeImage(image, { ...options.decode, maxSide: options.maxSide ?? 1024 });
  const { width, height, scale } = decoded;
  const long = Math.max(width, height);
  // Line and tag sizes follow the picture size so they stay visible on large and small photos alike.
  const stroke = Math.max(2, Math.round(long / 300));
  const font = Math.max(14, Math.round(long / 40));
  const tagW = Math.round(font * 1.5);
  const tagH = Math.round(font * 1.3);

  const parts = boxes.map((box, i) => {
    const colour = BOX_COLOURS[i % BOX_COLOURS.length];
    const x = box[0] * scale;
    const y = box[1] * scale;
    const w = box[2] * scale;
    const h = box[3] * scale;
    const label = String(i + 1);
    const labelW = Math.max(tagW, Math.round(font * 0.65 * label.length + font * 0.6));
    // The tag sits above the box when there is room, otherwise just inside its top edge.
    const tagX = Math.min(Math.max(x - stroke / 2, 0), Math.max(0, width - labelW));
    const tagY = y - tagH >= 0 ? y - tagH : Math.max(0, y);
    return (
      `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="none" stroke="${colour}" stroke-width="${stroke}"/>` +
      `<rect x="${tagX}" y="${tagY}" width="${labelW}" height="${tagH}" fill="${colour}"/>` +
      textElement(
        tagX + labelW / 2,
        tagY + tagH * 0.78,
        font,
        label,
        'fill="#fff" font-weight="bold" stroke="#000" stroke-width="0.6"',
      )
    );
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;

  const png = await sharp(decoded.data, { raw: { width, height, channels: 3 } })
    .composite([{ input: Buffer.from(svg), left: 0, top: 0 }])
    .removeAlpha()
    .png()
    .toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

/**
 * Pixelates a face thumbnail for a guessing game: level 0 is coarsest (4 blocks across), each level
 * reveals more, and level PIXELATE_LEVELS - 1 (or above) is the clear picture. The size is kept.
 */
export async function renderPixelated(png: Uint8Array, level: number): Promise<Uint8Array> {
  if (!Number.isFinite(level)) throw new RangeError(`level must be a number, got ${level}`);
  const source = () => sharp(png, { failOn: 'truncated', limitInputPixels: THUMBNAIL_MAX_PIXELS });
  const meta = await source().metadata();
  const width = meta.autoOrient?.width ?? meta.width;
  const height = meta.autoOrient?.height ?? meta.height;
  const blocks = PIXELATE_BLOCKS[Math.max(0, Math.floor(level))];

  let out: Buffer;
  if (blocks === undefined || blocks >= Math.max(width, height)) {
    out = await source().rotate().png().toBuffer();
  } else {
    const across = width >= height ? blocks : Math.max(1, Math.round((blocks * width) / height));
    const down = height >= width ? blocks : Math.max(1, Math.round((blocks * height) / width));
    // Shrinking averages each block; nearest-neighbour enlarging then keeps the blocks hard-edged.
    const small = await source().rotate().resize(across, down, { fit: 'fill' }).raw().toBuffer({
      resolveWithObject: true,
    });
    out = await sharp(small.data, {
      raw: { width: small.info.width, height: small.info.height, channels: small.info.channels },
    })
      .resize(width, height, { fit: 'fill', kernel: 'nearest' })
      .png()
      .toBuffer();
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
