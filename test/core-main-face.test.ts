import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mainFace } from '../src/core/main-face.ts';
import type { Analysis, Box, Face } from '../src/engine/types.ts';

const face = (box: Box): Face => ({
  box,
  score: 0.9,
  embedding: new Float32Array(4),
  thumbnail: Uint8Array.of(1),
});
const photo = (...boxes: Box[]): Analysis => ({
  width: 200,
  height: 200,
  faces: boxes.map(face),
  timings: { decode: 0, detect: 0, align: 0, embed: 0 },
});

describe('the main face of a photo for enrolment', () => {
  it('takes a lone face', () => {
    assert.deepEqual(mainFace(photo([40, 40, 120, 120])), { face: face([40, 40, 120, 120]), ignored: 0 });
  });

  it('ignores a much smaller face and a sliver cut by the edge, counting them', () => {
    const main: Box = [30, 30, 140, 140];
    assert.equal(mainFace(photo(main, [150, 10, 40, 40]))?.ignored, 1);
    // A neighbour's face at the right edge: a square box clamped to 20×90.
    assert.equal(mainFace(photo(main, [180, 50, 20, 90]))?.ignored, 1);
    assert.equal(mainFace(photo(main, [150, 10, 40, 40], [0, 60, 25, 80]))?.face.box, main);
  });

  it('refuses two faces of similar size, even one touching the edge but whole', () => {
    assert.equal(mainFace(photo([0, 40, 100, 100], [100, 40, 90, 90])), null);
    assert.equal(mainFace(photo([10, 10, 90, 90], [110, 110, 90, 90])), null);
  });

  it('finds nothing in a photo without faces', () => {
    assert.equal(mainFace(photo()), null);
  });
});
