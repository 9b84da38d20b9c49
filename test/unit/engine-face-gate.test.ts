import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  type GateCandidate,
  type GateFrame,
  judgeFace,
  MAX_LANDMARK_OFFSET,
} from '../../src/engine/face-gate.ts';
import { OnnxEngine } from '../../src/engine/onnx/onnx-engine.ts';
import {
  falseFaceRates,
  type LabelledPhoto,
  labelledPhotos,
  type SetRates,
} from '../../tools/lib/false-faces.ts';

const frame: GateFrame = { x: 0, y: 0, width: 400, height: 300, scale: 1, cropScale: 1.3 };

/** A face of side 100 (box 130) at (cx, cy) with keypoints where a frontal face has them. */
function candidate(cx: number, cy: number): GateCandidate {
  const side = 130;
  return {
    box: [cx - side / 2, cy - side / 2, side, side],
    square: [cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2],
    score: 0.5,
    keypoints: [
      [cx - 20, cy - 15],
      [cx + 20, cy - 15],
      [cx, cy + 5],
      [cx, cy + 25],
    ],
  };
}

/** 68 landmarks that put the eyes, nose tip and mouth at the keypoints, shifted by (dx, dy). */
function landmarksAt(c: GateCandidate, dx: number, dy: number): Float32Array {
  const kp = c.keypoints as [number, number][];
  const points = new Float32Array(136);
  const set = (from: number, to: number, p: [number, number]) => {
    for (let i = from; i < to; i++) {
      points[2 * i] = p[0] + dx;
      points[2 * i + 1] = p[1] + dy;
    }
  };
  set(0, 68, [0, 0]);
  set(36, 42, kp[0] as [number, number]);
  set(42, 48, kp[1] as [number, number]);
  set(30, 31, kp[2] as [number, number]);
  set(48, 68, kp[3] as [number, number]);
  return points;
}

describe('the face gate on synthetic candidates', () => {
  it('keeps a face whose landmarks agree with the detector, and drops one whose do not', () => {
    const c = candidate(200, 150);
    assert.equal(judgeFace(c, frame), 'face');
    assert.equal(judgeFace(c, frame, landmarksAt(c, 0, 0)), 'face');
    // Within the measured spread of real faces (up to 0.123 of the side), and beyond it.
    assert.equal(judgeFace(c, frame, landmarksAt(c, 10, 0)), 'face');
    assert.equal(judgeFace(c, frame, landmarksAt(c, 0, 100 * MAX_LANDMARK_OFFSET + 2)), 'inconsistent');
  });

  it('drops faces too small to identify and slivers cut by the photo edge', () => {
    const tiny: GateCandidate = { box: [10, 10, 18, 18], score: 0.9 };
    assert.equal(judgeFace(tiny, frame), 'small');
    // The same 18 px box in a photo scaled down by 2 is a 36 px face.
    assert.equal(judgeFace(tiny, { ...frame, scale: 0.5 }), 'face');
    // 130 px tall, 40 px of it inside the photo's right edge.
    const sliver: GateCandidate = { box: [360, 100, 40, 130], score: 0.9 };
    assert.equal(judgeFace(sliver, frame), 'sliver');
    // The grey border of a padded crop is not the photo: a box mostly on it is a sliver too.
    const padded: GateFrame = { ...frame, x: 50, y: 50 };
    assert.equal(judgeFace({ box: [0, 100, 90, 90], score: 0.9 }, padded), 'sliver');
    assert.equal(judgeFace({ box: [40, 100, 100, 100], score: 0.9 }, padded), 'face');
  });
});

describe('the face gate on real photos and a faceless set', () => {
  let photos: LabelledPhoto[];
  let gated: SetRates[];
  let ungated: SetRates[];
  before(async () => {
    photos = await labelledPhotos();
    for (const gate of [false, true]) {
      const engine = await OnnxEngine.create({ gate });
      const rates = await falseFaceRates((b) => engine.analyze(b), photos);
      await engine.close();
      if (gate) gated = rates;
      else ungated = rates;
    }
  });
  const of = (rates: SetRates[], set: string) => {
    const r = rates.find((x) => x.set === set);
    assert.ok(r, `no ${set} photos`);
    return r;
  };

  it('keeps all 23 faces of the bbt group photos and every portrait face', () => {
    assert.equal(of(gated, 'group').realFaces, 23);
    assert.equal(of(gated, 'group').lost, 0);
    assert.equal(of(gated, 'group').phantoms, 0);
    for (const set of ['portrait', 'portrait+flag']) {
      assert.equal(of(gated, set).photos, 40);
      assert.equal(of(gated, set).lost, 0, set);
      assert.equal(of(gated, set).phantoms, 0, set);
    }
  });

  it('removes the phantoms the detector finds on faceless photos', () => {
    const before = of(ungated, 'faceless');
    const now = of(gated, 'faceless');
    assert.equal(now.photos, 80);
    // The detector alone finds phantoms there (36 when measured); the gate leaves none.
    assert.ok(before.phantoms >= 20, `${before.phantoms} phantoms without the gate`);
    assert.equal(now.phantoms, 0);
  });
});
