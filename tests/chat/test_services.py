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
    ("state", "muted"),
    [
        (None, False),
        (MembershipState.PENDING, False),
        (MembershipState.WAITLISTED, False),
        (MembershipState.BANNED, False),
        (MembershipState.REMOVED, False),
        (MembershipState.ACTIVE, True),
    ],
)
def test_only_active_unmuted_members_post(circle, user, state, muted):
    if state is not None:
        muted_until = timezone.now() + timezone.timedelta(hours=1) if muted else None
        factories.MembershipFactory(circle=circle, user=user, state=state, muted_until=muted_until)
    with pytest.raises(ServiceError) as refused:
        message_post(room=circle.room, author=user, body="Hej", client_id=uuid.uuid4())
    assert refused.value.code == "not_a_member"
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
