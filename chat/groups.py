"""Channel-layer group names: one function per kind of group, used by services and consumers alike."""


def user_group_name(user_id: int) -> str:
    """Every open socket of one person (to close them when they lose access)."""
    return f"user.{user_id}"


def room_group_name(room_id: int) -> str:
    """Every open socket in one discussion room."""
    return f"room.{room_id}"


def room_activity_group_name(room_id: int) -> str:
    """Every /ws/me/ socket of the room's members: one small event per new message, for unread counts."""
    return f"room-activity.{room_id}"
