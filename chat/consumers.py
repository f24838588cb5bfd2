"""The room socket: checks access, reads client frames through chat.protocol and calls chat.services."""

import asyncio
import functools
import json
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import translation

from accounts.permissions import may_moderate_room, may_read_room
from config.errors import ServiceError

from . import protocol, selectors, services
from .consumer_moderation import MODERATION_FRAME_HANDLERS, ModerationFrames
from .groups import room_activity_group_name, room_group_name, user_group_name
from .hub import HELD_FRAMES_KEY, room_hub
from .models import Room
from .presenters import author_of, message_payload
from .protocol import CloseCode, ErrorCode, PresenceAction, ProtocolError

logger = logging.getLogger(__name__)

T = TypeVar("T")


class AccessLost(Exception):
    """The person is no longer an active member: the socket closes with 4403."""


ACKNOWLEDGED_KEPT = 100


def socket_language(scope: dict) -> str:
    """The language of `html` and `detail` on this socket: ?lang=<code> when the site has it, else the default."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    requested = (query.get("lang") or [""])[0]
    known = {code for code, _name in settings.LANGUAGES}
    return requested if requested in known else settings.LANGUAGE_CODE


def session_key_of(scope: dict) -> str | None:
    """The key of the session the socket was opened with (None without one)."""
    session = scope.get("session")
    return getattr(session, "session_key", None) if session is not None else None


class RoomConsumer(ModerationFrames, AsyncJsonWebsocketConsumer):
    """One person's socket in one room: /ws/rooms/<room_id>/."""

    room: Room | None = None
    closing = False
    hub = None
    # The last `presence` frame this socket was sent (the hub sends only changes).
    presence_sent: str | None = None
    # Live message events that arrive while a client frame is handled: sent after its answers.
    held_events: list[dict] | None = None
    # The highest seq a resume covered: a late broadcast of a new message up to it would come twice.
    replayed_up_to = 0

    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            # However the consumer ends (disconnect, a crash, cancelled by daphne), it leaves the hub.
            self._leave_hub()

    def _leave_hub(self) -> None:
        if self.hub is not None:
            self.hub.leave(self.room.pk, self)

    async def connect(self) -> None:
        self.language = socket_language(self.scope)
        self.limiter = protocol.RateLimiter(getattr(settings, "CHAT_RATE_LIMITS", protocol.RATE_LIMITS), time.monotonic)
        # What this socket last sent its person directly after their own change, by seq: the
        # broadcast of the same state is then not sent to them a second time.
        self.acknowledged: dict[int, dict] = {}
        user = self.scope.get("user")
        # Anonymous first: someone without a session learns nothing about which rooms exist.
        if user is None or not user.is_authenticated:
            return await self._refuse(CloseCode.NOT_LOGGED_IN)
        room, allowed = await database_sync_to_async(self._room_and_access)(
            user, int(self.scope["url_route"]["kwargs"]["room_id"])
        )
        if room is None:
            return await self._refuse(CloseCode.NO_SUCH_ROOM)
        if not allowed:
            return await self._refuse(CloseCode.FORBIDDEN)
        self.user, self.room = user, room
        # Accept, then join the groups; the client's `resume` is handled only after this returns,
        # so nothing stored from here on can fall between the history and the live messages.
        await self.accept()
        # Live messages come through the process's room hub; joined (subscribed) before the resume.
        self.hub = room_hub()
        await self.hub.join(room.pk, self)
        self.groups = [room_group_name(room.pk), user_group_name(user.pk)]
        for group in self.groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.access_watch = asyncio.ensure_future(self._watch_access())
        # Presence goes through the hub: one event on the room's stream per socket that comes or goes.
        await self.hub.announce(
            room.pk, protocol.presence_event(PresenceAction.JOIN, channel=self.channel_name, user=author_of(user))
        )
        # First the person themself, as before anyone answers. Until then the hub sends this socket
        # no presence (presence_sent is None); from here on it sends the room's list when it differs.
        text = json.dumps(protocol.presence_frame([author_of(user)]))
        await self.send(text_data=text)
        self.presence_sent = text
        self.hub.presence_soon(room.pk)
        await self.send_moderation_state()

    async def _watch_access(self) -> None:
        """Re-check access now and then: a lost `membership.revoked` event must not leave a reader in the room."""
        interval = getattr(settings, "CHAT_ACCESS_RECHECK_SECONDS", protocol.ACCESS_RECHECK_SECONDS)
        while not self.closing:
            await asyncio.sleep(interval)
            try:
                allowed, self.moderator = await database_sync_to_async(self._access_now)()
            except Exception:  # the database is briefly away: the next round or the next frame checks again
                logger.info("chat: access re-check failed in room %s", self.room.pk, exc_info=True)
                continue
            if not allowed:
                await self._close(CloseCode.FORBIDDEN)

    def _access_now(self) -> tuple[bool, bool]:
        """(may read the room, may moderate it) as of now: a role at the library may have changed too."""
        return may_read_room(self.user, self.room), may_moderate_room(self.user, self.room)

    @staticmethod
    def _room_and_access(user, room_id: int) -> tuple[Room | None, bool]:
        room = selectors.room_get(room_id=room_id)
        return room, room is not None and may_read_room(user, room)

    async def _refuse(self, code: CloseCode) -> None:
        # Accept first: a close before the handshake reaches a browser as a plain failure, without the code.
        await self.accept()
        await self._close(code)

    async def _close(self, code: CloseCode) -> None:
        if not self.closing:
            self.closing = True
            await self.close(code=int(code))

    async def disconnect(self, code: int) -> None:
        if getattr(self, "access_watch", None) is not None:
            self.access_watch.cancel()
        self._leave_hub()
        if self.room is not None and self.hub is not None:
            await self.hub.announce(
                self.room.pk,
                protocol.presence_event(PresenceAction.LEAVE, channel=self.channel_name, user=author_of(self.user)),
            )

    async def dispatch(self, message: dict) -> None:
        # An event type this socket does not know (a newer process, a stray sender) is logged, never a crash.
        if not hasattr(self, get_handler_name(message)):
            logger.warning("chat: no handler for event %r", message.get("type"))
            return
        if message["type"] != "websocket.receive":
            return await super().dispatch(message)
        # The answers to a client frame go before live messages that arrive meanwhile (the hub holds them).
        self.held_events = []
        try:
            await super().dispatch(message)
        finally:
            held, self.held_events = self.held_events, None
            for event in held:
                await self._send_message_event(event)

    # ------------------------------------------------------------------------ client frames

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.closing or self.room is None:
            return
        if not self.limiter.allow(None):
            return await self._send_error(ProtocolError(ErrorCode.RATE_LIMITED))
        try:
            if text_data is None:
                raise ProtocolError(ErrorCode.BAD_FRAME)
            frame = protocol.parse_client_frame(text_data)
        except ProtocolError as refused:
            return await self._send_error(refused)
        ref = protocol.frame_ref(frame)
        if not self.limiter.allow(frame.type):
            return await self._send_error(ProtocolError(ErrorCode.RATE_LIMITED, frame=frame.type, ref=ref))
        try:
            await self.frame_handlers[type(frame)](self, frame)
        except AccessLost:
            await self._close(CloseCode.FORBIDDEN)
        except ProtocolError as refused:
            await self._send_error(refused)
        except ServiceError as refused:
            code = ErrorCode(refused.code) if refused.code in ErrorCode.__members__.values() else ErrorCode.SERVER_ERROR
            await self._send_error(
                ProtocolError(code, frame=frame.type, ref=ref, extra=getattr(refused, "extra", None)),
                detail=refused.message,
            )
        except Exception:
            logger.exception("chat: a %s frame failed in room %s", frame.type, self.room.pk)
            await self._send_error(ProtocolError(ErrorCode.SERVER_ERROR, frame=frame.type, ref=ref))

    async def _send_error(self, error: ProtocolError, detail: object = None) -> None:
        with translation.override(self.language):
            await self.send_json(protocol.error_frame(error, None if detail is None else str(detail)))

    async def _checked(self, action: Callable[..., T], *args: Any) -> T:
        """Run `action` in a database thread after checking, in the same hop, that the person still has access."""
        # Channels would run every socket's database work on one thread per process; on asgiref's
        # thread pool the sockets' work overlaps (docs/performance.md). Each socket still handles
        # its frames one at a time; CHAT_DB_THREAD_SENSITIVE = True restores the single thread.
        return await self._in_thread(self._checked_sync, action, *args)

    async def _in_thread(self, action: Callable[..., T], *args: Any) -> T:
        """Run `action`, which checks access itself, in a database thread (see _checked)."""
        thread_sensitive = getattr(settings, "CHAT_DB_THREAD_SENSITIVE", False)
        return await database_sync_to_async(action, thread_sensitive=thread_sensitive)(*args)

    def _checked_sync(self, action: Callable[..., T], *args: Any) -> T:
        if not may_read_room(self.user, self.room):
            raise AccessLost
        return action(*args)

    def _post_checked_by_service(self, frame: protocol.Send) -> protocol.MessagePayload:
        try:
            return self._post(frame)
        except ServiceError as refused:
            if refused.code == ErrorCode.NOT_A_MEMBER:
                raise AccessLost from refused
            raise

    async def on_send(self, frame: protocol.Send) -> None:
        # message_post checks access itself: only a reply, which reads another message first, is checked before.
        if frame.reply_to is not None:
            payload = await self._checked(self._post, frame)
        else:
            payload = await self._in_thread(self._post_checked_by_service, frame)
        await self._after_earlier_messages(payload["seq"])
        await self._acknowledge(payload)

    async def _after_earlier_messages(self, seq: int) -> None:
        """Before the sender's acknowledgement of `seq`: the room's messages before it, which others stored
        a moment earlier, so that the sender too receives every message in seq order."""
        if self.hub is None:
            return
        await self.hub.written_before(self.room.pk, seq)
        held = self.held_events
        if not held:
            return
        earlier = [event for event in held if event.get("new") and event["message"]["seq"] < seq]
        if earlier:
            self.held_events = [event for event in held if not (event.get("new") and event["message"]["seq"] < seq)]
            for event in sorted(earlier, key=lambda event: event["message"]["seq"]):
                await self._send_message_event(event)

    async def _acknowledge(self, payload: protocol.MessagePayload) -> None:
        """Answer the person's own change with the message as it is now (their acknowledgement)."""
        if len(self.acknowledged) >= ACKNOWLEDGED_KEPT:
            self.acknowledged.clear()
        self.acknowledged[payload["seq"]] = {key: value for key, value in payload.items() if key != "html"}
        await self.send_json(protocol.message_frame(payload))

    def _post(self, frame: protocol.Send) -> protocol.MessagePayload:
        reply_to = None
        if frame.reply_to is not None:
            reply_to = selectors.message_in_room(room=self.room, message_id=frame.reply_to)
            if reply_to is None:
                raise ProtocolError(
                    ErrorCode.NO_SUCH_MESSAGE, field="reply_to", frame=frame.type, ref=str(frame.client_id)
                )
        message, created = services.message_post(
            room=self.room, author=self.user, body=frame.body, client_id=frame.client_id, reply_to=reply_to
        )
        if not created:
            return self._payload(message.pk)
        # A new message comes back ready to display, rendered already for its broadcast.
        return message_payload(message, language=self.language)

    def _payload(self, message_id: int) -> protocol.MessagePayload:
        message = selectors.message_in_room(room=self.room, message_id=message_id)
        return message_payload(message, language=self.language)

    async def on_resume(self, frame: protocol.Resume) -> None:
        after = frame.after
        # The room's change number read before any message: a message sent below may change after it.
        changed_during: int | None = None
        while True:
            room_last_seq, last_change_seq, start, payloads = await self._checked(
                functools.partial(self._batch, after, first=changed_during is None)
            )
            if changed_during is None:
                changed_during = last_change_seq
                if start != after:
                    after = start
                    await self.send_json(protocol.skipped_frame(start))
            for payload in payloads:
                await self.send_json(protocol.message_frame(payload))
            if len(payloads) < protocol.RESUME_BATCH:
                # A short batch holds every message up to the last seq read before it (seqs commit in order).
                last_seq = payloads[-1]["seq"] if payloads else min(after, room_last_seq)
                break
            after = payloads[-1]["seq"]
        self.replayed_up_to = max(self.replayed_up_to, last_seq)
        last_change_seq = await self._resume_changes(frame, changed_during)
        await self.send_json(protocol.resumed_frame(last_seq, last_change_seq))

    async def _resume_changes(self, frame: protocol.Resume, changed_during: int) -> int:
        """Send the messages up to `after` changed since `changed_after`, and any sent above that changed meanwhile."""
        if frame.changed_after is None:
            return changed_during
        changed_after = frame.changed_after
        up_to_change, too_many = await self._checked(self._changes_start, changed_after, frame.after)
        if too_many:
            # Like a resume from too far back: the client drops what it holds up to `after` (the history
            # page shows it as it is now); only the messages that changed during this resume follow.
            await self.send_json(protocol.skipped_frame(frame.after, changes=True))
            changed_after = max(changed_after, changed_during)
        while True:
            up_to_change, payloads = await self._checked(
                self._changes_batch, changed_after, up_to_change, frame.after, changed_during
            )
            for payload in payloads:
                await self.send_json(protocol.message_frame(payload))
            if len(payloads) < protocol.RESUME_BATCH:
                return up_to_change
            changed_after = payloads[-1]["changed_seq"]

    def _changes_start(self, changed_after: int, seq_up_to: int) -> tuple[int, bool]:
        """(the room's change number, read once first: every change up to it is committed, as change numbers
        commit in order; whether more than RESUME_MAX messages up to `seq_up_to` changed since `changed_after`)."""
        _last_seq, up_to_change = selectors.room_counters(room_id=self.room.pk)
        changed = selectors.changes_after_count(
            room=self.room,
            changed_after=changed_after,
            up_to_change=up_to_change,
            seq_up_to=seq_up_to,
            limit=protocol.RESUME_MAX + 1,
        )
        return up_to_change, changed > protocol.RESUME_MAX

    def _changes_batch(
        self, changed_after: int, up_to_change: int, seq_up_to: int, changed_during: int
    ) -> tuple[int, list[protocol.MessagePayload]]:
        messages = selectors.changes_after(
            room=self.room,
            changed_after=changed_after,
            up_to_change=up_to_change,
            seq_up_to=seq_up_to,
            changed_during=changed_during,
            limit=protocol.RESUME_BATCH,
        )
        return up_to_change, [message_payload(message, language=self.language) for message in messages]

    def _batch(self, after: int, *, first: bool = False) -> tuple[int, int, int, list[protocol.MessagePayload]]:
        """(room's last seq, its change number, where this batch starts, the batch), counters read first.

        The first batch of a resume from too far back starts RESUME_MAX below the room's last seq."""
        room_last_seq, last_change_seq = selectors.room_counters(room_id=self.room.pk)
        if first and room_last_seq - after > protocol.RESUME_MAX:
            after = room_last_seq - protocol.RESUME_MAX
        messages = selectors.messages_after(room=self.room, after_seq=after, limit=protocol.RESUME_BATCH)
        payloads = [message_payload(message, language=self.language) for message in messages]
        return room_last_seq, last_change_seq, after, payloads

    async def on_edit(self, frame: protocol.Edit) -> None:
        await self._acknowledge(await self._checked(self._edit, frame))

    def _edit(self, frame: protocol.Edit) -> protocol.MessagePayload:
        message = self._message(frame)
        services.message_edit(message=message, editor=self.user, body=frame.body)
        return self._payload(message.pk)

    async def on_delete(self, frame: protocol.Delete) -> None:
        await self._acknowledge(await self._checked(self._delete, frame))

    def _delete(self, frame: protocol.Delete) -> protocol.MessagePayload:
        message = self._message(frame)
        services.message_delete(message=message, deleted_by=self.user)
        return self._payload(message.pk)

    async def on_react(self, frame: protocol.React) -> None:
        await self._acknowledge(await self._checked(self._react, frame))

    def _react(self, frame: protocol.React) -> protocol.MessagePayload:
        message = self._message(frame)
        services.reaction_toggle(message=message, user=self.user, emoji=frame.emoji)
        return self._payload(message.pk)

    def _message(self, frame: protocol.Edit | protocol.Delete | protocol.React):
        message = selectors.message_in_room(room=self.room, message_id=frame.id)
        if message is None:
            raise ProtocolError(ErrorCode.NO_SUCH_MESSAGE, field="id", frame=frame.type, ref=frame.id)
        return message

    async def on_typing(self, frame: protocol.Typing) -> None:
        await self._checked(lambda: None)
        await self.hub.announce(
            self.room.pk, protocol.typing_event(channel=self.channel_name, user=author_of(self.user))
        )

    async def on_read(self, frame: protocol.Read) -> None:
        await self._checked(functools.partial(services.read_mark, room=self.room, user=self.user, seq=frame.seq))

    frame_handlers = {
        protocol.Send: on_send,
        protocol.Resume: on_resume,
        protocol.Edit: on_edit,
        protocol.Delete: on_delete,
        protocol.React: on_react,
        protocol.Typing: on_typing,
        protocol.Read: on_read,
        **MODERATION_FRAME_HANDLERS,
    }

    # ------------------------------------------------------------------------ channel-layer events

    async def chat_message(self, event: dict) -> None:
        """Messages reach the socket through the room hub (chat.hub), which writes one encoded frame to
        every local socket; a copy a room group hands this socket (the in-memory layer) is dropped."""

    async def _send_message_event(self, event: dict) -> None:
        """A message event the hub held while this socket handled a client frame."""
        if self.closing:
            return
        payload = event["message"]
        if self.acknowledged.get(payload["seq"]) == payload:
            del self.acknowledged[payload["seq"]]
            return
        if event.get("new") and payload["seq"] <= self.replayed_up_to:
            return
        frame = event.get(HELD_FRAMES_KEY, {}).get(self.language)
        if frame is not None:  # encoded by the hub once for every socket in this language
            await self.base_send(frame)
            return
        html = event["html"].get(self.language) or next(iter(event["html"].values()))
        await self.send_json(protocol.message_frame({**payload, "html": html}))

    async def chat_presence(self, event: dict) -> None:
        """Presence reaches the socket through the room hub (chat.hub), which keeps who is here per room
        and sends one `presence` frame per change; a copy a room group hands this socket is dropped."""

    async def chat_typing(self, event: dict) -> None:
        """Typing hints reach the socket through the room hub, like presence."""

    async def account_closed(self, event: dict) -> None:
        await self._close(CloseCode.FORBIDDEN)

    async def session_ended(self, event: dict) -> None:
        if session_key_of(self.scope) == event.get("session_key"):
            await self._close(CloseCode.NOT_LOGGED_IN)

    async def chat_activity(self, event: dict) -> None:
        """For /ws/me/ sockets only; a room socket is never in an activity group."""

    async def chat_read(self, event: dict) -> None:
        """For /ws/me/ sockets only (a room socket's person read something, here or elsewhere)."""

    async def membership_revoked(self, event: dict) -> None:
        if self.room is not None and event.get("circle_id") == self.room.circle_id:
            await self._close(CloseCode.FORBIDDEN)


class MeConsumer(AsyncJsonWebsocketConsumer):
    """One person's own socket, /ws/me/: live unread counts for the header and My page.

    It joins one activity group per room of the person (one small event per new message) and
    counts from the read state loaded at connect, so the send path costs one group_send per
    message whatever the number of readers. Reads come through the person's own group.
    """

    closing = False
    user = None

    async def connect(self) -> None:
        self.language = socket_language(self.scope)
        user = self.scope.get("user")
        await self.accept()
        if user is None or not user.is_authenticated:
            return await self._close(CloseCode.NOT_LOGGED_IN)
        self.user = user
        room_ids = [room["room"] for room in await database_sync_to_async(selectors.unread_by_room)(user=user)]
        self.groups = [user_group_name(user.pk), *(room_activity_group_name(room_id) for room_id in room_ids)]
        for group in self.groups:
            await self.channel_layer.group_add(group, self.channel_name)
        # Counted after joining: an event queued meanwhile is handled after this returns, and one
        # already counted here (seq at or below last_seq) is then ignored.
        rooms = await database_sync_to_async(selectors.unread_by_room)(user=user)
        self.rooms: dict[int, dict] = {room["room"]: room for room in rooms if room["room"] in room_ids}
        await self._send_counts()

    async def _close(self, code: CloseCode) -> None:
        if not self.closing:
            self.closing = True
            await self.close(code=int(code))

    async def dispatch(self, message: dict) -> None:
        if not hasattr(self, get_handler_name(message)):
            logger.warning("chat: no handler for event %r on /ws/me/", message.get("type"))
            return
        await super().dispatch(message)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.closing or self.user is None:
            return
        with translation.override(self.language):
            await self.send_json(protocol.error_frame(ProtocolError(ErrorCode.UNKNOWN_TYPE)))

    async def _send_counts(self) -> None:
        rooms: list[protocol.RoomUnread] = [
            {"room": room["room"], "circle": room["circle"], "unread": room["unread"], "mentions": room["mentions"]}
            for room in self.rooms.values()
        ]
        await self.send_json(protocol.unread_frame(rooms))

    async def chat_activity(self, event: dict) -> None:
        room = self.rooms.get(event["room"])
        # seq has no gaps and each message is announced once: a seq at or below the last one counted is a repeat.
        if self.closing or room is None or event["seq"] <= room["last_seq"]:
            return
        room["last_seq"] = event["seq"]
        if event["author_id"] == self.user.pk:
            return
        room["unread"] += 1
        if self.user.pk in event["mentions"]:
            room["mentions"] += 1
        await self._send_counts()

    async def chat_read(self, event: dict) -> None:
        room = self.rooms.get(event["room"])
        if self.closing or room is None:
            return
        unread, mentions = await database_sync_to_async(selectors.unread_in_room)(room_id=room["room"], user=self.user)
        if (unread, mentions) != (room["unread"], room["mentions"]):
            room["unread"], room["mentions"] = unread, mentions
            await self._send_counts()

    async def account_closed(self, event: dict) -> None:
        await self._close(CloseCode.FORBIDDEN)

    async def session_ended(self, event: dict) -> None:
        if session_key_of(self.scope) == event.get("session_key"):
            await self._close(CloseCode.NOT_LOGGED_IN)

    async def membership_revoked(self, event: dict) -> None:
        for room_id, room in list(self.rooms.items()):
            if room["circle"] == event.get("circle_id"):
                del self.rooms[room_id]
                await self.channel_layer.group_discard(room_activity_group_name(room_id), self.channel_name)
                await self._send_counts()

    async def membership_role_changed(self, event: dict) -> None:
        """A role in a circle changed: the person's rooms and unread counts stay as they are."""
