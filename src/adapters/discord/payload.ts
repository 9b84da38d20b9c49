import {
  ActionRowBuilder,
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIEmbed,
  type AttachmentPayload,
  ButtonBuilder,
  ButtonStyle,
  type MessageMentionOptions,
} from 'discord.js';
import { truncate, unescapeMarkdown } from '../../chat/format.ts';
import type { Reply, ReplyButton } from '../../chat/types.ts';

// Discord's documented limits; a longer field makes the whole message fail with a 400.
const CONTENT_MAX = 2000;
const TITLE_MAX = 256;
const DESCRIPTION_MAX = 4096;
const FIELDS_MAX = 25;
const FIELD_NAME_MAX = 256;
const FIELD_VALUE_MAX = 1024;
const BUTTONS_PER_ROW = 5;
const ROWS_MAX = 5;
const BUTTON_LABEL_MAX = 80;
const CUSTOM_ID_MAX = 100;

const BUTTON_STYLES: Record<NonNullable<ReplyButton['style']>, ButtonStyle> = {
  primary: ButtonStyle.Primary,
  secondary: ButtonStyle.Secondary,
  success: ButtonStyle.Success,
  danger: ButtonStyle.Danger,
};

/** Mentions are never parsed: names in replies come from users and admins, and must not ping anyone. */
export const NO_MENTIONS: MessageMentionOptions = { parse: [], repliedUser: false };

/** A reply as discord.js message options (content or one embed, plus the PNG attachment). */
export interface DiscordPayload {
  content: string;
  embeds: APIEmbed[];
  files: AttachmentPayload[];
  allowedMentions: MessageMentionOptions;
  /** Button rows; present only when the reply sets `buttons` (`[]` removes a message's buttons on edit). */
  components?: APIActionRowComponent<APIButtonComponent>[];
}

/** Buttons as action rows of five; ids Discord would refuse (over 100 characters) are left out. */
export function toDiscordComponents(
  buttons: readonly ReplyButton[],
): APIActionRowComponent<APIButtonComponent>[] {
  const usable = buttons.filter((b) => b.id.length > 0 && b.id.length <= CUSTOM_ID_MAX);
  const rows: APIActionRowComponent<APIButtonComponent>[] = [];
  for (let i = 0; i < usable.length && rows.length < ROWS_MAX; i += BUTTONS_PER_ROW) {
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
      usable.slice(i, i + BUTTONS_PER_ROW).map((b) =>
        new ButtonBuilder()
          .setCustomId(b.id)
          .setLabel(truncate(b.label, BUTTON_LABEL_MAX) || '…')
          .setStyle(BUTTON_STYLES[b.style ?? 'secondary'])
          .setDisabled(b.disabled ?? false),
      ),
    );
    rows.push(row.toJSON());
  }
  return rows;
}

/** A file name Discord accepts in `attachment://` URLs (no spaces or odd characters). */
export function safeFileName(name: string): string {
  const clean = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
  return clean === '' ? 'image.png' : clean.slice(0, 64);
}

/**
 * Renders a neutral Reply natively: an embed when it has a title, fields, colour or picture, else plain text;
 * buttons as action rows.
 */
export function toDiscordPayload(reply: Reply): DiscordPayload {
  // A file (a gallery pack) goes along as it is, with either rendering.
  const files: AttachmentPayload[] = reply.file
    ? [{ attachment: Buffer.from(reply.file.data), name: safeFileName(reply.file.name) }]
    : [];
  const components = reply.buttons ? { components: toDiscordComponents(reply.buttons) } : {};
  const rich = reply.title !== undefined || reply.fields !== undefined || reply.image !== undefined;
  if (!rich) {
    return {
      content: truncate(reply.text, CONTENT_MAX),
      embeds: [],
      files,
      allowedMentions: NO_MENTIONS,
      ...components,
    };
  }
  const embed: APIEmbed = { description: truncate(reply.text, DESCRIPTION_MAX) };
  // Titles show no links, and not every client reads escapes there: the plain name reads better.
  if (reply.title) embed.title = truncate(unescapeMarkdown(reply.title), TITLE_MAX);
  if (reply.color !== undefined) embed.color = reply.color;
  if (reply.fields) {
    embed.fields = reply.fields.slice(0, FIELDS_MAX).map((f) => ({
      name: truncate(f.name, FIELD_NAME_MAX),
      value: truncate(f.value, FIELD_VALUE_MAX),
      inline: f.inline ?? false,
    }));
  }
  if (reply.image) {
    const name = safeFileName(reply.image.name);
    files.push({ attachment: Buffer.from(reply.image.data), name, description: reply.image.alt });
    embed.image = { url: `attachment://${name}` };
  }
  return { content: '', embeds: [embed], files, allowedMentions: NO_MENTIONS, ...components };
}
