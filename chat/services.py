"""Every change to discussion rooms and messages, and the events they publish after commit."""

import datetime
import logging
import math
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.permissions import may_moderate_room, may_read_room, may_report_message, room_rights
from circles.models import Membership, MembershipRole, MembershipState
from config.errors import ServiceError

from . import hub, protocol
from .groups import room_activity_group_name, room_group_name, user_group_name
from .mentions import mentioned_users
from .models import (
    Mention,
    Message,
    ModerationAction,
    ModerationKind,
    Reaction,
    ReadState,
    Report,
    ReportReason,
    ReportState,
    Room,
)
from .presenters import message_event, pins_event
from .protocol import ERROR_DETAILS, ErrorCode
from .selectors import message_displayable, messages_for_display, open_report_count, pinned_messages, room_membership

logger = logging.getLogger(__name__)

MAX_BODY_CHARS = protocol.MAX_BODY_CHARS
MENTION_EMAIL_DELAY = datetime.timedelta(minutes=1)

NOT_A_MEMBER = ERROR_DETAILS[ErrorCode.NOT_A_MEMBER]
MUTED = ERROR_DETAILS[ErrorCode.MUTED]
EMPTY_MESSAGE = ERROR_DETAILS[ErrorCode.EMPTY]
TOO_LONG = ERROR_DETAILS[ErrorCode.TOO_LONG]
NOT_ALLOWED = ERROR_DETAILS[ErrorCode.NOT_ALLOWED]
DELETED = ERROR_DETAILS[ErrorCode.DELETED]


def _refuse(code: ErrorCode) -> ServiceError:
    return ServiceError(code.value, ERROR_DETAILS[code])


def _clean_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise _refuse(ErrorCode.EMPTY)
    if len(body) > MAX_BODY_CHARS:
        raise _refuse(ErrorCode.TOO_LONG)
    return body


def _check_rights(user: User, room: Room) -> None:
    """An active member who is not muted (one query)."""
    may_read, may_post = room_rights(user, room)
    if not may_read:
        raise _refuse(ErrorCode.NOT_A_MEMBER)
    if not may_post:
        raise _refuse_muted(user, room)


def _check_may_write(user: User, room: Room) -> None:
    _check_rights(user, room)
    _check_room_open(user, room)


def _publish(message_id: int, *, new: bool) -> None:
    """Broadcast the message as it is now to its room. Best effort: clients recover lost broadcasts by `resume`."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = Message.objects.filter(pk=message_id).select_related("room").first()
    if message is None:
        return
    message = messages_for_display(message.room).get(pk=message_id)
    # Once per room, not per socket: each server process's room hub writes it to its local sockets.
    hub.publish(message.room_id, message_event(message, new=new))


def _publish_after_commit(message: Message, *, new: bool) -> None:
    message_id = message.pk

    def publish_message() -> None:
        _publish(message_id, new=new)

    # robust: the message is stored whatever happens to its broadcast (Redis may be down).
    transaction.on_commit(publish_message, robust=True)


def _publish_new_after_commit(message: Message) -> None:
    """A new message is broadcast as created: nothing about it can have changed before its commit."""

    def publish_message() -> None:
        if get_channel_layer() is not None:
            hub.publish(message.room_id, message_event(message, new=True))

    transaction.on_commit(publish_message, robust=True)


@transaction.atomic
def message_post(
    *, room: Room, author: User, body: str, client_id: uuid.UUID, reply_to: Message | None = None
) -> tuple[Message, bool]:
    """Store a message with the room's next seq and broadcast it after commit.

    A repeated client_id returns the stored message and broadcasts nothing: (message, created).
    A new message comes back ready for display (selectors.messages_for_display) without another query.
    """
    body = _clean_body(body)
    _check_rights(author, room)
    # The room row is the lock that orders messages: seq is handed out under it, so ids
    # committed out of order can never leave a gap a resuming client would skip. Read under the
    # lock, its locked flag and slow mode are current.
    room = Room.objects.select_for_update().select_related("circle").get(pk=room.pk)
    if room.locked and not may_moderate_room(author, room):
        raise _refuse(ErrorCode.ROOM_LOCKED)
    existing = Message.objects.filter(room=room, author=author, client_id=client_id).first()
    if existing is not None:
        return existing, False
    _check_slow_mode(author, room)
    if reply_to is not None and reply_to.room_id != room.pk:
        reply_to = None
    room.last_seq += 1
    room.last_change_seq += 1
    room.save(update_fields=["last_seq", "last_change_seq"])
    message = Message.objects.create(
        room=room,
        seq=room.last_seq,
        changed_seq=room.last_change_seq,
        author=author,
        client_id=client_id,
        body=body,
        reply_to=reply_to,
    )
    mentions = Mention.objects.bulk_create(Mention(message=message, user=user) for user in _named_members(message))
    message_displayable(message, reactions=[], mentions=mentions)
    _publish_new_after_commit(message)
    _announce_after_commit(message, [mention.user_id for mention in mentions])
    return message, True


@transaction.atomic
def message_edit(*, message: Message, editor: User, body: str) -> Message:
    """Change the text of one's own message; it is marked edited and broadcast again."""
    body = _clean_body(body)
    _lock_room(message.room_id)
    message = Message.objects.select_for_update().select_related("room").get(pk=message.pk)
    if message.author_id != editor.pk:
        raise _refuse(ErrorCode.NOT_ALLOWED)
    _check_may_write(editor, message.room)
    if message.deleted_at is not None:
        raise _refuse(ErrorCode.DELETED)
    if body != message.body:
        message.body = body
        message.edited_at = timezone.now()
        message.changed_seq = _next_change_seq(message.room_id)
        message.save(update_fields=["body", "edited_at", "changed_seq"])
        mentions_store(message=message)
        _publish_after_commit(message, new=False)
    return message


@transaction.atomic
def message_delete(*, message: Message, deleted_by: User) -> Message:
    """Delete one's own message, or (facilitators) anyone's. Soft: the row and its seq stay, the text is hidden."""
    _lock_room(message.room_id)
    message = Message.objects.select_for_update().select_related("room", "room__circle").get(pk=message.pk)
    if message.author_id == deleted_by.pk:
        if not may_read_room(deleted_by, message.room):
            raise _refuse(ErrorCode.NOT_A_MEMBER)
    elif not may_moderate_room(deleted_by, message.room):
        raise _refuse(ErrorCode.NOT_ALLOWED)
    if message.deleted_at is None:
        message.deleted_at = timezone.now()
        message.deleted_by = deleted_by
        message.changed_seq = _next_change_seq(message.room_id)
        message.save(update_fields=["deleted_at", "deleted_by", "changed_seq"])
        if message.author_id != deleted_by.pk:
            _audit(message.room, deleted_by, ModerationKind.REMOVE, target_id=message.author_id, message=message)
        if message.pinned_at is not None:
            _publish_pins(message.room)
        _publish_after_commit(message, new=False)
    return message


@transaction.atomic
def reaction_toggle(*, message: Message, user: User, emoji: str) -> bool:
    """Add the person's reaction to a message, or take it away: True when it is there afterwards."""
    if emoji not in protocol.REACTIONS:
        raise _refuse(ErrorCode.INVALID_FIELD)
    # The message row serializes toggles, so a double click cannot add twice or fail half-way.
    _lock_room(message.room_id)
    message = Message.objects.select_for_update().select_related("room").get(pk=message.pk)
    _check_may_write(user, message.room)
    if message.deleted_at is not None:
        raise _refuse(ErrorCode.DELETED)
    removed, _by_model = Reaction.objects.filter(message=message, user=user, emoji=emoji).delete()
    if not removed:
        Reaction.objects.create(message=message, user=user, emoji=emoji)
    message.changed_seq = _next_change_seq(message.room_id)
    message.save(update_fields=["changed_seq"])
    _publish_after_commit(message, new=False)
    return not removed


@transaction.atomic
def read_mark(*, room: Room, user: User, seq: int) -> int:
    """The person has read the room up to `seq`: read state moves forward only, never past the last message."""
    if not may_read_room(user, room):
        raise _refuse(ErrorCode.NOT_A_MEMBER)
    last_seq = Room.objects.filter(pk=room.pk).values_list("last_seq", flat=True).get()
    seq = min(seq, last_seq)
    state, created = ReadState.objects.get_or_create(room=room, user=user, defaults={"last_read_seq": seq})
    if not created and seq > state.last_read_seq:
        ReadState.objects.filter(pk=state.pk, last_read_seq__lt=seq).update(
            last_read_seq=seq, updated_at=timezone.now()
        )
        _announce_read_after_commit(room_id=room.pk, user_id=user.pk, seq=seq)
        return seq
    if created:
        _announce_read_after_commit(room_id=room.pk, user_id=user.pk, seq=seq)
    return state.last_read_seq


def _lock_room(room_id: int) -> None:
    """Take the room's row lock before a message's: the same order as message_post, so no deadlock."""
    Room.objects.select_for_update().filter(pk=room_id).values_list("pk", flat=True).get()


def _next_change_seq(room_id: int) -> int:
    """The room's next change number; the caller holds the room's lock (taken by _lock_room or message_post)."""
    room = Room.objects.select_for_update().only("last_change_seq").get(pk=room_id)
    room.last_change_seq += 1
    room.save(update_fields=["last_change_seq"])
    return room.last_change_seq


def _named_members(message: Message) -> list[User]:
    """Active members other than the author whom the message names with @ (no query without an @)."""
    if "@" not in message.body:
        return []
    members = User.objects.filter(
        memberships__circle_id=message.room.circle_id, memberships__state=MembershipState.ACTIVE
    ).exclude(pk=message.author_id)
    return list(mentioned_users(message.body, members))


def mentions_store(*, message: Message) -> list[int]:
    """Store who the (changed) message names with @; returns their ids."""
    named = [user.pk for user in _named_members(message)]
    Mention.objects.filter(message=message).exclude(user_id__in=named).delete()
    already = set(Mention.objects.filter(message=message).values_list("user_id", flat=True))
    Mention.objects.bulk_create(
        Mention(message=message, user_id=user_id) for user_id in named if user_id not in already
    )
    return named


def _announce_after_commit(message: Message, mentioned_ids: list[int]) -> None:
    """After commit: one activity event for the room's /ws/me/ sockets (never one per member), and mention e-mails."""
    event = protocol.activity_event(
        room_id=message.room_id, seq=message.seq, author_id=message.author_id, mentions=mentioned_ids
    )
    message_id = message.pk

    def announce() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(room_activity_group_name(event["room"]), event)

    transaction.on_commit(announce, robust=True)
    if mentioned_ids:
        from .tasks import mention_emails_send

        def enqueue() -> None:
            # A minute later: whoever has read it by then (the room open) gets no e-mail.
            mention_emails_send.using(run_after=timezone.now() + MENTION_EMAIL_DELAY).enqueue(message_id=message_id)

        transaction.on_commit(enqueue, robust=True)


def _announce_read_after_commit(*, room_id: int, user_id: int, seq: int) -> None:
    def announce() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(user_group_name(user_id), protocol.read_event(room_id=room_id, seq=seq))

    transaction.on_commit(announce, robust=True)


def mention_emails_send(*, message_id: int, now: datetime.datetime | None = None) -> int:
    """E-mail the people a message names who want it, have not read it, and had no such e-mail from the room within the hour."""
    from circles.models import MembershipState
    from circles.notifications import site_url

    now = now or timezone.now()
    message = Message.objects.select_related("room__circle", "author").filter(pk=message_id).first()
    if message is None or message.deleted_at is not None:
        return 0
    circle = message.room.circle
    sent = 0
    for mention in Mention.objects.filter(message=message, emailed_at__isnull=True).select_related("user"):
        with transaction.atomic():
            # The person's row serializes two workers telling the same person at once.
            person = User.objects.select_for_update().get(pk=mention.user_id)
            if not person.email_mentions or not person.is_active:
                continue
            if not circle.memberships.filter(user=person, state=MembershipState.ACTIVE).exists():
                continue
            read_up_to = (
                ReadState.objects.filter(room=message.room, user=person).values_list("last_read_seq", flat=True).first()
            )
            if read_up_to is not None and read_up_to >= message.seq:
                continue
            since = now - datetime.timedelta(seconds=protocol.MENTION_EMAIL_INTERVAL_SECONDS)
            if Mention.objects.filter(user=person, message__room=message.room, emailed_at__gt=since).exists():
                continue
            context = {
                "name": person.name,
                "author": message.author.name if message.author else "",
                "circle": circle,
                "room_url": f"{site_url()}{reverse('chat:room', kwargs={'room_id': message.room_id})}#message-{message.seq}",
                "body": message.body[:300],
            }
            with translation.override(circle.language or settings.LANGUAGE_CODE):
                subject = render_to_string("chat/email/mention_subject.txt", context).strip()
                body = render_to_string("chat/email/mention.txt", context)
            Mention.objects.filter(pk=mention.pk).update(emailed_at=now)
            send_mail(subject, body, None, [person.email])
            sent += 1
    return sent


# ---------------------------------------------------------------------------- moderation and pins


class RoomRuleRefused(ServiceError):
    """A write refused by a room rule (muted, slow mode); `extra` travels in the error frame (`until`, `retry_after`)."""

    def __init__(self, code: str, message, extra: dict) -> None:
        super().__init__(code, message)
        self.extra = extra


def _muted_text(until) -> str:
    time = formats.date_format(timezone.localtime(until), "DATETIME_FORMAT")
    return f"{ERROR_DETAILS[ErrorCode.MUTED]} " + _("You can write again from %(time)s.") % {"time": time}


def _slow_mode_text(retry_after: int) -> str:
    return ngettext(
        "Slow mode is on. You can send your next message in %(seconds)s second.",
        "Slow mode is on. You can send your next message in %(seconds)s seconds.",
        retry_after,
    ) % {"seconds": retry_after}


def _refuse_muted(user: User, room: Room) -> ServiceError:
    """`muted`, with when the person may write again."""
    membership = room_membership(user, room)
    until = membership.muted_until if membership is not None else None
    if until is None:
        return _refuse(ErrorCode.MUTED)
    return RoomRuleRefused(ErrorCode.MUTED.value, lazy(_muted_text, str)(until), {"until": until.isoformat()})


def _check_room_open(user: User, room: Room) -> None:
    """A locked room is read-only for everyone but those who moderate it (read fresh: the caller's room may be old)."""
    if Room.objects.filter(pk=room.pk, locked=True).exists() and not may_moderate_room(user, room):
        raise _refuse(ErrorCode.ROOM_LOCKED)


def _check_slow_mode(author: User, room: Room) -> None:
    """Under the room's row lock: refuse a message sent sooner than slow mode allows after the author's last one."""
    if not room.slow_mode_seconds:
        return
    last = (
        Message.objects.filter(room=room, author=author).order_by("-seq").values_list("created_at", flat=True).first()
    )
    if last is None:
        return
    wait = (last + datetime.timedelta(seconds=room.slow_mode_seconds) - timezone.now()).total_seconds()
    if wait <= 0 or may_moderate_room(author, room):
        return
    retry_after = math.ceil(wait)
    raise RoomRuleRefused(
        ErrorCode.SLOW_MODE.value, lazy(_slow_mode_text, str)(retry_after), {"retry_after": retry_after}
    )


def _check_moderator(user: User, room: Room) -> None:
    if not may_moderate_room(user, room):
        raise _refuse(ErrorCode.NOT_MODERATOR)


def _audit(
    room: Room,
    actor: User,
    kind: ModerationKind,
    *,
    target_id: int | None = None,
    message: Message | None = None,
    seconds: int | None = None,
) -> ModerationAction:
    return ModerationAction.objects.create(
        room=room, actor=actor, kind=kind, target_id=target_id, message=message, seconds=seconds
    )


def _send_after_commit(group: str, event_factory) -> None:
    """After commit, send the event `event_factory()` builds then (from the committed state) to `group`. Best effort."""

    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(group, event_factory())

    transaction.on_commit(send, robust=True)


def _publish_room_state(room: Room) -> None:
    room_id = room.pk

    def event() -> dict:
        locked, slow_mode_seconds = Room.objects.filter(pk=room_id).values_list("locked", "slow_mode_seconds").get()
        return protocol.room_state_event(locked=locked, slow_mode_seconds=slow_mode_seconds)

    _send_after_commit(room_group_name(room_id), event)


def _publish_pins(room: Room) -> None:
    room_id = room.pk

    def event() -> dict:
        pinned = pinned_messages(room=Room.objects.get(pk=room_id))
        return pins_event(pinned)

    _send_after_commit(room_group_name(room_id), event)


def _publish_reports(room: Room) -> None:
    room_id = room.pk
    _send_after_commit(
        room_group_name(room_id),
        lambda: protocol.reports_event(open_reports=open_report_count(room=Room.objects.get(pk=room_id))),
    )


def _mutable_membership(room: Room, moderator: User, user_id: int) -> Membership:
    """The active member (role member, not the moderator) a facilitator may mute, locked for the change."""
    membership = (
        Membership.objects.select_for_update()
        .filter(circle_id=room.circle_id, user_id=user_id, state=MembershipState.ACTIVE, role=MembershipRole.MEMBER)
        .exclude(user_id=moderator.pk)
        .first()
    )
    if membership is None:
        raise _refuse(ErrorCode.NO_SUCH_MEMBER)
    return membership


@transaction.atomic
def member_mute(*, room: Room, moderator: User, user_id: int, seconds: int) -> Membership:
    """Stop a member from writing in the room for `seconds` (one of protocol.MUTE_SECONDS); they still read."""
    _check_moderator(moderator, room)
    if seconds not in protocol.MUTE_SECONDS:
        raise _refuse(ErrorCode.INVALID_FIELD)
    membership = _mutable_membership(room, moderator, user_id)
    membership.muted_until = timezone.now() + datetime.timedelta(seconds=seconds)
    membership.save(update_fields=["muted_until"])
    _audit(room, moderator, ModerationKind.MUTE, target_id=user_id, seconds=seconds)
    until = membership.muted_until.isoformat()
    _send_after_commit(user_group_name(user_id), lambda: protocol.muted_event(circle_id=room.circle_id, until=until))
    return membership


@transaction.atomic
def member_unmute(*, room: Room, moderator: User, user_id: int) -> Membership:
    """Let a muted member write again."""
    _check_moderator(moderator, room)
    membership = _mutable_membership(room, moderator, user_id)
    if membership.muted_until is not None:
        membership.muted_until = None
        membership.save(update_fields=["muted_until"])
        _audit(room, moderator, ModerationKind.UNMUTE, target_id=user_id)
        _send_after_commit(user_group_name(user_id), lambda: protocol.muted_event(circle_id=room.circle_id, until=None))
    return membership


@transaction.atomic
def room_lock_set(*, room: Room, moderator: User, locked: bool) -> Room:
    """Pause the conversation (read-only for all but its facilitators), or open it again."""
    _check_moderator(moderator, room)
    room = Room.objects.select_for_update().select_related("circle").get(pk=room.pk)
    if room.locked != locked:
        room.locked = locked
        room.save(update_fields=["locked"])
        _audit(room, moderator, ModerationKind.LOCK if locked else ModerationKind.UNLOCK)
        _publish_room_state(room)
    return room


@transaction.atomic
def room_slow_mode_set(*, room: Room, moderator: User, seconds: int) -> Room:
    """Set the least number of seconds between two messages of one person (0: off)."""
    _check_moderator(moderator, room)
    if seconds not in protocol.SLOW_MODE_SECONDS:
        raise _refuse(ErrorCode.INVALID_FIELD)
    room = Room.objects.select_for_update().select_related("circle").get(pk=room.pk)
    if room.slow_mode_seconds != seconds:
        room.slow_mode_seconds = seconds
        room.save(update_fields=["slow_mode_seconds"])
        _audit(room, moderator, ModerationKind.SLOW_MODE, seconds=seconds)
        _publish_room_state(room)
    return room


@transaction.atomic
def message_pin_set(*, message: Message, moderator: User, pinned: bool) -> Message:
    """Pin a message to the top of its room (at most protocol.MAX_PINS), or unpin it."""
    room = Room.objects.select_for_update().select_related("circle").get(pk=message.room_id)
    _check_moderator(moderator, room)
    message = Message.objects.select_for_update().get(pk=message.pk)
    if pinned == (message.pinned_at is not None):
        return message
    if pinned:
        if message.deleted_at is not None:
            raise _refuse(ErrorCode.DELETED)
        if (
            Message.objects.filter(room=room, pinned_at__isnull=False, deleted_at__isnull=True).count()
            >= protocol.MAX_PINS
        ):
            raise _refuse(ErrorCode.TOO_MANY_PINS)
        message.pinned_at, message.pinned_by = timezone.now(), moderator
    else:
        message.pinned_at, message.pinned_by = None, None
    message.save(update_fields=["pinned_at", "pinned_by"])
    _audit(room, moderator, ModerationKind.PIN if pinned else ModerationKind.UNPIN, message=message)
    _publish_pins(room)
    return message


@transaction.atomic
def message_report(*, message: Message, reporter: User, reason: str, text: str = "") -> Report:
    """Report someone else's message to the circle's facilitators (one open report per person per message)."""
    room = message.room
    if not may_report_message(reporter, message):
        if not may_read_room(reporter, room):
            raise _refuse(ErrorCode.NOT_A_MEMBER)
        raise _refuse(ErrorCode.OWN_MESSAGE)
    if reason not in ReportReason.values:
        raise _refuse(ErrorCode.INVALID_FIELD)
    text = (text or "").strip()
    if len(text) > protocol.MAX_REPORT_TEXT_CHARS:
        raise _refuse(ErrorCode.TOO_LONG)
    message = Message.objects.select_for_update().get(pk=message.pk)
    if message.deleted_at is not None:
        raise _refuse(ErrorCode.DELETED)
    if Report.objects.filter(message=message, reporter=reporter, state=ReportState.OPEN).exists():
        raise _refuse(ErrorCode.ALREADY_REPORTED)
    report = Report.objects.create(message=message, reporter=reporter, reason=reason, text=text)
    _publish_reports(room)
    return report


@transaction.atomic
def report_resolve(*, report: Report, moderator: User, outcome: str, mute_seconds: int | None = None) -> Report:
    """Handle an open report: remove the message, dismiss the report, or mute the message's author.

    Every open report of the same message is closed with it.
    """
    report = Report.objects.select_for_update().select_related("message__room").get(pk=report.pk)
    message, room = report.message, report.message.room
    _check_moderator(moderator, room)
    if outcome not in (ReportState.REMOVED, ReportState.DISMISSED, ReportState.MUTED):
        raise _refuse(ErrorCode.INVALID_FIELD)
    if report.state != ReportState.OPEN:
        return report
    if outcome == ReportState.REMOVED:
        message_delete(message=message, deleted_by=moderator)
    elif outcome == ReportState.MUTED:
        if message.author_id is None:
            raise _refuse(ErrorCode.NO_SUCH_MEMBER)
        member_mute(room=room, moderator=moderator, user_id=message.author_id, seconds=mute_seconds or 0)
    else:
        _audit(room, moderator, ModerationKind.DISMISS, target_id=message.author_id, message=message)
    Report.objects.filter(message=message, state=ReportState.OPEN).update(
        state=outcome, resolved_at=timezone.now(), resolved_by=moderator
    )
    _publish_reports(room)
    report.refresh_from_db()
    return report


def session_sockets_close(*, user_id: int, session_key: str) -> None:
    """Close every socket of the person opened with this session (it logged out), after commit."""
    event = protocol.session_ended_event(session_key=session_key)

    def close_sockets() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(user_group_name(user_id), event)

    transaction.on_commit(close_sockets, robust=True)


def author_messages_erase(*, author: User) -> None:
    """Empty every message of a person whose account is being deleted; each deletion is numbered as a change
    in its room, so clients resuming with `changed_after` learn of it."""
    now = timezone.now()
    room_ids = (
        Message.objects.filter(author=author, deleted_at__isnull=True)
        .order_by("room_id")
        .values_list("room_id", flat=True)
        .distinct()
    )
    for room_id in list(room_ids):
        _lock_room(room_id)
        message_ids = Message.objects.filter(room_id=room_id, author=author, deleted_at__isnull=True).values_list(
            "pk", flat=True
        )
        for message_id in list(message_ids):
            Message.objects.filter(pk=message_id).update(
                body="", deleted_at=now, deleted_by=None, changed_seq=_next_change_seq(room_id)
            )
    Message.objects.filter(author=author).exclude(body="").update(body="")
