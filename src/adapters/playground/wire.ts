import { randomUUID } from 'node:crypto';
import { unescapeMarkdown } from '../../chat/format.ts';
import type { Reply, ReplyButton, ReplyMatch } from '../../chat/types.ts';

/** A reply as the page receives it: plain JSON, pictures replaced by URLs. The page renders it as text. */
export interface WireMessage {
  /** Message id; `post` returns it and `edit` targets it. */
  id: string;
  channelId: string;
  ephemeral: boolean;
  text: string;
  title?: string;
  /** CSS colour, e.g. `#5865f2`. */
  color?: string;
  fields?: { name: string; value: string; inline: boolean }[];
  image?: { url: string; alt?: string };
  /** A file to download (a gallery pack). */
  file?: { url: string; name: string };
  buttons?: ReplyButton[];
  matches?: ReplyMatch[];
}

/** Limits of an `ImageStore`. */
export interface ImageStoreOptions {
  maxEntries?: number;
  maxBytes?: number;
}

interface StoredImage {
  data: Uint8Array;
  type: string;
}

const TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
};

/** The content type of a reply picture, by its file name (replies are PNGs unless named otherwise). */
export function imageType(name: string): string {
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? '';
  return TYPES[ext] ?? 'image/png';
}

/**
 * Reply pictures kept in memory, served by unguessable id. Oldest ones go first once the limits are
 * reached, so a long session cannot grow without bound; the page shows a scrolled-away picture as broken.
 */
export class ImageStore {
  readonly #images = new Map<string, StoredImage>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(options: ImageStoreOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 500;
    this.#maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  }

  /** Stores a picture and returns its id. */
  put(data: Uint8Array, type: string): string {
    const id = randomUUID();
    this.#images.set(id, { data, type });
    this.#bytes += data.byteLength;
    for (const [oldest, image] of this.#images) {
      if (this.#images.size <= this.#maxEntries && this.#bytes <= this.#maxBytes) break;
      if (oldest === id) break;
      this.#images.delete(oldest);
      this.#bytes -= image.data.byteLength;
    }
    return id;
  }

  /** The picture with this id, if still kept. */
  get(id: string): StoredImage | undefined {
    return this.#images.get(id);
  }

  /** How many pictures are kept. */
  get size(): number {
    return this.#images.size;
  }
}

// JSON has no NaN: a non-finite number would reach the page as null and break its formatting.
function unit(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}

function cssColor(color: number): string {
  return `#${(color & 0xffffff).toString(16).padStart(6, '0')}`;
}

/** Turns a neutral Reply into what the page renders, storing its picture under `/api/images/<id>`. */
export function toWire(
  reply: Reply,
  channelId: string,
  images: ImageStore,
  id: string = randomUUID(),
): WireMessage {
  // The page shows bold and italics but no links, so the chat layer's escapes only need resolving.
  const message: WireMessage = {
    id,
    channelId,
    ephemeral: reply.ephemeral === true,
    text: unescapeMarkdown(reply.text),
  };
  if (reply.title !== undefined) message.title = reply.title;
  if (reply.color !== undefined) message.color = cssColor(reply.color);
  if (reply.fields) {
    message.fields = reply.fields.map((f) => ({
      name: f.name,
      value: unescapeMarkdown(f.value),
      inline: f.inline ?? false,
    }));
  }
  if (reply.image) {
    const imageId = images.put(reply.image.data, imageType(reply.image.name));
    message.image = { url: `/api/images/${imageId}`, alt: reply.image.alt };
  }
  if (reply.file) {
    const fileId = images.put(reply.file.data, 'application/zip');
    message.file = { url: `/api/images/${fileId}`, name: reply.file.name };
  }
  if (reply.buttons) message.buttons = reply.buttons.map((b) => ({ ...b }));
  if (reply.matches) {
    message.matches = reply.matches.map((m) => ({
      label: m.label,
      confidence: unit(m.confidence),
      similarity: unit(m.similarity),
      top: m.top.map((c) => ({ ...c, confidence: unit(c.confidence), similarity: unit(c.similarity) })),
      ...(m.resemblance ? { resemblance: m.resemblance.map((r) => ({ ...r })) } : {}),
    }));
  }
  return message;
}
