"""The discussion without JavaScript: the room page, the plain form, and the chat on the circle page."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from chat.models import Message, ReadState
from chat.services import message_post
from circles.models import MembershipRole, MembershipState
from tests import factories


def room_url(room_id: int, **query) -> str:
    url = reverse("chat:room", kwargs={"room_id": room_id})
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def post_many(room, author, count: int) -> None:
    for number in range(1, count + 1):
        message_post(room=room, author=author, body=f"Besked nummer {number}", client_id=uuid.uuid4())


PEOPLE = {
    "anonymous": lambda circle: None,
    "stranger": lambda circle: factories.UserFactory(),
    "pending": lambda circle: factories.MembershipFactory(circle=circle, state=MembershipState.PENDING).user,
    "waitlisted": lambda circle: factories.MembershipFactory(circle=circle, state=MembershipState.WAITLISTED).user,
    "removed": lambda circle: factories.MembershipFactory(circle=circle, state=MembershipState.REMOVED).user,
    "banned": lambda circle: factories.MembershipFactory(circle=circle, state=MembershipState.BANNED).user,
    "library staff, not a member": lambda circle: factories.LibraryStaffFactory(library=circle.host_library).user,
    "member": lambda circle: factories.MembershipFactory(circle=circle).user,
    "muted member": lambda circle: (
        factories.MembershipFactory(circle=circle, muted_until=timezone.now() + datetime.timedelta(hours=1)).user
    ),
    "facilitator": lambda circle: factories.MembershipFactory(circle=circle, role=MembershipRole.FACILITATOR).user,
}


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("stranger", 403),
        ("pending", 403),
        ("waitlisted", 403),
        ("removed", 403),
        ("banned", 403),
        ("library staff, not a member", 403),
        ("member", 200),
        ("muted member", 200),
        ("facilitator", 200),
    ],
)
def test_who_may_read_the_room_page(client, circle, who, status):
    person = PEOPLE[who](circle)
    if person is not None:
        client.force_login(person)
    response = client.get(room_url(circle.room.pk))
    assert response.status_code == status
    if who == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(("who", "status"), [("anonymous", 302), ("stranger", 403), ("removed", 403)])
def test_outsiders_cannot_post(client, circle, who, status):
    person = PEOPLE[who](circle)
    if person is not None:
        client.force_login(person)
    response = client.post(room_url(circle.room.pk), {"body": "Hej", "client_id": str(uuid.uuid4())})
    assert response.status_code == status
    assert not Message.objects.exists()


def test_an_unknown_room_is_404(client, member, circle):
    client.force_login(member)
    assert client.get(room_url(circle.room.pk + 1000)).status_code == 404


def test_the_room_page_shows_the_latest_messages_with_the_partial_and_marks_them_read(client, circle, member):
    post_many(circle.room, member, 3)
    client.force_login(member)
    response = client.get(room_url(circle.room.pk))
    html = response.content.decode()
    assert [message.seq for message in response.context["chat"]["messages"]] == [1, 2, 3]
    assert 'id="message-3"' in html and "Besked nummer 3" in html
    assert 'role="log"' in html and 'aria-live="polite"' in html
    assert ReadState.objects.get(room=circle.room, user=member).last_read_seq == 3


def test_older_messages_page_by_seq(client, circle, member):
    post_many(circle.room, member, 120)
    client.force_login(member)
    latest = client.get(room_url(circle.room.pk)).context["chat"]
    assert [message.seq for message in latest["messages"]] == list(range(71, 121))
    assert latest["has_older"] and latest["oldest_seq"] == 71
    older = client.get(room_url(circle.room.pk, before=71))
    chat = older.context["chat"]
    assert [message.seq for message in chat["messages"]] == list(range(21, 71))
    assert not chat["live"]
    assert "?before=21" in older.content.decode()
    oldest = client.get(room_url(circle.room.pk, before=21)).context["chat"]
    assert [message.seq for message in oldest["messages"]] == list(range(1, 21))
    assert not oldest["has_older"]
    # Paging back does not move the read state.
    assert ReadState.objects.get(room=circle.room, user=member).last_read_seq == 120


def test_the_room_page_runs_a_fixed_number_of_queries(client, circle, member, django_assert_max_num_queries):
    reactor = factories.MembershipFactory(circle=circle).user
    client.force_login(member)
    post_many(circle.room, reactor, 1)
    client.get(room_url(circle.room.pk))  # the session and the read state settle on the first request

    def queries_for_page() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(room_url(circle.room.pk)).status_code == 200
        return len(captured)

    post_many(circle.room, reactor, 2)
    few = queries_for_page()
    post_many(circle.room, reactor, 40)
    from chat.services import reaction_toggle

    for message in Message.objects.all()[:20]:
        reaction_toggle(message=message, user=member, emoji="👍")
    assert queries_for_page() == few


def test_posting_stores_one_message_even_when_submitted_twice(client, circle, member):
    client.force_login(member)
    form = {"body": "Hej fra formularen", "client_id": str(uuid.uuid4()), "next": circle.get_absolute_url() + "#chat"}
    first = client.post(room_url(circle.room.pk), form)
    second = client.post(room_url(circle.room.pk), form)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == circle.get_absolute_url() + "#chat"
    assert Message.objects.get().body == "Hej fra formularen"


def test_posting_never_redirects_to_another_site(client, circle, member):
    client.force_login(member)
    response = client.post(
        room_url(circle.room.pk), {"body": "Hej", "client_id": str(uuid.uuid4()), "next": "https://evil.example/"}
    )
    assert response["Location"] == room_url(circle.room.pk) + "#chat"


@pytest.mark.parametrize(
    ("who", "body", "error"),
    [
        ("member", "   ", "This field is required."),
        ("muted member", "Hej", "A facilitator has paused your writing in this circle for a while."),
    ],
)
def test_a_refused_post_shows_why_and_stores_nothing(client, circle, who, body, error):
    client.force_login(PEOPLE[who](circle))
    with translation.override("en"):
        url = room_url(circle.room.pk)
    response = client.post(url, {"body": body, "client_id": str(uuid.uuid4())})
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Message.objects.exists()


def test_typed_html_is_shown_as_text(client, circle, member):
    message_post(room=circle.room, author=member, body="<script>alert(1)</script> **fed**", client_id=uuid.uuid4())
    client.force_login(member)
    html = client.get(room_url(circle.room.pk)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<strong>fed</strong>" in html


def test_the_circle_page_shows_the_chat_to_active_members_only(client, circle, member, user):
    message_post(room=circle.room, author=member, body="Velkommen i cirklen", client_id=uuid.uuid4())
    client.force_login(member)
    html = client.get(circle.get_absolute_url()).content.decode()
    assert f'data-room-id="{circle.room.pk}"' in html
    assert f'data-ws-path="/ws/rooms/{circle.room.pk}/"' in html
    assert "Velkommen i cirklen" in html
    assert 'type="module"' in html and "js/chat.js" in html
    assert 'name="csrfmiddlewaretoken"' in html and 'name="client_id"' in html
    client.force_login(user)
    html = client.get(circle.get_absolute_url()).content.decode()
    assert "data-room-id" not in html
    assert "Velkommen i cirklen" not in html
