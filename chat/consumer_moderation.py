"""The room socket's moderation and pin frames and events, mixed into chat.consumers.RoomConsumer.

Thin like the rest of the consumer: parse (chat.protocol did), call one service, answer with `done`.
"""

from channels.db import database_sync_to_async
from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.permissions import may_moderate_room

from . import protocol, services
from .models import Room
from .presenters import pinned_data, pins_html
from .selectors import open_report_count, pinned_messages, room_membership


def _local_time(until: str) -> str:
    moment = parse_datetime(until)
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else until


class ModerationFrames:
    """What a room socket knows of the room's rules, and the handlers of `pin` … `slow_mode`."""

    moderator = False
    locked = False
    slow_mode_seconds = 0
    muted_until: str | None = None

    # ------------------------------------------------------------------------ on connect

    async def send_moderation_state(self) -> None:
        """After `presence`: `room_state` unless all is ordinary, `pins` when any, `reports` (facilitators) when any."""
        for frame in await database_sync_to_async(self._moderation_state_frames)():
            await self.send_json(frame)

    def _moderation_state_frames(self) -> list[dict]:
        room = Room.objects.select_related("circle").get(pk=self.room.pk)
        self.moderator = may_moderate_room(self.user, room)
        self.locked, self.slow_mode_seconds = room.locked, room.slow_mode_seconds
        membership = room_membership(self.user, room)
        muted_until = membership.muted_until if membership is not None else None
        self.muted_until = muted_until.isoformat() if muted_until and muted_until > timezone.now() else None
        frames: list[dict] = []
        if self.locked or self.slow_mode_seconds or self.muted_until:
            frames.append(self._room_state_frame())
        pinned = pinned_messages(room=room)
        if pinned:
            with translation.override(self.language):
                frames.append(protocol.pins_frame([pinned_data(message) for message in pinned], pins_html(pinned)))
        if self.moderator:
            open_reports = open_report_count(room=room)
            if open_reports:
                frames.append(protocol.reports_frame(open_reports))
        return frames

    def _room_state_frame(self) -> protocol.RoomStateFrame:
        return protocol.room_state_frame(
            locked=self.locked,
            slow_mode_seconds=self.slow_mode_seconds,
            muted_until=self.muted_until,
            moderator=self.moderator,
        )

    # ------------------------------------------------------------------------ client frames

    async def _moderate(self, frame, action, ref: int | None) -> None:
        """Run `action(frame)` (a service call returning a sentence) with the access check, then answer `done`."""
        detail = await self._checked(self._in_language, action, frame)
        await self.send_json(protocol.done_frame(frame.type, ref, detail))

    def _in_language(self, action, frame) -> str:
        with translation.override(self.language):
            return str(action(frame))

    async def on_pin(self, frame: protocol.Pin) -> None:
        await self._moderate(frame, self._pin, frame.id)

    async def on_unpin(self, frame: protocol.Unpin) -> None:
        await self._moderate(frame, self._pin, frame.id)

    def _pin(self, frame: protocol.Pin | protocol.Unpin) -> str:
        pinned = isinstance(frame, protocol.Pin)
        services.message_pin_set(message=self._message(frame), moderator=self.user, pinned=pinned)
        return _("The message is pinned at the top.") if pinned else _("The message is no longer pinned.")

    async def on_report(self, frame: protocol.Report) -> None:
        await self._moderate(frame, self._report, frame.id)

    def _report(self, frame: protocol.Report) -> str:
        services.message_report(
            message=self._message(frame), reporter=self.user, reason=frame.reason, text=frame.text or ""
        )
        return _("Thank you. The facilitators will look at the message.")

    async def on_mute(self, frame: protocol.Mute) -> None:
        await self._moderate(frame, self._mute, frame.user)

    def _mute(self, frame: protocol.Mute) -> str:
        membership = services.member_mute(
            room=self.room, moderator=self.user, user_id=frame.user, seconds=frame.seconds
        )
        return _("%(name)s cannot write until %(time)s.") % {
            "name": membership.user.name,
            "time": _local_time(membership.muted_until.isoformat()),
        }

    async def on_unmute(self, frame: protocol.Unmute) -> None:
        await self._moderate(frame, self._unmute, frame.user)

    def _unmute(self, frame: protocol.Unmute) -> str:
        membership = services.member_unmute(room=self.room, moderator=self.user, user_id=frame.user)
        return _("%(name)s can write again.") % {"name": membership.user.name}

    async def on_lock(self, frame: protocol.Lock) -> None:
        await self._moderate(frame, self._lock, None)

    async def on_unlock(self, frame: protocol.Unlock) -> None:
        await self._moderate(frame, self._lock, None)

    def _lock(self, frame: protocol.Lock | protocol.Unlock) -> str:
        locked = isinstance(frame, protocol.Lock)
        services.room_lock_set(room=self.room, moderator=self.user, locked=locked)
        return _("The conversation is paused.") if locked else _("The conversation is open again.")

    async def on_slow_mode(self, frame: protocol.SlowMode) -> None:
        await self._moderate(frame, self._slow_mode, None)

    def _slow_mode(self, frame: protocol.SlowMode) -> str:
        services.room_slow_mode_set(room=self.room, moderator=self.user, seconds=frame.seconds)
        return slow_mode_sentence(frame.seconds)

    # ------------------------------------------------------------------------ channel-layer events

    async def chat_room_state(self, event: dict) -> None:
        if self.closing:
            return
        self.locked, self.slow_mode_seconds = event["locked"], event["slow_mode_seconds"]
        await self.send_json(self._room_state_frame())

    async def chat_muted(self, event: dict) -> None:
        if self.closing or self.room is None or event.get("circle_id") != self.room.circle_id:
            return
        self.muted_until = event["until"]
        await self.send_json(self._room_state_frame())

    async def chat_pins(self, event: dict) -> None:
        if self.closing:
            return
        html = event["html"].get(self.language) or next(iter(event["html"].values()))
        await self.send_json(protocol.pins_frame(event["pins"], html))

    async def chat_reports(self, event: dict) -> None:
        # `moderator` follows the person's role: membership.role_changed refreshes it (no query per event).
        if not self.closing and self.moderator:
            await self.send_json(protocol.reports_frame(event["open"]))

    async def membership_role_changed(self, event: dict) -> None:
        """Appointed or demoted in this circle while connected: the moderation state as it is now."""
        if self.closing or self.room is None or event.get("circle_id") != self.room.circle_id:
            return
        was_moderator = self.moderator
        await self.send_moderation_state()
        if was_moderator and not self.moderator and not (self.locked or self.slow_mode_seconds or self.muted_until):
            # send_moderation_state leaves out an ordinary room_state: the client must hear it is no longer a moderator.
            await self.send_json(self._room_state_frame())


def slow_mode_sentence(seconds: int) -> str:
    """What slow mode means now, for people (the active language)."""
    if not seconds:
        return _("Slow mode is off.")
    return ngettext(
        "Slow mode is on: each person can send one message every %(seconds)s second.",
        "Slow mode is on: each person can send one message every %(seconds)s seconds.",
        seconds,
    ) % {"seconds": seconds}


MODERATION_FRAME_HANDLERS = {
    protocol.Pin: ModerationFrames.on_pin,
    protocol.Unpin: ModerationFrames.on_unpin,
    protocol.Report: ModerationFrames.on_report,
    protocol.Mute: ModerationFrames.on_mute,
    protocol.Unmute: ModerationFrames.on_unmute,
    protocol.Lock: ModerationFrames.on_lock,
    protocol.Unlock: ModerationFrames.on_unlock,
    protocol.SlowMode: ModerationFrames.on_slow_mode,
}
