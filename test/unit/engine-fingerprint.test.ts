import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_TUNING } from '../../src/domain/tuning.ts';
import { engineFingerprint, keyOrder } from '../../src/engine/fingerprint.ts';
import { readManifest } from '../../src/engine/model-files.ts';

describe('engineFingerprint', () => {
  it('covers every manifest entry by default, with their sha256', () => {
    const manifest = readManifest();
    const print = engineFingerprint();
    assert.deepEqual(Object.keys(print.models), Object.keys(manifest.files).sort());
    assert.equal(print.models['blazeface.json'], manifest.files['blazeface.json']?.sha256);
    assert.match(print.sha256, /^[0-9a-f]{64}$/);
    assert.deepEqual(print.tuning, DEFAULT_TUNING);
  });

  it('is the same for the same inputs and changes with the tuning or the files', () => {
    const reordered = Object.fromEntries(Object.entries(DEFAULT_TUNING).reverse()) as typeof DEFAULT_TUNING;
    assert.equal(engineFingerprint(reordered).sha256, engineFingerprint().sha256);
    assert.notEqual(
      engineFingerprint({ ...DEFAULT_TUNING, cropScale: 1.4 }).sha256,
      engineFingerprint().sha256,
    );
    const some = engineFingerprint(DEFAULT_TUNING, { files: ['faceres-fused.json', 'blazeface.json'] });
    assert.deepEqual(Object.keys(some.models), ['blazeface.json', 'faceres-fused.json']);
    assert.notEqual(some.sha256, engineFingerprint().sha256);
  });

  it('refuses a file the manifest does not list', () => {
    assert.throws(
      () => engineFingerprint(DEFAULT_TUNING, { files: ['nope.onnx'] }),
      /nope\.onnx is not listed/,
    );
  });
  it('orders tuning keys as localeCompare does, so that every fingerprint so far still matches', () => {
    const keys = [
      ...Object.keys(DEFAULT_TUNING),
      ...[
        'landmarks',
        'landmarkScale',
        'landmarkscale',
        'LandmarkScale',
        'dlibFlip',
        'dlibflip',
        'a',
        'A',
        'ab',
        'aB',
      ],
    ];
    for (const a of keys)
      for (const b of keys)
        assert.equal(Math.sign(keyOrder(a, b)), Math.sign(a.localeCompare(b)), `${a} vs ${b}`);
  });
});
