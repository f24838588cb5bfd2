// Moderation and pins in the discussion (docs/protocol.md): the room's rules on the composer,
// the pinned list, a per-message actions menu (report; pin, unpin, remove for facilitators)
// and the facilitators' panel. chat.js owns the socket: it hands over the frames it does not
// handle as "chat:frame" events and lends its sender as section.chatSendFrame. Without a
// socket, every action here is a plain link or form that works without JavaScript.

const PANEL_FRAMES = new Set(["lock", "unlock", "slow_mode", "mute", "unmute"]);

function startModeration(section) {
  const log = section.querySelector("#chat-log");
  const form = section.querySelector(".chat-composer");
  const notice = section.querySelector("#chat-room-notice");
  if (!log || !form || !notice) return;
  const textarea = form.querySelector("textarea");
  const sendButton = form.querySelector("button[type=submit]");
  const pinsBox = section.querySelector("#chat-pins");
  const actionStatus = section.querySelector(".chat-action-status");
  const panel = section.querySelector("#chat-moderation");
  const panelStatus = panel ? panel.querySelector(".chat-moderation-status") : null;
  const texts = (section.querySelector(".chat-moderation-texts") || { dataset: {} }).dataset;
  const reportTemplate = section.querySelector("#chat-report-form");
  const errorLine = section.querySelector(".chat-error");
  const userId = Number(section.dataset.userId);

  const state = { locked: false, slowModeSeconds: 0, mutedUntil: null, moderator: notice.dataset.moderator === "1" };
  const pinned = new Set([...(pinsBox ? pinsBox.querySelectorAll("li[data-id]") : [])].map((item) => Number(item.dataset.id)));
  let unmuteTimer = null;

  function send(frame) {
    return typeof section.chatSendFrame === "function" && section.chatSendFrame(frame);
  }

  function tell(element, text) {
    if (!element) return;
    // Cleared first, so the same sentence twice is announced twice.
    element.textContent = "";
    setTimeout(() => {
      element.textContent = text;
    }, 50);
  }

  // ---------------------------------------------------------------------- the room's rules

  function formatTime(iso) {
    const moment = new Date(iso);
    const language = section.dataset.language || document.documentElement.lang || undefined;
    return moment.toLocaleString(language, { day: "numeric", month: "long", hour: "2-digit", minute: "2-digit" });
  }

  function showRules() {
    const muted = state.mutedUntil && new Date(state.mutedUntil) > new Date();
    const wasClosed = section.dataset.composerClosed === "true";
    const sentences = [];
    if (muted) sentences.push((notice.dataset.muted || "").replace("{time}", formatTime(state.mutedUntil)));
    if (state.locked) sentences.push(state.moderator ? notice.dataset.lockedModerator : notice.dataset.locked);
    if (state.slowModeSeconds) sentences.push((notice.dataset.slow || "").replace("{seconds}", state.slowModeSeconds));
    const text = sentences.filter(Boolean).join(" ");
    if (notice.textContent !== text) notice.textContent = text;
    notice.hidden = !text;
    const closed = Boolean(muted) || (state.locked && !state.moderator);
    const refused = section.dataset.connection === "refused";
    textarea.disabled = closed || refused;
    sendButton.disabled = closed || refused;
    section.dataset.roomLocked = state.locked ? "true" : "false";
    section.dataset.composerClosed = closed ? "true" : "false";
    if (wasClosed && !closed && errorLine) {
      // The refusal that closed the composer no longer holds.
      errorLine.hidden = true;
      errorLine.textContent = "";
    }
    if (panel) {
      for (const lockForm of panel.querySelectorAll('form[data-frame="lock"]')) lockForm.hidden = state.locked;
      for (const unlockForm of panel.querySelectorAll('form[data-frame="unlock"]')) unlockForm.hidden = !state.locked;
      const slowSelect = panel.querySelector('form[data-frame="slow_mode"] select');
      if (slowSelect && document.activeElement !== slowSelect) slowSelect.value = String(state.slowModeSeconds);
    }
    clearTimeout(unmuteTimer);
    if (muted) {
      // A mute runs out by itself: open the composer again then.
      const wait = Math.min(new Date(state.mutedUntil) - new Date() + 500, 2 ** 31 - 1);
      unmuteTimer = setTimeout(showRules, wait);
    }
  }

  function applyRoomState(frame) {
    state.locked = Boolean(frame.locked);
    state.slowModeSeconds = Number(frame.slow_mode_seconds) || 0;
    state.mutedUntil = frame.muted_until || null;
    state.moderator = Boolean(frame.moderator);
    showRules();
  }

  // ---------------------------------------------------------------------- pins

  function applyPins(frame) {
    if (!pinsBox) return;
    const template = document.createElement("template");
    template.innerHTML = (frame.html || "").trim(); // rendered and sanitized by the server
    pinsBox.replaceChildren(template.content);
    pinned.clear();
    for (const pin of frame.pins || []) pinned.add(Number(pin.id));
    for (const button of log.querySelectorAll('[data-moderation-action="pin"]')) labelPinButton(button);
  }

  if (pinsBox) {
    pinsBox.addEventListener("click", (event) => {
      const link = event.target.closest("a");
      const item = link && link.closest("li[data-seq]");
      if (!item) return;
      const message = log.querySelector(`#message-${CSS.escape(item.dataset.seq)}`);
      if (!message) return; // older than the page: the link opens the history page there
      event.preventDefault();
      if (!message.hasAttribute("tabindex")) message.tabIndex = -1;
      message.scrollIntoView({ block: "center" });
      message.focus({ preventScroll: true });
    });
  }

  // ---------------------------------------------------------------------- the actions menu of a message

  function button(label, action, extra = {}) {
    const element = document.createElement("button");
    element.type = "button";
    element.textContent = label;
    element.dataset.moderationAction = action;
    for (const [key, value] of Object.entries(extra)) element.setAttribute(key, value);
    return element;
  }

  function authorName(message) {
    const author = message.querySelector(".chat-author");
    return author ? author.textContent.trim() : "";
  }

  function labelPinButton(pinButton) {
    const message = pinButton.closest(".chat-message");
    pinButton.textContent = pinned.has(Number(message.dataset.id)) ? texts.unpin : texts.pin;
  }

  function enhance(message) {
    const holder = message.querySelector("p.chat-actions");
    if (!holder || !message.dataset.id) return;
    const link = holder.querySelector("a");
    const own = Number(message.dataset.authorId) === userId;
    const deleted = message.classList.contains("chat-message-deleted");
    if (deleted || (own && !state.moderator)) {
      holder.remove();
      return;
    }
    const menuId = `chat-actions-${message.dataset.seq}`;
    const container = document.createElement("div");
    container.className = "chat-actions";
    const toggle = button(texts.actions || "…", "menu", {
      "aria-expanded": "false",
      "aria-controls": menuId,
      "aria-label": (texts.actionsLabel || "{name}").replace("{name}", authorName(message)),
    });
    toggle.dataset.href = link ? link.href : "";
    const menu = document.createElement("div");
    menu.className = "chat-actions-menu";
    menu.id = menuId;
    menu.hidden = true;
    menu.setAttribute("role", "group");
    menu.setAttribute("aria-label", toggle.getAttribute("aria-label"));
    // Facilitators act on a message themselves; members report it to them.
    if (!own && !state.moderator) menu.append(button(texts.report, "report"));
    if (state.moderator) {
      const pinButton = button(texts.pin, "pin");
      menu.append(pinButton);
      menu.append(button(texts.remove, "remove", { class: "danger" }));
      container.append(toggle, menu);
      holder.replaceWith(container);
      labelPinButton(pinButton);
      return;
    }
    container.append(toggle, menu);
    holder.replaceWith(container);
  }

  function closeMenu(message, focusToggle) {
    const toggle = message.querySelector('[data-moderation-action="menu"]');
    const menu = message.querySelector(".chat-actions-menu");
    if (!toggle || !menu) return;
    toggle.setAttribute("aria-expanded", "false");
    menu.hidden = true;
    for (const extra of menu.querySelectorAll(".chat-report-form, .chat-remove-confirm")) extra.remove();
    for (const item of menu.querySelectorAll("[data-moderation-action]")) item.hidden = false;
    if (focusToggle) toggle.focus();
  }

  function openReportForm(message) {
    const menu = message.querySelector(".chat-actions-menu");
    if (!reportTemplate || menu.querySelector(".chat-report-form")) return;
    const reportForm = reportTemplate.content.firstElementChild.cloneNode(true);
    const suffix = `-${message.dataset.seq}`;
    for (const element of reportForm.querySelectorAll("[id]")) element.id += suffix;
    for (const label of reportForm.querySelectorAll("label[for]")) label.htmlFor += suffix;
    for (const item of menu.querySelectorAll(":scope > [data-moderation-action]")) item.hidden = true;
    menu.append(reportForm);
    reportForm.querySelector("input[type=radio]").focus();
  }

  function askRemove(message) {
    const menu = message.querySelector(".chat-actions-menu");
    if (menu.querySelector(".chat-remove-confirm")) return;
    const confirm = document.createElement("div");
    confirm.className = "chat-remove-confirm";
    confirm.setAttribute("role", "group");
    const question = document.createElement("p");
    question.id = `chat-remove-question-${message.dataset.seq}`;
    question.textContent = (texts.removeQuestion || "").replace("{name}", authorName(message));
    confirm.setAttribute("aria-labelledby", question.id);
    confirm.append(question, button(texts.removeYes, "remove-yes", { class: "danger" }), button(texts.no, "remove-no"));
    for (const item of menu.querySelectorAll(":scope > [data-moderation-action]")) item.hidden = true;
    menu.append(confirm);
    confirm.querySelector('[data-moderation-action="remove-no"]').focus();
  }

  log.addEventListener("click", (event) => {
    const target = event.target.closest("button[data-moderation-action]");
    if (!target || !log.contains(target)) return;
    const message = target.closest(".chat-message");
    const id = Number(message.dataset.id);
    const action = target.dataset.moderationAction;
    if (action === "menu") {
      const open = target.getAttribute("aria-expanded") !== "true";
      if (!open) return closeMenu(message, false);
      target.setAttribute("aria-expanded", "true");
      message.querySelector(".chat-actions-menu").hidden = false;
    } else if (action === "report") {
      // Without a socket, the message's own page has the same form.
      if (section.dataset.connection !== "connected") {
        const href = message.querySelector('[data-moderation-action="menu"]').dataset.href;
        if (href) window.location.href = href;
        return;
      }
      openReportForm(message);
    } else if (action === "report-cancel") {
      closeMenu(message, true);
    } else if (action === "pin") {
      if (send({ type: pinned.has(id) ? "unpin" : "pin", id })) closeMenu(message, true);
    } else if (action === "remove") {
      askRemove(message);
    } else if (action === "remove-no") {
      closeMenu(message, true);
    } else if (action === "remove-yes") {
      if (send({ type: "delete", id })) closeMenu(message, false);
    }
  });

  log.addEventListener("submit", (event) => {
    const reportForm = event.target.closest(".chat-report-form");
    if (!reportForm) return;
    event.preventDefault();
    const message = reportForm.closest(".chat-message");
    const data = new FormData(reportForm);
    const frame = { type: "report", id: Number(message.dataset.id), reason: String(data.get("reason") || "") };
    const text = String(data.get("text") || "").trim();
    if (text) frame.text = text;
    if (send(frame)) closeMenu(message, true);
  });

  log.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const menu = event.target.closest(".chat-actions-menu");
    if (menu && !menu.hidden) {
      event.preventDefault();
      closeMenu(menu.closest(".chat-message"), true);
    }
  });

  // Messages arrive and are redrawn by chat.js: give each its menu when it appears.
  new MutationObserver((changes) => {
    for (const change of changes) {
      for (const node of change.addedNodes) {
        if (node.nodeType === Node.ELEMENT_NODE && node.matches(".chat-message")) enhance(node);
      }
    }
  }).observe(log, { childList: true });
  for (const message of log.querySelectorAll(".chat-message")) enhance(message);

  // ---------------------------------------------------------------------- the facilitators' panel

  if (panel) {
    panel.addEventListener("submit", (event) => {
      const panelForm = event.target.closest("form[data-frame]");
      if (!panelForm || !PANEL_FRAMES.has(panelForm.dataset.frame)) return;
      const data = new FormData(panelForm);
      const frame = { type: panelForm.dataset.frame };
      if (data.has("user")) frame.user = Number(data.get("user"));
      if (data.has("seconds")) frame.seconds = Number(data.get("seconds"));
      // With the socket open, the same change goes over it; otherwise the form posts as usual.
      if (send(frame)) event.preventDefault();
    });
  }

  function showReports(count) {
    for (const element of section.querySelectorAll(".chat-reports-count")) element.textContent = String(count);
  }

  // ---------------------------------------------------------------------- frames

  section.addEventListener("chat:open", () => {
    // A (re)opened socket sends room_state only when the room is not in its ordinary state.
    state.locked = false;
    state.slowModeSeconds = 0;
    state.mutedUntil = null;
    showRules();
  });

  section.addEventListener("chat:frame", (event) => {
    const frame = event.detail;
    if (frame.type === "room_state") applyRoomState(frame);
    else if (frame.type === "pins") applyPins(frame);
    else if (frame.type === "reports") showReports(frame.open);
    else if (frame.type === "done") tell(PANEL_FRAMES.has(frame.frame) && panelStatus ? panelStatus : actionStatus, frame.detail);
  });
}

const section = document.getElementById("chat");
if (section && section.dataset.wsPath) startModeration(section);
