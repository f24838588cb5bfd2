"""Every change to discussion rooms and messages, and the events they publish after commit."""

import logging
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.permissions import may_moderate_room, may_post_in_room, may_read_room
from config.errors import ServiceError

from . import protocol
from .groups import room_group_name
from .models import Message, Reaction, ReadState, Room
from .presenters import author_of, message_event
from .protocol import ERROR_DETAILS, ErrorCode
from .selectors import messages_for_display

logger = logging.getLogger(__name__)

MAX_BODY_CHARS = protocol.MAX_BODY_CHARS

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


def _check_may_write(user: User, room: Room) -> None:
    if not may_read_room(user, room):
        raise _refuse(ErrorCode.NOT_A_MEMBER)
    if not may_post_in_room(user, room):
        raise _refuse(ErrorCode.MUTED)


def _publish(message_id: int, *, new: bool) -> None:
    """Broadcast the message as it is now to its room. Best effort: clients recover lost broadcasts by `resume`."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = Message.objects.filter(pk=message_id).select_related("room").first()
    if message is None:
        return
    message = messages_for_display(message.room).get(pk=message_id)
    async_to_sync(layer.group_send)(room_group_name(message.room_id), message_event(message, new=new))


def _publish_after_commit(message: Message, *, new: bool) -> None:
    message_id = message.pk

    def publish_message() -> None:
        _publish(message_id, new=new)

    # robust: the message is stored whatever happens to its broadcast (Redis may be down).
    transaction.on_commit(publish_message, robust=True)


@transaction.atomic
def message_post(
    *, room: Room, author: User, body: str, client_id: uuid.UUID, reply_to: Message | None = None
) -> tuple[Message, bool]:
    """Store a message with the room's next seq and broadcast it after commit.

    A repeated client_id returns the stored message and broadcasts nothing: (message, created).
    """
    body = _clean_body(body)
    _check_may_write(author, room)
    # The room row is the lock that orders messages: seq is handed out under it, so ids
    # committed out of order can never leave a gap a resuming client would skip.
    room = Room.objects.select_for_update().get(pk=room.pk)
    existing = Message.objects.filter(room=room, author=author, client_id=client_id).first()
    if existing is not None:
        return existing, False
    if reply_to is not None and reply_to.room_id != room.pk:
        reply_to = None
    room.last_seq += 1
    room.save(update_fields=["last_seq"])
    message = Message.objects.create(
        room=room, seq=room.last_seq, author=author, client_id=client_id, body=body, reply_to=reply_to
    )
    _publish_after_commit(message, new=True)
    return message, True


@transaction.atomic
def message_edit(*, message: Message, editor: User, body: str) -> Message:
    """Change the text of one's own message; it is marked edited and broadcast again."""
    body = _clean_body(body)
    message = Message.objects.select_for_update().select_related("room").get(pk=message.pk)
    if message.author_id != editor.pk:
        raise _refuse(ErrorCode.NOT_ALLOWED)
    _check_may_write(editor, message.room)
    if message.deleted_at is not None:
        raise _refuse(ErrorCode.DELETED)
    if body != message.body:
        message.body = body
        message.edited_at = timezone.now()
        message.save(update_fields=["body", "edited_at"])
        _publish_after_commit(message, new=False)
    return message


@transaction.atomic
def message_delete(*, message: Message, deleted_by: User) -> Message:
    """Delete one's own message, or (facilitators) anyone's. Soft: the row and its seq stay, the text is hidden."""
    message = Message.objects.select_for_update().select_related("room", "room__circle").get(pk=message.pk)
    if message.author_id == deleted_by.pk:
        if not may_read_room(deleted_by, message.room):
            raise _refuse(ErrorCode.NOT_A_MEMBER)
    elif not may_moderate_room(deleted_by, message.room):
        raise _refuse(ErrorCode.NOT_ALLOWED)
    if message.deleted_at is None:
        message.deleted_at = timezone.now()
        message.deleted_by = deleted_by
        message.save(update_fields=["deleted_at", "deleted_by"])
        _publish_after_commit(message, new=False)
    return message


@transaction.atomic
def reaction_toggle(*, message: Message, user: User, emoji: str) -> bool:
    """Add the person's reaction to a message, or take it away: True when it is there afterwards."""
    if emoji not in protocol.REACTIONS:
        raise _refuse(ErrorCode.INVALID_FIELD)
    # The message row serializes toggles, so a double click cannot add twice or fail half-way.
    message = Message.objects.select_for_update().select_related("room").get(pk=message.pk)
    _check_may_write(user, message.room)
    if message.deleted_at is not None:
        raise _refuse(ErrorCode.DELETED)
    removed, _by_model = Reaction.objects.filter(message=message, user=user, emoji=emoji).delete()
    if not removed:
        Reaction.objects.create(message=message, user=user, emoji=emoji)
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
        return seq
    return state.last_read_seq


async def _send_event(event: dict, *, room_id: int, to_channel: str | None) -> None:
    """Best effort: presence and typing are never stored, and a lost one is only a hint missed."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        if to_channel is not None:
            await layer.send(to_channel, event)
        else:
            await layer.group_send(room_group_name(room_id), event)
    except Exception:  # the channel layer is down or the channel full: nothing to undo
        logger.info("chat: a best-effort %s event was lost", event["type"], exc_info=True)


async def presence_publish(
    *, room_id: int, user: User, channel: str, action: protocol.PresenceAction, to_channel: str | None = None
) -> None:
    """Tell the room (or one socket in it) that the person's socket `channel` joined, is here, or left."""
    event = protocol.presence_event(action, channel=channel, user=author_of(user))
    await _send_event(event, room_id=room_id, to_channel=to_channel)


async def typing_publish(*, room_id: int, user: User, channel: str) -> None:
    """Tell the room that the person is typing."""
    await _send_event(protocol.typing_event(channel=channel, user=author_of(user)), room_id=room_id, to_channel=None)
