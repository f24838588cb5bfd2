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
  // The room's change number the held messages reflect (docs/protocol.md: changed_after).
  let changeCursor = Number(section.dataset.lastChangeSeq) || 0;

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
  section.chatSendFrame = sendFrame;

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
      section.dispatchEvent(new CustomEvent("chat:open"));
      sendFrame({ type: "resume", after: lastSeq, changed_after: changeCursor });
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
        // Nothing typed here could be sent any more: close the composer, the status says why.
        textarea.disabled = true;
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
        changeCursor = Math.max(changeCursor, Number(frame.last_change_seq) || 0);
        resumed();
        break;
      case "skipped":
        skipped(frame.up_to, frame.changes);
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
        // room_state, pins, done, reports: static/js/chat-moderation.js listens.
        section.dispatchEvent(new CustomEvent("chat:frame", { detail: frame }));
        break;
    }
  }

  function upsert(message) {
    if (message.author && message.author.id === userId && pending.has(message.client_id)) {
      removePending(message.client_id);
    }
    // Every seq up to lastSeq that is not shown is older than the page: a change to it is not news here.
    if (!held.has(message.seq) && message.seq <= lastSeq) return;
    if (isStale(held.get(message.seq), message)) return;
    const template = document.createElement("template");
    template.innerHTML = message.html.trim(); // rendered and sanitized by the server
    const element = template.content.firstElementChild;
    if (!element) return;
    decorate(element);
    const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
    const existing = held.get(message.seq);
    if (existing) {
      replaceMessage(existing, element);
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
        if (highestSeq > lastSeq) sendFrame({ type: "resume", after: lastSeq, changed_after: changeCursor });
      }, GAP_WAIT_MS);
    }
    markRead();
  }

  function resumed() {
    for (const [clientId, entry] of pending) {
      sendFrame(sendFrameOf(clientId, entry));
    }
    markRead();
  }

  function refused(frame) {
    const entry = frame.ref != null ? pending.get(String(frame.ref)) : undefined;
    if (entry && frame.code === "rate_limited") {
      setTimeout(() => {
        if (pending.has(String(frame.ref))) {
          sendFrame(sendFrameOf(String(frame.ref), entry));
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

  function addPending(clientId, body, replyTo = null) {
    const item = document.createElement("li");
    item.textContent = body;
    pendingList.append(item);
    pending.set(clientId, { body, item, replyTo });
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
    if (stopped) return;
    const body = textarea.value.trim();
    if (!body) return;
    errorLine.hidden = true;
    errorLine.textContent = "";
    const clientId = newClientId();
    const replyTo = takeReply();
    addPending(clientId, body, replyTo);
    textarea.value = "";
    sendFrame(sendFrameOf(clientId, pending.get(clientId)));
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

  // ---------------------------------------------------------------- member tools: reply, react, edit, delete, @mentions
  // Every control is a real button in the message's tool group; results are announced in a
  // polite status region; focus stays where the person put it, also when a message is redrawn.
  const texts = (section.querySelector(".chat-texts") || { dataset: {} }).dataset;
  const reactionChoices = (texts.reactions || "").split(" ").filter(Boolean);
  const announcer = section.querySelector(".chat-announce");
  const replyBox = section.querySelector(".chat-replying");
  const skippedNote = section.querySelector(".chat-skipped");
  const picker = form.querySelector(".chat-mention-picker");
  const pickerList = picker ? picker.querySelector("ul") : null;
  const membersScript = section.querySelector("#chat-members");
  const members = membersScript ? JSON.parse(membersScript.textContent) : [];
  let replyingTo = null;
  let editorCount = 0;

  function say(text, values = {}) {
    if (!announcer || !text) return;
    let message = text;
    for (const [key, value] of Object.entries(values)) message = message.replace(`{${key}}`, value);
    // Cleared first, so the same sentence twice is announced twice.
    announcer.textContent = "";
    setTimeout(() => {
      announcer.textContent = message;
    }, 50);
  }

  function sendFrameOf(clientId, entry) {
    const frame = { type: "send", client_id: clientId, body: entry.body };
    if (entry.replyTo) frame.reply_to = entry.replyTo;
    return frame;
  }

  function isStale(existing, message) {
    if (!existing || message.changed_seq == null) return false;
    return Number(existing.dataset.changedSeq || 0) > Number(message.changed_seq);
  }

  function skipped(upTo, changes) {
    const seq = Number(upTo) || 0;
    if (changes) {
      // Too many changes to replay: the messages held up to `upTo` may be out of date; the history page has them.
      for (const [heldSeq, element] of held) {
        if (heldSeq > seq) continue;
        element.remove();
        held.delete(heldSeq);
      }
    }
    // The messages up to `upTo` are on the history page: nothing is missing below the ones that follow.
    if (seq > lastSeq) lastSeq = seq;
    highestSeq = Math.max(highestSeq, lastSeq);
    if (skippedNote) {
      const link = skippedNote.querySelector("a");
      if (link) link.href = `${link.pathname}?before=${seq + 1}`;
      skippedNote.hidden = false;
    }
  }

  function makeButton(label, action, extra = {}) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    button.dataset.action = action;
    for (const [key, value] of Object.entries(extra)) button.setAttribute(key, value);
    return button;
  }

  function messageName(element) {
    const author = element.querySelector(".chat-author");
    return author ? author.textContent.trim() : "";
  }

  function decorate(element) {
    element.tabIndex = -1;
    for (const mention of element.querySelectorAll(".chat-mention")) {
      if (Number(mention.dataset.userId) === userId) {
        mention.classList.add("chat-mention-me");
        element.classList.add("chat-message-mentions-me");
      }
    }
    if (element.classList.contains("chat-message-mentions-me") && !element.querySelector(".chat-you-mentioned")) {
      const note = document.createElement("span");
      note.className = "visually-hidden chat-you-mentioned";
      note.textContent = ` ${texts.youMentioned || ""}`;
      const meta = element.querySelector(".chat-meta");
      if (meta) meta.append(note);
    }
    if (element.classList.contains("chat-message-deleted") || !element.dataset.id) return;
    const counts = new Map();
    const list = element.querySelector(".chat-reactions");
    if (list) {
      for (const item of list.querySelectorAll("li[data-emoji]")) {
        const users = (item.dataset.users || "").split(" ").filter(Boolean).map(Number);
        counts.set(item.dataset.emoji, { count: Number(item.dataset.count) || 0, mine: users.includes(userId) });
      }
      list.remove();
    }
    const tools = document.createElement("div");
    tools.className = "chat-tools";
    tools.setAttribute("role", "group");
    tools.setAttribute("aria-label", (texts.toolsLabel || "{name}").replace("{name}", messageName(element)));
    for (const emoji of reactionChoices) {
      const reaction = counts.get(emoji);
      if (!reaction || !reaction.count) continue;
      tools.append(
        makeButton(`${emoji} ${reaction.count}`, `react:${emoji}`, { "aria-pressed": String(reaction.mine) }),
      );
    }
    tools.append(makeButton(texts.reply || "Reply", "reply"));
    const menuId = `chat-react-menu-${element.dataset.seq}`;
    tools.append(makeButton(texts.react || "React", "react-menu", { "aria-expanded": "false", "aria-controls": menuId }));
    if (Number(element.dataset.authorId) === userId) {
      tools.append(makeButton(texts.edit || "Edit", "edit"));
      tools.append(makeButton(texts.delete || "Delete", "delete"));
    }
    const menu = document.createElement("div");
    menu.className = "chat-react-menu";
    menu.id = menuId;
    menu.hidden = true;
    menu.setAttribute("role", "group");
    menu.setAttribute("aria-label", texts.reactLabel || "");
    for (const emoji of reactionChoices) {
      const mine = Boolean(counts.get(emoji) && counts.get(emoji).mine);
      menu.append(makeButton(emoji, `react-choice:${emoji}`, { "aria-pressed": String(mine) }));
    }
    tools.append(menu);
    const actionsLink = element.querySelector(".chat-actions");
    if (actionsLink) actionsLink.before(tools);
    else element.append(tools);
  }

  function focusKey(element) {
    const active = document.activeElement;
    if (!active || !element.contains(active)) return null;
    if (active.dataset && active.dataset.action) return active.dataset.action.replace("react-choice:", "react:");
    return "";
  }

  function replaceMessage(existing, element) {
    const key = focusKey(existing);
    const editor = existing.querySelector(".chat-editor");
    const editorFocused = editor && editor.contains(document.activeElement);
    existing.replaceWith(element);
    // Someone else's reaction must not throw away a change being written.
    if (editor && !element.classList.contains("chat-message-deleted")) {
      const body = element.querySelector(".chat-body");
      if (body) {
        body.hidden = true;
        body.after(editor);
        const tools = element.querySelector(".chat-tools");
        if (tools) tools.hidden = true;
        if (editorFocused) editor.querySelector("textarea").focus();
        return;
      }
    }
    if (key === null) return;
    const target =
      (key && element.querySelector(`[data-action="${CSS.escape(key)}"]`)) ||
      (key.startsWith("react:") && element.querySelector('[data-action="react-menu"]')) ||
      element;
    target.focus();
  }

  function openEditor(element) {
    if (element.querySelector(".chat-editor")) return;
    const body = element.querySelector(".chat-body");
    const tools = element.querySelector(".chat-tools");
    editorCount += 1;
    const fieldId = `chat-edit-${editorCount}`;
    const editor = document.createElement("div");
    editor.className = "chat-editor";
    const label = document.createElement("label");
    label.htmlFor = fieldId;
    label.textContent = texts.editLabel || "";
    const field = document.createElement("textarea");
    field.id = fieldId;
    field.rows = 3;
    field.maxLength = textarea.maxLength > 0 ? textarea.maxLength : 4000;
    field.value = body ? body.dataset.body || body.textContent.trim() : "";
    const help = document.createElement("p");
    help.className = "help-text";
    help.id = `${fieldId}-help`;
    help.textContent = texts.editHelp || "";
    field.setAttribute("aria-describedby", help.id);
    const save = makeButton(texts.save || "Save", "edit-save");
    const cancel = makeButton(texts.cancel || "Cancel", "edit-cancel");
    const row = document.createElement("div");
    row.className = "chat-tools";
    row.append(save, cancel);
    editor.append(label, field, help, row);
    if (body) {
      body.hidden = true;
      body.after(editor);
    } else {
      element.append(editor);
    }
    if (tools) tools.hidden = true;
    field.focus();
    field.setSelectionRange(field.value.length, field.value.length);
    field.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        closeEditor(editor.closest(".chat-message"));
      }
    });
  }

  function closeEditor(element) {
    if (!element) return;
    const editor = element.querySelector(".chat-editor");
    if (editor) editor.remove();
    const body = element.querySelector(".chat-body");
    if (body) body.hidden = false;
    const tools = element.querySelector(".chat-tools");
    if (tools) tools.hidden = false;
    const edit = element.querySelector('[data-action="edit"]');
    if (edit) edit.focus();
  }

  function askDelete(element) {
    if (element.querySelector(".chat-confirm")) return;
    const box = document.createElement("div");
    box.className = "chat-confirm";
    box.setAttribute("role", "group");
    const question = document.createElement("p");
    question.id = `chat-confirm-${element.dataset.seq}`;
    question.textContent = texts.deleteQuestion || "";
    box.setAttribute("aria-labelledby", question.id);
    const row = document.createElement("div");
    row.className = "chat-tools";
    const yes = makeButton(texts.deleteYes || "Yes", "delete-yes");
    const no = makeButton(texts.deleteNo || "No", "delete-no");
    row.append(yes, no);
    box.append(question, row);
    const tools = element.querySelector(".chat-tools");
    if (tools) tools.after(box);
    else element.append(box);
    no.focus();
  }

  function closeConfirm(element, focusAction) {
    const box = element.querySelector(".chat-confirm");
    if (box) box.remove();
    const target = element.querySelector(`[data-action="${focusAction}"]`);
    if (target) target.focus();
  }

  function startReply(element) {
    const body = element.querySelector(".chat-body");
    const excerpt = body ? body.textContent.trim().replace(/\s+/g, " ") : "";
    replyingTo = Number(element.dataset.id);
    if (replyBox) {
      replyBox.querySelector(".chat-replying-text").textContent = (texts.replying || "{name}").replace(
        "{name}",
        messageName(element),
      );
      replyBox.querySelector(".chat-replying-quote").textContent =
        excerpt.length > 80 ? `${excerpt.slice(0, 79)}…` : excerpt;
      replyBox.hidden = false;
    }
    textarea.focus();
  }

  function cancelReply() {
    replyingTo = null;
    if (replyBox) replyBox.hidden = true;
  }

  function takeReply() {
    const replyTo = replyingTo;
    cancelReply();
    return replyTo;
  }

  if (replyBox) {
    replyBox.querySelector(".chat-replying-cancel").addEventListener("click", () => {
      cancelReply();
      textarea.focus();
    });
  }

  log.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button || !log.contains(button)) return;
    const element = button.closest(".chat-message");
    if (!element) return;
    const id = Number(element.dataset.id);
    const action = button.dataset.action;
    if (action.startsWith("react:") || action.startsWith("react-choice:")) {
      const emoji = action.slice(action.indexOf(":") + 1);
      const adding = button.getAttribute("aria-pressed") !== "true";
      if (sendFrame({ type: "react", id, emoji })) say(adding ? texts.reacted : texts.unreacted, { emoji });
    } else if (action === "react-menu") {
      const menu = element.querySelector(".chat-react-menu");
      const open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", String(open));
      menu.hidden = !open;
    } else if (action === "reply") {
      startReply(element);
    } else if (action === "edit") {
      openEditor(element);
    } else if (action === "edit-cancel") {
      closeEditor(element);
    } else if (action === "edit-save") {
      const field = element.querySelector(".chat-editor textarea");
      const body = field ? field.value.trim() : "";
      if (!body) return;
      if (sendFrame({ type: "edit", id, body })) {
        closeEditor(element);
        say(texts.editedDone);
      }
    } else if (action === "delete") {
      askDelete(element);
    } else if (action === "delete-no") {
      closeConfirm(element, "delete");
    } else if (action === "delete-yes") {
      if (sendFrame({ type: "delete", id })) {
        closeConfirm(element, "delete");
        say(texts.deletedDone);
      }
    }
  });

  // @mentions: typing "@" and the start of a name offers the room's members as buttons below the composer.
  function mentionQuery() {
    const before = textarea.value.slice(0, textarea.selectionStart);
    const match = /(?:^|[\s(])@([^\n@]{0,40})$/.exec(before);
    return match ? { text: match[1], start: before.length - match[1].length - 1 } : null;
  }

  function closePicker() {
    if (!picker) return;
    picker.hidden = true;
    pickerList.replaceChildren();
  }

  function updatePicker() {
    if (!picker) return;
    const query = mentionQuery();
    if (!query) return closePicker();
    const wanted = query.text.toLocaleLowerCase();
    const matches = members.filter((member) => member.name.toLocaleLowerCase().startsWith(wanted)).slice(0, 8);
    if (!matches.length) return closePicker();
    const wasHidden = picker.hidden;
    pickerList.replaceChildren(
      ...matches.map((member) => {
        const item = document.createElement("li");
        const button = makeButton(member.name, "mention");
        button.dataset.name = member.name;
        item.append(button);
        return item;
      }),
    );
    picker.hidden = false;
    if (wasHidden) say(texts.mentionMatches, { count: String(matches.length) });
  }

  function chooseMention(name) {
    const query = mentionQuery();
    const caret = textarea.selectionStart;
    const start = query ? query.start : caret;
    const inserted = `@${name} `;
    textarea.value = textarea.value.slice(0, start) + inserted + textarea.value.slice(caret);
    closePicker();
    textarea.focus();
    textarea.setSelectionRange(start + inserted.length, start + inserted.length);
  }

  if (picker) {
    textarea.addEventListener("input", updatePicker);
    textarea.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" && !picker.hidden) {
        event.preventDefault();
        pickerList.querySelector("button").focus();
      } else if (event.key === "Escape") {
        if (!picker.hidden) closePicker();
        else if (replyingTo !== null) cancelReply();
      }
    });
    pickerList.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-name]");
      if (button) chooseMention(button.dataset.name);
    });
    pickerList.addEventListener("keydown", (event) => {
      const buttons = [...pickerList.querySelectorAll("button")];
      const index = buttons.indexOf(document.activeElement);
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const next = index + (event.key === "ArrowDown" ? 1 : -1);
        if (next < 0) textarea.focus();
        else buttons[Math.min(next, buttons.length - 1)].focus();
      } else if (event.key === "Escape") {
        event.preventDefault();
        closePicker();
        textarea.focus();
      }
    });
  }

  for (const element of log.querySelectorAll(".chat-message[data-seq]")) decorate(element);

  window.addEventListener("offline", dropSocket);
  window.addEventListener("online", reconnectNow);
  document.addEventListener("visibilitychange", markRead);

  log.scrollTop = log.scrollHeight;
  connect();
}

const chatSection = document.getElementById("chat");
if (chatSection && chatSection.dataset.wsPath) startChat(chatSection);
