"""Read queries for discussion rooms. Permission questions live in accounts.permissions."""

from circles.models import Membership, MembershipState

from .models import Message, Room


def room_membership(user, room: Room) -> Membership | None:
    """The person's active membership of the room's circle, or None: only active members take part."""
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(circle_id=room.circle_id, user=user, state=MembershipState.ACTIVE).first()


def messages_after(*, room: Room, after_seq: int, limit: int = 200) -> list[Message]:
    """Messages of the room with seq above `after_seq`, in order."""
    return list(room.messages.filter(seq__gt=after_seq).select_related("author").order_by("seq")[:limit])
