import json
import threading
import uuid

import pytest
from django.db import close_old_connections
from django.utils import timezone

from chat.models import Message
from chat.services import MAX_BODY_CHARS, message_post
from circles.models import MembershipState
from config.errors import ServiceError
from tests import factories


def test_messages_get_consecutive_seq_per_room(circle, member):
    other_room = factories.CircleFactory().room
    first, _ = message_post(room=circle.room, author=member, body="Hej", client_id=uuid.uuid4())
    second, _ = message_post(room=circle.room, author=member, body="Er der nogen?", client_id=uuid.uuid4())
    assert (first.seq, second.seq) == (1, 2)
    assert other_room.last_seq == 0
    circle.room.refresh_from_db()
    assert circle.room.last_seq == 2


def test_a_repeated_client_id_stores_one_message(circle, member):
    client_id = uuid.uuid4()
    original, created = message_post(room=circle.room, author=member, body="Hej", client_id=client_id)
    again, created_again = message_post(room=circle.room, author=member, body="Hej", client_id=client_id)
    assert (created, created_again) == (True, False)
    assert again.pk == original.pk
    assert Message.objects.count() == 1


def test_the_same_client_id_from_two_people_is_two_messages(circle, member, facilitator):
    client_id = uuid.uuid4()
    message_post(room=circle.room, author=member, body="a", client_id=client_id)
    message_post(room=circle.room, author=facilitator, body="b", client_id=client_id)
    assert Message.objects.count() == 2


@pytest.mark.parametrize(
    ("state", "muted", "code"),
    [
        (None, False, "not_a_member"),
        (MembershipState.PENDING, False, "not_a_member"),
        (MembershipState.WAITLISTED, False, "not_a_member"),
        (MembershipState.BANNED, False, "not_a_member"),
        (MembershipState.REMOVED, False, "not_a_member"),
        (MembershipState.ACTIVE, True, "muted"),
    ],
)
def test_only_active_unmuted_members_post(circle, user, state, muted, code):
    if state is not None:
        muted_until = timezone.now() + timezone.timedelta(hours=1) if muted else None
        factories.MembershipFactory(circle=circle, user=user, state=state, muted_until=muted_until)
    with pytest.raises(ServiceError) as refused:
        message_post(room=circle.room, author=user, body="Hej", client_id=uuid.uuid4())
    assert refused.value.code == code
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("body", "code"), [("", "empty"), ("   \n ", "empty"), ("x" * (MAX_BODY_CHARS + 1), "too_long")]
)
def test_empty_and_overlong_messages_are_refused(circle, member, body, code):
    with pytest.raises(ServiceError) as refused:
        message_post(room=circle.room, author=member, body=body, client_id=uuid.uuid4())
    assert refused.value.code == code
    circle.room.refresh_from_db()
    assert circle.room.last_seq == 0


def test_a_reply_to_a_message_of_another_room_is_dropped(circle, member):
    elsewhere = factories.MembershipFactory()
    foreign, _ = message_post(room=elsewhere.circle.room, author=elsewhere.user, body="a", client_id=uuid.uuid4())
    reply, _ = message_post(room=circle.room, author=member, body="b", client_id=uuid.uuid4(), reply_to=foreign)
    assert reply.reply_to is None


@pytest.mark.django_db(transaction=True)
def test_concurrent_senders_get_gapless_unique_seq(sdgs):
    membership = factories.MembershipFactory()
    authors = [membership.user] + [factories.MembershipFactory(circle=membership.circle).user for _ in range(3)]
    room = membership.circle.room
    per_author = 10
    failures: list[BaseException] = []
    start = threading.Barrier(len(authors))

    def send(author) -> None:
        try:
            start.wait()
            for _ in range(per_author):
                message_post(room=room, author=author, body="samtidig", client_id=uuid.uuid4())
        except BaseException as error:  # reported below, with the thread's traceback lost otherwise
            failures.append(error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=send, args=(author,)) for author in authors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    seqs = sorted(Message.objects.filter(room=room).values_list("seq", flat=True))
    assert seqs == list(range(1, len(authors) * per_author + 1))


# ---------------------------------------------------------------------------- events after commit


@pytest.fixture
def room_listener(settings, circle):
    """A channel in the circle's room group on the in-memory layer; returns a function reading its events."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from chat.groups import room_group_name

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(room_group_name(circle.room.pk), channel)

    def events() -> list[dict]:
        received = []
        while True:
            try:
                received.append(_receive_now(layer, channel))
            except LookupError:
                return received

    return events


def _receive_now(layer, channel: str) -> dict:
    """The next event already queued for the channel, or LookupError."""
    queue = layer.channels.get(channel)
    if not queue or queue.empty():
        raise LookupError(channel)
    _expiry, event = queue.get_nowait()
    return event


def test_a_new_message_is_published_once_after_commit(
    circle, member, room_listener, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message, _created = message_post(room=circle.room, author=member, body="Hej *alle*", client_id=uuid.uuid4())
        assert room_listener() == []
    for callback in callbacks:
        callback()
    [event] = room_listener()
    assert event["type"] == "chat.message"
    assert event["new"] is True
    assert event["message"]["seq"] == message.seq
    assert "html" not in event["message"]
    assert set(event["html"]) == {"da", "en"}
    assert "<em>alle</em>" in event["html"]["da"]


def test_a_repeated_client_id_publishes_nothing(circle, member, room_listener, django_capture_on_commit_callbacks):
    client_id = uuid.uuid4()
    message_post(room=circle.room, author=member, body="Hej", client_id=client_id)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message_post(room=circle.room, author=member, body="Hej", client_id=client_id)
    assert callbacks == []
    assert room_listener() == []


def test_a_refused_message_stores_and_publishes_nothing(
    circle, member, room_listener, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ServiceError):
        message_post(room=circle.room, author=member, body="   ", client_id=uuid.uuid4())
    assert callbacks == []
    assert room_listener() == []


def test_a_broadcast_that_fails_leaves_the_message_stored(
    circle, member, monkeypatch, django_capture_on_commit_callbacks
):
    from chat import services

    def redis_is_down(*args, **kwargs):
        raise ConnectionError("channel layer down")

    monkeypatch.setattr(services, "message_event", redis_is_down)
    with django_capture_on_commit_callbacks(execute=True):
        message, created = message_post(room=circle.room, author=member, body="Hej", client_id=uuid.uuid4())
    assert created
    assert Message.objects.filter(pk=message.pk).exists()


# ---------------------------------------------------------------------------- edit, delete, reactions, read state


def test_edit_changes_own_text_and_marks_it_edited(circle, member, django_capture_on_commit_callbacks):
    from chat.services import message_edit

    message, _created = message_post(room=circle.room, author=member, body="Hej", client_id=uuid.uuid4())
    with django_capture_on_commit_callbacks() as callbacks:
        message_edit(message=message, editor=member, body="  Hej igen ")
    message.refresh_from_db()
    assert (message.body, message.edited_at is not None, len(callbacks)) == ("Hej igen", True, 1)
    with django_capture_on_commit_callbacks() as callbacks:
        message_edit(message=message, editor=member, body="Hej igen")
    assert callbacks == []


def test_delete_is_soft_and_a_second_delete_changes_nothing(circle, member, facilitator):
    from chat.services import message_delete

    message, _created = message_post(room=circle.room, author=member, body="Hej", client_id=uuid.uuid4())
    message_delete(message=message, deleted_by=facilitator)
    message.refresh_from_db()
    assert (message.deleted_by, message.removed_by_facilitator, message.body) == (facilitator, True, "Hej")
    first_deleted_at = message.deleted_at
    message_delete(message=message, deleted_by=member)
    message.refresh_from_db()
    assert (message.deleted_at, message.deleted_by) == (first_deleted_at, facilitator)


def test_staff_of_the_host_library_may_remove_messages_a_member_may_not(circle, member, library_staff):
    from chat.services import message_delete

    other = factories.MembershipFactory(circle=circle).user
    message, _created = message_post(room=circle.room, author=member, body="Hej", client_id=uuid.uuid4())
    with pytest.raises(ServiceError) as refused:
        message_delete(message=message, deleted_by=other)
    assert refused.value.code == "not_allowed"
    message_delete(message=message, deleted_by=library_staff)
    message.refresh_from_db()
    assert message.removed_by_facilitator


def test_reactions_toggle_and_count_per_emoji(circle, member, facilitator):
    from chat.models import Reaction
    from chat.services import reaction_toggle

    message, _created = message_post(room=circle.room, author=member, body="Hej", client_id=uuid.uuid4())
    assert reaction_toggle(message=message, user=member, emoji="🎉") is True
    assert reaction_toggle(message=message, user=facilitator, emoji="🎉") is True
    assert reaction_toggle(message=message, user=facilitator, emoji="👍") is True
    assert reaction_toggle(message=message, user=member, emoji="🎉") is False
    message = Message.objects.prefetch_related("reactions").get(pk=message.pk)
    assert message.reaction_summary == [
        {"emoji": "👍", "count": 1, "users": [facilitator.pk]},
        {"emoji": "🎉", "count": 1, "users": [facilitator.pk]},
    ]
    assert Reaction.objects.count() == 2
    with pytest.raises(ServiceError) as refused:
        reaction_toggle(message=message, user=member, emoji="🍕")
    assert refused.value.code == "invalid_field"


def test_read_state_moves_forward_only(circle, member):
    from chat.selectors import last_read_seq
    from chat.services import read_mark

    for _number in range(3):
        message_post(room=circle.room, author=member, body="Hej", client_id=uuid.uuid4())
    assert read_mark(room=circle.room, user=member, seq=2) == 2
    assert read_mark(room=circle.room, user=member, seq=1) == 2
    assert read_mark(room=circle.room, user=member, seq=10) == 3
    assert last_read_seq(room=circle.room, user=member) == 3


def test_only_members_mark_a_room_read(circle, user):
    from chat.services import read_mark

    with pytest.raises(ServiceError):
        read_mark(room=circle.room, user=user, seq=1)


# ---------------------------------------------------------------------------- the send path's cost


def test_a_new_message_is_stored_broadcast_and_acknowledged_in_seven_queries(
    circle, member, room_listener, django_capture_on_commit_callbacks, django_assert_num_queries
):
    """Access (one query), the room's lock, the repeat check, seq, the row, and the savepoint around
    them: the broadcast and the sender's acknowledgement use the message as stored, with no re-read."""
    from chat.presenters import message_payload

    message_post(room=circle.room, author=member, body="Første", client_id=uuid.uuid4())
    room_listener()
    with django_assert_num_queries(7), django_capture_on_commit_callbacks(execute=True):
        message, _created = message_post(room=circle.room, author=member, body="Hej *alle*", client_id=uuid.uuid4())
        payload = message_payload(message, language="da")
    [event] = room_listener()
    assert event["message"]["seq"] == payload["seq"] == 2
    assert event["html"]["da"] == payload["html"]


def test_a_new_message_as_returned_shows_exactly_as_it_reads_back(
    circle, member, facilitator, room_listener, django_capture_on_commit_callbacks
):
    """The message message_post hands back (reply, mention, no reactions yet) renders and serializes
    exactly as the same message read back from the database, in every language."""
    from django.conf import settings

    from chat.presenters import message_payload
    from chat.selectors import message_in_room

    first, _created = message_post(room=circle.room, author=facilitator, body="Velkommen", client_id=uuid.uuid4())
    first = message_in_room(room=circle.room, message_id=first.pk)
    with django_capture_on_commit_callbacks(execute=True):
        message, _created = message_post(
            room=circle.room,
            author=member,
            body=f"Tak @{facilitator.name}, **godt**",
            client_id=uuid.uuid4(),
            reply_to=first,
        )
    events = room_listener()
    stored = message_in_room(room=circle.room, message_id=message.pk)
    for language, _name in settings.LANGUAGES:
        returned, read_back = message_payload(message, language=language), message_payload(stored, language=language)
        assert returned == read_back
        assert events[-1]["html"][language] == read_back["html"]
    assert read_back["mentions"] == [facilitator.pk]
    assert read_back["reply_to"] == {"id": first.pk, "seq": first.seq}
    assert events[-1]["message"] == {key: value for key, value in read_back.items() if key != "html"}


@pytest.mark.postgres
def test_the_pinned_list_is_found_by_its_index_not_by_reading_the_room(circle, member):
    """Every room page reads the pinned list: in a long room, PostgreSQL must not read every message."""
    from django.db import connection

    from chat.selectors import pinned_messages

    Message.objects.bulk_create(
        Message(room=circle.room, seq=seq, author=member, body=f"besked {seq}") for seq in range(1, 5001)
    )
    Message.objects.filter(room=circle.room, seq=17).update(pinned_at=timezone.now())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE chat_message")
    query = circle.room.messages.filter(pinned_at__isnull=False, deleted_at__isnull=True).order_by("-pinned_at", "-pk")
    assert "chat_message_room_pinned" in query.explain()
    assert [message.seq for message in pinned_messages(room=circle.room)] == [17]


HISTORY_ROOM_MESSAGES = 1_000_000


def _history_plan(room, before_seq: int | None) -> tuple[str, dict]:
    """The SQL of the history page's message query, as the selector runs it, and PostgreSQL's plan of it (run)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chat.selectors import HISTORY_PAGE, message_page

    with CaptureQueriesContext(connection) as queries:
        page, _has_older = message_page(room=room, before_seq=before_seq)
    assert len(page) == HISTORY_PAGE
    sql = next(query["sql"] for query in queries.captured_queries if 'FROM "chat_message"' in query["sql"])
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
    return sql, plan[0]["Plan"] if isinstance(plan, list) else json.loads(plan)[0]["Plan"]


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


@pytest.mark.postgres
def test_a_history_page_of_a_million_message_room_reads_one_page_by_the_room_seq_index(circle, member):
    """Keyset pagination: at any depth, the page is read from the (room, seq) index, about one page of rows."""
    from django.db import connection

    from chat.selectors import HISTORY_PAGE

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO chat_message (room_id, seq, author_id, client_id, body, created_at, changed_seq)"
            " SELECT %s, seq, %s, gen_random_uuid(), 'besked ' || seq, now(), seq"
            " FROM generate_series(1, %s) AS seq",
            [circle.room.pk, member.pk, HISTORY_ROOM_MESSAGES],
        )
        cursor.execute("ANALYZE chat_message")
    # The newest page, one in the middle and one near the start.
    for before_seq in (None, HISTORY_ROOM_MESSAGES // 2, 100):
        sql, plan = _history_plan(circle.room, before_seq)
        assert "OFFSET" not in sql.upper()
        nodes = list(_nodes(plan))
        # The page's own rows (the replied-to messages joined to them are looked up by primary key).
        scans = [node for node in nodes if node.get("Alias") == "chat_message"]
        assert [node["Node Type"] for node in scans] == ["Index Scan"], nodes
        assert scans[0]["Index Name"] == "chat_message_unique_seq"
        assert not any(node["Node Type"] in ("Seq Scan", "Sort") for node in nodes), nodes
        # One page and the row that tells whether older ones exist: not the million.
        assert scans[0]["Actual Rows"] <= HISTORY_PAGE + 1
