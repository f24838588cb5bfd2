"""Calendar feeds, parsed back with icalendar."""

import datetime

import pytest
from icalendar import Calendar

from circles.models import CircleStatus, MeetingFormat, MembershipState
from tests import factories


def parse(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(calendar: Calendar) -> list:
    return list(calendar.walk("VEVENT"))


@pytest.fixture
def hybrid_circle(circle):
    circle.format = MeetingFormat.HYBRID
    circle.online_url = "https://meet.example/hemmelig"
    circle.venue = factories.VenueFactory(library=circle.host_library, name="Posthuset", address="Banegårdspladsen 1")
    circle.save()
    return circle


def test_circle_feed_lists_its_meetings_with_place_and_cancellations(client, hybrid_circle):
    first = factories.MeetingFactory(
        circle=hybrid_circle, venue=hybrid_circle.venue, online_url=hybrid_circle.online_url, agenda="Kaffe og klima"
    )
    cancelled = factories.MeetingFactory(
        circle=hybrid_circle,
        starts_at=first.starts_at + datetime.timedelta(days=7),
        ends_at=first.ends_at + datetime.timedelta(days=7),
        cancelled=True,
    )
    calendar = parse(client.get(f"/cirkler/{hybrid_circle.slug}/kalender.ics"))
    assert str(calendar["X-WR-CALNAME"]) == hybrid_circle.title
    by_uid = {str(event["UID"]): event for event in events(calendar)}
    assert set(by_uid) == {f"meeting-{first.pk}@cirkler", f"meeting-{cancelled.pk}@cirkler"}
    event = by_uid[f"meeting-{first.pk}@cirkler"]
    assert event.decoded("DTSTART") == first.starts_at
    assert event.decoded("DTEND") == first.ends_at
    assert str(event["SUMMARY"]) == hybrid_circle.title
    assert "Posthuset, Banegårdspladsen 1" in str(event["LOCATION"])
    assert "Kaffe og klima" in str(event["DESCRIPTION"])
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(by_uid[f"meeting-{cancelled.pk}@cirkler"]["STATUS"]) == "CANCELLED"


def test_public_circle_feed_never_contains_the_online_link(client, hybrid_circle):
    factories.MeetingFactory(circle=hybrid_circle, online_url=hybrid_circle.online_url)
    response = client.get(f"/cirkler/{hybrid_circle.slug}/kalender.ics")
    assert b"meet.example" not in response.content


def test_draft_circle_has_no_feed(client, circle):
    circle.status = CircleStatus.DRAFT
    circle.save()
    assert client.get(f"/cirkler/{circle.slug}/kalender.ics").status_code == 404


def test_personal_feed_has_the_meetings_of_my_active_circles_with_links(client, hybrid_circle, user):
    factories.MembershipFactory(circle=hybrid_circle, user=user)
    mine = factories.MeetingFactory(circle=hybrid_circle, online_url=hybrid_circle.online_url)
    waiting = factories.MembershipFactory(user=user, state=MembershipState.WAITLISTED).circle
    factories.MeetingFactory(circle=waiting)
    factories.MeetingFactory()  # someone else's circle
    calendar = parse(client.get(f"/kalender/{user.calendar_token}.ics"))
    assert [str(event["UID"]) for event in events(calendar)] == [f"meeting-{mine.pk}@cirkler"]
    assert "https://meet.example/hemmelig" in str(events(calendar)[0]["LOCATION"])


def test_an_unknown_or_renewed_token_finds_nothing(client, user):
    old = user.calendar_token
    assert client.get("/kalender/not-a-token.ics").status_code == 404
    client.force_login(user)
    client.post("/konto/kalender/")
    user.refresh_from_db()
    assert user.calendar_token != old
    client.logout()
    assert client.get(f"/kalender/{old}.ics").status_code == 404
    assert client.get(f"/kalender/{user.calendar_token}.ics").status_code == 200


def test_every_person_gets_their_own_token(db):
    tokens = {factories.UserFactory().calendar_token for _ in range(5)}
    assert len(tokens) == 5
    assert all(len(token) >= 32 for token in tokens)


def test_calendar_page_shows_the_address_only_to_its_owner(client, user):
    assert client.get("/konto/kalender/").status_code == 302
    client.force_login(user)
    html = client.get("/konto/kalender/").content.decode()
    assert f"/kalender/{user.calendar_token}.ics" in html
    assert f"webcal://testserver/kalender/{user.calendar_token}.ics" in html
