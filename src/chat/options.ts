import { UserError } from '../errors.ts';
import { type SniffedKind, sniffKind, surelyNotImage } from '../image/sniff.ts';
import type { Attachment, CommandInput, OptionValue, UserOption } from './types.ts';

/** True for an attachment option value. */
export function isAttachment(value: OptionValue | undefined): value is Attachment {
  return typeof value === 'object' && value !== null && 'fetch' in value && typeof value.fetch === 'function';
}

/** True for a resolved user option value. */
export function isUserOption(value: OptionValue | undefined): value is UserOption {
  return typeof value === 'object' && value !== null && !('fetch' in value) && 'platformId' in value;
}

function missing(name: string): UserError {
  return new UserError('missing_option', { text: 'option_missing', option: name });
}

/** A string option, trimmed; undefined when absent or blank. */
export function optionString<N extends string>(input: CommandInput<N>, name: NoInfer<N>): string | undefined {
  const value = input.options[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new UserError('bad_option', { text: 'option_not_text', option: name });
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** A required string option. */
export function requireString<N extends string>(input: CommandInput<N>, name: NoInfer<N>): string {
  const value = optionString(input, name);
  if (value === undefined) throw missing(name);
  return value;
}

/** An integer option; undefined when absent. */
export function optionInteger<N extends string>(
  input: CommandInput<N>,
  name: NoInfer<N>,
): number | undefined {
  const value = input.options[name];
  if (value === undefined) return undefined;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n)) {
    throw new UserError('bad_option', { text: 'option_not_integer', option: name });
  }
  return n;
}

/** An attachment option; undefined when absent. */
export function optionAttachment<N extends string>(
  input: CommandInput<N>,
  name: NoInfer<N>,
): Attachment | undefined {
  const value = input.options[name];
  if (value === undefined) return undefined;
  if (!isAttachment(value)) throw new UserError('bad_option', { text: 'option_not_file', option: name });
  return value;
}

/** A required attachment option. */
export function requireAttachment<N extends string>(input: CommandInput<N>, name: NoInfer<N>): Attachment {
  const value = optionAttachment(input, name);
  if (value === undefined) throw missing(name);
  return value;
}

/** A user option; undefined when absent. */
export function optionUser<N extends string>(
  input: CommandInput<N>,
  name: NoInfer<N>,
): UserOption | undefined {
  const value = input.options[name];
  if (value === undefined) return undefined;
  if (!isUserOption(value)) throw new UserError('bad_option', { text: 'option_not_member', option: name });
  return value;
}

const IMAGE_EXTENSIONS = /\.(jpe?g|png|webp|gif|avif|tiff?)$/i;

/** Whether an attachment claims to be an image, by its announced type or else its file name. */
export function claimsImage(attachment: Attachment): boolean {
  if (attachment.contentType) return attachment.contentType.toLowerCase().startsWith('image/');
  return IMAGE_EXTENSIONS.test(attachment.name);
}

/**
 * Whether an attachment may be an image and is worth downloading: anything but a type that surely is not
 * one (text, PDF, video). Generic types (`application/octet-stream`, as `curl -F` sends) are decided by
 * the bytes after the download, so the claimed type or name alone never refuses a valid photo.
 */
export function looksLikeImage(attachment: Attachment): boolean {
  return !surelyNotImage(attachment.contentType);
}

/**
 * Downloads an attachment (bounded by the adapter's size limit) unless its claimed type is surely not an
 * image. A file whose magic numbers name another format (PDF, ZIP, SVG, HEIC…) is refused here with its
 * name; the decoder has the last word on everything else (unknown bytes, dimensions, damage).
 */
export async function readImage(attachment: Attachment): Promise<Uint8Array> {
  if (!looksLikeImage(attachment)) throw new UserError('not_image', { file: attachment.name });
  const bytes = await attachment.fetch();
  if (bytes.length === 0) throw new UserError('empty_file', { file: attachment.name });
  const kind = sniffKind(bytes);
  if (IDENTIFIED_NON_IMAGES.has(kind)) throw new UserError('not_image', { file: attachment.name, kind });
  return bytes;
}

// Formats recognised with certainty by their magic numbers; text and unknown bytes go to the decoder.
const IDENTIFIED_NON_IMAGES: ReadonlySet<SniffedKind> = new Set([
  'heic',
  'svg',
  'pdf',
  'zip',
  'bmp',
  'video',
]);
