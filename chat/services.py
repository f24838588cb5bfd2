"""Every change to discussion rooms and messages."""

import uuid

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.permissions import may_post_in_room
from config.errors import ServiceError

from .models import Message, Room

MAX_BODY_CHARS = 4000

NOT_A_MEMBER = _("Only members of the circle can write here.")
EMPTY_MESSAGE = _("Write something before you send.")
TOO_LONG = _("The message is too long.")


@transaction.atomic
def message_post(
    *, room: Room, author: User, body: str, client_id: uuid.UUID, reply_to: Message | None = None
) -> tuple[Message, bool]:
    """Store a message with the room's next seq. A repeated client_id returns the stored message: (message, created)."""
    body = body.strip()
    if not body:
        raise ServiceError("empty", EMPTY_MESSAGE)
    if len(body) > MAX_BODY_CHARS:
        raise ServiceError("too_long", TOO_LONG)
    if not may_post_in_room(author, room):
        raise ServiceError("not_a_member", NOT_A_MEMBER)
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
    return message, True
