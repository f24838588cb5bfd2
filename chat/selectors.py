"""Read queries for discussion rooms. Permission questions live in accounts.permissions."""

from django.db.models import Count, Q, QuerySet

from circles.models import Membership, MembershipState

from .models import Mention, Message, Reaction, ReadState, Room

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
    return room.messages.select_related("author", "reply_to", "reply_to__author").prefetch_related(
        "reactions", "mentions__user"
    )


def message_displayable(message: Message, *, reactions: list, mentions: list) -> Message:
    """Give a message known to the caller what messages_for_display would load, without the queries.

    For a message just created: its reactions and mentions are what the caller stored (each mention
    with its `user`), its author and reply target the objects it was created with. This fills the
    same per-instance cache that prefetch_related fills.
    """
    message._prefetched_objects_cache = {
        Message._meta.get_field("reactions").cache_name: _fetched(Reaction, list(reactions)),
        Message._meta.get_field("mentions").cache_name: _fetched(Mention, list(mentions)),
    }
    return message


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
    messages = messages_for_display(room).prefetch_related(None).order_by("-seq")
    if before_seq is not None:
        messages = messages.filter(seq__lt=before_seq)
    page = list(messages[: limit + 1])
    has_older = len(page) > limit
    return _with_reactions_and_mentions(list(reversed(page[:limit]))), has_older


def _with_reactions_and_mentions(messages: list[Message]) -> list[Message]:
    """What messages_for_display prefetches (reactions, mentions with their person), in two queries.

    prefetch_related builds a queryset per message and relation; for a page of 50 messages that was
    most of the page's database time in Python. Here each message gets its rows as they come.
    """
    if not messages:
        return messages
    ids = [message.pk for message in messages]
    reactions: dict[int, list[Reaction]] = {message_id: [] for message_id in ids}
    for reaction in Reaction.objects.filter(message_id__in=ids):
        reactions[reaction.message_id].append(reaction)
    mentions: dict[int, list[Mention]] = {message_id: [] for message_id in ids}
    for mention in Mention.objects.filter(message_id__in=ids).select_related("user"):
        mentions[mention.message_id].append(mention)
    reactions_name = Message._meta.get_field("reactions").cache_name
    mentions_name = Message._meta.get_field("mentions").cache_name
    for message in messages:
        message._prefetched_objects_cache = {
            reactions_name: _fetched(Reaction, reactions[message.pk]),
            mentions_name: _fetched(Mention, mentions[message.pk]),
        }
    return messages


def _fetched(model, rows: list) -> QuerySet:
    """A queryset already holding `rows`, as prefetch_related leaves one."""
    queryset = QuerySet(model=model)
    queryset._result_cache = rows
    queryset._prefetch_done = True
    return queryset


def last_read_seq(*, room: Room, user) -> int:
    """How far the person has read the room (0 when never)."""
    if not user.is_authenticated:
        return 0
    state = ReadState.objects.filter(room=room, user=user).values_list("last_read_seq", flat=True).first()
    return state or 0


def changes_after(
    *, room: Room, changed_after: int, up_to_change: int, seq_up_to: int, changed_during: int, limit: int = 200
) -> list[Message]:
    """Messages changed after `changed_after` (up to `up_to_change`), in change order: those up to seq
    `seq_up_to`, and any later one changed after `changed_during` (while the newer ones were being sent)."""
    return list(
        messages_for_display(room)
        .filter(changed_seq__gt=changed_after, changed_seq__lte=up_to_change)
        .filter(Q(seq__lte=seq_up_to) | Q(changed_seq__gt=changed_during))
        .order_by("changed_seq")[:limit]
    )


def changes_after_count(*, room: Room, changed_after: int, up_to_change: int, seq_up_to: int, limit: int) -> int:
    """How many messages up to seq `seq_up_to` changed after `changed_after` (up to `up_to_change`), counted to `limit`."""
    return Message.objects.filter(
        room=room, changed_seq__gt=changed_after, changed_seq__lte=up_to_change, seq__lte=seq_up_to
    )[:limit].count()


def room_counters(*, room_id: int) -> tuple[int, int]:
    """(last_seq, last_change_seq) of the room as committed now."""
    return Room.objects.filter(pk=room_id).values_list("last_seq", "last_change_seq").get()


def unread_by_room(*, user) -> list[dict]:
    """For each room of the person's active circles: its last seq, and their unread messages and mentions.

    Unread: by others, not deleted, past the read state (as on My page). Three queries in all.
    """
    rooms = list(
        Room.objects.filter(circle__memberships__user=user, circle__memberships__state=MembershipState.ACTIVE)
        .values("pk", "circle_id", "last_seq")
        .order_by("pk")
    )
    read = dict(
        ReadState.objects.filter(user=user, room__in=[room["pk"] for room in rooms]).values_list(
            "room_id", "last_read_seq"
        )
    )
    condition = Q()
    for room in rooms:
        condition |= Q(room_id=room["pk"], seq__gt=read.get(room["pk"], 0))
    counts: dict[int, dict] = {}
    if rooms:
        counts = {
            row["room_id"]: row
            for row in Message.objects.filter(condition, deleted_at__isnull=True)
            .exclude(author=user)
            .order_by()
            .values("room_id")
            .annotate(
                unread=Count("pk", distinct=True),
                mentions=Count("mentions", filter=Q(mentions__user=user), distinct=True),
            )
        }
    return [
        {
            "room": room["pk"],
            "circle": room["circle_id"],
            "last_seq": room["last_seq"],
            "unread": counts.get(room["pk"], {}).get("unread", 0),
            "mentions": counts.get(room["pk"], {}).get("mentions", 0),
        }
        for room in rooms
    ]


def unread_in_room(*, room_id: int, user) -> tuple[int, int]:
    """(unread, mentions) of one room for the person, counted as unread_by_room counts them."""
    read = ReadState.objects.filter(room_id=room_id, user=user).values_list("last_read_seq", flat=True).first() or 0
    row = (
        Message.objects.filter(room_id=room_id, seq__gt=read, deleted_at__isnull=True)
        .exclude(author=user)
        .aggregate(
            unread=Count("pk", distinct=True), mentions=Count("mentions", filter=Q(mentions__user=user), distinct=True)
        )
    )
    return row["unread"], row["mentions"]


# ---------------------------------------------------------------------------- moderation and pins


def pinned_messages(*, room: Room) -> list[Message]:
    """The room's pinned messages that are not deleted, newest pin first."""
    return list(
        room.messages.filter(pinned_at__isnull=False, deleted_at__isnull=True)
        .select_related("author")
        .order_by("-pinned_at", "-pk")
    )


def open_report_count(*, room: Room) -> int:
    from .models import Report, ReportState

    return Report.objects.filter(message__room=room, state=ReportState.OPEN).count()


def open_reports(*, room: Room) -> list:
    """Open reports of the room's messages, oldest first, with the message and reporter (one query)."""
    from .models import Report, ReportState

    return list(
        Report.objects.filter(message__room=room, state=ReportState.OPEN)
        .select_related("reporter", "message__author", "message__room", "message__reply_to__author")
        .prefetch_related("message__reactions", "message__mentions__user")
        .order_by("created_at", "pk")
    )


def moderation_log(*, room: Room, limit: int = 50) -> list:
    """The room's latest moderation actions, newest first."""
    return list(room.moderation_actions.select_related("actor", "target", "message__author")[:limit])


def mutable_members(*, room: Room) -> list[Membership]:
    """The active members (not facilitators) a facilitator may mute, by name, with `muted_until`."""
    from circles.models import MembershipRole

    return sorted(
        Membership.objects.filter(
            circle_id=room.circle_id, state=MembershipState.ACTIVE, role=MembershipRole.MEMBER
        ).select_related("user"),
        key=lambda membership: (membership.user.name.casefold(), membership.user_id),
    )
