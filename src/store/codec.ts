/**
 * The on-disk text format of every stored value: `{"value": <JSON>}` (plus `"expires"` when keyv sets one),
 * where binary arrays become tagged objects `{"$bin":"u8"|"f32"|"f64","base64":"…"}`.
 * This text is what sits in the SQLite `value` column and in Redis, so changing it needs a migration.
 */

/** The property that marks an encoded binary array; plain objects may not use it. */
export const BINARY_TAG = '$bin';

type BinaryKind = 'u8' | 'f32' | 'f64';

interface TaggedBinary {
  $bin: BinaryKind;
  base64: string;
}

/** The envelope keyv hands to (de)serialisers. */
export interface Envelope {
  value?: unknown;
  expires?: number | undefined;
}

function toBase64(view: ArrayBufferView): string {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64');
}

/**
 * Typed arrays must start on an aligned offset, and a small Buffer is a slice of Node's shared pool,
 * so those bytes are copied into a fresh ArrayBuffer. A large one (past half the pool's 8 KB) has an
 * ArrayBuffer of its own, exactly its size, and is used as it is: a gallery's packed embeddings are
 * megabytes, and copying them cost a one-shot `lookalike infer` 7 ms of page faults.
 */
function fromBase64(base64: string): ArrayBuffer {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.byteLength && bytes.byteLength > 0)
    return bytes.buffer as ArrayBuffer;
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}

function encodeBinary(raw: ArrayBufferView): TaggedBinary {
  // Buffer is a Uint8Array too; it comes back as a plain Uint8Array.
  if (raw instanceof Uint8Array) return { $bin: 'u8', base64: toBase64(raw) };
  if (raw instanceof Float32Array) return { $bin: 'f32', base64: toBase64(raw) };
  if (raw instanceof Float64Array) return { $bin: 'f64', base64: toBase64(raw) };
  // Other views would silently turn into {"0":…} objects, so refuse them loudly.
  throw new TypeError(`Cannot store a ${raw.constructor.name}; use Uint8Array, Float32Array or Float64Array`);
}

function decodeBinary(tagged: TaggedBinary): Uint8Array | Float32Array | Float64Array {
  const buffer = fromBase64(tagged.base64);
  switch (tagged.$bin) {
    case 'u8':
      return new Uint8Array(buffer);
    case 'f32':
      return new Float32Array(buffer);
    case 'f64':
      return new Float64Array(buffer);
    default:
      throw new TypeError(`Unknown binary tag "${String(tagged.$bin)}" in stored value`);
  }
}

function isTagged(value: unknown): value is TaggedBinary {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>)[BINARY_TAG] === 'string' &&
    typeof (value as Record<string, unknown>).base64 === 'string'
  );
}

/** Turns a keyv envelope into stored text, encoding binary arrays. */
export function encodeEnvelope(envelope: Envelope): string {
  return JSON.stringify(
    envelope,
    function replacer(this: Record<string, unknown>, key: string, value: unknown) {
      // `value` has already been through toJSON (Buffer -> {type,data}), so look at the holder's raw value.
      const raw = this[key];
      if (ArrayBuffer.isView(raw)) return encodeBinary(raw);
      if (
        typeof value === 'object' &&
        value !== null &&
        !Array.isArray(value) &&
        Object.hasOwn(value, BINARY_TAG)
      ) {
        throw new TypeError(`Stored objects may not have a "${BINARY_TAG}" property (it marks binary data)`);
      }
      return value;
    },
  );
}

/** Parses stored text back into a keyv envelope, decoding binary arrays. */
export function decodeEnvelope(text: string): Envelope {
  const parsed: unknown = JSON.parse(text, (_key, value: unknown) =>
    isTagged(value) ? decodeBinary(value) : value,
  );
  if (typeof parsed !== 'object' || parsed === null) return { value: undefined };
  return parsed as Envelope;
}
