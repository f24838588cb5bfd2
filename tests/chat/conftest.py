"""Room sockets in-process: WebsocketCommunicator on the in-memory channel layer."""

import json
import uuid

import pytest
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from chat.routing import websocket_urlpatterns

IN_MEMORY_LAYER = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
QUIET_SECONDS = 0.15


@pytest.fixture
def in_memory_layer(settings) -> None:
    """Consumer tests run on the in-memory layer, also when REDIS_URL points at a real Redis."""
    settings.CHANNEL_LAYERS = IN_MEMORY_LAYER


class Socket:
    """A test client on one room socket: frames out, frames in, and the close code if the server closed."""

    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.communicator = communicator
        self.close_code: int | None = None

    async def send(self, frame: dict | str) -> None:
        text = frame if isinstance(frame, str) else json.dumps(frame)
        # send_input, not send_to: an empty text frame is a frame too.
        await self.communicator.send_input({"type": "websocket.receive", "text": text})

    async def receive(self, timeout: float = 2) -> dict:
        output = await self.communicator.receive_output(timeout)
        assert output["type"] == "websocket.send", output
        return json.loads(output["text"])

    async def receive_type(self, frame_type: str, timeout: float = 5) -> dict:
        """The next frame of this type, skipping others (but no unexpected error)."""
        while True:
            frame = await self.receive(timeout)
            if frame["type"] == frame_type:
                return frame
            assert frame["type"] != "error", frame

    async def receive_until(self, frame_type: str, timeout: float = 10) -> list[dict]:
        """Every frame up to and including the next one of this type."""
        frames = []
        while not frames or frames[-1]["type"] != frame_type:
            frames.append(await self.receive(timeout))
        return frames

    async def drain(self, quiet: float = QUIET_SECONDS) -> list[dict]:
        """Every frame until the socket has been quiet for `quiet` seconds."""
        frames = []
        while True:
            # receive_output's timeout would cancel the application; receive_nothing only looks.
            if await self.communicator.receive_nothing(timeout=quiet):
                return frames
            output = await self.communicator.receive_output()
            if output["type"] == "websocket.close":
                self.close_code = output.get("code")
                return frames
            frames.append(json.loads(output["text"]))

    async def closed_with(self, timeout: float = 2) -> int:
        while True:
            output = await self.communicator.receive_output(timeout)
            if output["type"] == "websocket.close":
                return output.get("code")

    async def send_message(self, body: str = "Hej", **fields) -> dict:
        frame = {"type": "send", "client_id": str(uuid.uuid4()), "body": body, **fields}
        await self.send(frame)
        return await self.receive_type("message")

    async def close(self) -> None:
        await self.communicator.disconnect()


async def open_socket(user, room_id: int, *, language: str | None = None) -> tuple[bool, Socket]:
    """Connect as `user` (None: anonymous) straight to the router, past session and origin checks."""
    from django.contrib.auth.models import AnonymousUser

    path = f"/ws/rooms/{room_id}/" + (f"?lang={language}" if language else "")
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), path)
    communicator.scope["user"] = user if user is not None else AnonymousUser()
    connected, _subprotocol = await communicator.connect()
    return connected, Socket(communicator)


async def joined(user, room_id: int, **options) -> Socket:
    """An accepted socket whose first presence frame has been read."""
    connected, socket = await open_socket(user, room_id, **options)
    assert connected
    first = await socket.receive()
    assert first["type"] == "presence"
    return socket


@database_sync_to_async
def session_key_for(user) -> str:
    """A logged-in session for `user`, as the login view would store it."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key
