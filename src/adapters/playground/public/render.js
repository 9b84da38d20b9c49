// Renders messages as DOM nodes. Everything from the server or the user goes in through textContent or
// attributes, never innerHTML: names in replies are typed by admins and must not become markup.

/** Creates an element with classes and optional text. */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// `**bold**`, `__bold__`, `_italic_`, `*italic*` and `` `code` ``: the markdown the neutral replies use.
const INLINE =
  /(\*\*[^*\n]+\*\*|__[^_\n]+__|`[^`\n]+`|(?<![\w*])\*[^*\n]+\*(?![\w*])|(?<!\w)_[^_\n]+_(?!\w))/;

function inline(text, parent) {
  const parts = text.split(INLINE);
  parts.forEach((part, i) => {
    if (part === '') return;
    if (i % 2 === 0) {
      parent.append(document.createTextNode(part));
    } else if (part.startsWith('**') || part.startsWith('__')) {
      parent.append(el('strong', '', part.slice(2, -2)));
    } else if (part.startsWith('`')) {
      parent.append(el('code', '', part.slice(1, -1)));
    } else {
      parent.append(el('em', '', part.slice(1, -1)));
    }
  });
}

/** The neutral markdown as safe DOM: inline styles and line breaks. */
export function markdown(text) {
  const block = el('div', 'md');
  text.split('\n').forEach((line, i) => {
    if (i > 0) block.append(el('br'));
    inline(line, block);
  });
  return block;
}

function time() {
  return new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function shell(kind, author, id) {
  const message = el('article', `message ${kind}`);
  if (id) message.dataset.id = id;
  const avatar = el('div', 'avatar');
  if (kind.includes('bot')) {
    const logo = el('img');
    logo.src = 'favicon.svg';
    logo.alt = '';
    avatar.append(logo);
  } else {
    avatar.textContent = author.charAt(0).toUpperCase();
  }
  const body = el('div', 'body');
  const head = el('div', 'head');
  head.append(el('span', 'author', author));
  if (kind.includes('bot')) head.append(el('span', 'tag', 'APP'));
  head.append(el('time', 'time', time()));
  body.append(head);
  message.append(avatar, body);
  return { message, body };
}

function percent(value) {
  return `${Math.round(Math.max(0, Math.min(1, value)) * 100)}%`;
}

function bar(value, className) {
  const track = el('div', `bar ${className}`);
  const fill = el('div', 'fill');
  fill.style.width = percent(value);
  track.append(fill);
  track.setAttribute('role', 'meter');
  track.setAttribute('aria-valuemin', '0');
  track.setAttribute('aria-valuemax', '1');
  track.setAttribute('aria-valuenow', String(value));
  return track;
}

function matches(list) {
  const box = el('div', 'matches');
  for (const face of list) {
    const card = el('section', 'match');
    const best = face.top[0];
    const label = /^\d+$/.test(face.label) ? `Face ${face.label}` : face.label;
    const head = el('div', 'match-head');
    head.append(el('span', 'match-label', label), el('span', 'match-name', best ? best.name : 'nobody'));
    card.append(head, bar(face.confidence, 'confidence'));
    card.append(
      el(
        'div',
        'match-numbers',
        `${face.confidence.toFixed(2)} confidence · ${percent(face.similarity)} similar`,
      ),
    );
    const top = el('ol', 'top');
    for (const candidate of face.top.slice(0, 3)) {
      const row = el('li');
      row.append(el('span', 'top-name', candidate.name), bar(candidate.confidence, 'mini'));
      row.append(el('span', 'top-value', candidate.confidence.toFixed(2)));
      top.append(row);
    }
    card.append(top);
    // Why they look alike: the regions whose removal costs the recognizer the most similarity, with their shares.
    if (face.resemblance?.length) {
      const why = el('ul', 'resemblance');
      why.append(el('li', 'resemblance-title', 'Alike in'));
      for (const r of face.resemblance.slice(0, 3)) {
        const item = el('li', 'region', `${r.region} ${Math.round(r.share * 100)}%`);
        item.dataset.region = r.region;
        item.style.setProperty('--share', `${Math.round(r.share * 100)}%`);
        why.append(item);
      }
      card.append(why);
    }
    box.append(card);
  }
  return box;
}

function fields(list) {
  const grid = el('div', 'fields');
  for (const field of list) {
    const cell = el('div', field.inline ? 'field inline' : 'field');
    cell.append(el('div', 'field-name', field.name), markdown(field.value));
    grid.append(cell);
  }
  return grid;
}

function buttons(message, onButton) {
  const row = el('div', 'buttons');
  for (const spec of message.buttons) {
    const button = el('button', `btn ${spec.style ?? 'secondary'}`, spec.label);
    button.type = 'button';
    button.disabled = spec.disabled === true;
    button.dataset.buttonId = spec.id;
    button.addEventListener('click', () => onButton(spec.id, message.id, button));
    row.append(button);
  }
  return row;
}

/** A bot reply as the chat platforms show it: embed card, confidence bars, picture, buttons. */
export function botMessage(message, onButton) {
  const { message: node, body } = shell(message.ephemeral ? 'bot ephemeral' : 'bot', 'Lookalike', message.id);
  const rich = message.title !== undefined || message.fields || message.image || message.matches;
  const content = rich ? el('div', 'embed') : body;
  if (rich) {
    if (/^#[0-9a-f]{6}$/i.test(message.color ?? '')) content.style.borderLeftColor = message.color;
    body.append(content);
  }
  let text = message.text;
  if (message.title !== undefined) {
    content.append(el('div', 'title', message.title));
    // Replies repeat the title in bold as the text-only fallback; under a shown title it is noise.
    const [first, ...rest] = text.split('\n');
    if (first === `**${message.title}**`) text = rest.join('\n');
  }
  content.append(markdown(text));
  if (message.fields?.length) content.append(fields(message.fields));
  if (message.matches?.length) content.append(matches(message.matches));
  if (message.image?.url.startsWith('/api/images/')) {
    const image = el('img', 'reply-image');
    image.src = message.image.url;
    image.alt = message.image.alt ?? '';
    content.append(image);
  }
  if (message.file?.url.startsWith('/api/images/')) {
    const link = el('a', 'reply-file', `Download ${message.file.name}`);
    link.href = message.file.url;
    link.download = message.file.name;
    content.append(link);
  }
  if (message.buttons?.length) body.append(buttons(message, onButton));
  if (message.ephemeral) {
    const note = el('div', 'ephemeral-note');
    const dismiss = el('button', 'link', 'Dismiss message');
    dismiss.type = 'button';
    dismiss.addEventListener('click', () => node.remove());
    note.append(el('span', '', 'Only you can see this · '), dismiss);
    body.append(note);
  }
  return node;
}

/** What the person sent: their text and thumbnails of the attached files. */
export function userMessage(author, text, files) {
  const { message, body } = shell('user', author);
  if (text) body.append(el('div', 'md', text));
  if (files.length > 0) {
    const row = el('div', 'attachments');
    for (const file of files) {
      if (file.type.startsWith('image/')) {
        const thumb = el('img', 'attachment');
        thumb.src = URL.createObjectURL(file);
        thumb.alt = file.name;
        thumb.title = file.name;
        row.append(thumb);
      } else {
        row.append(el('span', 'attachment file', file.name));
      }
    }
    body.append(row);
  }
  return message;
}

/** The progress indicator shown while the bot works on a request. */
export function pendingMessage(label) {
  const { message, body } = shell('bot pending', 'Lookalike');
  const line = el('div', 'thinking');
  line.append(el('span', 'spinner'), el('span', '', label));
  body.append(line);
  return message;
}

/** An error of the page or the connection, shown in the log like an ephemeral reply. */
export function errorMessage(text) {
  const { message, body } = shell('bot ephemeral error', 'Lookalike');
  body.append(markdown(text));
  return message;
}
