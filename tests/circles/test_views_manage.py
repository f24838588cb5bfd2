"""The pages where circles are created and run, rendered in-process: who may see them, and what their forms do."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from circles.models import (
    Attendance,
    Circle,
    CircleStatus,
    Feedback,
    Meeting,
    MeetingFormat,
    Membership,
    MembershipRole,
    MembershipState,
)
from circles.times import COPENHAGEN
from libraries.models import StaffRole
from tests import factories

HOUR = datetime.timedelta(hours=1)
WHO = [
    "anonymous",
    "member",
    "member_of_other_circle",
    "facilitator_of_other_circle",
    "facilitator",
    "staff_of_other_library",
    "staff",
    "library_admin",
]


def expect(**statuses: int) -> dict[str, int]:
    return {who: statuses.get(who, statuses.get("others", 403)) for who in WHO}


# Who gets what, per kind of page.
RUNNERS = expect(anonymous=302, facilitator=200, staff=200, library_admin=200)
STAFF = expect(anonymous=302, staff=200, library_admin=200)
EVERYONE = expect(others=200)
DRAFT_MEETING = expect(others=404, facilitator=200, staff=200, library_admin=200)
MEMBERS = expect(anonymous=302, member=200)

# (page, which object it is about, expected statuses, whether the circle is a draft)
PAGES = [
    ("circles:create", "library", STAFF, False),
    ("circles:edit", "circle", RUNNERS, False),
    ("circles:edit", "circle", RUNNERS, True),
    ("circles:facilitators", "circle", STAFF, False),
    ("circles:facilitator_remove", "facilitator", STAFF, False),
    ("circles:schedule", "circle", RUNNERS, False),
    ("circles:schedule", "circle", RUNNERS, True),
    ("circles:meeting", "coming", EVERYONE, False),
    ("circles:meeting", "coming", DRAFT_MEETING, True),
    ("circles:meeting", "held", EVERYONE, False),
    ("circles:meeting_move", "coming", RUNNERS, False),
    ("circles:meeting_cancel", "coming", RUNNERS, False),
    ("circles:meeting_notes", "held", RUNNERS, False),
    ("circles:meeting_attendance", "held", RUNNERS, False),
    ("circles:meeting_feedback", "held", MEMBERS, False),
    ("circles:feedback", "circle", RUNNERS, False),
    ("circles:feedback_csv", "circle", RUNNERS, False),
]


@pytest.fixture(autouse=True)
def _danish_between_requests():
    """A request under /en/ leaves English active in the thread; each test starts in Danish."""
    translation.activate("da")
    yield
    translation.activate("da")


@pytest.fixture
def venue(library):
    return factories.VenueFactory(library=library, name="Posthuset")


@pytest.fixture
def place(circle, venue, facilitator, member):
    """The circle (in person at the library's venue) with a coming and a held meeting."""
    circle.venue = venue
    circle.save()
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    coming = factories.MeetingFactory(
        circle=circle, starts_at=now + 72 * HOUR, ends_at=now + 74 * HOUR, venue=venue, online_url=""
    )
    held = factories.MeetingFactory(circle=circle, starts_at=now - 5 * HOUR, ends_at=now - 3 * HOUR, venue=venue)
    return {
        "circle": circle,
        "library": circle.host_library,
        "coming": coming,
        "held": held,
        "facilitator": facilitator,
        "member": member,
    }


@pytest.fixture
def people(place, library):
    other_circle = factories.CircleFactory()
    return {
        "anonymous": None,
        "member": place["member"],
        "member_of_other_circle": factories.MembershipFactory(circle=other_circle).user,
        "facilitator_of_other_circle": factories.MembershipFactory(
            circle=other_circle, role=MembershipRole.FACILITATOR
        ).user,
        "facilitator": place["facilitator"],
        "staff_of_other_library": factories.LibraryStaffFactory().user,
        "staff": factories.LibraryStaffFactory(library=library).user,
        "library_admin": factories.LibraryStaffFactory(library=library, role=StaffRole.ADMIN).user,
    }


def url_of(name: str, about: str, place: dict, language: str = "da") -> str:
    circle = place["circle"]
    with translation.override(language):
        if about == "library":
            return reverse(name) + f"?bibliotek={place['library'].slug}"
        if about == "circle":
            return reverse(name, kwargs={"slug": circle.slug})
        if about == "facilitator":
            return reverse(name, kwargs={"slug": circle.slug, "user_id": place["facilitator"].pk})
        return reverse(name, kwargs={"slug": circle.slug, "pk": place[about].pk})


def log_in(client: Client, person) -> None:
    if person is not None:
        client.force_login(person)


@pytest.mark.parametrize(
    ("name", "about", "who", "expected", "draft"),
    [
        pytest.param(
            name, about, who, statuses[who], draft, id=f"{name.split(':')[1]}-{about}{'-draft' if draft else ''}-{who}"
        )
        for name, about, statuses, draft in PAGES
        for who in WHO
    ],
)
def test_permission_table(client, place, people, name, about, who, expected, draft):
    if draft:
        Circle.objects.filter(pk=place["circle"].pk).update(status=CircleStatus.DRAFT)
    log_in(client, people[who])
    url = url_of(name, about, place)
    response = client.get(url)
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"] == f"{reverse('account_login')}?next={url.replace('?', '%3F').replace('=', '%3D')}"


# A POST by someone refused changes nothing: (page, about, posted data, how to read the state)
def _circle_title(place):
    return Circle.objects.get(pk=place["circle"].pk).title


def _meeting_state(place):
    meeting = Meeting.objects.get(pk=place["coming"].pk)
    return (meeting.starts_at, meeting.cancelled, meeting.sequence, meeting.agenda)


def _held_state(place):
    return (
        Meeting.objects.get(pk=place["held"].pk).agenda,
        Attendance.objects.count(),
        Feedback.objects.count(),
    )


def _facilitators(place):
    return sorted(
        Membership.objects.filter(circle=place["circle"], role=MembershipRole.FACILITATOR).values_list(
            "user_id", flat=True
        )
    )


def _move_data(place):
    moved = timezone.localtime(place["coming"].starts_at, COPENHAGEN) + datetime.timedelta(days=1)
    return {"date": moved.date().isoformat(), "start_time": "09:00", "end_time": "11:00", "venue": "", "online_url": ""}


def _schedule_data(place):
    first = timezone.localdate() + datetime.timedelta(days=30)
    return {
        "first_date": first.isoformat(),
        "start_time": "10:00",
        "duration_minutes": "120",
        "every_weeks": "1",
        "count": "6",
    }


def _circle_data(place):
    return {
        "title": "Kapret cirkel",
        "description": "",
        "kind": "circle",
        "audience": "everyone",
        "format": "in_person",
        "language": "da",
        "sdgs": ["13"],
        "venue": str(place["circle"].venue_id),
        "join_policy": "open",
        "status": "open",
        "reminder_hours": "24",
    }


POSTS = [
    ("circles:create", "library", _circle_data, lambda place: Circle.objects.count()),
    ("circles:edit", "circle", _circle_data, _circle_title),
    ("circles:facilitators", "circle", lambda place: {"email": place["member"].email}, _facilitators),
    ("circles:facilitator_remove", "facilitator", lambda place: {}, _facilitators),
    ("circles:schedule", "circle", _schedule_data, lambda place: Meeting.objects.count()),
    ("circles:meeting_move", "coming", _move_data, _meeting_state),
    ("circles:meeting_cancel", "coming", lambda place: {}, _meeting_state),
    ("circles:meeting_notes", "held", lambda place: {"agenda": "Kapret", "notes": ""}, _held_state),
    ("circles:meeting_attendance", "held", lambda place: {"present": [str(place["member"].pk)]}, _held_state),
    ("circles:meeting_feedback", "held", lambda place: {"rating": "5"}, _held_state),
]
REFUSED = ["anonymous", "member_of_other_circle", "facilitator_of_other_circle", "staff_of_other_library"]


@pytest.mark.parametrize("who", REFUSED)
@pytest.mark.parametrize(("name", "about", "data", "read"), POSTS, ids=[name.split(":")[1] for name, *_ in POSTS])
def test_a_post_by_someone_refused_changes_nothing(client, place, people, who, name, about, data, read):
    log_in(client, people[who])
    before = read(place)
    response = client.post(url_of(name, about, place), data(place))
    assert response.status_code == (302 if who == "anonymous" else 403)
    if who == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))
    assert read(place) == before


@pytest.mark.parametrize(("name", "about", "data", "read"), POSTS, ids=[name.split(":")[1] for name, *_ in POSTS])
def test_a_post_by_the_right_person_changes_something(client, place, people, name, about, data, read):
    who = {"circles:create": "staff", "circles:facilitators": "staff", "circles:facilitator_remove": "staff"}.get(
        name, "member" if name == "circles:meeting_feedback" else "facilitator"
    )
    log_in(client, people[who])
    before = read(place)
    response = client.post(url_of(name, about, place), data(place))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert read(place) != before


RUNNERS_POSTS = [post for post in POSTS if post[0] not in ("circles:create", "circles:meeting_feedback")]


@pytest.mark.parametrize(
    ("name", "about", "data", "read"), RUNNERS_POSTS, ids=[name.split(":")[1] for name, *_ in RUNNERS_POSTS]
)
def test_a_member_posting_to_the_pages_of_those_who_run_the_circle_changes_nothing(
    client, place, people, name, about, data, read
):
    log_in(client, people["member"])
    before = read(place)
    assert client.post(url_of(name, about, place), data(place)).status_code == 403
    assert read(place) == before


def test_the_pages_need_csrf(place, people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["facilitator"])
    response = client.post(url_of("circles:meeting_cancel", "coming", place), {})
    assert response.status_code == 403
    assert Meeting.objects.get(pk=place["coming"].pk).cancelled is False


# Creating and editing


def test_staff_of_several_libraries_choose_where_the_circle_is_hosted(client, library, sdgs):
    person = factories.LibraryStaffFactory(library=library).user
    other = factories.LibraryStaffFactory(user=person).library
    client.force_login(person)
    response = client.get(reverse("circles:create"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f"?bibliotek={library.slug}" in html and f"?bibliotek={other.slug}" in html


def test_staff_of_one_library_get_the_form_at_once(client, library, library_staff, sdgs):
    client.force_login(library_staff)
    response = client.get(reverse("circles:create"))
    assert response.status_code == 200
    assert 'name="title"' in response.content.decode()


def test_people_who_are_not_staff_may_not_start_circles(client, member):
    client.force_login(member)
    assert client.get(reverse("circles:create")).status_code == 403


def test_creating_a_circle_goes_on_to_appointing_facilitators(client, library, library_staff, venue, sdgs):
    client.force_login(library_staff)
    data = {
        "title": "Grøn hverdag",
        "description": "Vi mødes **hver uge**.",
        "kind": "circle",
        "audience": "seniors",
        "format": "hybrid",
        "language": "da",
        "sdgs": ["12", "13"],
        "venue": str(venue.pk),
        "online_url": "meet.cirkler.example/groen",
        "capacity": "12",
        "join_policy": "approval",
        "status": "draft",
        "starts_on": "2031-03-04",
        "rhythm": "Hver tirsdag kl. 10",
        "reminder_hours": "48",
    }
    response = client.post(reverse("circles:create") + f"?bibliotek={library.slug}", data)
    circle = Circle.objects.get(title="Grøn hverdag")
    assert response["Location"] == reverse("circles:facilitators", kwargs={"slug": circle.slug})
    assert (circle.host_library, circle.venue, circle.online_url) == (
        library,
        venue,
        "https://meet.cirkler.example/groen",
    )
    assert (circle.capacity, circle.reminder_hours, circle.created_by) == (12, 48, library_staff)
    assert sorted(circle.sdgs.values_list("number", flat=True)) == [12, 13]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"format": "online", "online_url": ""}, "A circle that meets online needs a link to the online meeting."),
        ({"format": "hybrid", "online_url": ""}, "A circle that meets online needs a link to the online meeting."),
        ({"format": "in_person", "venue": ""}, "A circle that meets in person needs a meeting place."),
        ({"sdgs": []}, "Choose at least one Sustainable Development Goal."),
        ({"partner_libraries": ["partner"]}, "Only project groups have partner libraries."),
    ],
    ids=["online-without-link", "hybrid-without-link", "in-person-without-venue", "no-goals", "partners"],
)
def test_mistakes_are_explained_in_plain_words(client, place, people, changes, message):
    partner = factories.LibraryFactory()
    client.force_login(people["facilitator"])
    data = {**_circle_data(place), "title": "Ændret", **changes}
    if "partner_libraries" in changes:
        data["partner_libraries"] = [str(partner.pk)]
    with translation.override("en"):
        url = reverse("circles:edit", kwargs={"slug": place["circle"].slug})
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert 'class="error-summary"' in html
    assert _circle_title(place) != "Ændret"


def test_show_preview_renders_the_description_sanitized_and_saves_nothing(client, place, people):
    client.force_login(people["facilitator"])
    data = {
        **_circle_data(place),
        "title": "",
        "description": "Vi tager **kage** med.\n\n<script>alert(1)</script>",
        "preview": "1",
    }
    with translation.override("en"):
        url = reverse("circles:edit", kwargs={"slug": place["circle"].slug})
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>kage</strong>" in html
    assert "<script>alert(1)</script>" not in html
    assert 'id="preview-title"' in html
    # The form comes back as typed, without error messages (the title is still empty).
    assert "error-summary" not in html
    assert "Vi tager **kage** med." in html
    assert _circle_title(place) == place["circle"].title


def test_the_form_offers_the_host_librarys_venues_and_the_goals_in_a_fieldset(client, place, people, library):
    factories.VenueFactory(name="Et andet biblioteks sal")
    client.force_login(people["facilitator"])
    with translation.override("en"):
        html = client.get(reverse("circles:edit", kwargs={"slug": place["circle"].slug})).content.decode()
    assert "Posthuset" in html
    assert "Et andet biblioteks sal" not in html
    assert "<legend" in html and "13. Climate action" in html


def test_saving_a_draft_goes_back_to_its_edit_page(client, place, people):
    Circle.objects.filter(pk=place["circle"].pk).update(status=CircleStatus.DRAFT)
    client.force_login(people["facilitator"])
    url = reverse("circles:edit", kwargs={"slug": place["circle"].slug})
    response = client.post(url, {**_circle_data(place), "status": "draft", "title": "Stadig kladde"})
    assert response["Location"] == url
    assert _circle_title(place) == "Stadig kladde"


# Facilitators


def test_staff_appoint_a_facilitator_by_e_mail(client, place, people):
    person = factories.UserFactory(email="Karen@Example.dk")
    client.force_login(people["staff"])
    response = client.post(url_of("circles:facilitators", "circle", place), {"email": "karen@example.dk"})
    assert response.status_code == 302
    assert Membership.objects.get(circle=place["circle"], user=person).role == MembershipRole.FACILITATOR


def test_an_unknown_address_is_explained(client, place, people):
    client.force_login(people["staff"])
    with translation.override("en"):
        url = reverse("circles:facilitators", kwargs={"slug": place["circle"].slug})
    html = client.post(url, {"email": "nobody@example.dk"}).content.decode()
    assert "Nobody with that e-mail address has an account on Cirkler." in html


def test_a_former_facilitator_stays_a_member(client, place, people):
    client.force_login(people["staff"])
    client.post(url_of("circles:facilitator_remove", "facilitator", place))
    membership = Membership.objects.get(circle=place["circle"], user=place["facilitator"])
    assert (membership.role, membership.state) == (MembershipRole.MEMBER, MembershipState.ACTIVE)


# Schedule, move, cancel


def test_planning_six_weekly_meetings_lists_them(client, place, people):
    client.force_login(people["facilitator"])
    url = url_of("circles:schedule", "circle", place)
    response = client.post(url, _schedule_data(place))
    assert response["Location"] == url + "#meetings-title"
    assert Meeting.objects.filter(circle=place["circle"]).count() == 8
    html = client.get(url).content.decode()
    assert len(re.findall(rf'href="/cirkler/{place["circle"].slug}/moeder/\d+/"', html)) == 8


def test_a_colliding_schedule_is_explained_and_nothing_is_planned(client, place, people):
    client.force_login(people["facilitator"])
    coming = timezone.localtime(place["coming"].starts_at, COPENHAGEN)
    data = {**_schedule_data(place), "first_date": coming.date().isoformat(), "start_time": coming.strftime("%H:%M")}
    with translation.override("en"):
        url = reverse("circles:schedule", kwargs={"slug": place["circle"].slug})
    response = client.post(url, data)
    assert response.status_code == 200
    assert "The circle already has a meeting then" in response.content.decode()
    assert Meeting.objects.filter(circle=place["circle"]).count() == 2


def test_moving_a_meeting(client, place, people):
    client.force_login(people["facilitator"])
    response = client.post(url_of("circles:meeting_move", "coming", place), _move_data(place))
    meeting = Meeting.objects.get(pk=place["coming"].pk)
    assert response["Location"] == url_of("circles:meeting", "coming", place)
    local = timezone.localtime(meeting.starts_at, COPENHAGEN)
    assert (local.hour, meeting.sequence, meeting.venue) == (9, 1, place["circle"].venue)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "years_ahead", "yesterday"])
@pytest.mark.parametrize(
    ("name", "about", "field"), [("meeting_move", "coming", "date"), ("schedule", "circle", "first_date")]
)
def test_a_day_before_today_or_years_ahead_is_explained_and_changes_nothing(
    client, place, people, name, about, field, day
):
    today = timezone.localdate(timezone=COPENHAGEN)
    day = {
        "years_ahead": (today + datetime.timedelta(days=6 * 365)).isoformat(),
        "yesterday": (today - datetime.timedelta(days=1)).isoformat(),
    }.get(day, day)
    # Midnight on 1 January of year 1 is before the first moment Python holds in UTC.
    data = {**_move_data(place), "end_time": "00:30"} if name == "meeting_move" else _schedule_data(place)
    data["start_time"] = "00:00"
    client.force_login(people["facilitator"])
    before = sorted(Meeting.objects.filter(circle=place["circle"]).values_list("pk", "starts_at", "sequence"))
    response = client.post(url_of(f"circles:{name}", about, place, language="en"), {**data, field: day})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose a day from today and up to five years ahead." in page
    # The date picker offers the same days the form accepts.
    assert f'min="{today.isoformat()}"' in page
    assert f'max="{(today + datetime.timedelta(days=5 * 365 + 1)).isoformat()}"' in page
    assert sorted(Meeting.objects.filter(circle=place["circle"]).values_list("pk", "starts_at", "sequence")) == before


def test_a_meeting_that_has_started_cannot_be_moved_or_cancelled(client, place, people):
    client.force_login(people["facilitator"])
    with translation.override("en"):
        url = reverse("circles:meeting_cancel", kwargs={"slug": place["circle"].slug, "pk": place["held"].pk})
    assert "cannot be moved or cancelled" in client.get(url).content.decode()
    client.post(url)
    assert Meeting.objects.get(pk=place["held"].pk).cancelled is False


def test_a_cancelled_meeting_is_marked_on_its_page_and_in_the_list(client, place, people):
    client.force_login(people["facilitator"])
    client.post(url_of("circles:meeting_cancel", "coming", place))
    with translation.override("en"):
        meeting_page = client.get(url_of("circles:meeting", "coming", place, "en")).content.decode()
        schedule_page = client.get(url_of("circles:schedule", "circle", place, "en")).content.decode()
    assert "This meeting is cancelled." in meeting_page
    assert 'class="meeting-cancelled"' in schedule_page and "Cancelled" in schedule_page


# The meeting page


@pytest.mark.parametrize(
    ("who", "sees_link"),
    [
        ("anonymous", False),
        ("member_of_other_circle", False),
        ("staff_of_other_library", False),
        ("member", True),
        ("facilitator", True),
        ("staff", True),
    ],
)
def test_only_the_circles_people_see_the_online_link_and_the_notes(client, place, people, who, sees_link):
    Meeting.objects.filter(pk=place["coming"].pk).update(
        online_url="https://meet.cirkler.example/hemmelig", agenda="Vi taler om *mad*.", notes="Inger tager kage med."
    )
    log_in(client, people[who])
    html = client.get(url_of("circles:meeting", "coming", place)).content.decode()
    assert "<em>mad</em>" in html
    assert ("https://meet.cirkler.example/hemmelig" in html) is sees_link
    assert ("Inger tager kage med." in html) is sees_link


def test_a_waitlisted_person_does_not_see_the_link(client, place):
    Meeting.objects.filter(pk=place["coming"].pk).update(online_url="https://meet.cirkler.example/hemmelig")
    client.force_login(factories.MembershipFactory(circle=place["circle"], state=MembershipState.WAITLISTED).user)
    assert "hemmelig" not in client.get(url_of("circles:meeting", "coming", place)).content.decode()


def test_a_member_gives_feedback_on_the_meeting_page_once(client, place, people):
    client.force_login(people["member"])
    with translation.override("en"):
        meeting_url = url_of("circles:meeting", "held", place, "en")
        feedback_url = url_of("circles:meeting_feedback", "held", place, "en")
    html = client.get(meeting_url).content.decode()
    assert "5 – Very good" in html and "1 – Not good" in html and 'type="radio"' in html
    response = client.post(feedback_url, {"rating": "4", "comment": "Hyggeligt"})
    assert response["Location"] == meeting_url
    again = client.post(feedback_url, {"rating": "1"}).content.decode()
    assert "You have already given feedback on this meeting. Thank you!" in again
    assert list(Feedback.objects.values_list("rating", "comment")) == [(4, "Hyggeligt")]


def test_feedback_waits_for_the_meeting(client, place, people):
    client.force_login(people["member"])
    with translation.override("en"):
        html = client.get(url_of("circles:meeting_feedback", "coming", place, "en")).content.decode()
    assert "You can give feedback when the meeting has started." in html
    assert client.post(url_of("circles:meeting_feedback", "coming", place), {"rating": "5"}).status_code == 200
    assert not Feedback.objects.exists()


def test_facilitators_take_attendance_of_the_active_members(client, place, people):
    absent = factories.MembershipFactory(circle=place["circle"]).user
    client.force_login(people["facilitator"])
    url = url_of("circles:meeting_attendance", "held", place)
    html = client.get(url).content.decode()
    assert people["member"].name in html and absent.name in html
    client.post(url, {"present": [str(people["member"].pk)]})
    assert set(Attendance.objects.values_list("user_id", "present")) == {
        (people["member"].pk, True),
        (absent.pk, False),
    }
    with translation.override("en"):
        page = client.get(url_of("circles:meeting", "held", place, "en")).content.decode()
    assert "1 of 2 members came." in page


def test_the_feedback_pages_sum_up_without_names(client, place, people):
    Feedback.objects.create(meeting=place["held"], user=people["member"], rating=5, comment="Rigtig godt")
    client.force_login(people["facilitator"])
    with translation.override("en"):
        circle_page = client.get(url_of("circles:feedback", "circle", place, "en")).content.decode()
        meeting_page = client.get(url_of("circles:meeting", "held", place, "en")).content.decode()
    for html in (circle_page, meeting_page):
        assert "Rigtig godt" in html
        assert "1 answer, on average 5.0 out of 5." in html
        assert people["member"].name not in html.split("<main", 1)[1].split("Feedback", 1)[1]


def test_the_csv_download(client, place, people):
    Feedback.objects.create(meeting=place["held"], user=people["member"], rating=2, comment="=1+1 æøå")
    client.force_login(people["staff"])
    response = client.get(url_of("circles:feedback_csv", "circle", place))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{place["circle"].slug}-feedback.csv"'
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    assert "'=1+1 æøå" in body.decode("utf-8")
    assert people["member"].name not in body.decode("utf-8")


# The circle page


def test_the_circle_page_links_meetings_and_shows_the_run_block_only_to_those_who_run_it(client, place, people):
    meeting_url = url_of("circles:meeting", "coming", place)
    edit_url = url_of("circles:edit", "circle", place)
    for who, runs in [("anonymous", False), ("member", False), ("facilitator", True), ("staff", True)]:
        client.logout()
        log_in(client, people[who])
        html = client.get(place["circle"].get_absolute_url()).content.decode()
        assert f'href="{meeting_url}"' in html
        assert (f'href="{edit_url}"' in html) is runs, who
        assert ('id="run-title"' in html) is runs, who
    client.force_login(people["facilitator"])
    html = client.get(place["circle"].get_absolute_url()).content.decode()
    assert url_of("circles:facilitators", "circle", place) not in html
    client.force_login(people["staff"])
    html = client.get(place["circle"].get_absolute_url()).content.decode()
    assert url_of("circles:facilitators", "circle", place) in html


def test_a_circle_that_meets_online_keeps_the_link_out_of_the_meeting_list_for_visitors(client, place):
    Circle.objects.filter(pk=place["circle"].pk).update(format=MeetingFormat.ONLINE, online_url="https://x.example/y")
    html = client.get(url_of("circles:meeting", "coming", place)).content.decode()
    assert "x.example" not in html


def test_the_library_page_offers_its_staff_a_new_circle_and_their_drafts(client, place, people, library):
    draft = factories.CircleFactory(host_library=library, status=CircleStatus.DRAFT, title="Energi i hjemmet")
    create_url = reverse("circles:create") + f"?bibliotek={library.slug}"
    for who, sees in [("anonymous", False), ("member", False), ("staff_of_other_library", False), ("staff", True)]:
        client.logout()
        log_in(client, people[who])
        html = client.get(library.get_absolute_url()).content.decode()
        assert (create_url in html) is sees, who
        assert ("Energi i hjemmet" in html) is sees, who
    assert reverse("circles:edit", kwargs={"slug": draft.slug}) in html
