"""Moderation, reports and pins without JavaScript: the plain forms call the same services as the socket."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from chat.models import Message, ModerationAction, ModerationKind, Report, ReportState
from chat.services import message_post, message_report, room_lock_set
from circles.models import Membership, MembershipRole
from tests import factories


def post(room, author, body: str = "Hej") -> Message:
    message, _created = message_post(room=room, author=author, body=body, client_id=uuid.uuid4())
    return message


@pytest.fixture
def room(circle):
    return circle.room


@pytest.fixture
def other_member(circle):
    return factories.MembershipFactory(circle=circle).user


@pytest.fixture
def message(room, other_member) -> Message:
    return post(room, other_member, "Et opslag om **affald**")


PEOPLE = {
    "anonymous": lambda circle: None,
    "member": lambda circle: factories.MembershipFactory(circle=circle).user,
    "facilitator of another circle": lambda circle: factories.MembershipFactory(role=MembershipRole.FACILITATOR).user,
    "facilitator": lambda circle: factories.MembershipFactory(circle=circle, role=MembershipRole.FACILITATOR).user,
}


def urls(room, message, report) -> dict:
    room_kwargs = {"room_id": room.pk}
    message_kwargs = {"room_id": room.pk, "message_id": message.pk}
    return {
        "reports": reverse("chat:reports", kwargs=room_kwargs),
        "lock": reverse("chat:room_lock", kwargs=room_kwargs),
        "slow": reverse("chat:room_slow_mode", kwargs=room_kwargs),
        "mute": reverse("chat:member_mute", kwargs=room_kwargs),
        "unmute": reverse("chat:member_unmute", kwargs=room_kwargs),
        "pin": reverse("chat:message_pin", kwargs=message_kwargs),
        "remove": reverse("chat:message_remove", kwargs=message_kwargs),
        "decide": reverse("chat:report_decide", kwargs={"room_id": room.pk, "report_id": report.pk}),
    }


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("member", 403), ("facilitator of another circle", 403), ("facilitator", 200)],
)
def test_who_may_see_the_reports_page(client, circle, room, message, member, who, status):
    report = message_report(message=message, reporter=member, reason="spam", text="Reklame for en butik")
    person = PEOPLE[who](circle)
    if person is not None:
        client.force_login(person)
    response = client.get(urls(room, message, report)["reports"])
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert member.name in page and "Reklame for en butik" in page and "affald" in page


@pytest.mark.parametrize("who", ["anonymous", "member", "facilitator of another circle"])
@pytest.mark.parametrize(
    ("url_name", "data"),
    [
        ("lock", {"locked": "on"}),
        ("slow", {"seconds": "30"}),
        ("mute", {"seconds": "3600"}),
        ("unmute", {}),
        ("pin", {"pinned": "on"}),
        ("remove", {}),
        ("decide", {"outcome": "dismissed"}),
    ],
)
def test_moderation_forms_refuse_everyone_but_the_circles_facilitators(
    client, circle, room, message, member, other_member, who, url_name, data
):
    report = message_report(message=message, reporter=member, reason="spam")
    person = PEOPLE[who](circle)
    if person is not None:
        client.force_login(person)
    response = client.post(urls(room, message, report)[url_name], {"user": other_member.pk, **data})
    assert response.status_code == (302 if person is None else 403)
    if person is None:
        assert "/login/" in response["Location"]
    room.refresh_from_db()
    message.refresh_from_db()
    assert (room.locked, room.slow_mode_seconds, message.pinned_at, message.deleted_at) == (False, 0, None, None)
    assert not Membership.objects.filter(muted_until__isnull=False).exists()
    assert Report.objects.get().state == ReportState.OPEN
    assert not ModerationAction.objects.exists()


def test_a_facilitator_pauses_and_reopens_the_conversation_with_plain_forms(client, room, facilitator, message):
    client.force_login(facilitator)
    next_url = reverse("chat:room", kwargs={"room_id": room.pk}) + "#chat"
    response = client.post(reverse("chat:room_lock", kwargs={"room_id": room.pk}), {"locked": "on", "next": next_url})
    assert response.status_code == 302 and response["Location"] == next_url
    room.refresh_from_db()
    assert room.locked
    client.post(reverse("chat:room_lock", kwargs={"room_id": room.pk}), {})
    room.refresh_from_db()
    assert not room.locked


def test_a_member_sees_the_paused_composer_disabled_and_the_facilitator_does_not(
    client, circle, room, member, facilitator
):
    room_lock_set(room=room, moderator=facilitator, locked=True)
    client.force_login(member)
    page = client.get(reverse("chat:room", kwargs={"room_id": room.pk})).content.decode()
    assert "Facilitatoren har sat samtalen på pause." in page or "The facilitator has paused the conversation." in page
    assert 'aria-describedby="chat-help chat-room-notice" disabled' in page
    assert 'id="chat-moderation"' not in page
    response = client.post(
        reverse("chat:room", kwargs={"room_id": room.pk}), {"body": "Hallo?", "client_id": str(uuid.uuid4())}
    )
    assert response.status_code == 200
    assert not Message.objects.filter(author=member).exists()

    client.force_login(facilitator)
    page = client.get(reverse("chat:room", kwargs={"room_id": room.pk})).content.decode()
    assert 'aria-describedby="chat-help chat-room-notice" disabled' not in page
    assert 'id="chat-moderation"' in page


def test_slow_mode_mute_and_unmute_with_plain_forms(client, room, facilitator, other_member):
    client.force_login(facilitator)
    client.post(reverse("chat:room_slow_mode", kwargs={"room_id": room.pk}), {"seconds": "60"})
    room.refresh_from_db()
    assert room.slow_mode_seconds == 60
    client.post(reverse("chat:room_slow_mode", kwargs={"room_id": room.pk}), {"seconds": "61"})
    room.refresh_from_db()
    assert room.slow_mode_seconds == 60

    client.post(
        reverse("chat:member_mute", kwargs={"room_id": room.pk}), {"user": other_member.pk, "seconds": "604800"}
    )
    membership = Membership.objects.get(circle=room.circle, user=other_member)
    assert membership.muted_until - timezone.now() > datetime.timedelta(days=6)
    page = client.get(reverse("chat:room", kwargs={"room_id": room.pk})).content.decode()
    assert other_member.name in page.split('id="chat-moderation"')[1]
    client.post(reverse("chat:member_unmute", kwargs={"room_id": room.pk}), {"user": other_member.pk})
    membership.refresh_from_db()
    assert membership.muted_until is None
    assert list(ModerationAction.objects.order_by("pk").values_list("kind", flat=True)) == [
        ModerationKind.SLOW_MODE,
        ModerationKind.MUTE,
        ModerationKind.UNMUTE,
    ]


def test_a_facilitator_pins_unpins_and_removes_with_plain_forms(client, room, facilitator, message):
    client.force_login(facilitator)
    page = client.get(reverse("chat:message", kwargs={"room_id": room.pk, "message_id": message.pk}))
    assert page.status_code == 200
    assert reverse("chat:message_pin", kwargs={"room_id": room.pk, "message_id": message.pk}) in page.content.decode()
    client.post(reverse("chat:message_pin", kwargs={"room_id": room.pk, "message_id": message.pk}), {"pinned": "on"})
    message.refresh_from_db()
    assert message.pinned_at is not None
    chat_page = client.get(reverse("chat:room", kwargs={"room_id": room.pk})).content.decode()
    pins = chat_page.split('id="chat-pins"')[1].split("</div>")[0]
    assert "Et opslag om **affald**" in pins
    client.post(reverse("chat:message_pin", kwargs={"room_id": room.pk, "message_id": message.pk}), {})
    message.refresh_from_db()
    assert message.pinned_at is None
    client.post(reverse("chat:message_remove", kwargs={"room_id": room.pk, "message_id": message.pk}))
    message.refresh_from_db()
    assert message.removed_by_facilitator


def test_a_member_reports_a_message_with_the_plain_form(client, room, member, message):
    client.force_login(member)
    url = reverse("chat:message", kwargs={"room_id": room.pk, "message_id": message.pk})
    page = client.get(url).content.decode()
    assert 'name="reason"' in page
    assert reverse("chat:message_pin", kwargs={"room_id": room.pk, "message_id": message.pk}) not in page
    report_url = reverse("chat:message_report", kwargs={"room_id": room.pk, "message_id": message.pk})
    assert client.post(report_url, {"reason": ""}).status_code == 400
    response = client.post(report_url, {"reason": "private", "text": "Der står et telefonnummer"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.reporter, report.reason, report.text) == (member, "private", "Der står et telefonnummer")
    again = client.post(report_url, {"reason": "spam"})
    assert again.status_code == 400
    assert Report.objects.count() == 1
    assert 'name="reason"' not in client.get(url).content.decode()


def test_the_author_cannot_report_their_own_message(client, room, other_member, message):
    client.force_login(other_member)
    page = client.get(reverse("chat:message", kwargs={"room_id": room.pk, "message_id": message.pk})).content.decode()
    assert 'name="reason"' not in page
    response = client.post(
        reverse("chat:message_report", kwargs={"room_id": room.pk, "message_id": message.pk}), {"reason": "spam"}
    )
    assert response.status_code == 400
    assert not Report.objects.exists()


def test_a_message_of_another_room_is_not_found_through_this_one(client, room, member):
    elsewhere = factories.MembershipFactory()
    foreign = post(elsewhere.circle.room, elsewhere.user)
    client.force_login(member)
    response = client.get(reverse("chat:message", kwargs={"room_id": room.pk, "message_id": foreign.pk}))
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("outcome", "extra", "check"),
    [
        ("removed", {}, lambda message, author: message.deleted_at is not None),
        ("dismissed", {}, lambda message, author: message.deleted_at is None),
        (
            "muted",
            {"seconds": "3600"},
            lambda message, author: Membership.objects.get(user=author).muted_until is not None,
        ),
    ],
)
def test_a_facilitator_handles_a_report_from_the_reports_page(
    client, room, member, other_member, facilitator, message, outcome, extra, check
):
    report = message_report(message=message, reporter=member, reason="offensive")
    client.force_login(facilitator)
    response = client.post(
        reverse("chat:report_decide", kwargs={"room_id": room.pk, "report_id": report.pk}),
        {"outcome": outcome, **extra},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    message.refresh_from_db()
    assert report.state == outcome and report.resolved_by == facilitator
    assert check(message, other_member)
    page = client.get(reverse("chat:reports", kwargs={"room_id": room.pk})).content.decode()
    log = page.split('id="log-title"')[1]
    assert facilitator.name in log
    assert 'class="chat-report"' not in page.split('id="log-title"')[0]


def test_the_reports_page_counts_queries_not_reports(client, room, facilitator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    authors = [factories.MembershipFactory(circle=room.circle).user for _ in range(3)]
    client.force_login(facilitator)
    url = reverse("chat:reports", kwargs={"room_id": room.pk})

    def queries_with_reports() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        return len(captured.captured_queries)

    message_report(message=post(room, authors[0]), reporter=authors[1], reason="spam")
    client.get(url)  # the session and its user are cached after the first request
    with_one = queries_with_reports()
    for author in authors:
        for reporter in authors:
            if reporter != author:
                message_report(message=post(room, author), reporter=reporter, reason="spam")
    assert queries_with_reports() == with_one <= 16
    assert client.get(url).content.decode().count('class="chat-report"') == 7


def test_the_open_report_count_shows_on_the_chat_for_facilitators_only(
    client, circle, room, member, facilitator, message
):
    message_report(message=message, reporter=member, reason="spam")
    client.force_login(facilitator)
    page = client.get(circle.get_absolute_url()).content.decode()
    assert '<span class="chat-reports-count">1</span>' in page
    assert reverse("chat:reports", kwargs={"room_id": room.pk}) in page
    client.force_login(member)
    page = client.get(circle.get_absolute_url()).content.decode()
    assert "chat-reports-count" not in page
    assert reverse("chat:reports", kwargs={"room_id": room.pk}) not in page
