import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { UserError } from '../../src/errors.ts';
import { decodeImage } from '../../src/image/decode.ts';
import {
  escapeXml,
  PANEL_SIZE,
  PIXELATE_LEVELS,
  renderNumberedBoxes,
  renderPixelated,
  renderSideBySide,
} from '../../src/image/render.ts';
import { dataDir, readData } from '../fixtures/data.ts';

const DATA = dataDir();

interface Raw {
  data: Buffer;
  width: number;
  height: number;
  channels: number;
}

async function raw(png: Uint8Array): Promise<Raw> {
  assert.equal((await sharp(png).metadata()).format, 'png', 'output should be a PNG');
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

function at(img: Raw, x: number, y: number): number[] {
  const i = (y * img.width + x) * img.channels;
  return [...img.data.subarray(i, i + 3)];
}

function distance(a: number[], b: number[]): number {
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
}

/** Mean absolute difference over all channels of two same-sized images. */
function meanDiff(a: Raw, b: Raw): number {
  assert.equal(a.data.length, b.data.length);
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - b.data[i]!);
  return sum / a.data.length;
}

/** The first enrolled-style crop of a celebrity. */
function celeb(name: string): Uint8Array {
  const dir = path.join(DATA, 'celebs', name);
  if (!existsSync(dir))
    throw new Error(`Test data folder not found at ${dir} (set LOOKALIKE_DATA to override)`);
  const first = readdirSync(dir)
    .filter((f) => f.endsWith('.png'))
    .sort()[0];
  assert.ok(first, `no PNG in ${dir}`);
  return readData('celebs', name, first);
}

const BACKGROUND = [244, 244, 246];
const PLACEHOLDER = [213, 213, 220];
const LEFT_X = 16;
const RIGHT_X = 16 * 2 + PANEL_SIZE;
const TOP = 16;

function countWhere(
  img: Raw,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  test: (p: number[]) => boolean,
) {
  let n = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (test(at(img, x, y))) n++;
  return n;
}

describe('escapeXml', () => {
  it('escapes markup characters', () => {
    assert.equal(escapeXml(`<a & "b" 'c'>`), '&lt;a &amp; &quot;b&quot; &apos;c&apos;&gt;');
  });

  it('drops characters XML forbids and folds line breaks', () => {
    assert.equal(escapeXml('a\u0000b\u0007c\ud800d\nnext\tline'), 'abcd next line');
  });

  it('cuts long text on code points with an ellipsis', () => {
    assert.equal(escapeXml('abcdefghij', 5), 'abcd…');
    assert.equal(escapeXml('😀😀😀', 2), '😀…');
    assert.equal(escapeXml('abc', 3), 'abc');
  });
});

describe('renderSideBySide', () => {
  it('puts the face left and the match right, with labels and a caption', async () => {
    const face = celeb('tom_hanks');
    const match = celeb('keanu_reeves');
    const img = await raw(
      await renderSideBySide({ face, match, name: 'Keanu Reeves', caption: '87% similar' }),
    );
    assert.deepEqual([img.width, img.height, img.channels], [560, 354, 3]);

    const expectFace = await raw(await sharp(face).resize(PANEL_SIZE, PANEL_SIZE).png().toBuffer());
    const expectMatch = await raw(await sharp(match).resize(PANEL_SIZE, PANEL_SIZE).png().toBuffer());
    for (const [x, y] of [
      [128, 128],
      [40, 200],
    ] as const) {
      assert.ok(distance(at(img, LEFT_X + x, TOP + y), at(expectFace, x, y)) <= 4, `face pixel ${x},${y}`);
      assert.ok(distance(at(img, RIGHT_X + x, TOP + y), at(expectMatch, x, y)) <= 4, `match pixel ${x},${y}`);
    }
    assert.deepEqual(at(img, 2, 2), BACKGROUND);
    const inked = (p: number[]) => distance(p, BACKGROUND) > 100;
    assert.ok(countWhere(img, 100, 318, 460, 354, inked) > 50, 'caption should be drawn');
    assert.ok(countWhere(img, RIGHT_X, 276, RIGHT_X + PANEL_SIZE, 308, inked) > 50, 'name should be drawn');
    assert.ok(countWhere(img, LEFT_X, 276, LEFT_X + PANEL_SIZE, 308, inked) > 10, '"You" should be drawn');
  });

  it('leaves the caption strip out when there is no caption', async () => {
    const img = await raw(await renderSideBySide({ face: celeb('tom_hanks'), match: celeb('tina_fey') }));
    assert.deepEqual([img.width, img.height], [560, 314]);
  });

  it('shows a "?" placeholder when there is no match', async () => {
    const img = await raw(
      await renderSideBySide({ face: celeb('tom_hanks'), match: null, caption: 'No idea' }),
    );
    assert.deepEqual(at(img, RIGHT_X + 30, TOP + 30), PLACEHOLDER);
    const glyph = countWhere(
      img,
      RIGHT_X + 64,
      TOP + 40,
      RIGHT_X + 192,
      TOP + 230,
      (p) => distance(p, PLACEHOLDER) > 40,
    );
    assert.ok(glyph > 500, `the "?" should be drawn (${glyph} pixels)`);
  });

  it('renders hostile names as text, not markup', async () => {
    const hostile = `</text><rect width="9999" height="9999" fill="#00ff00"/><text>& "x" 'y' \u0000\u0007\ud800 <`;
    const png = await renderSideBySide({
      face: celeb('tom_hanks'),
      match: celeb('tina_fey'),
      name: hostile,
      faceLabel: hostile,
      caption: hostile,
    });
    const img = await raw(png);
    const green = countWhere(
      img,
      0,
      0,
      img.width,
      img.height,
      (p) => p[0]! < 30 && p[1]! > 225 && p[2]! < 30,
    );
    assert.equal(green, 0, 'injected rectangle must not be drawn');
    assert.deepEqual(at(img, 2, 2), BACKGROUND);
  });

  it('labels differ with the name given', async () => {
    const base = { face: celeb('tom_hanks'), match: celeb('tina_fey') };
    const a = await raw(await renderSideBySide({ ...base, name: 'I' }));
    const b = await raw(await renderSideBySide({ ...base, name: 'Tina Fey' }));
    const strip = (img: Raw) =>
      countWhere(img, RIGHT_X, 276, RIGHT_X + PANEL_SIZE, 308, (p) => distance(p, BACKGROUND) > 100);
    assert.ok(strip(b) > strip(a) + 50);
  });
});

describe('renderNumberedBoxes', () => {
  async function greyJpeg(width: number, height: number, orientation?: number): Promise<Uint8Array> {
    const s = sharp({ create: { width, height, channels: 3, background: '#808080' } }).jpeg({ quality: 95 });
    return orientation ? s.withMetadata({ orientation }).toBuffer() : s.toBuffer();
  }

  it('outlines each box on the scaled-down photo and leaves the inside alone', async () => {
    const photo = await greyJpeg(2000, 1000);
    const boxes: [number, number, number, number][] = [
      [200, 200, 400, 400],
      [1200, 300, 300, 300],
    ];
    const img = await raw(await renderNumberedBoxes(photo, boxes));
    assert.deepEqual([img.width, img.height, img.channels], [1024, 512, 3]);
    const grey = [128, 128, 128];
    // Box 1 spans 102.4..307.2 in output pixels, box 2 spans x 614.4..768, y 153.6..307.2.
    assert.ok(distance(at(img, 103, 205), grey) > 60, 'left edge of box 1 is drawn');
    assert.ok(distance(at(img, 205, 307), grey) > 60, 'bottom edge of box 1 is drawn');
    assert.ok(distance(at(img, 615, 230), grey) > 60, 'left edge of box 2 is drawn');
    assert.ok(distance(at(img, 205, 205), grey) <= 4, 'inside of box 1 is untouched');
    assert.ok(distance(at(img, 900, 450), grey) <= 4, 'outside the boxes is untouched');
    assert.notDeepEqual(at(img, 103, 205), at(img, 615, 230), 'boxes get different colours');
    assert.ok(countWhere(img, 102, 80, 130, 102, (p) => distance(p, grey) > 60) > 100, 'tag above box 1');
  });

  it('takes boxes in upright pixels of an EXIF-rotated photo', async () => {
    const photo = await greyJpeg(200, 100, 6);
    const img = await raw(await renderNumberedBoxes(photo, [[20, 120, 60, 60]]));
    assert.deepEqual([img.width, img.height], [100, 200]);
    assert.ok(distance(at(img, 20, 150), [128, 128, 128]) > 60, 'left edge where the upright box is');
    assert.ok(distance(at(img, 50, 150), [128, 128, 128]) <= 4, 'box inside untouched');
  });

  it('draws on a real group photo and changes only pixels near the boxes', async () => {
    const photo = readData('bbt', 'group', 'bbt1.jpg');
    const original = await decodeImage(photo);
    const boxes: [number, number, number, number][] = [
      [150, 150, 150, 180],
      [450, 120, 150, 180],
      [750, 150, 150, 180],
      [1050, 120, 150, 180],
    ];
    const img = await raw(await renderNumberedBoxes(photo, boxes));
    assert.deepEqual([img.width, img.height], [original.width, original.height]);
    const orig = {
      data: Buffer.from(original.data),
      width: original.width,
      height: original.height,
      channels: 3,
    };
    for (const [x, y, , h] of boxes) {
      const ex = Math.round(x * original.scale);
      const ey = Math.round((y + h / 2) * original.scale);
      assert.ok(distance(at(img, ex, ey), at(orig, ex, ey)) > 30, `outline at ${ex},${ey} differs`);
    }
    assert.deepEqual(at(img, 1000, 560), at(orig, 1000, 560), 'far from boxes the photo is unchanged');
  });

  it('returns the plain photo for no boxes, and refuses bad input', async () => {
    const photo = await greyJpeg(300, 200);
    const img = await raw(await renderNumberedBoxes(photo, []));
    assert.ok(countWhere(img, 0, 0, img.width, img.height, (p) => distance(p, [128, 128, 128]) > 4) === 0);
    await assert.rejects(
      renderNumberedBoxes(Buffer.from('not a picture'), []),
      (err) => err instanceof UserError && err.code === 'not_image',
    );
    await assert.rejects(renderNumberedBoxes(photo, [[0, 0, Number.NaN, 10]]), RangeError);
  });
});

describe('renderPixelated', () => {
  function colours(img: Raw): number {
    const seen = new Set<number>();
    for (let i = 0; i < img.data.length; i += img.channels) {
      seen.add((img.data[i]! << 16) | (img.data[i + 1]! << 8) | img.data[i + 2]!);
    }
    return seen.size;
  }

  it('hides most at level 0 with 4x4 hard-edged blocks', async () => {
    const img = await raw(await renderPixelated(celeb('tom_hanks'), 0));
    assert.deepEqual([img.width, img.height], [112, 112]);
    assert.ok(colours(img) <= 16, `at most 16 colours, got ${colours(img)}`);
    assert.deepEqual(at(img, 0, 0), at(img, 27, 27), 'one block is uniform');
    assert.deepEqual(at(img, 84, 56), at(img, 111, 83));
  });

  it('reveals more at each level and is clear at the last', async () => {
    const face = celeb('tom_hanks');
    const original = await raw(await sharp(face).png().toBuffer());
    const diffs: number[] = [];
    for (let level = 0; level < PIXELATE_LEVELS; level++) {
      diffs.push(meanDiff(await raw(await renderPixelated(face, level)), original));
    }
    for (let i = 1; i < diffs.length; i++) {
      assert.ok(diffs[i]! < diffs[i - 1]!, `level ${i} should reveal more: ${diffs.join(', ')}`);
    }
    assert.equal(diffs.at(-1), 0, 'last level is the clear picture');
    assert.ok(colours(await raw(await renderPixelated(face, 1))) <= 64);
  });

  it('clamps levels outside the range and keeps non-square sizes', async () => {
    const face = celeb('tom_hanks');
    assert.deepEqual(await renderPixelated(face, -3), await renderPixelated(face, 0));
    assert.deepEqual(await renderPixelated(face, 99), await renderPixelated(face, PIXELATE_LEVELS - 1));
    const wide = await sharp(face).resize(60, 30, { fit: 'fill' }).png().toBuffer();
    const img = await raw(await renderPixelated(wide, 0));
    assert.deepEqual([img.width, img.height], [60, 30]);
    assert.ok(colours(img) <= 8, `4x2 blocks, got ${colours(img)} colours`);
  });
});
