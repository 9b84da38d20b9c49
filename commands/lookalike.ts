import {
  escapeMarkdown,
  formatConfidence,
  formatPercent,
  galleryNote,
  HOW_TO_FILL,
  place,
} from '../src/chat/format.ts';
import { optionAttachment, optionUser, readImage } from '../src/chat/options.ts';
import type {
  Command,
  CommandData,
  CommandInput,
  Deps,
  OptionName,
  Platform,
  Reply,
} from '../src/chat/types.ts';
import type { Resemblance } from '../src/domain/resemblance.ts';
import type { FaceAnswer, Identification } from '../src/domain/types.ts';
import { isUserError, UserError } from '../src/errors.ts';
import { type OutlineInput, renderNumberedBoxes, renderSideBySide } from '../src/image/render.ts';
import { describeResemblance, likeness } from '../src/resemblance/wording.ts';

/** `/lookalike [image] [user]`. */
export const data = {
  name: 'lookalike',
  description: 'Find out which celebrity you look like',
  options: [
    { name: 'image', description: 'A selfie (group photos work too)', type: 'attachment' },
    { name: 'user', description: "Use this member's profile picture instead", type: 'user' },
  ],
  avatarFallback: true,
  usesEngine: true,
} as const satisfies CommandData;

type Input = CommandInput<OptionName<typeof data>>;

const COLOR = 0x5865f2;
// Discord embeds and Slack sections get unreadable past this; the picture still numbers every face.
const MAX_FACE_LINES = 10;
// More outlines than this crowd a 256-pixel face.
const OUTLINED_MAX = 3;

interface Source {
  bytes: Uint8Array;
  /** Who is in the picture, as the reply calls them ("You", or a member's name). */
  subject: string;
  fromAvatar: boolean;
}

async function source(input: Input, deps: Deps): Promise<Source> {
  const image = optionAttachment(input, 'image');
  if (image) return { bytes: await readImage(image), subject: 'You', fromAvatar: false };
  const member = optionUser(input, 'user');
  const url = member ? member.avatarUrl : input.ctx.user.avatarUrl;
  if (!url) {
    throw new UserError(
      'bad_input',
      member
        ? `${member.displayName} has no profile picture I can use. Attach a photo with the \`image\` option instead.`
        : 'You have no profile picture I can use. Attach a selfie with the `image` option instead.',
    );
  }
  if (!deps.fetchAvatar) throw new UserError('unavailable', { feature: 'avatars' });
  return {
    bytes: await deps.fetchAvatar(url),
    subject: member ? member.displayName : 'You',
    fromAvatar: true,
  };
}

function emptyGallery(platform: Platform): Reply {
  return {
    title: 'The gallery is empty',
    text: `I have nobody to compare you with yet: this ${place(platform)}'s gallery and the global gallery are both empty.\n${HOW_TO_FILL}`,
    color: COLOR,
  };
}

// The structured match of a face, for renderers that draw bars; the face must have a match.
function matchData(face: FaceAnswer) {
  const m = face.match!;
  const data = { confidence: m.confidence, similarity: m.similarity, top: face.top };
  return m.resemblance ? { ...data, resemblance: m.resemblance.regions } : data;
}

function topLines(face: FaceAnswer): string[] {
  return face.top.map(
    (c, i) =>
      `${i + 1}. ${escapeMarkdown(c.name)} — ${formatConfidence(c.confidence)} confidence, ${formatPercent(c.similarity)} similar`,
  );
}

function verdict(subject: string, face: FaceAnswer): string {
  const match = face.match;
  if (!match) return `${subject === 'You' ? 'You match' : `${subject} matches`} nobody in the gallery.`;
  // The product card's "That's Brad Pitt himself!", worded so that it fits everybody.
  if (match.same) return `That's ${escapeMarkdown(match.name)} in person!`;
  const verb = subject === 'You' ? 'You look like' : `${subject} looks like`;
  return `${verb} ${escapeMarkdown(match.name)} (${formatConfidence(match.confidence)} confidence)`;
}

// The regions outlined on the picture: the best ones that are at least "similar", at most three.
function outline(resemblance: Resemblance): OutlineInput {
  const regions = resemblance.regions
    .filter((r) => likeness(r.percentile) !== 'different')
    .slice(0, OUTLINED_MAX)
    .map((r) => ({ region: r.region, label: `${r.region} ${r.percentile}%` }));
  return { face: resemblance.face, match: resemblance.photo.landmarks, regions };
}

async function oneFace(input: Input, deps: Deps, src: Source, result: Identification): Promise<Reply> {
  const face = result.faces[0]!;
  const match = face.match!;
  const title = verdict(src.subject, face);
  const why = match.resemblance;
  // The photo the regions were compared with is the one shown, so its outlines fit it.
  const thumb = why ? why.photo.thumbnail : await deps.lookalike.thumbnail(result.scope, match.slug);
  const picture = await renderSideBySide({
    face: face.thumbnail,
    match: thumb,
    name: match.name,
    faceLabel: src.subject,
    caption: `${formatPercent(match.similarity)} similar`,
    ...(why ? { outline: outline(why) } : {}),
  });
  const lines = [
    `**${title}**`,
    `Similarity: ${formatPercent(match.similarity)}`,
    ...(why ? [`Why: ${describeResemblance(why.regions)}`] : []),
    '',
    '**Top 3**',
    ...topLines(face),
    '',
    `_${galleryNote(input.ctx.scope, result.scope, input.ctx.platform)}_`,
  ];
  return {
    title,
    text: lines.join('\n'),
    image: { name: 'lookalike.png', data: picture, alt: `${src.subject} next to ${match.name}` },
    matches: [{ label: src.subject, ...matchData(face) }],
    color: COLOR,
  };
}

async function manyFaces(input: Input, src: Source, result: Identification): Promise<Reply> {
  const shown = result.faces.slice(0, MAX_FACE_LINES);
  const lines = shown.map((face, i) => {
    const m = face.match;
    if (!m) return `${i + 1}. matches nobody in the gallery`;
    const why = m.resemblance ? `: ${describeResemblance(m.resemblance.regions.slice(0, 3))}` : '';
    if (m.same) return `${i + 1}. is ${escapeMarkdown(m.name)}!${why}`;
    return `${i + 1}. looks like ${escapeMarkdown(m.name)} (${formatConfidence(m.confidence)} confidence, ${formatPercent(m.similarity)} similar)${why}`;
  });
  const more = result.faces.length - shown.length;
  if (more > 0) lines.push(`…and ${more} more face${more === 1 ? '' : 's'}.`);
  const picture = await renderNumberedBoxes(
    src.bytes,
    shown.map((f) => f.box),
  );
  const title = `I found ${result.faces.length} faces`;
  return {
    title,
    text: [
      `**${title}**`,
      ...lines,
      '',
      `_${galleryNote(input.ctx.scope, result.scope, input.ctx.platform)}_`,
    ].join('\n'),
    image: { name: 'faces.png', data: picture, alt: 'The photo with each face numbered' },
    matches: shown.flatMap((f, i) => (f.match ? [{ label: `${i + 1}`, ...matchData(f) }] : [])),
    color: COLOR,
  };
}

/** Names the celebrity each face in the photo (or profile picture) looks like. */
export async function execute(input: Input, deps: Deps): Promise<Reply> {
  const src = await source(input, deps);
  let result: Identification;
  try {
    result = await deps.lookalike.identify(input.ctx.scope, src.bytes);
  } catch (err) {
    if (isUserError(err) && err.code === 'empty_gallery') return emptyGallery(input.ctx.platform);
    if (isUserError(err) && err.code === 'no_face') throw noFace(src, err);
    throw err;
  }
  if (result.faces.length === 0) throw noFace(src);
  if (result.faces.every((f) => f.match === null)) return emptyGallery(input.ctx.platform);
  return result.faces.length === 1 ? oneFace(input, deps, src, result) : manyFaces(input, src, result);
}

function noFace(src: Source, cause?: unknown): UserError {
  return new UserError('no_face', src.fromAvatar ? { source: 'avatar' } : {}, { cause });
}

/** The `/lookalike` command. */
export const lookalikeCommand: Command = { data, execute };
