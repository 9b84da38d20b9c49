// Sentences about the photos members send: reading, downloading and uploading them, and the faces in them.
import type { Texts } from './fields.ts';

/** Image types the decoder accepts, as members read them. */
export const IMAGE_TYPES = 'JPEG, PNG, WebP, GIF, AVIF or TIFF';

/** How to take a photo that works, said wherever no face was found. */
const NO_FACE_TEXT = "I couldn't find a face in that photo — try a well-lit, front-facing selfie.";

// What a refused file is, named so that the member knows what to send instead.
const KIND_NAMES: Record<string, string> = {
  heic: 'a HEIC photo (the iPhone format; choose "Most Compatible" or send a screenshot)',
  svg: 'an SVG drawing',
  pdf: 'a PDF document',
  zip: 'a ZIP archive',
  bmp: 'a BMP bitmap',
  video: 'a video',
  text: 'a text file',
};

function subject(file: string | undefined): string {
  // A backtick in the name would end the code span and let the rest be read as markup.
  return file ? `\`${file.replace(/`/g, "'")}\`` : 'That file';
}

const NO_FACE: Record<string, string> = {
  avatar:
    "I couldn't find a face in that profile picture — attach a well-lit, front-facing selfie with the `image` option.",
  first: "I couldn't find a face in the first photo.",
  second: "I couldn't find a face in the second photo.",
  both: "I couldn't find a face in either photo.",
};

/** The sentences about photos, by identifier. */
export const PHOTO_TEXTS = {
  not_image: (c) => {
    const what = KIND_NAMES[c.kind ?? ''];
    return `${subject(c.file)} is ${what ? `${what}, not` : 'not'} an image I can read (${IMAGE_TYPES}).`;
  },
  empty_file: (c) => `${subject(c.file)} is empty (0 bytes): please send the photo again.`,
  corrupt_image: () =>
    'That image seems to be damaged or cut off, so I cannot read it. Could you send it again?',
  flat_image: (c) =>
    `${subject(c.file)} ${c.width ? `is a thin strip (${c.width}x${c.height} pixels)` : (c.why ?? 'is blank')}, so there is no face to find: send a photo of a face.`,
  image_too_large: (c) => `That file is too large (${c.size} MB); the limit is ${c.sizeLimit} MB.`,
  too_many_pixels: (c) =>
    `That image is too big${c.width ? ` (${c.width}x${c.height} pixels)` : ''}${c.limit ? `; the limit is ${c.limit} megapixels` : ''}.`,
  image_slow: () => 'That image took too long to read. Please try a smaller one.',
  no_face: (c) => NO_FACE[c.source ?? ''] ?? NO_FACE_TEXT,
  too_many_faces: (c) => `I found ${c.faces ?? 'several'} faces: use a photo with one face.`,
  faces_over_limit: (c) =>
    `I found more than ${c.limit} faces in that photo. Please send one with fewer people.`,
  analysis_slow: () => 'Looking at that photo took too long. Please try again in a minute.',
  timeout: () => 'That took too long. Please try again.',
  file_too_large: (c) =>
    `That file is too large${c.sizeLimit ? `: I accept images up to ${c.sizeLimit} MB` : ''}.`,
  upload_too_large: (c) =>
    `${subject(c.file)} is too large: I accept ${c.kind === 'zip' ? 'ZIPs' : 'images'} up to ${c.sizeLimit}.`,
  download_failed: (c) =>
    `I couldn't download that file${c.status ? ` (HTTP ${c.status})` : ''}. Please try again.`,
  download_slow: () => 'Downloading that file took too long. Please try again.',
  discord_foreign_host: (c) => `I only download files that Discord hosts, not \`${c.file}\`.`,
  slack_foreign_host: (c) => `I only download files hosted by Slack, not \`${c.file}\`.`,
  slack_file_gone: (c) => `I couldn't find \`${c.file}\` on Slack any more.`,
  slack_download_refused: () =>
    "Slack didn't let me download that file. The app may be missing the files:read permission, or I'm not in this channel.",
  no_avatar: (c) =>
    c.name
      ? `${c.name} has no profile picture I can use. Attach a photo with the \`image\` option instead.`
      : 'You have no profile picture I can use. Attach a selfie with the `image` option instead.',
  playground_no_avatar: () =>
    'Attach a selfie to `/lookalike`: the paperclip, drag and drop, paste, or the camera button.',
  default_avatar: (c) =>
    `${c.name} uses the default profile picture, which has no face to compare. Try \`/lookalike\` with a photo instead.`,
  message_no_photo: () =>
    'That message has no photo I can read. Use it on a message with an image attached, or run `/lookalike` with a photo.',
} satisfies Texts;

/** What the playground answers to a request over its size limit: both the photo and the ZIP limits. */
export function uploadTooLargeText(maxFiles: number, fileLimit: string, archiveLimit: string): string {
  return `That upload is too large: send a ZIP of up to ${archiveLimit}, or up to ${maxFiles} photos of up to ${fileLimit} each.`;
}

/** What the playground answers when a request carries more parts than any command takes. */
export function tooManyPartsText(limit: number): string {
  return `That request has more than ${limit} parts: send a command with at most ${limit - 1} files.`;
}
