"""Read queries for discussion rooms. Permission questions live in accounts.permissions."""

from django.db.models import QuerySet

from circles.models import Membership, MembershipState

from .models import Message, ReadState, Room

HISTORY_PAGE = 50


def room_membership(user, room: Room) -> Membership | None:
    """The person's active membership of the room's circle, or None: only active members take part."""
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(circle_id=room.circle_id, user=user, state=MembershipState.ACTIVE).first()


def room_get(*, room_id: int) -> Room | None:
    """The room with its circle, or None."""
    return Room.objects.select_related("circle").filter(pk=room_id).first()


def room_of_circle(*, circle_id: int) -> Room | None:
    return Room.objects.select_related("circle").filter(circle_id=circle_id).first()


def messages_for_display(room: Room) -> QuerySet[Message]:
    """The room's messages with everything the message partial and frames need, in a fixed number of queries."""
    return room.messages.select_related("author", "reply_to", "reply_to__author").prefetch_related("reactions")


def messages_after(*, room: Room, after_seq: int, limit: int = 200) -> list[Message]:
    """Messages of the room with seq above `after_seq`, in order."""
    return list(messages_for_display(room).filter(seq__gt=after_seq).order_by("seq")[:limit])


def message_in_room(*, room: Room, message_id: int) -> Message | None:
    """One message of the room (with what display needs), or None."""
    return messages_for_display(room).filter(pk=message_id).first()


def message_page(*, room: Room, before_seq: int | None = None, limit: int = HISTORY_PAGE) -> tuple[list[Message], bool]:
    """The latest `limit` messages (below `before_seq` when given), oldest first, and whether older ones exist.

    Keyset pagination on (room, seq): the unique index answers it without OFFSET at any depth.
    """
    messages = messages_for_display(room).order_by("-seq")
    if before_seq is not None:
        messages = messages.filter(seq__lt=before_seq)
    page = list(messages[: limit + 1])
    has_older = len(page) > limit
    return list(reversed(page[:limit])), has_older


def last_read_seq(*, room: Room, user) -> int:
    """How far the person has read the room (0 when never)."""
    if not user.is_authenticated:
        return 0
    state = ReadState.objects.filter(room=room, user=user).values_list("last_read_seq", flat=True).first()
    return state or 0
