/**
 * A faceless photo set made at run time (never committed, never of people): gradients, flags,
 * rendered text, landscapes and textures, drawn with sharp from SVG or raw pixels, plus real
 * portraits with a synthetic flag pasted at their edge (the phantom of issue 20). Deterministic:
 * the same seed draws the same set. Pets are missing: they need photos, and none are shipped.
 */
import sharp from 'sharp';
import { seededRandom } from './resemblance-eval.ts';

/** One synthetic photo: `faceless` holds no face; `portrait+flag` holds exactly the portrait's one. */
export interface SyntheticPhoto {
  name: string;
  kind: 'gradient' | 'flag' | 'text' | 'landscape' | 'texture' | 'portrait+flag';
  bytes: Uint8Array;
}

const PALETTE = ['#c8102e', '#ffffff', '#002868', '#009246', '#ffcd00', '#000000', '#ff8200', '#0072ce'];

function colour(r: () => number): string {
  return PALETTE[Math.floor(r() * PALETTE.length)] as string;
}

function svgPhoto(width: number, height: number, body: string): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${body}</svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toBuffer();
}

function gradient(r: () => number, i: number): string {
  const [a, b, c] = [colour(r), colour(r), colour(r)];
  const radial = i % 2 === 1;
  const def = radial
    ? `<radialGradient id="g"><stop offset="0" stop-color="${a}"/><stop offset="0.6" stop-color="${b}"/><stop offset="1" stop-color="${c}"/></radialGradient>`
    : `<linearGradient id="g" x1="0" y1="0" x2="${r().toFixed(2)}" y2="${r().toFixed(2)}"><stop offset="0" stop-color="${a}"/><stop offset="1" stop-color="${b}"/></linearGradient>`;
  return `<defs>${def}</defs><rect width="100%" height="100%" fill="url(#g)"/>`;
}

/** Flag-like designs: stripes, a cross, a disc, stars on a canton, diagonals. */
function flag(r: () => number, i: number, w: number, h: number): string {
  const [a, b, c] = [colour(r), colour(r), colour(r)];
  switch (i % 6) {
    case 0:
      return [a, b, c]
        .map((f, k) => `<rect y="${(k * h) / 3}" width="${w}" height="${h / 3 + 1}" fill="${f}"/>`)
        .join('');
    case 1:
      return [a, b, c]
        .map((f, k) => `<rect x="${(k * w) / 3}" width="${w / 3 + 1}" height="${h}" fill="${f}"/>`)
        .join('');
    case 2:
      return `<rect width="${w}" height="${h}" fill="${a}"/><rect x="${w * 0.3}" width="${w * 0.12}" height="${h}" fill="${b}"/><rect y="${h * 0.44}" width="${w}" height="${h * 0.12}" fill="${b}"/>`;
    case 3:
      return `<rect width="${w}" height="${h}" fill="#ffffff"/><circle cx="${w / 2}" cy="${h / 2}" r="${h * 0.3}" fill="${a}"/>`;
    case 4: {
      const stripes = Array.from(
        { length: 13 },
        (_, k) =>
          `<rect y="${(k * h) / 13}" width="${w}" height="${h / 13 + 1}" fill="${k % 2 ? '#ffffff' : '#b22234'}"/>`,
      ).join('');
      const stars: string[] = [];
      for (let y = 0; y < 5; y++)
        for (let x = 0; x < 6; x++)
          stars.push(
            `<circle cx="${w * 0.03 + x * w * 0.065}" cy="${h * 0.05 + y * h * 0.1}" r="${h * 0.018}" fill="#ffffff"/>`,
          );
      return `${stripes}<rect width="${w * 0.4}" height="${h * 0.54}" fill="#3c3b6e"/>${stars.join('')}`;
    }
    default:
      return `<rect width="${w}" height="${h}" fill="${a}"/><polygon points="0,${h} ${w},0 ${w},${h * 0.25} ${w * 0.25},${h}" fill="${b}"/><polygon points="0,0 ${w * 0.35},0 0,${h * 0.45}" fill="${c}"/>`;
  }
}

const WORDS = [
  'LOOKALIKE',
  'Hello world',
  'OPEN 24 HOURS',
  'Sale -50%',
  'Quarterly report',
  'O O',
  '8 ( ) 8',
  'Welcome',
];

function text(r: () => number, i: number, w: number, h: number): string {
  const size = Math.round(h * (0.1 + 0.25 * r()));
  const family = ['DejaVu Sans', 'DejaVu Serif', 'Liberation Sans', 'DejaVu Sans Mono'][i % 4];
  const lines = Array.from({ length: 1 + (i % 3) }, (_, k) => {
    const word = WORDS[(i + k * 3) % WORDS.length] as string;
    return `<text x="${w * 0.05}" y="${size * (1.2 + k * 1.3)}" font-family="${family}" font-size="${size}" fill="${colour(r)}">${word.replace('&', '&amp;')}</text>`;
  });
  return `<rect width="100%" height="100%" fill="${i % 2 ? '#fdfdf5' : '#202830'}"/>${lines.join('')}`;
}

/** Sky, sun, two mountain ranges, a lake and trees: a postcard without people. */
function landscape(r: () => number, w: number, h: number): string {
  const ridge = (base: number, rough: number, fill: string) => {
    const pts = [`0,${h}`];
    for (let x = 0; x <= w; x += w / 12) pts.push(`${x.toFixed(0)},${(base - rough * r()).toFixed(0)}`);
    pts.push(`${w},${h}`);
    return `<polygon points="${pts.join(' ')}" fill="${fill}"/>`;
  };
  const trees = Array.from({ length: 6 + Math.floor(r() * 10) }, () => {
    const x = r() * w;
    const y = h * (0.75 + 0.2 * r());
    const s = h * (0.05 + 0.08 * r());
    return `<polygon points="${x},${y - s * 2} ${x - s / 2},${y} ${x + s / 2},${y}" fill="#1f4d2b"/>`;
  }).join('');
  return [
    `<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#3a7bd5"/><stop offset="1" stop-color="#f5d0a9"/></linearGradient></defs>`,
    `<rect width="100%" height="100%" fill="url(#sky)"/>`,
    `<circle cx="${w * (0.2 + 0.6 * r())}" cy="${h * (0.15 + 0.2 * r())}" r="${h * 0.06}" fill="#fff3b0"/>`,
    ridge(h * 0.55, h * 0.25, '#6b7b8c'),
    ridge(h * 0.7, h * 0.15, '#4a6b3a'),
    `<rect y="${h * 0.85}" width="${w}" height="${h * 0.15}" fill="#4f86c6" opacity="0.8"/>`,
    trees,
  ].join('');
}

/** Raw-pixel textures: white noise, blurred noise at two scales, a checkerboard, random discs. */
async function texture(r: () => number, i: number, w: number, h: number): Promise<Buffer> {
  const kind = i % 5;
  if (kind === 4) {
    const discs = Array.from(
      { length: 40 },
      () =>
        `<circle cx="${r() * w}" cy="${r() * h}" r="${5 + r() * h * 0.12}" fill="${colour(r)}" opacity="0.7"/>`,
    ).join('');
    return svgPhoto(w, h, `<rect width="100%" height="100%" fill="#777"/>${discs}`);
  }
  const data = Buffer.alloc(w * h * 3);
  const cell = 8 + Math.floor(r() * 40);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 3; c++) {
        const checker = (Math.floor(x / cell) + Math.floor(y / cell)) % 2 ? 200 : 40;
        data[(y * w + x) * 3 + c] = kind === 3 ? checker : Math.floor(r() * 256);
      }
  let img = sharp(data, { raw: { width: w, height: h, channels: 3 } });
  if (kind === 1) img = img.blur(2);
  if (kind === 2) img = img.blur(12).normalise();
  return img.jpeg({ quality: 90 }).toBuffer();
}

/** Sizes the set cycles through: landscape, portrait, square, and a small one the engine pads. */
const SIZES: [number, number][] = [
  [640, 480],
  [480, 640],
  [800, 450],
  [512, 512],
  [180, 150],
];

/** The faceless photos: `perKind` of each kind (gradient, flag, text, landscape, texture). */
export async function facelessPhotos(perKind = 16, seed = 20): Promise<SyntheticPhoto[]> {
  const r = seededRandom(seed);
  const out: SyntheticPhoto[] = [];
  for (let i = 0; i < perKind; i++) {
    const [w, h] = SIZES[i % SIZES.length] as [number, number];
    out.push({ name: `gradient-${i}`, kind: 'gradient', bytes: await svgPhoto(w, h, gradient(r, i)) });
    out.push({ name: `flag-${i}`, kind: 'flag', bytes: await svgPhoto(w, h, flag(r, i, w, h)) });
    out.push({ name: `text-${i}`, kind: 'text', bytes: await svgPhoto(w, h, text(r, i, w, h)) });
    out.push({ name: `landscape-${i}`, kind: 'landscape', bytes: await svgPhoto(w, h, landscape(r, w, h)) });
    out.push({ name: `texture-${i}`, kind: 'texture', bytes: await texture(r, i, w, h) });
  }
  return out;
}

/**
 * A real portrait with a flag pasted over one side, half cut off by the photo's edge: the photo
 * in which issue 20 saw a phantom. The face stays uncovered; the flag takes a quarter of the width.
 */
export async function portraitWithFlag(portrait: Uint8Array, i: number, seed = 20): Promise<SyntheticPhoto> {
  const r = seededRandom(seed + i);
  const meta = await sharp(portrait).metadata();
  const w = meta.width ?? 400;
  const h = meta.height ?? 400;
  const fw = Math.round(w * 0.25);
  const fh = Math.round(h * 0.4);
  const flagBytes = await sharp(
    Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${fw}" height="${fh}">${flag(r, i, fw, fh)}</svg>`,
    ),
  )
    .png()
    .toBuffer();
  const left = i % 2 === 0 ? w - Math.round(fw * 0.6) : -Math.round(fw * 0.4);
  const bytes = await sharp(portrait)
    .composite([
      {
        input: await sharp(flagBytes)
          .extract({
            left: left < 0 ? -left : 0,
            top: 0,
            width: left < 0 ? fw + left : Math.min(fw, w - left),
            height: fh,
          })
          .toBuffer(),
        left: Math.max(0, left),
        top: Math.round(h * 0.05),
      },
    ])
    .jpeg({ quality: 90 })
    .toBuffer();
  return { name: `portrait+flag-${i}`, kind: 'portrait+flag', bytes };
}
