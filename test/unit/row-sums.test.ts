import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { centroid, shrunkMean } from '../../src/classifier/centering.ts';
import { Rng } from '../../src/util/rng.ts';
import { addRows, addUnitCentred } from '../../src/util/row-sums.ts';

/** The plain loops the kernels replaced: the oracle, in float64, one addition at a time. */
function referenceSum(rows: readonly ArrayLike<number>[], dim: number): Float64Array {
  const sum = new Float64Array(dim);
  for (const row of rows) for (let j = 0; j < dim; j++) sum[j]! += row[j]!;
  return sum;
}

function referenceUnitCentred(rows: readonly ArrayLike<number>[], mean: ArrayLike<number>): Float64Array {
  const sum = new Float64Array(mean.length);
  for (const row of rows) {
    let norm = 0;
    for (let j = 0; j < mean.length; j++) norm += (row[j]! - mean[j]!) * (row[j]! - mean[j]!);
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let j = 0; j < mean.length; j++) sum[j]! += (row[j]! - mean[j]!) * inv;
  }
  return sum;
}

/** Equal bit for bit (NaN and -0 included). */
function sameBits(actual: Float64Array | Float32Array, expected: Float64Array | Float32Array): void {
  assert.equal(actual.length, expected.length);
  assert.ok(
    Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength).equals(
      Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength),
    ),
    'the sums differ from the plain loops',
  );
}

function unitRows(count: number, dim: number, seed: number): Float32Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => {
    const row = Float32Array.from({ length: dim }, () => rng.next() * rng.next());
    let norm = 0;
    for (const v of row) norm += v * v;
    return row.map((v) => v / Math.sqrt(norm));
  });
}

describe('row sums in WebAssembly', () => {
  it('add rows exactly as the plain loop does, across batches and onto what the sums held', () => {
    // 1,152 float64s a row: 56 rows a batch, so 300 rows take six calls.
    for (const [count, dim] of [
      [300, 1152],
      [3, 7],
      [1, 1],
      [0, 4],
    ] as const) {
      const rows = unitRows(count, dim, count + dim);
      const sum = new Float64Array(dim).fill(0.1);
      addRows(rows, sum);
      const expected = referenceSum([new Float64Array(dim).fill(0.1), ...rows], dim);
      sameBits(sum, expected);
    }
  });

  it('add centred unit rows exactly as the plain loops do, a row at the mean adding nothing', () => {
    const rows = unitRows(130, 1152, 7);
    const mean = shrunkMean(rows, null);
    rows.push(Float32Array.from(mean));
    const sum = new Float64Array(1152);
    addUnitCentred(rows, mean, sum);
    sameBits(sum, referenceUnitCentred(rows, mean));
  });

  it('give centroids and means bit-identical to the loops they replaced', () => {
    const rows = unitRows(40, 1152, 3);
    const prior = unitRows(1, 1152, 4)[0]!;
    const mean = shrunkMean(rows, prior);
    const sum = referenceSum(rows, 1152);
    const expectedMean = Float32Array.from(sum, (v, j) => (v + 50 * prior[j]!) / (rows.length + 50));
    sameBits(mean, expectedMean);
    const direction = referenceUnitCentred(rows, mean);
    let norm = 0;
    for (const v of direction) norm += v * v;
    const inv = 1 / Math.sqrt(norm);
    sameBits(
      centroid(rows, mean),
      Float32Array.from(direction, (v) => v * inv),
    );
  });

  it('refuse rows of another length instead of reading past them', () => {
    assert.throws(
      () => addRows([new Float32Array(4), new Float32Array(5)], new Float64Array(4)),
      /a row of 5/,
    );
    assert.throws(
      () => addUnitCentred([new Float32Array(4)], new Float32Array(3), new Float64Array(4)),
      /mean of 3/,
    );
  });
});
