// The explanation where members see it: the "Why?" button under an answer, its reply (text naming the
// top regions with their shares, the structured match, the regions highlighted on both faces).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import * as lookalike from '../../commands/lookalike.ts';
import type { CommandInput, Reply } from '../../src/chat/types.ts';
import type { Resemblance } from '../../src/domain/resemblance.ts';
import type { ExplainedFace, Identification } from '../../src/domain/types.ts';
import { REGION_COLOURS } from '../../src/image/outline.ts';
import { PANEL_SIZE, renderSideBySide } from '../../src/image/render.ts';
import {
  fakeAttachment,
  fakeContext,
  fakeService,
  identification,
  solidPng,
} from '../fixtures/chat-fakes.ts';
import { MEAN_FACE, place } from '../support/landmarks.ts';

const PAD = 16;
const face = await solidPng(112, 112, [200, 120, 90]);
const celeb = await solidPng(112, 112, [90, 90, 200]);
// Landmarks in the 112-pixel thumbnails: a face 90 pixels wide in the middle.
const landmarks = place(MEAN_FACE, 56, 60, 90);

function resemblance(): Resemblance {
  return {
    regions: [
      { region: 'jaw and chin', share: 0.41 },
      { region: 'eyes', share: 0.3 },
      { region: 'nose', share: 0.2 },
      { region: 'cheeks', share: 0.09 },
    ],
    face: landmarks,
    photo: { hash: 'c'.repeat(64), thumbnail: celeb, landmarks },
  };
}

function held(name: string, explainId: string): Identification {
  const result = identification(name, { thumbnail: face });
  return { ...result, faces: [{ ...result.faces[0]!, explainId }] };
}

function explainedFace(name: string): ExplainedFace {
  const first = identification(name, { thumbnail: face }).faces[0]!;
  return { thumbnail: face, match: { ...first.match!, resemblance: resemblance() }, top: first.top };
}

/** Presses a button through the handler, as the bot does, and returns what it sent. */
async function press(service: ReturnType<typeof fakeService>, id: string): Promise<Reply> {
  const sent: Reply[] = [];
  const responder = { deferred: false, defer: async () => {}, send: async (r: Reply) => void sent.push(r) };
  await lookalike.whyButton({ service: service })(fakeContext(), id, responder);
  return sent[0]!;
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
  it('offers "Why?" under an answer, and its reply names the top regions with their shares', async () => {
    const service = fakeService({
      identify: async () => held('Brad Pitt', 'f1'),
      explain: async (id) => (id === 'f1' ? explainedFace('Brad Pitt') : null),
    });
    const input = {
      ctx: fakeContext(),
      options: { image: fakeAttachment('me.png', face) },
    } satisfies CommandInput;
    const reply = await lookalike.execute(input, { service: service });
    assert.deepEqual(reply.buttons, [{ id: 'why:f1', label: 'Why?', style: 'secondary' }]);
    const why = await press(service, 'why:f1');
    assert.match(why.title!, /Why Brad Pitt\?/);
    assert.match(why.text, /mostly the jaw and chin \(41%\), eyes \(30%\) and nose \(20%\)\./);
    assert.doesNotMatch(why.text, /cheeks/, 'a region under 10% is not named');
    assert.deepEqual(why.matches?.[0]?.resemblance, resemblance().regions);
    assert.ok(why.image && why.image.data.length > 0);
    await assert.rejects(press(service, 'why:gone'), /expired/);
  });

  it('offers "Why?" for each face of a group photo that can be explained', async () => {
    const one = held('Penny', 'p').faces[0]!;
    const two = identification('Sheldon', { thumbnail: face }).faces[0]!;
    const group = await solidPng(120, 80);
    const service = fakeService({
      identify: async (scope) => ({
        scope,
        method: 'svm',
        width: 120,
        height: 80,
        faces: [one, { ...two, box: [60, 10, 40, 40] }, { ...two, explainId: 's' }],
      }),
      explain: async () => null,
    });
    const input = {
      ctx: fakeContext(),
      options: { image: fakeAttachment('group.png', group) },
    } satisfies CommandInput;
    const reply = await lookalike.execute(input, { service: service });
    assert.deepEqual(
      reply.buttons?.map((b) => [b.id, b.label]),
      [
        ['why:p', 'Why? (1)'],
        ['why:s', 'Why? (3)'],
      ],
    );
    assert.match(reply.text, /Face 2 looks like Sheldon \([^)]*\)\.$/m);
  });

  it('highlights the named regions on both faces, and not the others', async () => {
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
            { region: 'jaw and chin', label: 'jaw and chin 41%' },
            { region: 'eyes', label: 'eyes 30%' },
          ],
        },
      }),
    );
    const plain = await pixels(await renderSideBySide({ face, match: celeb, name: 'Brad Pitt' }));
    // Inside a highlighted region the panel is tinted towards the region's colour.
    const towards = (x: number, y: number, colour: number[]) => {
      const d = (px: number[]) => px.reduce((a, v, i) => a + Math.abs(v - colour[i]!), 0);
      return d(outlined.at(Math.round(x), Math.round(y))) < d(plain.at(Math.round(x), Math.round(y))) - 20;
    };
    const same = (x: number, y: number) =>
      outlined
        .at(Math.round(x), Math.round(y))
        .every((v, i) => v === plain.at(Math.round(x), Math.round(y))[i]);
    for (const left of [PAD, PAD * 2 + PANEL_SIZE]) {
      const chin = [left + landmarks[16]! * k, PAD + landmarks[17]! * k - 3] as const;
      const eye = [
        left + (landmarks[72]! + landmarks[78]!) * 0.5 * k,
        PAD + (landmarks[73]! + landmarks[79]!) * 0.5 * k,
      ] as const;
      const noseTip = [left + landmarks[60]! * k, PAD + landmarks[61]! * k] as const;
      assert.ok(
        towards(...chin, hex(REGION_COLOURS['jaw and chin'])),
        `jaw and chin on the panel at ${left}`,
      );
      assert.ok(towards(...eye, hex(REGION_COLOURS.eyes)), `eyes on the panel at ${left}`);
      assert.ok(same(...noseTip), 'the nose is not highlighted');
      assert.ok(
        near(outlined, ...eye, hex(REGION_COLOURS.eyes)) || towards(...eye, hex(REGION_COLOURS.eyes)),
      );
    }
  });
});
