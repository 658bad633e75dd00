// Parley demo: talks to the server through the SDK (ParleyClient / ConversationConnection) only,
// plus register, log in and create a listing, which are the standalone server's own endpoints.
import { ParleyClient, ParleyApiError } from './sdk/client/src/index.js';

const $ = (id) => document.getElementById(id);
const TICKS = { pending: '🕓', sent: '✓', delivered: '✓✓', read: '✓✓', failed: '⚠' };
const RANK = { pending: 0, sent: 1, delivered: 2, read: 3, failed: 4 };
const PAGE = 30;

let token = sessionStorage.getItem('parley.token');
let me = sessionStorage.getItem('parley.me');
const parley = new ParleyClient({
  baseUrl: location.origin,
  getToken: () => token,
  store: { get: (k) => localStorage.getItem(k), set: (k, v) => localStorage.setItem(k, v) },
});

/** The open conversation: its connection and what its view shows. */
let current = null;

async function api(path, body) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(path, { method: 'POST', headers, body: JSON.stringify(body) });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(json.message ?? `HTTP ${response.status}`);
  return json;
}

function showError(id, error) {
  $(id).textContent =
    error instanceof ParleyApiError ? `${error.code}: ${error.message}` : String(error.message ?? error);
}

// ---- auth -------------------------------------------------------------------------------------
$('auth-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const action = event.submitter?.value ?? 'login';
  const email = form.get('email');
  const password = form.get('password');
  $('auth-error').textContent = '';
  try {
    if (action === 'register') {
      const name = String(form.get('name') || '').trim();
      await api('/v1/auth/register', { email, password, ...(name ? { first_name: name } : {}) });
    }
    const login = await api('/v1/auth/login', { email, password });
    token = login.access_token;
    me = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))).sub;
    sessionStorage.setItem('parley.token', token);
    sessionStorage.setItem('parley.me', me);
    $('whoami').textContent = email;
    sessionStorage.setItem('parley.email', email);
    start();
  } catch (error) {
    showError('auth-error', error);
  }
});

function start() {
  $('auth').hidden = true;
  $('app').hidden = false;
  $('whoami').textContent = sessionStorage.getItem('parley.email') ?? '';
  void refreshConversations();
  setInterval(() => void refreshConversations(), 2000);
}

// ---- listings and conversations --------------------------------------------------------------
$('listing-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    const listing = await api('/v1/listings', { title: new FormData(event.target).get('title') });
    $('listing-id').textContent = listing.id;
  } catch (error) {
    showError('app-error', error);
  }
});

$('open-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    const conversation = await parley.createConversation(
      String(new FormData(event.target).get('listing')).trim(),
    );
    await refreshConversations();
    await openConversation(conversation.id);
  } catch (error) {
    showError('app-error', error);
  }
});

let conversations = [];
async function refreshConversations() {
  try {
    conversations = await parley.listConversations({ limit: 50 });
  } catch (error) {
    return showError('app-error', error);
  }
  const list = $('conversations');
  list.replaceChildren(
    ...conversations.map((c) => {
      const li = document.createElement('li');
      li.dataset.testid = 'conversation';
      li.dataset.conversationId = c.id;
      if (current?.id === c.id) li.classList.add('active');
      const text = document.createElement('div');
      const title = document.createElement('div');
      title.textContent = `${c.listing_title ?? 'Listing'} · ${c.other_user_name ?? 'someone'}`;
      const preview = document.createElement('div');
      preview.className = 'preview';
      preview.textContent = c.last_message_content ?? 'No messages yet';
      text.append(title, preview);
      li.append(text);
      const unread = current?.id === c.id ? 0 : c.unread_count;
      if (unread > 0) {
        const badge = document.createElement('span');
        badge.className = 'badge';
        badge.dataset.testid = 'unread-badge';
        badge.textContent = String(unread);
        li.append(badge);
      }
      li.addEventListener('click', () => void openConversation(c.id));
      return li;
    }),
  );
}

// ---- chat view --------------------------------------------------------------------------------
async function openConversation(id) {
  if (current?.id === id) return;
  current?.connection.close();
  const detail = await parley.getConversation(id);
  const view = {
    id,
    detail,
    connection: null,
    items: new Map(),
    oldestSeq: undefined,
    loadingOlder: false,
    done: false,
  };
  current = view;
  $('chat').hidden = false;
  $('messages').replaceChildren();
  $('peer-name').textContent = detail.other_user_name ?? 'Other party';
  setPresence(false, null);
  $('typing').hidden = true;
  const history = await parley.listMessages(id, { limit: PAGE });
  if (current !== view) return;
  history.sort((a, b) => a.seq - b.seq);
  for (const message of history) renderMessage(message);
  view.oldestSeq = history[0]?.seq;
  view.done = history.length < PAGE;
  scrollToBottom();
  const connection = parley.connect(id, { afterSeq: history.at(-1)?.seq ?? 0 });
  view.connection = connection;
  connection.on('state', showState);
  connection.on('message', (message) => {
    renderMessage(message);
    scrollToBottom();
    if (message.sender_user_id !== me) connection.markRead(message.seq);
  });
  connection.on('send_state', (item) => {
    if (item.message) renderMessage(item.message, item.state);
    else renderPending(item);
  });
  connection.on('typing', (frame) => {
    if (frame.user_id !== me) $('typing').hidden = !frame.is_typing;
  });
  connection.on('presence', (frame) => {
    if (frame.user_id !== me) setPresence(frame.is_online, frame.last_seen_at);
  });
  connection.on('delivery_receipt', (frame) => setTick(frame.message_id, 'delivered'));
  connection.on('read_receipt', (frame) => {
    if (frame.read_by === me) return;
    for (const [key, el] of view.items)
      if (el.dataset.mine === 'true' && Number(el.dataset.seq) <= frame.last_read_seq) setTick(key, 'read');
  });
  connection.on('message_deleted', (frame) => {
    const el = view.items.get(frame.message_id);
    if (el) el.querySelector('.text').textContent = '(deleted)';
  });
  connection.on('error', (error) => showError('app-error', error));
  showState(connection.state);
  if (history.some((m) => m.sender_user_id !== me && m.status !== 'read'))
    await parley.markConversationRead(id);
  void refreshConversations();
}

function showState(state) {
  const banner = $('banner');
  banner.dataset.state = state;
  banner.hidden = state === 'open';
  banner.textContent =
    state === 'reconnecting' ? 'Reconnecting…' : state === 'connecting' ? 'Connecting…' : 'Disconnected';
}

function setPresence(online, lastSeenAt) {
  $('presence-dot').dataset.online = String(online);
  $('last-seen').textContent = online
    ? 'online'
    : lastSeenAt
      ? `last seen ${new Date(lastSeenAt).toLocaleTimeString()}`
      : 'offline';
}

/** One element per message, keyed by message id (and by client_message_id while pending). */
function messageElement(key, mine) {
  let el = current.items.get(key);
  if (el) return el;
  el = document.createElement('li');
  el.dataset.testid = 'message';
  el.dataset.mine = String(mine);
  if (mine) el.classList.add('mine');
  const text = document.createElement('span');
  text.className = 'text';
  el.append(text);
  if (mine) {
    const tick = document.createElement('span');
    tick.className = 'tick';
    tick.dataset.testid = 'tick';
    tick.dataset.history = '';
    el.append(tick);
  }
  current.items.set(key, el);
  return el;
}

function renderPending(item) {
  const el = messageElement(item.client_message_id, true);
  el.querySelector('.text').textContent = item.request.content;
  if (!el.isConnected) $('messages').append(el);
  setTickOn(el, item.state, item.failure?.message);
  scrollToBottom();
}

function renderMessage(message, state) {
  if (!current || message.conversation_id !== current.id) return;
  const mine = message.sender_user_id === me;
  let el =
    current.items.get(message.id) ??
    (message.client_message_id ? current.items.get(message.client_message_id) : undefined);
  if (!el) {
    el = messageElement(message.id, mine);
    const list = $('messages');
    const after = [...list.children].find((child) => Number(child.dataset.seq) > message.seq);
    list.insertBefore(el, after ?? null);
  }
  current.items.set(message.id, el);
  el.dataset.seq = String(message.seq);
  el.dataset.messageId = message.id;
  el.querySelector('.text').textContent = message.is_deleted ? '(deleted)' : (message.content ?? '');
  if (mine) setTickOn(el, state ?? message.status);
}

function setTick(messageId, state) {
  const el = current?.items.get(messageId);
  if (el && el.dataset.mine === 'true') setTickOn(el, state);
}

function setTickOn(el, state, reason) {
  const tick = el.querySelector('.tick');
  if (!tick) return;
  const previous = tick.dataset.state;
  if (previous && state !== 'failed' && RANK[state] <= RANK[previous]) return;
  tick.dataset.state = state;
  tick.dataset.history = `${tick.dataset.history} ${state}`.trim();
  tick.textContent = TICKS[state];
  tick.title = reason ?? state;
}

function scrollToBottom() {
  const list = $('messages');
  list.scrollTop = list.scrollHeight;
}

// History: scrolling to the top loads the page before the oldest message shown.
$('messages').addEventListener('scroll', async () => {
  const view = current;
  const list = $('messages');
  if (!view || list.scrollTop > 40 || view.loadingOlder || view.done || view.oldestSeq === undefined) return;
  view.loadingOlder = true;
  try {
    const older = await parley.listMessages(view.id, { before_seq: view.oldestSeq, limit: PAGE });
    if (current !== view) return;
    const height = list.scrollHeight;
    for (const message of older.sort((a, b) => a.seq - b.seq)) renderMessage(message);
    list.scrollTop += list.scrollHeight - height;
    if (older.length > 0) view.oldestSeq = older[0].seq;
    view.done = older.length < PAGE;
  } catch (error) {
    showError('app-error', error);
  } finally {
    view.loadingOlder = false;
  }
});

$('send-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = event.target.elements.text;
  const text = input.value.trim();
  if (!text || !current?.connection) return;
  input.value = '';
  current.connection.send(text).catch((error) => showError('app-error', error));
});
$('send-form').elements.text.addEventListener('input', (event) => {
  if (!current?.connection) return;
  if (event.target.value) current.connection.typing();
  else current.connection.stopTyping();
});

if (token && me) start();
