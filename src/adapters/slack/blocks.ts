import type { types } from '@slack/bolt';
import { formatConfidence, MARKDOWN_ESCAPE, truncate, unescapeMarkdown } from '../../chat/format.ts';
import type { Reply, ReplyButton } from '../../chat/types.ts';

type KnownBlock = types.KnownBlock;
type Button = types.Button;
type ContextElement = types.ContextBlockElement;

// Slack's documented limits; exceeding any of them fails the whole message with `invalid_blocks`.
const SECTION_TEXT_MAX = 3000;
const FIELD_TEXT_MAX = 2000;
const FIELDS_PER_SECTION = 10;
const CONTEXT_ELEMENTS_MAX = 10;
const BUTTONS_PER_ACTIONS = 25;
const BUTTON_LABEL_MAX = 75;
const ACTION_ID_MAX = 255;
const BUTTON_VALUE_MAX = 2000;
const BLOCKS_MAX = 50;
/** `text` is only the notification and screen-reader fallback once blocks are set. */
const FALLBACK_MAX = 3000;

/** Prefix of the `action_id` of every button the adapter renders, so one listener routes them all. */
export const ACTION_PREFIX = 'lookalike:';

/** A Reply as Slack message arguments: the blocks and the plain fallback `text`. */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/**
 * Escapes the three characters Slack treats as control characters. Names come from users and admins,
 * so without this a person enrolled as `<!channel>` would ping everyone.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Converts the chat layer's markdown (`**bold**`, `~~strike~~`, `[label](url)`) to Slack mrkdwn, escaped. */
export function toMrkdwn(markdown: string): string {
  // Escaped characters (names and file names, see escapeMarkdown) are set aside as private-use
  // characters while the markup is converted, so `\[x\](http://…)` can never become a link.
  const held = markdown.replace(MARKDOWN_ESCAPE, (_, c: string) =>
    String.fromCharCode(HELD + c.charCodeAt(0)),
  );
  return escapeMrkdwn(held)
    .replace(/\*\*(.+?)\*\*/g, '*$1*')
    .replace(/~~(.+?)~~/g, '~$1~')
    .replace(/\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g, '<$2|$1>')
    .replace(HELD_CHAR, (c) => escapeMrkdwn(String.fromCharCode(c.charCodeAt(0) - HELD)));
}

// Private-use code points U+F000–U+F07F stand for escaped ASCII characters during toMrkdwn.
const HELD = 0xf000;
const HELD_CHAR = /[\uf000-\uf07f]/g;

/** The chat layer's markdown as plain text, for places Slack shows without formatting. */
export function toPlain(markdown: string): string {
  return unescapeMarkdown(markdown.replace(/\*\*(.+?)\*\*/g, '$1').replace(/~~(.+?)~~/g, '$1'));
}

/** A confidence in [0, 1] as a ten-step bar, e.g. `▰▰▰▰▰▰▰▱▱▱`. */
export function confidenceBar(confidence: number): string {
  const filled = Math.max(0, Math.min(10, Math.round(confidence * 10)));
  return '▰'.repeat(filled) + '▱'.repeat(10 - filled);
}

/** Splits mrkdwn into pieces of at most `max` characters, at line breaks where possible. */
export function splitText(text: string, max = SECTION_TEXT_MAX): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    const candidate = current === '' ? line : `${current}\n${line}`;
    if (candidate.length <= max) {
      current = candidate;
      continue;
    }
    if (current !== '') chunks.push(current);
    current = line;
    while (current.length > max) {
      chunks.push(current.slice(0, max));
      current = current.slice(max);
    }
  }
  if (current.trim() !== '') chunks.push(current);
  return chunks;
}

/** The `action_id` of the `index`th button; the button id itself travels in `value`. */
export function actionId(index: number, buttonId: string): string {
  return `${ACTION_PREFIX}${index}:${buttonId}`.slice(0, ACTION_ID_MAX);
}

/** The button id of a pressed button, from its `value` (or, failing that, its `action_id`). */
export function buttonIdOf(action: { action_id: string; value?: string }): string | undefined {
  if (action.value) return action.value;
  const m = /^lookalike:\d+:(.*)$/s.exec(action.action_id);
  return m?.[1];
}

function section(text: string): KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

function button(b: ReplyButton, index: number): Button {
  const out: Button = {
    type: 'button',
    action_id: actionId(index, b.id),
    text: { type: 'plain_text', text: truncate(b.label, BUTTON_LABEL_MAX), emoji: true },
    value: b.id.slice(0, BUTTON_VALUE_MAX),
  };
  // Slack has only two button styles; secondary is its default look.
  if (b.style === 'primary' || b.style === 'success') out.style = 'primary';
  if (b.style === 'danger') out.style = 'danger';
  return out;
}

// Slack buttons cannot be disabled, so a disabled button (an answered game round) becomes a label.
function disabledLabel(b: ReplyButton): string {
  const mark = b.style === 'success' ? '✅ ' : b.style === 'danger' ? '❌ ' : '';
  return `${mark}${escapeMrkdwn(b.label)}`;
}

function buttonBlocks(buttons: ReplyButton[]): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  const enabled = buttons.map((b, i) => ({ b, i })).filter(({ b }) => !b.disabled);
  for (let start = 0; start < enabled.length; start += BUTTONS_PER_ACTIONS) {
    blocks.push({
      type: 'actions',
      elements: enabled.slice(start, start + BUTTONS_PER_ACTIONS).map(({ b, i }) => button(b, i)),
    });
  }
  const disabled = buttons.filter((b) => b.disabled);
  if (disabled.length > 0) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: truncate(disabled.map(disabledLabel).join('   '), 3000) }],
    });
  }
  return blocks;
}

// A trailing line in italics (`_Answered from this server's gallery._`) is a footnote: Slack's
// context block shows it small and grey, as Discord shows an embed footer.
function splitFootnote(text: string): { body: string; footnote?: string } {
  const lines = text.replace(/\s+$/, '').split('\n');
  const last = lines[lines.length - 1] ?? '';
  if (lines.length < 2 || !/^_[^_].*_$/.test(last.trim())) return { body: text };
  return { body: lines.slice(0, -1).join('\n').replace(/\s+$/, ''), footnote: last.trim() };
}

/**
 * Renders a neutral Reply as Block Kit: the title in bold and the text in mrkdwn sections, fields as a
 * section's fields, a context line with a confidence bar per match and the footnote, and buttons as
 * `actions` (whose `value` is the button id). The picture is not a block: the adapter uploads it with
 * the message. Colours have no Block Kit equivalent and are dropped.
 */
export function renderReply(reply: Reply): SlackMessage {
  const { body, footnote } = splitFootnote(reply.text);
  const firstLine = body.split('\n', 1)[0]?.trim();
  // Commands often open their text with the title in bold; showing it twice would look like a glitch.
  const withTitle =
    reply.title !== undefined && firstLine !== `**${reply.title}**` ? `**${reply.title}**\n${body}` : body;
  const sections = splitText(toMrkdwn(withTitle)).map(section);
  const blocks: KnownBlock[] = [];

  const fields = reply.fields ?? [];
  for (let start = 0; start < fields.length; start += FIELDS_PER_SECTION) {
    blocks.push({
      type: 'section',
      fields: fields.slice(start, start + FIELDS_PER_SECTION).map((f) => ({
        type: 'mrkdwn',
        text: truncate(`*${escapeMrkdwn(f.name)}*\n${toMrkdwn(f.value)}`, FIELD_TEXT_MAX),
      })),
    });
  }

  const context: ContextElement[] = [];
  for (const m of (reply.matches ?? []).slice(0, 3)) {
    const best = m.top[0];
    if (!best) continue;
    context.push({
      type: 'mrkdwn',
      text: `${escapeMrkdwn(m.label)} → *${escapeMrkdwn(best.name)}*  ${confidenceBar(m.confidence)} ${formatConfidence(m.confidence)}`,
    });
  }
  if (footnote) context.push({ type: 'mrkdwn', text: toMrkdwn(footnote) });
  if (context.length > 0) blocks.push({ type: 'context', elements: context.slice(0, CONTEXT_ELEMENTS_MAX) });

  if (reply.buttons && reply.buttons.length > 0) blocks.push(...buttonBlocks(reply.buttons));

  const fallback = reply.title ? `${reply.title}\n${toPlain(body)}` : toPlain(reply.text);
  // Over Slack's 50 blocks, the end of a very long text goes rather than the fields or the buttons.
  const kept = sections.slice(0, Math.max(1, BLOCKS_MAX - blocks.length));
  return {
    text: truncate(escapeMrkdwn(fallback), FALLBACK_MAX),
    blocks: [...kept, ...blocks].slice(0, BLOCKS_MAX),
  };
}

/** A context block appended to a reply, e.g. a hint that the picture could not be shown. */
export function noteBlock(mrkdwn: string): KnownBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: mrkdwn }] };
}
