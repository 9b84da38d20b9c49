// Issue 20, section 5: the answer texts read as sentences with a subject, and the explanation never
// contradicts a "that's them" claim.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as lookalike from '../commands/lookalike.ts';
import type { CommandInput } from '../src/chat/types.ts';
import type { Resemblance } from '../src/domain/resemblance.ts';
import type { Identification } from '../src/domain/types.ts';
import { explainMatch } from '../src/resemblance/wording.ts';
import * as fakes from './support/chat-fakes.ts';
import { MEAN_FACE, place } from './support/landmarks.ts';

const face = await fakes.solidPng(112, 112, [200, 120, 90]);
const landmarks = place(MEAN_FACE, 56, 60, 90);

function why(regions: Resemblance['regions']): Resemblance {
  return { regions, face: landmarks, photo: { hash: 'c'.repeat(64), thumbnail: face, landmarks } };
}

function answer(name: string, same: boolean, regions: Resemblance['regions']): Identification {
  const result = fakes.identification(name, { thumbnail: face, same });
  const first = result.faces[0]!;
  return { ...result, faces: [{ ...first, match: { ...first.match!, resemblance: why(regions) } }] };
}

async function reply(result: Identification, file = 'me.png', image?: Uint8Array) {
  const input = {
    ctx: fakes.fakeContext(),
    options: { image: fakes.fakeAttachment(file, image ?? face) },
  } satisfies CommandInput;
  return lookalike.execute(input, { lookalike: fakes.fakeLookalike({ identify: async () => result }) });
}

describe('answer texts', () => {
  it('a "that\'s them" answer names no different region as its reason', async () => {
    const r = await reply(answer('Barack Obama', true, [{ region: 'face shape', percentile: 57 }]));
    assert.equal(r.title, "That's Barack Obama in person!");
    assert.doesNotMatch(r.text, /different/);
    assert.doesNotMatch(r.text, /Why:/);
    const mixed = await reply(
      answer('Barack Obama', true, [
        { region: 'eyes', percentile: 95 },
        { region: 'face shape', percentile: 57 },
      ]),
    );
    assert.match(mixed.text, /^Why: same eyes \(95%\)$/m);
  });

  it('a group answer gives every line its face as the subject, and never contradicts "in person"', async () => {
    const howard = answer('Howard', true, [{ region: 'face shape', percentile: 48 }]).faces[0]!;
    const penny = answer('Penny', false, [{ region: 'eyes', percentile: 80 }]).faces[0]!;
    const group = await fakes.solidPng(120, 80);
    const r = await reply(
      {
        scope: 'discord:guild',
        method: 'svm',
        width: 120,
        height: 80,
        faces: [
          howard,
          { ...penny, box: [60, 10, 40, 40] },
          { ...penny, box: [80, 40, 30, 30], match: null },
        ],
      },
      'group.png',
      group,
    );
    assert.match(r.text, /^Face 1 is Howard in person \(81% similar\)\.$/m);
    assert.match(
      r.text,
      /^Face 2 looks like Penny \(0\.73 confidence, 81% similar\): similar eyes \(80%\)\.$/m,
    );
    assert.match(r.text, /^Face 3 matches nobody in the gallery\.$/m);
    assert.doesNotMatch(r.text, /^\d+\. is /m);
  });

  it('explainMatch is the one phrase for every surface: all regions for a lookalike, alike ones for "same"', () => {
    const regions: Resemblance['regions'] = [
      { region: 'eyes', percentile: 92 },
      { region: 'nose', percentile: 70 },
      { region: 'jawline', percentile: 30 },
    ];
    assert.equal(
      explainMatch(regions, false),
      'same eyes (92%), similar nose (70%), different jawline (30%)',
    );
    assert.equal(explainMatch(regions, true), 'same eyes (92%), similar nose (70%)');
    assert.equal(explainMatch(regions, true, 1), 'same eyes (92%)');
    assert.equal(explainMatch(regions.slice(2), true), undefined);
  });
});

describe('help and the playground wording', () => {
  it('/help tags each admin command once', async () => {
    const help = await import('../commands/help.ts');
    const r = await help.execute({ ctx: fakes.fakeContext(), options: {} }, {} as never);
    assert.doesNotMatch(r.text, /\(admins\)\s*_?\(admins\)/);
    assert.match(r.text, /`\/enroll` — Add a person to this server's gallery _\(admins\)_$/m);
  });

  it("/lookalike with nothing attached in the playground names the page's own ways to attach", async () => {
    const ctx = fakes.fakeContext({ platform: 'playground', scope: 'playground' });
    await assert.rejects(
      lookalike.execute({ ctx, options: {} }, { lookalike: fakes.fakeLookalike({}) }),
      (err: Error) => {
        assert.match(err.message, /paperclip, drag and drop, paste, or the camera/);
        assert.doesNotMatch(err.message, /`image` option/);
        return true;
      },
    );
  });
});
