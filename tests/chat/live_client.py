"""A protocol client for real daphne processes (the `websockets` library): logs in by session cookie,
keeps messages by seq, resumes after every drop and retries unacknowledged sends with their client_id."""

import asyncio
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
    pending: dict[str, str] = field(default_factory=dict)
    sent: list[str] = field(default_factory=list)
    connections: int = 0
    live_order: list[int] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    # The ids of the people in the last `presence` frame.
    present: set[int] = field(default_factory=set)
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
            self.live_order.append(message["seq"])
            self.held[message["seq"]] = message
            if message["author"] and message["author"]["id"] == self.user_id:
                self.pending.pop(message["client_id"], None)
            while self.contiguous + 1 in self.held:
                self.contiguous += 1
        elif frame["type"] == "resumed":
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

    async def resume(self) -> None:
        self._resumed.clear()
        await self._send({"type": "resume", "after": self.contiguous})

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
                    self.connections += 1
                    attempt = 0
                    await self.resume()
                    resent = False
                    async for text in socket:
                        self._take(json.loads(text))
                        if self._resumed.is_set() and not resent:
                            resent = True
                            for client_id, body in list(self.pending.items()):
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
