// What travels through Redis between bot processes and inference workers. BullMQ stores job data as JSON,
// so binary fields (the photo, embeddings, thumbnails) travel as base64 strings.

import type { Analysis, AnalyzeOptions, BareFace, Box, DescriptorName } from '../domain/face.ts';
import { UserError, userErrorFrom } from '../errors.ts';
import type { TextContext } from '../user-texts.ts';
import { decodeFloat32, encodeFloat32 } from '../util/vectors.ts';

/** BullMQ key prefix of every Lookalike queue, so they are easy to find beside other Redis data. */
export const QUEUE_PREFIX = 'lookalike';
/** The queue that bot processes fill with photos and inference workers empty. */
export const ANALYZE_QUEUE = 'analyze';
/** Name of the results queue of one bot process (each has its own, so results go back to the asker). */
export function resultsQueueName(producerId: string): string {
  return `results-${producerId}`;
}

/** One photo to analyse: the job data of the analyze queue. */
export interface AnalyzeJob {
  /** The downloaded photo, base64. */
  image: string;
  options?: AnalyzeOptions;
  /** Results queue of the bot process that waits for the answer. */
  replyTo: string;
  /** Epoch milliseconds after which nobody waits for the answer, so a worker drops the photo unseen. */
  expiresAt: number;
}

/** An Analysis with its binary fields as base64. */
export interface WireAnalysis {
  width: number;
  height: number;
  faces: {
    box: Box;
    score: number;
    embedding: string;
    dim: number;
    /** PNG, base64; absent where the job's options said `thumbnails: false`. */
    thumbnail?: string;
    /** Base64 float32, each optional: older workers send neither. */
    landmarks?: string;
    descriptors?: Partial<Record<DescriptorName, string>>;
  }[];
  timings: Analysis['timings'];
}

/** An error as it crosses Redis; only UserErrors keep their code, so the member sees the right message. */
export interface WireError {
  name: string;
  message: string;
  code?: string;
  /** A UserError's data, from which the bot rebuilds it: the message is for logs, never shown. */
  context?: TextContext;
}

/** The job data of a results queue: the answer to one analyze job. */
export type ResultJob = { jobId: string; attempt: number } & (
  | { ok: true; analysis: WireAnalysis }
  | { ok: false; error: WireError }
);

/** Base64 of raw bytes. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Raw bytes of base64 text, as a plain Uint8Array (sharp and the engine take either). */
export function fromBase64(text: string): Uint8Array {
  const buffer = Buffer.from(text, 'base64');
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** An Analysis ready for JSON (with thumbnails where its faces have them). */
export function encodeAnalysis(analysis: Analysis<BareFace>): WireAnalysis {
  return {
    width: analysis.width,
    height: analysis.height,
    faces: analysis.faces.map((face) => ({
      box: face.box,
      score: face.score,
      embedding: encodeFloat32([face.embedding]),
      dim: face.embedding.length,
      ...('thumbnail' in face && face.thumbnail instanceof Uint8Array
        ? { thumbnail: toBase64(face.thumbnail) }
        : {}),
      ...(face.landmarks ? { landmarks: encodeFloat32([face.landmarks]) } : {}),
      ...(face.descriptors
        ? {
            descriptors: Object.fromEntries(
              Object.entries(face.descriptors).map(([name, d]) => [name, encodeFloat32([d])]),
            ),
          }
        : {}),
    })),
    timings: analysis.timings,
  };
}

/**
 * The Analysis an `encodeAnalysis` result stands for. With `thumbnails` (the job asked for them) a face
 * without one is a broken answer and throws, so that no caller is handed a `Face` lacking its picture.
 */
export function decodeAnalysis(wire: WireAnalysis, thumbnails: boolean): Analysis<BareFace> {
  return {
    width: wire.width,
    height: wire.height,
    faces: wire.faces.map((face, i) => {
      if (thumbnails && face.thumbnail === undefined)
        throw new Error(`the inference worker sent face ${i} without the thumbnail it was asked for`);
      const out: BareFace & { thumbnail?: Uint8Array } = {
        box: face.box,
        score: face.score,
        embedding: decodeFloat32(face.embedding, face.dim, 1)[0]!,
      };
      if (thumbnails && face.thumbnail !== undefined) out.thumbnail = fromBase64(face.thumbnail);
      const floats = (text: string) => decodeFloat32(text, Buffer.byteLength(text, 'base64') / 4, 1)[0]!;
      if (face.landmarks) out.landmarks = floats(face.landmarks);
      if (face.descriptors)
        out.descriptors = Object.fromEntries(
          Object.entries(face.descriptors).map(([name, d]) => [name, floats(d as string)]),
        );
      return out;
    }),
    timings: wire.timings,
  };
}

/** An error ready for JSON; stacks stay on the worker, which logs them. */
export function encodeError(err: unknown): WireError {
  if (err instanceof UserError)
    return { name: 'UserError', code: err.code, context: err.context, message: err.message };
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}

/** The error an `encodeError` result stands for: a UserError again when it was one. */
export function decodeError(wire: WireError): Error {
  if (wire.name === 'UserError' && wire.code) return userErrorFrom(wire.code, wire.context);
  const err = new Error(wire.message);
  err.name = wire.name;
  return err;
}
