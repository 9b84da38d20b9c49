// The explanation where members see it: the reply text, the structured matches and the outlines drawn
// on the side-by-side picture.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import * as lookalike from '../commands/lookalike.ts';
import type { CommandInput } from '../src/chat/types.ts';
import type { Resemblance } from '../src/domain/resemblance.ts';
import type { Identification } from '../src/domain/types.ts';
import { REGION_COLOURS } from '../src/image/outline.ts';
import { PANEL_SIZE, renderSideBySide } from '../src/image/render.ts';
import {
  fakeAttachment,
  fakeContext,
  fakeLookalike,
  identification,
  solidPng,
} from './support/chat-fakes.ts';
import { MEAN_FACE, place } from './support/landmarks.ts';

const PAD = 16;
const face = await solidPng(112, 112, [200, 120, 90]);
const celeb = await solidPng(112, 112, [90, 90, 200]);
// Landmarks in the 112-pixel thumbnails: a face 90 pixels wide in the middle.
const landmarks = place(MEAN_FACE, 56, 60, 90);

function resemblance(): Resemblance {
  return {
    regions: [
      { region: 'jawline', percentile: 92 },
      { region: 'eyes', percentile: 85 },
      { region: 'nose', percentile: 41 },
    ],
    face: landmarks,
    photo: { hash: 'c'.repeat(64), thumbnail: celeb, landmarks },
  };
}

function explained(name: string): Identification {
  const result = identification(name, { thumbnail: face });
  const first = result.faces[0]!;
  return { ...result, faces: [{ ...first, match: { ...first.match!, resemblance: resemblance() } }] };
}

async function pixels(png: Uint8Array) {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return {
    at: (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)],
  };
}

function hex(colour: string): number[] {
  return [1, 3, 5].map((i) => Number.parseInt(colour.slice(i, i + 2), 16));
}

// Whether some pixel within 2 of (x, y) has the colour (the line is anti-aliased and has a halo).
function near(
  img: { at: (x: number, y: number) => number[] },
  x: number,
  y: number,
  colour: number[],
): boolean {
  for (let dy = -2; dy <= 2; dy++)
    for (let dx = -2; dx <= 2; dx++) {
      const px = img.at(Math.round(x) + dx, Math.round(y) + dy);
      if (px.every((v, i) => Math.abs(v - colour[i]!) < 40)) return true;
    }
  return false;
}

describe('resemblance in the reply', () => {
  it('says why in the text, best first, with the wording thresholds', async () => {
    const service = fakeLookalike({ identify: async () => explained('Brad Pitt') });
    const input = {
      ctx: fakeContext(),
      options: { image: fakeAttachment('me.png', face) },
    } satisfies CommandInput;
    const reply = await lookalike.execute(input, { lookalike: service });
    assert.match(reply.text, /Why: same jawline \(92%\), similar eyes \(85%\), different nose \(41%\)/);
    assert.deepEqual(reply.matches?.[0]?.resemblance, resemblance().regions);
    // The photo compared is the one drawn: no other thumbnail is asked for.
    assert.deepEqual(
      service.calls.map((c) => c.method),
      ['identify'],
    );
  });

  it('explains every face of a group photo', async () => {
    const one = explained('Penny').faces[0]!;
    const two = identification('Sheldon', { thumbnail: face }).faces[0]!;
    const group = await solidPng(120, 80);
    const service = fakeLookalike({
      identify: async (scope) => ({
        scope,
        method: 'svm',
        width: 120,
        height: 80,
        faces: [one, { ...two, box: [60, 10, 40, 40] }],
      }),
    });
    const input = {
      ctx: fakeContext(),
      options: { image: fakeAttachment('group.png', group) },
    } satisfies CommandInput;
    const reply = await lookalike.execute(input, { lookalike: service });
    assert.match(
      reply.text,
      /1\. looks like Penny .*: same jawline \(92%\), similar eyes \(85%\), different nose \(41%\)/,
    );
    assert.match(reply.text, /2\. looks like Sheldon \([^)]*\)$/m);
  });

  it('outlines the matching regions on both faces, and not the different ones', async () => {
    const k = PANEL_SIZE / 112;
    const outlined = await pixels(
      await renderSideBySide({
        face,
        match: celeb,
        name: 'Brad Pitt',
        outline: {
          face: landmarks,
          match: landmarks,
          regions: [
            { region: 'jawline', label: 'jawline 92%' },
            { region: 'eyes', label: 'eyes 85%' },
          ],
        },
      }),
    );
    const plain = await pixels(await renderSideBySide({ face, match: celeb, name: 'Brad Pitt' }));
    const green = hex(REGION_COLOURS.jawline);
    const blue = hex(REGION_COLOURS.eyes);
    const orange = hex(REGION_COLOURS.nose);
    for (const left of [PAD, PAD * 2 + PANEL_SIZE]) {
      const chin = [left + landmarks[16]! * k, PAD + landmarks[17]! * k] as const;
      const eye = [left + landmarks[72]! * k, PAD + landmarks[73]! * k] as const;
      const noseTip = [left + landmarks[60]! * k, PAD + landmarks[61]! * k] as const;
      assert.ok(near(outlined, ...chin, green), `jawline drawn on the panel at ${left}`);
      assert.ok(near(outlined, ...eye, blue), `eyes drawn on the panel at ${left}`);
      assert.ok(!near(outlined, ...noseTip, orange), 'the nose is not outlined');
      assert.ok(!near(plain, ...chin, green), 'nothing is drawn without an outline');
    }
  });
});
