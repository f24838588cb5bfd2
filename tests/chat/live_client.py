"""A protocol client for real daphne processes (the `websockets` library): logs in by session cookie,
keeps messages by seq, resumes after every drop and retries unacknowledged sends with their client_id.

It also counts how often each seq arrives as news: once, except a resume's replay above the `after` it
asked with (it held that message above a gap) and the answer to a send it retried. Anything else twice is a
duplicate the screen would have absorbed (these clients never edit, delete or react)."""

import asyncio
import collections
import contextlib
import json
import random
import uuid
from dataclasses import dataclass, field

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidHandshake, WebSocketException

ORIGIN = "http://127.0.0.1"
# As the browser client: a gap in seq that does not fill within this long is asked for with `resume`.
GAP_WAIT_SECONDS = 0.5


def session_key_for(user) -> str:
    """A logged-in session for `user`, stored as the login view would store it."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key


@dataclass
class ChatClient:
    """One person's socket to one server. `held` is what a screen would show: one message per seq."""

    server_url: str
    room_id: int
    session_key: str
    user_id: int
    held: dict[int, dict] = field(default_factory=dict)
    contiguous: int = 0
    highest: int = 0
    pending: dict[str, str] = field(default_factory=dict)
    sent: list[str] = field(default_factory=list)
    connections: int = 0
    live_order: list[int] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    # The ids of the people in the last `presence` frame.
    present: set[int] = field(default_factory=set)
    # Per seq, the `message` frames that were news (see the module docstring).
    deliveries: collections.Counter = field(default_factory=collections.Counter)
    # The client_ids sent again after a reconnect: their answer may repeat a message already held.
    retried: set[str] = field(default_factory=set)
    # The `after` of each resume sent on this socket and not yet answered by `resumed`, oldest first.
    _resumes_open: list[int] = field(default_factory=list)
    _gap_since: float | None = None
    _socket: object = None
    _resumed: asyncio.Event = field(default_factory=asyncio.Event)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        return self.server_url.replace("http://", "ws://") + f"/ws/rooms/{self.room_id}/"

    def bodies(self) -> list[tuple[int, str]]:
        return [(seq, self.held[seq]["body"]) for seq in sorted(self.held)]

    def _take(self, frame: dict) -> None:
        if frame["type"] == "message":
            message = frame["message"]
            seq = message["seq"]
            own = bool(message["author"]) and message["author"]["id"] == self.user_id
            replayed = any(after < seq for after in self._resumes_open)
            if seq not in self.held or not (replayed or (own and message["client_id"] in self.retried)):
                self.deliveries[seq] += 1
            self.live_order.append(seq)
            self.held[seq] = message
            self.highest = max(self.highest, seq)
            if own:
                self.pending.pop(message["client_id"], None)
            while self.contiguous + 1 in self.held:
                self.contiguous += 1
        elif frame["type"] == "resumed":
            if self._resumes_open:
                self._resumes_open.pop(0)
            self._resumed.set()
        elif frame["type"] == "error":
            self.errors.append(frame)
        elif frame["type"] == "presence":
            self.present = {user["id"] for user in frame["users"]}
        self._changed.set()

    async def _send(self, frame: dict) -> None:
        socket = self._socket
        if socket is None:
            return
        with contextlib.suppress(WebSocketException, OSError):
            await socket.send(json.dumps(frame))

    async def send_new(self, body: str) -> None:
        """A new message: pending until acknowledged, sent now if connected (else after the next resume)."""
        client_id = str(uuid.uuid4())
        self.pending[client_id] = body
        self.sent.append(client_id)
        await self._send({"type": "send", "client_id": client_id, "body": body})

    def duplicated(self) -> dict[int, int]:
        """The seqs that arrived as news more than once, with how often."""
        return {seq: count for seq, count in sorted(self.deliveries.items()) if count > 1}

    async def resume(self) -> None:
        """Ask for everything after the last seq held with no gap below it (never from further back)."""
        self._resumed.clear()
        if self._socket is None:
            return
        self._resumes_open.append(self.contiguous)
        await self._send({"type": "resume", "after": self.contiguous})

    async def _resume_a_lasting_gap(self) -> None:
        """A broadcast lost on the way (a process killed after storing): ask for it once the gap lasts."""
        if self._resumes_open or self.highest <= self.contiguous:
            self._gap_since = None
            return
        now = asyncio.get_running_loop().time()
        if self._gap_since is None:
            self._gap_since = now
        elif now - self._gap_since > GAP_WAIT_SECONDS:
            self._gap_since = None
            await self.resume()

    async def run(self, stop: asyncio.Event) -> None:
        """Stay connected until `stop`: reconnect with backoff and jitter, resume, retry pending sends."""
        attempt = 0
        while not stop.is_set():
            try:
                async with connect(
                    self.url,
                    origin=ORIGIN,
                    additional_headers={"Cookie": f"sessionid={self.session_key}"},
                    open_timeout=3,
                    close_timeout=1,
                    proxy=None,
                ) as socket:
                    self._socket = socket
                    self._resumes_open = []
                    self.connections += 1
                    attempt = 0
                    await self.resume()
                    resent = False
                    async for text in socket:
                        self._take(json.loads(text))
                        await self._resume_a_lasting_gap()
                        if self._resumed.is_set() and not resent:
                            resent = True
                            for client_id, body in list(self.pending.items()):
                                self.retried.add(client_id)
                                await self._send({"type": "send", "client_id": client_id, "body": body})
                        if stop.is_set():
                            break
            except (OSError, TimeoutError, InvalidHandshake, WebSocketException):
                pass
            finally:
                self._socket = None
            if stop.is_set():
                break
            base = min(2.0, 0.1 * 2**attempt)
            attempt += 1
            await asyncio.sleep(base / 2 + random.random() * base / 2)

    async def wait_until(self, condition, timeout: float) -> None:
        """Wait until `condition()` holds, checking whenever a frame arrives."""
        async with asyncio.timeout(timeout):
            while not condition():
                self._changed.clear()
                await self._changed.wait()
