"""Channel-layer group names: one function per kind of group, used by services and consumers alike."""


def user_group_name(user_id: int) -> str:
    """Every open socket of one person (to close them when they lose access)."""
    return f"user.{user_id}"


def room_group_name(room_id: int) -> str:
    """Every open socket in one discussion room."""
    return f"room.{room_id}"
