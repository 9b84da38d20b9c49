// The playground page: a chat log with the bot in it. Commands go to POST /api/command with the
// attached files; pushed messages (game rounds, edits) arrive over Server-Sent Events.
import { cameraAvailable, setupCamera } from './camera.js';
import { botMessage, el, errorMessage, markdown, pendingMessage, userMessage } from './render.js';

const $ = (id) => document.getElementById(id);
const log = $('log');
const form = $('composer');
const input = $('text');
const fileInput = $('file-input');
const pendingBox = $('pending');
const suggestionBox = $('suggestions');
const overlay = $('drop-overlay');

// The server rejects POSTs without it, so other web sites cannot drive the bot through this browser.
const HEADERS = { 'x-lookalike-playground': '1' };

let info = {
  user: { displayName: 'You' },
  commands: [],
  gallery: {},
  limits: { maxFileBytes: 10485760, maxArchiveBytes: 104857600, maxFiles: 6 },
};
let files = [];
let selected = 0;

function scrollDown() {
  log.scrollTop = log.scrollHeight;
}

// Adds a message (at the end, or before `anchor`) or replaces `old`, following the conversation only
// when the reader was already at its end.
function place(node, old, anchor) {
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  if (old) old.replaceWith(node);
  else if (anchor?.isConnected) log.insertBefore(node, anchor);
  else log.append(node);
  if (atBottom || node.classList.contains('user')) scrollDown();
  // A picture loading later grows the message; keep the newest line in view.
  for (const image of node.querySelectorAll('img')) {
    image.addEventListener('load', () => atBottom && scrollDown());
  }
}

function append(node) {
  place(node);
}

function showReply(message, anchor) {
  // An edit (a game round clearing up) replaces the message it targets in place.
  const old = log.querySelector(`[data-id="${CSS.escape(message.id)}"]`);
  place(botMessage(message, pressButton), old ?? undefined, anchor);
}

async function readError(response) {
  try {
    return (await response.json()).error ?? `The server answered ${response.status}.`;
  } catch {
    return `The server answered ${response.status}.`;
  }
}

/** Runs one request with a progress indicator, then shows the replies or the error in the log. */
async function exchange(label, request) {
  const pending = pendingMessage(label);
  append(pending);
  try {
    const response = await request();
    if (!response.ok) throw new Error(await readError(response));
    const { replies } = await response.json();
    // Answers take the progress indicator's place, as a deferred reply does on Discord, so messages the
    // command pushed meanwhile (a game's first round) stay after it.
    for (const reply of replies) showReply(reply, pending);
    pending.remove();
  } catch (err) {
    const text =
      err instanceof TypeError ? 'Could not reach the Lookalike server. Is it still running?' : err.message;
    place(errorMessage(text), undefined, pending);
    pending.remove();
  }
  scrollDown();
}

async function pressButton(id, messageId, button) {
  button.disabled = true;
  await exchange('Working on it…', () =>
    fetch('/api/button', {
      method: 'POST',
      headers: { ...HEADERS, 'content-type': 'application/json' },
      body: JSON.stringify({ id, messageId }),
    }),
  );
  button.disabled = false;
}

// --- attachments -------------------------------------------------------------------------------------

function megabytes(bytes) {
  return `${Math.round((bytes / 1048576) * 10) / 10} MB`;
}

function renderPending() {
  pendingBox.replaceChildren();
  pendingBox.hidden = files.length === 0;
  files.forEach((file, i) => {
    const chip = el('div', 'chip');
    if (file.type.startsWith('image/')) {
      const thumb = el('img');
      thumb.src = URL.createObjectURL(file);
      thumb.alt = '';
      chip.append(thumb);
    }
    chip.append(el('span', 'chip-name', file.name));
    const remove = el('button', 'chip-remove', '×');
    remove.type = 'button';
    remove.title = `Remove ${file.name}`;
    remove.addEventListener('click', () => {
      files.splice(i, 1);
      renderPending();
    });
    chip.append(remove);
    pendingBox.append(chip);
  });
}

const isZip = (file) => /\.zip$/i.test(file.name);

function addFiles(list, sendAtOnce = false) {
  for (const file of list) {
    // Checked here too so a huge file fails at once instead of after a long upload.
    const limit = isZip(file) ? info.limits.maxArchiveBytes : info.limits.maxFileBytes;
    if (file.size > limit) {
      const what = isZip(file) ? 'ZIPs' : 'images';
      append(errorMessage(`\`${file.name}\` is too large: I accept ${what} up to ${megabytes(limit)}.`));
      continue;
    }
    if (files.length >= info.limits.maxFiles) {
      append(errorMessage(`At most ${info.limits.maxFiles} files per message.`));
      break;
    }
    files.push(file);
  }
  renderPending();
  input.focus();
  // A ZIP waits for its command, so that typing `/gallery import` sends both in one request: the command
  // is filled in (selected, so typing replaces it) and one Enter sends it. A dropped ZIP is sent at once.
  if (input.value.trim() === '' && files.length === 1 && isZip(files[0])) {
    if (sendAtOnce) form.requestSubmit();
    else {
      input.value = '/gallery import';
      input.select();
    }
  }
}

fileInput.addEventListener('change', () => {
  addFiles([...fileInput.files]);
  fileInput.value = '';
});

let dragDepth = 0;
window.addEventListener('dragenter', (event) => {
  if (!event.dataTransfer?.types.includes('Files')) return;
  dragDepth++;
  overlay.hidden = false;
});
window.addEventListener('dragleave', () => {
  dragDepth = Math.max(0, dragDepth - 1);
  if (dragDepth === 0) overlay.hidden = true;
});
window.addEventListener('dragover', (event) => event.preventDefault());
window.addEventListener('drop', (event) => {
  event.preventDefault();
  dragDepth = 0;
  overlay.hidden = true;
  if (event.dataTransfer?.files.length) addFiles([...event.dataTransfer.files], true);
});
window.addEventListener('paste', (event) => {
  const pasted = [...(event.clipboardData?.files ?? [])];
  if (pasted.length > 0) addFiles(pasted);
});

if (cameraAvailable()) {
  $('camera-button').hidden = false;
  setupCamera(
    {
      button: $('camera-button'),
      dialog: $('camera'),
      video: $('camera-video'),
      shoot: $('camera-shoot'),
      cancel: $('camera-cancel'),
      error: $('camera-error'),
    },
    (file) => addFiles([file]),
  );
}

// --- command suggestions -----------------------------------------------------------------------------

function matchingCommands() {
  const text = input.value.trimStart().toLowerCase();
  if (!text.startsWith('/')) return [];
  // Every match: the menu scrolls, so `/game …`, `/leaderboard` and `/help` are there too.
  return info.commands.filter((c) => c.command.startsWith(text) || text.startsWith(`${c.command} `));
}

function renderSuggestions() {
  const list = matchingCommands();
  suggestionBox.replaceChildren();
  suggestionBox.hidden = list.length === 0;
  selected = Math.min(selected, Math.max(0, list.length - 1));
  list.forEach((c, i) => {
    const item = el('li', i === selected ? 'selected' : '');
    item.append(el('code', '', c.usage), el('span', 'description', c.description));
    if (c.admin) item.append(el('span', 'tag', 'admin'));
    item.addEventListener('mousedown', (event) => {
      event.preventDefault();
      complete(c);
    });
    suggestionBox.append(item);
  });
  suggestionBox.querySelector('li.selected')?.scrollIntoView({ block: 'nearest' });
}

function complete(command) {
  if (!input.value.startsWith(`${command.command} `)) input.value = `${command.command} `;
  renderSuggestions();
  input.focus();
}

input.addEventListener('input', () => {
  selected = 0;
  renderSuggestions();
});
input.addEventListener('blur', () => {
  suggestionBox.hidden = true;
});
input.addEventListener('keydown', (event) => {
  const list = matchingCommands();
  if (suggestionBox.hidden || list.length === 0) return;
  if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
    event.preventDefault();
    selected = (selected + (event.key === 'ArrowDown' ? 1 : list.length - 1)) % list.length;
    renderSuggestions();
  } else if (event.key === 'Tab') {
    event.preventDefault();
    complete(list[selected]);
  } else if (event.key === 'Escape') {
    suggestionBox.hidden = true;
  }
});

// --- sending -----------------------------------------------------------------------------------------

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (text === '' && files.length === 0) return;
  const sent = files;
  files = [];
  input.value = '';
  renderPending();
  suggestionBox.hidden = true;
  append(userMessage(info.user.displayName, text, sent));

  const body = new FormData();
  body.append('text', text);
  for (const file of sent) body.append('files', file, file.name);
  const label = sent.some(isZip)
    ? 'Importing the ZIP…'
    : sent.length > 0
      ? `Analysing ${sent.length === 1 ? 'your photo' : `${sent.length} photos`}…`
      : 'Thinking…';
  await exchange(label, () => fetch('/api/command', { method: 'POST', headers: HEADERS, body }));
  // Enrolling or removing people changes the galleries the header counts.
  await loadInfo();
});

// --- start-up ----------------------------------------------------------------------------------------

function people(n) {
  return `${n} ${n === 1 ? 'person' : 'people'}`;
}

async function loadInfo() {
  try {
    const response = await fetch('/api/info');
    if (!response.ok) throw new Error(await readError(response));
    info = await response.json();
    const { here, global } = info.gallery;
    $('gallery-status').textContent =
      here === null || global === null
        ? 'gallery unavailable'
        : `gallery: ${people(here)} here · ${people(global)} global`;
    // An import or an enrolment filled it: the "gallery is empty" card is no longer true.
    if (here > 0 || global > 0) document.querySelector('.hint.empty-gallery')?.remove();
  } catch (err) {
    $('gallery-status').textContent = 'gallery unavailable';
    return err;
  }
}

function welcome() {
  const card = el('section', 'welcome');
  card.append(
    el('h1', '', 'Welcome to the Lookalike playground'),
    markdown(
      'This page is a chat channel with the bot in it, running on your computer. Type `/lookalike` and attach a ' +
        'selfie (paperclip, drag and drop, paste, or the camera), or just send a photo. `/help` lists every command; you are the admin here.',
    ),
  );
  const { here, global } = info.gallery;
  if (here === 0 && global === 0) {
    const hint = el('div', 'hint empty-gallery');
    hint.append(
      el(
        'strong',
        '',
        'The gallery is empty, so there is nobody to compare you with yet. Fill it either way:',
      ),
      markdown(
        '• on the command line: `npx lookalike enroll <dir>` with one folder of photos per person ' +
          '(`<dir>/Brad Pitt/1.jpg`…); it fills the global gallery, used everywhere\n' +
          '• here: drop a ZIP of that folder (one folder of photos per person) onto this page: it runs `/gallery import`\n' +
          '• here: `/enroll Brad Pitt` with 1–5 photos attached (one face each), for this playground only',
      ),
    );
    card.append(hint);
  }
  log.append(card);
}

function connectEvents() {
  const status = $('connection');
  const events = new EventSource('/api/events');
  events.addEventListener('ready', () => {
    status.dataset.state = 'online';
    status.textContent = 'online';
  });
  events.addEventListener('post', (event) => showReply(JSON.parse(event.data)));
  events.addEventListener('edit', (event) => showReply(JSON.parse(event.data)));
  events.addEventListener('error', () => {
    status.dataset.state = 'offline';
    status.textContent = 'reconnecting…';
  });
}

// `npm start` serves the page before the face engine has loaded its models: say so until it has.
async function showWarmingUp() {
  if (info.engine !== 'warming') return;
  const note = el(
    'div',
    'hint warming',
    'The face engine is still warming up: answers start in a few seconds.',
  );
  log.append(note);
  while (info.engine === 'warming') {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    if (await loadInfo()) break;
  }
  note.remove();
}

const failed = await loadInfo();
welcome();
void showWarmingUp();
if (failed) append(errorMessage(`Could not load the playground: ${failed.message}`));
connectEvents();
input.focus();
