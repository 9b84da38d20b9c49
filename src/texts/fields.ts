// The data a sentence may quote: errors carry it (`{ faces: 2 }`) instead of words, across worker threads
// and the queue too, so only the text tables turn it into a sentence. Every value is plain JSON.

/** The data a sentence may quote; every field is optional and only some sentences read each. */
export interface TextFields {
  /** The file it is about, as the member named it (or a path given to the command line). */
  file?: string;
  /** How many faces were found. */
  faces?: number;
  /** Seconds to wait before trying again. */
  seconds?: number;
  /** The command, with its subcommand (`gallery remove`). */
  command?: string;
  /** A subcommand as it was typed. */
  subcommand?: string;
  /** A button id that no handler knows. */
  button?: string;
  /** The optional part of the bot that is missing (a `requires` entry such as `games`, or `avatars`). */
  feature?: string;
  /** Where a face was looked for: a profile picture, or one of two compared photos. */
  source?: 'avatar' | 'first' | 'second' | 'both';
  /** Requests ahead of this one in the face engine's queue. */
  ahead?: number;
  /** What a refused file really is, by its magic numbers (`pdf`, `heic`… from `src/image/sniff.ts`). */
  kind?: string;
  /** A name as it was given (a person's, a member's, a folder's). */
  name?: string;
  /** A photo's place among its person's photos, from 0. */
  index?: number;
  /** A count, and the least it must be. */
  count?: number;
  minimum?: number;
  /** The forms a command takes, as the sentence lists them. */
  usage?: string;
  /** Why a name, a pack or an image was refused, as a short clause (`it contains a link`). */
  why?: string;
  /** A limit that was passed (photos in a pack, parts of a request, megapixels). */
  limit?: number;
  /** The name of a command's option (`image`, `page`). */
  option?: string;
  /** A value as it was typed. */
  value?: string;
  /** Things a sentence lists (choices, option names, folders). */
  items?: readonly string[];
  /** A size and the largest accepted, as shown (`12.5`, `10 MB`: each sentence says which). */
  size?: string;
  sizeLimit?: string;
  /** A picture's size in pixels. */
  width?: number;
  height?: number;
  /** A format version. */
  version?: number;
  /** An HTTP status. */
  status?: number;
  /** An address, with any password taken out. */
  url?: string;
  /** What members call the place the bot serves (`server`, `workspace`). */
  place?: string;
  /** A file the failure is about, put before the sentence (`b.png: I couldn't find a face…`). */
  about?: string;
}

/** A table of sentences by identifier. */
export type Texts = Record<string, (fields: TextFields) => string>;
