// The discussion client: one socket per open room (docs/protocol.md).
// It keeps the highest seq it holds without a gap, resumes from it on every (re)connect,
// shows each message once and in seq order, and retries unacknowledged sends with the
// same client_id. Texts come from the template (data attributes), already translated.

const MAX_BACKOFF_MS = 30000;
const FIRST_BACKOFF_MS = 500;
const GAP_WAIT_MS = 2000;
const READ_EVERY_MS = 2000;
const RATE_LIMIT_RETRY_MS = 5000;
const ATTEMPTS_BEFORE_PLAIN_FORM = 3;
const PENDING_SHOWN_AFTER_MS = 1500;

function newClientId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function startChat(section) {
  const log = section.querySelector("#chat-log");
  const form = section.querySelector(".chat-composer");
  if (!log || !form) return;
  const textarea = form.querySelector("textarea");
  const sendButton = form.querySelector("button[type=submit]");
  const status = section.querySelector(".chat-status");
  const presence = section.querySelector(".chat-presence");
  const typingLine = section.querySelector(".chat-typing");
  const pendingBox = section.querySelector(".chat-pending");
  const pendingList = pendingBox.querySelector("ul");
  const errorLine = section.querySelector(".chat-error");
  const help = section.querySelector("#chat-help");
  const userId = Number(section.dataset.userId);
  const typingInterval = Number(section.dataset.typingInterval) || 3000;
  const typingHint = Number(section.dataset.typingHint) || 6000;
  // 4401, 4403, 4404 from chat/protocol.py: access is gone, reconnecting would not help.
  const finalCloseCodes = new Set((section.dataset.finalCloseCodes || "").split(" ").filter(Boolean).map(Number));

  // seq -> element of every message shown; lastSeq: the highest seq held with none missing below.
  const held = new Map();
  for (const element of log.querySelectorAll(".chat-message[data-seq]")) {
    held.set(Number(element.dataset.seq), element);
  }
  let lastSeq = Number(section.dataset.lastSeq) || 0;
  let highestSeq = lastSeq;
  // client_id -> {body, item}: sent (or to be sent) and not yet acknowledged.
  const pending = new Map();

  let socket = null;
  let everConnected = false;
  let attempt = 0;
  let reconnectTimer = null;
  let gapTimer = null;
  let readTimer = null;
  let lastReadSent = 0;
  let lastTypingSent = 0;
  let typingTimer = null;
  let stopped = false;

  if (help) help.hidden = false;

  function setStatus(state) {
    section.dataset.connection = state;
    if (status) status.textContent = status.dataset[state] || "";
  }

  function sendFrame(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function connect() {
    setStatus(everConnected ? "reconnecting" : "connecting");
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const language = encodeURIComponent(section.dataset.language || "");
    const ws = new WebSocket(`${scheme}//${location.host}${section.dataset.wsPath}?lang=${language}`);
    socket = ws;
    ws.addEventListener("open", () => {
      if (ws !== socket) return;
      everConnected = true;
      attempt = 0;
      setStatus("connected");
      sendFrame({ type: "resume", after: lastSeq });
    });
    ws.addEventListener("message", (event) => {
      if (ws !== socket) return;
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      receive(frame);
    });
    ws.addEventListener("close", (event) => {
      if (ws !== socket) return;
      socket = null;
      if (finalCloseCodes.has(event.code)) {
        stopped = true;
        setStatus("refused");
        sendButton.disabled = true;
        return;
      }
      scheduleReconnect();
    });
  }

  function scheduleReconnect() {
    if (stopped || reconnectTimer) return;
    setStatus(everConnected ? "reconnecting" : "connecting");
    // Exponential backoff with jitter: a restarted server is not hit by every client at once.
    const base = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** attempt);
    attempt += 1;
    const delay = base / 2 + Math.random() * (base / 2);
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      connect();
    }, delay);
  }

  function dropSocket() {
    if (!socket) return;
    const ws = socket;
    socket = null;
    ws.close();
    scheduleReconnect();
  }

  function reconnectNow() {
    if (stopped || (socket && socket.readyState === WebSocket.OPEN)) return;
    if (socket) {
      // An attempt started while offline would only fail: start afresh.
      const attemptInFlight = socket;
      socket = null;
      attemptInFlight.close();
    }
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    attempt = 0;
    connect();
  }

  function receive(frame) {
    switch (frame.type) {
      case "message":
        upsert(frame.message);
        break;
      case "resumed":
        resumed();
        break;
      case "error":
        refused(frame);
        break;
      case "presence":
        showPresence(frame.users);
        break;
      case "typing":
        showTyping(frame.user);
        break;
      default:
        break;
    }
  }

  function upsert(message) {
    if (message.author && message.author.id === userId && pending.has(message.client_id)) {
      removePending(message.client_id);
    }
    // Every seq up to lastSeq that is not shown is older than the page: a change to it is not news here.
    if (!held.has(message.seq) && message.seq <= lastSeq) return;
    const template = document.createElement("template");
    template.innerHTML = message.html.trim(); // rendered and sanitized by the server
    const element = template.content.firstElementChild;
    if (!element) return;
    const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
    const existing = held.get(message.seq);
    if (existing) {
      existing.replaceWith(element);
    } else {
      const empty = log.querySelector(".chat-empty");
      if (empty) empty.remove();
      // New messages usually come last: walk back from the end to the first older one.
      let before = null;
      for (let node = log.lastElementChild; node; node = node.previousElementSibling) {
        if (!node.dataset.seq) continue;
        if (Number(node.dataset.seq) < message.seq) break;
        before = node;
      }
      log.insertBefore(element, before);
    }
    held.set(message.seq, element);
    if (nearBottom) log.scrollTop = log.scrollHeight;
    advance(message.seq);
  }

  function advance(seq) {
    highestSeq = Math.max(highestSeq, seq);
    while (held.has(lastSeq + 1)) lastSeq += 1;
    if (highestSeq > lastSeq && !gapTimer) {
      // A broadcast was lost or overtaken: wait a moment for it, then ask for what is missing.
      gapTimer = setTimeout(() => {
        gapTimer = null;
        if (highestSeq > lastSeq) sendFrame({ type: "resume", after: lastSeq });
      }, GAP_WAIT_MS);
    }
    markRead();
  }

  function resumed() {
    for (const [clientId, entry] of pending) {
      sendFrame({ type: "send", client_id: clientId, body: entry.body });
    }
    markRead();
  }

  function refused(frame) {
    const entry = frame.ref != null ? pending.get(String(frame.ref)) : undefined;
    if (entry && frame.code === "rate_limited") {
      setTimeout(() => {
        if (pending.has(String(frame.ref))) {
          sendFrame({ type: "send", client_id: String(frame.ref), body: entry.body });
        }
      }, RATE_LIMIT_RETRY_MS);
    } else if (entry) {
      removePending(String(frame.ref));
      if (!textarea.value.trim()) textarea.value = entry.body;
    }
    errorLine.textContent = frame.detail;
    errorLine.hidden = false;
  }

  function markRead() {
    if (document.visibilityState !== "visible" || lastSeq === 0) return;
    const wait = lastReadSent + READ_EVERY_MS - Date.now();
    if (wait > 0) {
      if (!readTimer) {
        readTimer = setTimeout(() => {
          readTimer = null;
          markRead();
        }, wait);
      }
      return;
    }
    if (sendFrame({ type: "read", seq: lastSeq })) lastReadSent = Date.now();
  }

  function showPresence(users) {
    if (!presence) return;
    const names = users.map((user) => user.name).join(", ");
    presence.textContent = (presence.dataset.here || "{names}").replace("{names}", names);
    presence.hidden = users.length === 0;
  }

  function showTyping(user) {
    if (!typingLine) return;
    typingLine.textContent = (typingLine.dataset.typing || "{name}").replace("{name}", user.name);
    typingLine.hidden = false;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => {
      typingLine.hidden = true;
      typingLine.textContent = "";
    }, typingHint);
  }

  function addPending(clientId, body) {
    const item = document.createElement("li");
    item.textContent = body;
    pendingList.append(item);
    pending.set(clientId, { body, item });
    // Shown only when the acknowledgement is slow: a message on its way is not news.
    const shownNow = !socket || socket.readyState !== WebSocket.OPEN;
    setTimeout(() => {
      if (pending.has(clientId)) pendingBox.hidden = false;
    }, shownNow ? 0 : PENDING_SHOWN_AFTER_MS);
  }

  function removePending(clientId) {
    const entry = pending.get(clientId);
    if (!entry) return;
    entry.item.remove();
    pending.delete(clientId);
    pendingBox.hidden = pending.size === 0;
  }

  form.addEventListener("submit", (event) => {
    // A socket that has never opened (a proxy without websockets): the plain form still works.
    if (!everConnected && attempt >= ATTEMPTS_BEFORE_PLAIN_FORM) return;
    event.preventDefault();
    const body = textarea.value.trim();
    if (!body) return;
    errorLine.hidden = true;
    errorLine.textContent = "";
    const clientId = newClientId();
    addPending(clientId, body);
    textarea.value = "";
    sendFrame({ type: "send", client_id: clientId, body });
  });

  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  textarea.addEventListener("input", () => {
    const now = Date.now();
    if (textarea.value.trim() && now - lastTypingSent > typingInterval && sendFrame({ type: "typing" })) {
      lastTypingSent = now;
    }
  });

  window.addEventListener("offline", dropSocket);
  window.addEventListener("online", reconnectNow);
  document.addEventListener("visibilitychange", markRead);

  log.scrollTop = log.scrollHeight;
  connect();
}

const chatSection = document.getElementById("chat");
if (chatSection && chatSection.dataset.wsPath) startChat(chatSection);
