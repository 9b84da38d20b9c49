import {
  escapeMarkdown,
  formatConfidence,
  formatPercent,
  galleryNote,
  HOW_TO_FILL,
  place,
} from '../src/chat/format.ts';
import { optionAttachment, optionUser, readImage } from '../src/chat/options.ts';
import type { ButtonHandler } from '../src/chat/routes.ts';
import type {
  Command,
  CommandData,
  CommandInput,
  Deps,
  OptionName,
  Platform,
  Reply,
  ReplyButton,
} from '../src/chat/types.ts';
import type { Resemblance } from '../src/domain/resemblance.ts';
import type { FaceAnswer, Identification } from '../src/domain/types.ts';
import { isUserError, UserError } from '../src/errors.ts';
import { type OutlineInput, renderNumberedBoxes, renderSideBySide } from '../src/image/render.ts';
import { describeResemblance, namedRegions, sharePercent } from '../src/resemblance/wording.ts';

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
  userInstallable: true,
} as const satisfies CommandData;

type Input = CommandInput<OptionName<typeof data>>;

const COLOR = 0x5865f2;
// Discord embeds and Slack sections get unreadable past this; the picture still numbers every face.
const MAX_FACE_LINES = 10;
/** Buttons whose id starts with this explain a face on demand ("Why?"); main.ts routes them to `whyButton`. */
export const WHY_BUTTON_PREFIX = 'why:';
// Discord allows five buttons in a row; a group photo's other faces can still be asked about one by one.
const MAX_WHY_BUTTONS = 5;

/** A photo to answer for, and how the reply names who is in it. */
export interface Source {
  bytes: Uint8Array;
  /** Who is in the picture, as the reply calls them ("You", "They" for someone's photo, or a member's name). */
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
      'no_avatar',
      member
        ? { name: member.displayName }
        : // The page has no `image` option: it has a paperclip, drag and drop, paste and the camera.
          input.ctx.platform === 'playground'
          ? { text: 'playground_no_avatar' }
          : {},
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
function matchData(face: Pick<FaceAnswer, 'match' | 'top'>) {
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
  // "You" and "They" take the plural verb; a member's name the singular.
  const plural = subject === 'You' || subject === 'They';
  if (!match) return `${plural ? `${subject} match` : `${subject} matches`} nobody in the gallery.`;
  // The product card's "That's Brad Pitt himself!", worded so that it fits everybody.
  if (match.same) return `That's ${escapeMarkdown(match.name)} in person!`;
  const verb = plural ? `${subject} look like` : `${subject} looks like`;
  return `${verb} ${escapeMarkdown(match.name)} (${formatConfidence(match.confidence)} confidence)`;
}

// The regions highlighted on the picture: the ones the text names.
function outline(resemblance: Resemblance): OutlineInput {
  const regions = namedRegions(resemblance.regions).map((r) => ({
    region: r.region,
    label: `${r.region} ${sharePercent(r.share)}`,
  }));
  return { face: resemblance.face, match: resemblance.photo.landmarks, regions };
}

// "Why?" under an answer whose faces can be explained on demand (explaining costs about a second a face).
function whyButtons(faces: readonly FaceAnswer[], deps: Deps, numbered: boolean): ReplyButton[] {
  if (!deps.service.explain) return [];
  return faces
    .flatMap((f, i) =>
      f.match && !f.match.resemblance && f.explainId
        ? [
            {
              id: `${WHY_BUTTON_PREFIX}${f.explainId}`,
              label: numbered ? `Why? (${i + 1})` : 'Why?',
              style: 'secondary' as const,
            },
          ]
        : [],
    )
    .slice(0, MAX_WHY_BUTTONS);
}

/** Answers "Why?": the regions that make the face resemble its match, named and highlighted on both faces. */
export function whyButton(deps: Deps): ButtonHandler {
  return async (_ctx, buttonId, responder) => {
    const explainId = buttonId.slice(WHY_BUTTON_PREFIX.length);
    await responder.defer();
    const explained = await deps.service.explain?.(explainId);
    if (!explained) throw new UserError('not_found', { button: buttonId });
    const { thumbnail, match } = explained;
    const { name, resemblance } = match;
    const title = `Why ${name}?`;
    const picture = await renderSideBySide({
      face: thumbnail,
      match: resemblance.photo.thumbnail,
      name,
      faceLabel: 'This face',
      outline: outline(resemblance),
    });
    await responder.send({
      title,
      text: `**${title}**
To the face recognizer, the resemblance is ${describeResemblance(resemblance.regions)}.`,
      image: { name: 'why.png', data: picture, alt: `The regions that make this face look like ${name}` },
      matches: [{ label: 'This face', ...matchData({ match, top: explained.top }) }],
      color: COLOR,
    });
  };
}

async function oneFace(input: CommandInput, deps: Deps, src: Source, result: Identification): Promise<Reply> {
  const face = result.faces[0]!;
  const match = face.match!;
  const title = verdict(src.subject, face);
  const why = match.resemblance;
  // The photo the regions were compared with is the one shown, so its outlines fit it.
  const thumb = why ? why.photo.thumbnail : await deps.service.thumbnail(result.scope, match.slug);
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
  const buttons = whyButtons(result.faces, deps, false);
  return {
    title,
    text: lines.join('\n'),
    image: { name: 'lookalike.png', data: picture, alt: `${src.subject} next to ${match.name}` },
    matches: [{ label: src.subject, ...matchData(face) }],
    color: COLOR,
    ...(buttons.length ? { buttons } : {}),
  };
}

async function manyFaces(
  input: CommandInput,
  deps: Deps,
  src: Source,
  result: Identification,
): Promise<Reply> {
  const shown = result.faces.slice(0, MAX_FACE_LINES);
  // Each line names its face by the number drawn on the picture, so every sentence has its subject.
  const lines = shown.map((face, i) => {
    const m = face.match;
    const subject = `Face ${i + 1}`;
    if (!m) return `${subject} matches nobody in the gallery.`;
    const why = m.resemblance ? `: ${describeResemblance(m.resemblance.regions)}` : '';
    if (m.same)
      return `${subject} is ${escapeMarkdown(m.name)} in person (${formatPercent(m.similarity)} similar)${why}.`;
    return `${subject} looks like ${escapeMarkdown(m.name)} (${formatConfidence(m.confidence)} confidence, ${formatPercent(m.similarity)} similar)${why}.`;
  });
  const more = result.faces.length - shown.length;
  if (more > 0) lines.push(`…and ${more} more face${more === 1 ? '' : 's'}.`);
  const picture = await renderNumberedBoxes(
    src.bytes,
    shown.map((f) => f.box),
  );
  const title = `I found ${result.faces.length} faces`;
  const buttons = whyButtons(shown, deps, true);
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
    ...(buttons.length ? { buttons } : {}),
  };
}

/** Names the celebrity each face in the photo (or profile picture) looks like. */
export async function execute(input: Input, deps: Deps): Promise<Reply> {
  return answerPhoto(input, deps, await source(input, deps));
}

/** The `/lookalike` answer for a photo found elsewhere (a message's image, a member's avatar): menu commands. */
export async function answerPhoto(input: CommandInput, deps: Deps, src: Source): Promise<Reply> {
  let result: Identification;
  try {
    result = await deps.service.identify(input.ctx.scope, src.bytes);
  } catch (err) {
    if (isUserError(err) && err.code === 'empty_gallery') return emptyGallery(input.ctx.platform);
    if (isUserError(err) && err.code === 'no_face') throw noFace(src, err);
    throw err;
  }
  if (result.faces.length === 0) throw noFace(src);
  if (result.faces.every((f) => f.match === null)) return emptyGallery(input.ctx.platform);
  return result.faces.length === 1 ? oneFace(input, deps, src, result) : manyFaces(input, deps, src, result);
}

function noFace(src: Source, cause?: unknown): UserError {
  return new UserError('no_face', src.fromAvatar ? { source: 'avatar' } : {}, { cause });
}

/** The `/lookalike` command. */
export const lookalikeCommand: Command = { data, execute };
