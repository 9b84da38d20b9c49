// Turns a rule's View into a Reply by rendering the picture it asks for.
import type { Reply, ReplyImage } from '../chat/types.ts';
import type { Scope } from '../domain/types.ts';
import { renderPixelated, renderSideBySide } from '../image/render.ts';
import type { ImageSpec, View } from './types.ts';

/** Where pictures come from; nothing here is a member's photo except the two kinds documented below. */
export interface ImageSources {
  /** An enrolled celebrity's thumbnail (LookalikeService.thumbnail). */
  thumbnail(gallery: Scope, slug: string): Promise<Uint8Array | null>;
  /** The battle leader's face crop, held in memory only until the winner is announced. */
  winnerFace(gameId: string): Uint8Array | undefined;
  /** A twin-finder member's opt-in thumbnail, stored with their consent. */
  optInThumbnail(userId: string): Promise<Uint8Array | undefined>;
}

async function renderImage(spec: ImageSpec, src: ImageSources): Promise<ReplyImage | undefined> {
  switch (spec.kind) {
    case 'celebrity': {
      const thumb = await src.thumbnail(spec.gallery, spec.slug);
      // Removed from the gallery mid-game: the round still works with names only.
      if (!thumb) return undefined;
      return { name: spec.file, data: await renderPixelated(thumb, spec.level), alt: 'The face to guess' };
    }
    case 'winner': {
      const celebrity = await src.thumbnail(spec.gallery, spec.slug);
      const face = src.winnerFace(spec.gameId);
      const alt = `${spec.player} next to ${spec.name}`;
      // After a restart the winner's face is gone (it is never stored): show the celebrity alone.
      if (!face)
        return celebrity ? { name: 'battle-winner.png', data: celebrity, alt: spec.name } : undefined;
      const data = await renderSideBySide({
        face,
        match: celebrity,
        name: spec.name,
        faceLabel: spec.player,
        caption: spec.caption,
      });
      return { name: 'battle-winner.png', data, alt };
    }
    case 'twins': {
      const [a, b] = await Promise.all([src.optInThumbnail(spec.a.id), src.optInThumbnail(spec.b.id)]);
      if (!a || !b) return undefined;
      const data = await renderSideBySide({
        face: a,
        match: b,
        faceLabel: spec.a.name,
        name: spec.b.name,
        caption: spec.caption,
      });
      return { name: 'twins.png', data, alt: `${spec.a.name} next to ${spec.b.name}` };
    }
  }
}

/** The Reply for a view, with its picture rendered (left out when its source is gone). */
export async function renderView(view: View, src: ImageSources): Promise<Reply> {
  const { image, ...reply } = view;
  if (!image) return reply;
  const rendered = await renderImage(image, src);
  return rendered ? { ...reply, image: rendered } : reply;
}
