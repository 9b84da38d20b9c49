import type { Attachment } from '../../src/chat/types.ts';
import { readData } from '../fixtures/data.ts';

/** `../shared/data/bbt/<person>/<person><n>.png` as a chat attachment, for driving the bot directly. */
export function photo(person: string, n: number): Attachment {
  const bytes = readData('bbt', person, `${person}${n}.png`);
  return {
    name: `${person}${n}.png`,
    contentType: 'image/png',
    size: bytes.length,
    fetch: async () => bytes,
  };
}
