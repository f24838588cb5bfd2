// Unread counts for the site header and My page, live from the person's own socket /ws/me/
// (docs/protocol.md: the `unread` frame). Without the socket nothing changes on the page:
// the header badge stays hidden and My page keeps the counts it was rendered with.

const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 60000;
const FINAL_CLOSE_CODES = new Set([4401, 4403]);

function plural(element, prefix, count) {
  const key = prefix ? `${prefix}${count === 1 ? "One" : "Many"}` : count === 1 ? "one" : "many";
  return (element.dataset[key] || "{count}").replace("{count}", String(count));
}

function show(frame) {
  const item = document.querySelector(".unread-item");
  if (item) {
    const link = item.querySelector(".unread-link");
    const text = link.querySelector(".unread-text");
    let label = plural(link, "", frame.total);
    if (frame.mentions > 0) label += ` – ${plural(link, "mention", frame.mentions)}`;
    if (text.textContent !== label) text.textContent = label;
    item.hidden = frame.total === 0;
  }
  for (const room of frame.rooms) {
    const badge = document.querySelector(`[data-unread-circle="${room.circle}"]`);
    if (badge) {
      badge.textContent = plural(badge, "", room.unread);
      badge.hidden = room.unread === 0;
    }
    const mentions = document.querySelector(`[data-mentions-circle="${room.circle}"]`);
    if (mentions) {
      mentions.textContent = plural(mentions, "", room.mentions);
      mentions.hidden = room.mentions === 0;
    }
  }
}

function start() {
  if (!("WebSocket" in window)) return;
  let attempt = 0;
  function connect() {
    let ws;
    try {
      const scheme = location.protocol === "https:" ? "wss:" : "ws:";
      ws = new WebSocket(`${scheme}//${location.host}/ws/me/`);
    } catch {
      return;
    }
    ws.addEventListener("open", () => {
      attempt = 0;
    });
    ws.addEventListener("message", (event) => {
      try {
        const frame = JSON.parse(event.data);
        if (frame.type === "unread") show(frame);
      } catch {
        // A frame this page does not understand changes nothing.
      }
    });
    ws.addEventListener("close", (event) => {
      if (FINAL_CLOSE_CODES.has(event.code)) return;
      const base = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** attempt);
      attempt += 1;
      setTimeout(connect, base / 2 + Math.random() * (base / 2));
    });
  }
  connect();
}

start();
