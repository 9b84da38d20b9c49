// Issue 20, section 5: the answer texts read as sentences with a subject, and the explanation never
// contradicts a "that's them" claim (it names the regions that drive the match, with their shares).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as lookalike from '../../commands/lookalike.ts';
import type { CommandInput } from '../../src/chat/types.ts';
import type { Resemblance } from '../../src/domain/resemblance.ts';
import type { Identification } from '../../src/domain/types.ts';
import { describeResemblance } from '../../src/resemblance/wording.ts';
import * as fakes from '../fixtures/chat-fakes.ts';
import { MEAN_FACE, place } from '../support/landmarks.ts';

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
  return lookalike.execute(input, { service: fakes.fakeService({ identify: async () => result }) });
}

describe('answer texts', () => {
  it('a "that\'s them" answer gives the regions that drive the match, never a "different" one', async () => {
    const r = await reply(
      answer('Barack Obama', true, [
        { region: 'eyes', share: 0.6 },
        { region: 'nose', share: 0.4 },
      ]),
    );
    assert.equal(r.title, "That's Barack Obama in person!");
    assert.doesNotMatch(r.text, /different/);
    assert.match(r.text, /^Why: mostly the eyes \(60%\) and nose \(40%\)$/m);
  });

  it('a group answer gives every line its face as the subject, and never contradicts "in person"', async () => {
    const howard = answer('Howard', true, [{ region: 'jaw and chin', share: 1 }]).faces[0]!;
    const penny = answer('Penny', false, [
      { region: 'eyes', share: 0.8 },
      { region: 'mouth', share: 0.2 },
    ]).faces[0]!;
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
    assert.match(r.text, /^Face 1 is Howard in person \(81% similar\): mostly the jaw and chin \(100%\)\.$/m);
    assert.match(
      r.text,
      /^Face 2 looks like Penny \(0\.73 confidence, 81% similar\): mostly the eyes \(80%\) and mouth \(20%\)\.$/m,
    );
    assert.match(r.text, /^Face 3 matches nobody in the gallery\.$/m);
    assert.doesNotMatch(r.text, /^\d+\. is /m);
  });

  it('describeResemblance is the one phrase for every surface: at most three regions, each at least 10%', () => {
    const regions: Resemblance['regions'] = [
      { region: 'eyes', share: 0.5 },
      { region: 'nose', share: 0.3 },
      { region: 'mouth', share: 0.12 },
      { region: 'cheeks', share: 0.08 },
    ];
    assert.equal(describeResemblance(regions), 'mostly the eyes (50%), nose (30%) and mouth (12%)');
    assert.equal(describeResemblance(regions.slice(3)), 'mostly the cheeks (8%)');
  });
});

describe('help and the playground wording', () => {
  it('/help tags each admin command once', async () => {
    const help = await import('../../commands/help.ts');
    const r = await help.execute({ ctx: fakes.fakeContext(), options: {} }, {} as never);
    assert.doesNotMatch(r.text, /\(admins\)\s*_?\(admins\)/);
    assert.match(r.text, /`\/enroll` — Add a person to this server's gallery _\(admins\)_$/m);
  });

  it("/lookalike with nothing attached in the playground names the page's own ways to attach", async () => {
    const ctx = fakes.fakeContext({ platform: 'playground', scope: 'playground' });
    await assert.rejects(
      lookalike.execute({ ctx, options: {} }, { service: fakes.fakeService({}) }),
      (err: Error) => {
        assert.match(err.message, /paperclip, drag and drop, paste, or the camera/);
        assert.doesNotMatch(err.message, /`image` option/);
        return true;
      },
    );
  });
});
