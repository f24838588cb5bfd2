"""The room hub: one subscription per room per process, one encoded frame written to every local socket.

Stock Channels pays, for every recipient of a message, a channel-layer message, a consumer dispatch
and a JSON encode (26-41x a bare websocket broadcast on our machine, shared/bench/README.md). Here
each server process (each event loop) keeps the room sockets it serves, per room. A stored message
is published once per room (services, after commit); each process receives it once, encodes the
`message` frame once per language, and writes that one frame to the ASGI `send` of each local
socket, with no consumer dispatch in between.

Transport, chosen from the channel layer:
- Redis channel layer: one Redis pub/sub connection per process, one channel per room that has
  local sockets, subscribed when the first socket joins (a socket counts as joined once Redis
  confirms) and unsubscribed when the last leaves. Pub/sub is at most once: when the connection
  drops, every local socket is closed (1012), so that its client reconnects and resumes from the
  database, which is the truth.
- Any other layer (the in-memory layer of development and tests): the room group of the layer,
  joined by one hub channel per process.

A socket whose client does not read is disconnected once the server holds more than
SLOW_SOCKET_BYTES for it (daphne writes without backpressure and would buffer without limit);
while its consumer handles a client frame, live frames wait in a list capped at HELD_FRAMES.
"""

import asyncio
import functools
import json
import logging
import threading
import uuid
import weakref
from typing import Any
from urllib.parse import unquote, urlsplit

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings

from . import protocol
from .groups import room_group_name

logger = logging.getLogger(__name__)

# Bytes the server may hold unsent for one socket before it is disconnected as too slow.
SLOW_SOCKET_BYTES = 1 << 20
# Live frames kept for a socket while its consumer handles a client frame (its own answers go first).
HELD_FRAMES = 1000
# Close code for sockets whose live stream broke (a client reconnects and resumes): "service restart".
STREAM_LOST = 1012
# Close code for a socket too slow to keep up: "try again later".
TOO_SLOW = 1013
# Two processes (or threads) that store seq 7 and 8 one after the other may publish them the other
# way round. A new message that arrives ahead of a missing seq waits this long for it.
REORDER_WAIT_SECONDS = 0.2
# Where a message event keeps its encoded `message` frame per language (for sockets that get it later).
HELD_FRAMES_KEY = "_frames"


def _frame(frames: dict[str, dict], payload: dict, html: dict[str, str], language: str) -> dict:
    """The `message` frame in `language`, encoded once per event and language."""
    frame = frames.get(language)
    if frame is None:
        text = html.get(language) or next(iter(html.values()))
        frame = frames[language] = {
            "type": "websocket.send",
            "text": json.dumps(protocol.message_frame({**payload, "html": text})),
        }
    return frame


# Presence changes within this time go to a room's sockets as one `presence` frame.
PRESENCE_COALESCE_SECONDS = 0.05


def _author(consumer: Any) -> protocol.Author:
    return {"id": consumer.user.pk, "name": consumer.user.name}


# ---------------------------------------------------------------------------- publishing (sync, after commit)


def _redis_address(layer: Any) -> str | None:
    """The Redis URL of a channels_redis layer, or None for any other layer."""
    if not type(layer).__module__.startswith("channels_redis"):
        return None
    hosts = getattr(layer, "hosts", None) or []
    if hosts and isinstance(hosts[0], dict) and hosts[0].get("address"):
        return str(hosts[0]["address"])
    return settings.REDIS_URL or "redis://localhost:6379"


def _redis_channel(layer: Any, address: str, room_id: int) -> str:
    """Pub/sub channels ignore the database number: keep different databases (and prefixes) apart by name."""
    database = (urlsplit(address).path or "/0").strip("/") or "0"
    return f"{getattr(layer, 'prefix', 'asgi')}:chat:{database}:{room_group_name(room_id)}"


_publishers: dict[str, Any] = {}
_publishers_lock = threading.Lock()


def _publisher(address: str) -> Any:
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    with _publishers_lock:
        client = _publishers.get(address)
        if client is None:
            # No retries and short timeouts: publishing runs on the thread that committed (the
            # database thread of the socket), and a Redis that is down must fail it at once,
            # not hold every socket's database work for seconds of backoff. Resume heals the gap.
            client = _publishers[address] = redis.Redis.from_url(
                address, socket_timeout=2, socket_connect_timeout=1, retry=Retry(NoBackoff(), 0)
            )
        return client


def publish(room_id: int, event: dict) -> None:
    """Send a room event (protocol.message_event) once to every process with sockets in the room. Raises when the transport is down."""
    layer = get_channel_layer()
    if layer is None:
        return
    event = {**event, "room": room_id}
    address = _redis_address(layer)
    if address is None:
        async_to_sync(layer.group_send)(room_group_name(room_id), event)
        return
    _publisher(address).publish(_redis_channel(layer, address, room_id), json.dumps(event))


# ---------------------------------------------------------------------------- the hub of one process


def _asgi_send(send: Any) -> Any:
    """The server's own `send` under Channels' session middleware, which only acts on HTTP responses."""
    while getattr(send, "__name__", "") == "send" and hasattr(getattr(send, "__self__", None), "real_send"):
        send = send.__self__.real_send
    return send


def _socket(consumer: Any) -> tuple[Any, Any]:
    """What the hub writes to: the ASGI send, and daphne's transport behind it (None elsewhere)."""
    send = _asgi_send(consumer.base_send)
    return send, _transport_of(send)


def _transport_of(send: Any) -> Any:
    """daphne's Twisted transport behind an ASGI `send`, to see how much it holds unsent (None elsewhere)."""
    if isinstance(send, functools.partial) and send.args:
        transport = getattr(send.args[0], "transport", None)
        if transport is not None and hasattr(transport, "_tempDataLen") and hasattr(transport, "dataBuffer"):
            return transport
    return None


def _unsent_bytes(transport: Any) -> int:
    return transport._tempDataLen + len(transport.dataBuffer) - transport.offset


class RoomHub:
    """The room sockets of one event loop, and the one subscription per room that feeds them."""

    def __init__(self) -> None:
        # room id -> {consumer: (its ASGI send, its daphne transport or None)}
        self.rooms: dict[int, dict[Any, Any]] = {}
        self.ready: dict[int, asyncio.Future] = {}
        self.transport: _RedisTransport | _LayerTransport | None = None
        # room id -> the next new seq expected, and new messages that came ahead of it
        self.next_seq: dict[int, int] = {}
        self.early: dict[int, dict[int, dict]] = {}
        # room id -> [(seq, future)]: acknowledgements waiting until the messages before theirs went out
        self.waiting: dict[int, list[tuple[int, asyncio.Future]]] = {}
        # room id -> {socket channel name: its person}: every socket in the room, in any process, as far
        # as this process has heard (its own sockets at once, others' from their processes' events).
        self.present: dict[int, dict[str, protocol.Author]] = {}
        self.presence_due: set[int] = set()
        # This process's name on the room streams: it answers `join` events of other processes only.
        self.origin = uuid.uuid4().hex
        self.slow_socket_bytes = getattr(settings, "CHAT_SLOW_SOCKET_BYTES", SLOW_SOCKET_BYTES)

    def _transport(self) -> "_RedisTransport | _LayerTransport":
        if self.transport is None:
            layer = get_channel_layer()
            address = _redis_address(layer)
            self.transport = _LayerTransport(self, layer) if address is None else _RedisTransport(self, layer, address)
        return self.transport

    async def join(self, room_id: int, consumer: Any) -> None:
        """Add the socket to the room; returns once the process receives the room's messages."""
        self.present.setdefault(room_id, {})[consumer.channel_name] = _author(consumer)
        sockets = self.rooms.get(room_id)
        if sockets is None:
            sockets = self.rooms[room_id] = {}
            ready = self.ready[room_id] = asyncio.get_running_loop().create_future()
            sockets[consumer] = _socket(consumer)
            try:
                await self._transport().subscribe(room_id)
            except BaseException as error:
                self._forget_room(room_id)
                if not ready.done():
                    ready.set_exception(ConnectionError("the room's stream could not be opened"))
                    ready.exception()  # retrieved: other waiters get it, nobody is warned of it
                raise error
            if not ready.done():
                ready.set_result(None)
        else:
            sockets[consumer] = _socket(consumer)
            await asyncio.shield(self.ready[room_id])

    def leave(self, room_id: int, consumer: Any) -> None:
        """Take the socket out of the room (safe to call twice, and from `finally`)."""
        sockets = self.rooms.get(room_id)
        if sockets is None or sockets.pop(consumer, False) is False:
            return
        self.present.get(room_id, {}).pop(consumer.channel_name, None)
        if not sockets:
            self._forget_room(room_id)
            if self.transport is not None:
                self.transport.unsubscribe(room_id)

    def _forget_room(self, room_id: int) -> None:
        self.rooms.pop(room_id, None)
        self.ready.pop(room_id, None)
        self.next_seq.pop(room_id, None)
        self.early.pop(room_id, None)
        self.present.pop(room_id, None)
        for _seq, future in self.waiting.pop(room_id, []):
            if not future.done():
                future.set_result(None)

    async def written_before(self, room_id: int, seq: int) -> None:
        """Return once the new messages before `seq` went out to the room's local sockets (at most
        REORDER_WAIT_SECONDS): the sender's acknowledgement of `seq` then follows its neighbours."""
        expected = self.next_seq.get(room_id)
        if expected is None or expected >= seq or room_id not in self.rooms:
            return
        future = asyncio.get_running_loop().create_future()
        self.waiting.setdefault(room_id, []).append((seq, future))
        try:
            await asyncio.wait_for(asyncio.shield(future), REORDER_WAIT_SECONDS)
        except TimeoutError:
            pass
        finally:
            waiting = self.waiting.get(room_id)
            if waiting is not None and (seq, future) in waiting:
                waiting.remove((seq, future))

    def _advanced(self, room_id: int) -> None:
        waiting = self.waiting.get(room_id)
        if not waiting:
            return
        expected = self.next_seq.get(room_id, 0)
        for seq, future in list(waiting):
            if expected >= seq and not future.done():
                future.set_result(None)

    async def receive(self, room_id: int, event: dict) -> None:
        """An event from the room's stream: a message, presence or typing."""
        kind = event.get("type")
        if kind == protocol.Event.MESSAGE:
            await self.deliver(room_id, event)
        elif kind == protocol.Event.PRESENCE:
            self._presence(room_id, event)
        elif kind == protocol.Event.TYPING:
            await self._typing(room_id, event)

    # -- presence and typing: one event per change on the room's stream, whatever the number of sockets

    def present_users(self, room_id: int) -> list[protocol.Author]:
        """Who is in the room now, each person once, by name."""
        users = {user["id"]: user for user in self.present.get(room_id, {}).values()}
        return sorted(users.values(), key=lambda user: (user["name"].casefold(), user["id"]))

    def presence_text(self, room_id: int) -> str:
        """The `presence` frame of the room as it stands, encoded."""
        return json.dumps(protocol.presence_frame(self.present_users(room_id)))

    async def announce(self, room_id: int, event: dict) -> None:
        """Publish a presence or typing event on the room's stream. Best effort: a lost one is a hint missed."""
        try:
            await self._transport().publish(room_id, {**event, "room": room_id, "origin": self.origin})
        except Exception:  # the stream is down: its sockets are being closed and will come back
            logger.info("chat: a best-effort %s event was lost", event.get("type"), exc_info=True)

    def _presence(self, room_id: int, event: dict) -> None:
        if room_id not in self.rooms:
            return
        present = self.present.setdefault(room_id, {})
        action = event.get("action")
        if action == protocol.PresenceAction.LEAVE:
            present.pop(event["channel"], None)
        elif action == protocol.PresenceAction.JOIN:
            present[event["channel"]] = event["user"]
            if event.get("origin") != self.origin:
                # One answer per process (not per socket): the sockets this process serves in the room.
                local = {consumer.channel_name: _author(consumer) for consumer in self.rooms.get(room_id, {})}
                _in_background(
                    self.announce(room_id, {"type": protocol.Event.PRESENCE.value, "action": "here", "sockets": local})
                )
        elif action == protocol.PresenceAction.HERE:
            present.update(event.get("sockets") or {})
        else:
            return
        self.presence_soon(room_id)

    def presence_soon(self, room_id: int) -> None:
        """Send the room's presence to its local sockets shortly, once for all changes meanwhile (a join storm)."""
        if room_id in self.presence_due:
            return
        self.presence_due.add(room_id)
        asyncio.get_running_loop().call_later(
            PRESENCE_COALESCE_SECONDS, lambda: _in_background(self._send_presence(room_id))
        )

    async def _send_presence(self, room_id: int) -> None:
        self.presence_due.discard(room_id)
        sockets = self.rooms.get(room_id)
        if not sockets:
            return
        text = self.presence_text(room_id)
        frame = {"type": "websocket.send", "text": text}
        for consumer, (send, transport) in list(sockets.items()):
            # Only to sockets whose last presence frame differs, once they have sent their first.
            if consumer.presence_sent is not None and consumer.presence_sent != text:
                consumer.presence_sent = text
                await self._send_live(room_id, consumer, send, transport, frame)

    async def _typing(self, room_id: int, event: dict) -> None:
        sockets = self.rooms.get(room_id)
        if not sockets:
            return
        typist = event["user"]
        frame = {"type": "websocket.send", "text": json.dumps(protocol.typing_frame(typist))}
        for consumer, (send, transport) in list(sockets.items()):
            if getattr(consumer, "user", None) is not None and consumer.user.pk != typist["id"]:
                await self._send_live(room_id, consumer, send, transport, frame)

    async def _send_live(self, room_id: int, consumer: Any, send: Any, transport: Any, frame: dict) -> None:
        """A hint frame (presence, typing) to one socket, unless it is closing or too slow."""
        if consumer.closing:
            return
        if transport is not None and _unsent_bytes(transport) > self.slow_socket_bytes:
            self._drop_slow(room_id, consumer, transport)
            return
        try:
            await send(frame)
        except Exception:  # a socket that is going away
            logger.debug("chat: a live frame could not be written", exc_info=True)

    # -- messages

    async def deliver(self, room_id: int, event: dict) -> None:
        """Take a published message event: new messages go out in seq order, changes at once."""
        if not event.get("new"):
            return await self._write(room_id, event)
        seq = event["message"]["seq"]
        expected = self.next_seq.get(room_id)
        if expected is not None and seq > expected:
            early = self.early.setdefault(room_id, {})
            if not early:
                asyncio.get_running_loop().call_later(
                    REORDER_WAIT_SECONDS, lambda: _in_background(self._stop_waiting(room_id))
                )
            early[seq] = event
            return None
        if expected is None or seq == expected:
            self.next_seq[room_id] = seq + 1
        await self._write(room_id, event)
        early = self.early.get(room_id)
        while early and self.next_seq[room_id] in early:
            following = early.pop(self.next_seq[room_id])
            self.next_seq[room_id] += 1
            await self._write(room_id, following)
        self._advanced(room_id)
        return None

    async def _stop_waiting(self, room_id: int) -> None:
        """The missing seq did not come (its publish was lost): send what waited; the clients resume the gap."""
        early = self.early.pop(room_id, None)
        if not early or room_id not in self.rooms:
            return
        for seq in sorted(early):
            await self._write(room_id, early[seq])
        self.next_seq[room_id] = max(early) + 1
        self._advanced(room_id)

    async def _write(self, room_id: int, event: dict) -> None:
        """Write a message event to every local socket of the room: one encode per language, one ASGI send per socket."""
        sockets = self.rooms.get(room_id)
        if not sockets:
            return
        payload = event["message"]
        seq = payload["seq"]
        html = event["html"]
        # The frame per language, encoded once; held events carry it to their consumer too.
        frames: dict[str, dict] = event.setdefault(HELD_FRAMES_KEY, {})
        for consumer, (send, transport) in list(sockets.items()):
            held = consumer.held_events
            if held is not None:
                if len(held) < HELD_FRAMES:
                    _frame(frames, payload, html, consumer.language)
                    held.append(event)
                else:
                    self._drop_slow(room_id, consumer, transport)
                continue
            acknowledged = consumer.acknowledged
            if acknowledged and acknowledged.get(seq) == payload:
                # The sender already has this state: its acknowledgement went out first.
                del acknowledged[seq]
                continue
            if event.get("new") and seq <= getattr(consumer, "replayed_up_to", 0):
                # A resume sent it already, as stored (a broadcast that came late, after the resume read it).
                continue
            if transport is not None and _unsent_bytes(transport) > self.slow_socket_bytes:
                self._drop_slow(room_id, consumer, transport)
                continue
            frame = frames.get(consumer.language) or _frame(frames, payload, html, consumer.language)
            try:
                await send(frame)
            except Exception:  # a socket that is going away: its consumer leaves the hub itself
                logger.debug("chat: a live frame could not be written", exc_info=True)

    def _drop_slow(self, room_id: int, consumer: Any, transport: Any) -> None:
        """A client that does not keep up is disconnected; it reconnects and resumes from the database."""
        logger.info("chat: a socket in room %s was too slow and is disconnected", room_id)
        self.leave(room_id, consumer)
        consumer.closing = True
        if transport is not None and hasattr(transport, "abortConnection"):
            transport.abortConnection()
        else:
            _in_background(_close(consumer, TOO_SLOW))

    def stream_lost(self) -> None:
        """The live stream broke (Redis went away): close every local socket, so that each client resumes."""
        rooms, self.rooms = self.rooms, {}
        self.present = {}
        for ready in self.ready.values():
            if not ready.done():
                ready.set_exception(ConnectionError("the room stream was lost"))
                ready.exception()
        self.ready = {}
        self.transport = None
        for sockets in rooms.values():
            for consumer in sockets:
                consumer.closing = True
                _in_background(_close(consumer, STREAM_LOST))


async def _close(consumer: Any, code: int) -> None:
    try:
        await consumer.base_send({"type": "websocket.close", "code": code})
    except Exception:  # already gone
        logger.debug("chat: closing a socket failed", exc_info=True)


_background: set[asyncio.Future] = set()


def _in_background(awaitable: Any) -> None:
    """Run without waiting, holding a reference until done (the loop keeps only weak ones)."""
    task = asyncio.ensure_future(awaitable)
    _background.add(task)
    task.add_done_callback(_background.discard)


_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, RoomHub]" = weakref.WeakKeyDictionary()


def room_hub() -> RoomHub:
    """The hub of the running event loop (one per daphne process)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = RoomHub()
    return hub


# ---------------------------------------------------------------------------- transports


def _command(*parts: bytes | str) -> bytes:
    encoded = [part.encode() if isinstance(part, str) else part for part in parts]
    return b"*%d\r\n" % len(encoded) + b"".join(b"$%d\r\n%s\r\n" % (len(part), part) for part in encoded)


async def _reply(reader: asyncio.StreamReader) -> Any:
    """One RESP2 reply (pub/sub pushes are arrays of bulk strings and integers)."""
    line = await reader.readline()
    if not line.endswith(b"\r\n"):
        raise ConnectionError("Redis closed the connection")
    kind, rest = line[:1], line[1:-2]
    if kind == b"*":
        return [await _reply(reader) for _item in range(int(rest))]
    if kind == b"$":
        length = int(rest)
        return None if length < 0 else (await reader.readexactly(length + 2))[:-2]
    if kind == b":":
        return int(rest)
    if kind == b"+":
        return rest
    raise ConnectionError(f"Redis answered {line[:200]!r}")


class _RedisTransport:
    """One pub/sub connection per process (a small RESP reader: nothing reconnects behind our back)."""

    def __init__(self, hub: RoomHub, layer: Any, address: str) -> None:
        self.hub, self.layer, self.address = hub, layer, address
        self.channels: dict[bytes, int] = {}
        self.confirmations: dict[bytes, list[asyncio.Future]] = {}
        self.writer: asyncio.StreamWriter | None = None
        self.connecting: asyncio.Future | None = None
        self.reader_task: asyncio.Task | None = None
        self.publisher: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        self.publish_lock: asyncio.Lock | None = None

    def _channel(self, room_id: int) -> bytes:
        return _redis_channel(self.layer, self.address, room_id).encode()

    async def _connect(self) -> None:
        if self.writer is not None:
            return
        if self.connecting is None:
            self.connecting = asyncio.ensure_future(self._open())
        try:
            await asyncio.shield(self.connecting)
        except BaseException:
            if self.connecting.done():  # failed: the next socket tries again
                self.connecting = None
            raise

    async def _open_connection(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        parts = urlsplit(self.address)
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(parts.hostname or "localhost", parts.port or 6379), 5
        )
        if parts.password:
            credentials = [unquote(parts.username)] if parts.username else []
            writer.write(_command("AUTH", *credentials, unquote(parts.password)))
            await writer.drain()
            await asyncio.wait_for(_reply(reader), 5)
        return reader, writer

    async def _open(self) -> None:
        reader, writer = await self._open_connection()
        self.writer = writer
        self.reader_task = asyncio.ensure_future(self._read(reader))

    async def publish(self, room_id: int, event: dict) -> None:
        """PUBLISH from the event loop, on a second connection (a subscribed one may not publish)."""
        if self.publish_lock is None:
            self.publish_lock = asyncio.Lock()
        async with self.publish_lock:
            try:
                if self.publisher is None or self.publisher[1].is_closing():
                    self.publisher = await self._open_connection()
                reader, writer = self.publisher
                writer.write(_command("PUBLISH", self._channel(room_id), json.dumps(event)))
                await writer.drain()
                await asyncio.wait_for(_reply(reader), 5)
            except BaseException:
                if self.publisher is not None:
                    self.publisher[1].close()
                self.publisher = None
                raise

    async def subscribe(self, room_id: int) -> None:
        await self._connect()
        channel = self._channel(room_id)
        self.channels[channel] = room_id
        confirmed = asyncio.get_running_loop().create_future()
        self.confirmations.setdefault(channel, []).append(confirmed)
        self.writer.write(_command("SUBSCRIBE", channel))
        await confirmed

    def unsubscribe(self, room_id: int) -> None:
        if self.writer is not None and not self.writer.is_closing():
            self.writer.write(_command("UNSUBSCRIBE", self._channel(room_id)))

    async def _read(self, reader: asyncio.StreamReader) -> None:
        hub = self.hub
        try:
            while True:
                push = await _reply(reader)
                kind = push[0]
                if kind == b"message":
                    room_id = self.channels.get(push[1])
                    if room_id is not None:
                        try:
                            await hub.receive(room_id, json.loads(push[2]))
                        except Exception:
                            logger.exception("chat: a published message could not be delivered")
                elif kind == b"subscribe":
                    waiting = self.confirmations.get(push[1])
                    if waiting:
                        future = waiting.pop(0)
                        if not future.done():
                            future.set_result(None)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            logger.warning("chat: the room stream from Redis broke (%s); closing local sockets", error)
        finally:
            for waiting in self.confirmations.values():
                for future in waiting:
                    if not future.done():
                        future.set_exception(ConnectionError("the room stream was lost"))
                        future.exception()
            if self.writer is not None:
                self.writer.close()
            if self.publisher is not None:
                self.publisher[1].close()
                self.publisher = None
            if hub.transport is self:
                hub.stream_lost()


class _LayerTransport:
    """The room group of the channel layer, joined by one hub channel per process (the in-memory layer)."""

    def __init__(self, hub: RoomHub, layer: Any) -> None:
        self.hub, self.layer = hub, layer
        self.channel: str | None = None
        self.reader_task: asyncio.Task | None = None

    async def subscribe(self, room_id: int) -> None:
        if self.channel is None:
            self.channel = await self.layer.new_channel()
            self.reader_task = asyncio.ensure_future(self._read(self.channel))
        await self.layer.group_add(room_group_name(room_id), self.channel)

    def unsubscribe(self, room_id: int) -> None:
        if self.channel is not None:
            _in_background(self.layer.group_discard(room_group_name(room_id), self.channel))

    async def publish(self, room_id: int, event: dict) -> None:
        await self.layer.group_send(room_group_name(room_id), event)

    async def _read(self, channel: str) -> None:
        try:
            while True:
                event = await self.layer.receive(channel)
                if "room" in event:
                    await self.hub.receive(event["room"], event)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            logger.warning("chat: the room stream from the channel layer broke (%s)", error)
            if self.hub.transport is self:
                self.hub.stream_lost()
