/** Encodes vectors as one base64 string of little-endian float32s: about 5x smaller than JSON numbers. */
export function encodeFloat32(vectors: readonly ArrayLike<number>[]): string {
  let total = 0;
  for (const v of vectors) total += v.length;
  const view = new DataView(new ArrayBuffer(total * 4));
  let off = 0;
  for (const v of vectors) {
    for (let j = 0; j < v.length; j++, off += 4) view.setFloat32(off, v[j]!, true);
  }
  return Buffer.from(view.buffer).toString('base64');
}

/** Decodes `encodeFloat32` output into `count` vectors of `dim` values; throws when the sizes disagree. */
export function decodeFloat32(base64: string, dim: number, count: number): Float32Array[] {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length !== dim * count * 4) {
    throw new Error(`expected ${count} vectors of ${dim} float32s, got ${bytes.length} bytes`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Float32Array[] = [];
  for (let i = 0; i < count; i++) {
    const v = new Float32Array(dim);
    for (let j = 0; j < dim; j++) v[j] = view.getFloat32((i * dim + j) * 4, true);
    out.push(v);
  }
  return out;
}
