"""The circle page's membership box, joining and leaving by form, the facilitator's members page, My page."""

import pytest
from django.core import mail

from circles.models import CircleStatus, JoinPolicy, Membership, MembershipRole, MembershipState
from tests import factories

PEOPLE = [
    "anonymous",
    "member",
    "member_of_other_circle",
    "facilitator_of_other_circle",
    "facilitator",
    "staff_of_other_library",
    "library_staff",
    "library_admin",
]


def person(kind: str, circle):
    other = factories.CircleFactory()
    return {
        "anonymous": lambda: None,
        "member": lambda: factories.MembershipFactory(circle=circle).user,
        "member_of_other_circle": lambda: factories.MembershipFactory(circle=other).user,
        "facilitator_of_other_circle": lambda: (
            factories.MembershipFactory(circle=other, role=MembershipRole.FACILITATOR).user
        ),
        "facilitator": lambda: factories.MembershipFactory(circle=circle, role=MembershipRole.FACILITATOR).user,
        "staff_of_other_library": lambda: factories.LibraryStaffFactory().user,
        "library_staff": lambda: factories.LibraryStaffFactory(library=circle.host_library).user,
        "library_admin": lambda: factories.LibraryStaffFactory(library=circle.host_library, role="admin").user,
    }[kind]()


MEMBERS_PAGE = {
    "anonymous": 302,
    "member": 403,
    "member_of_other_circle": 403,
    "facilitator_of_other_circle": 403,
    "facilitator": 200,
    "staff_of_other_library": 403,
    "library_staff": 200,
    "library_admin": 200,
}


@pytest.mark.parametrize("kind", PEOPLE)
def test_members_page_is_for_the_people_who_run_the_circle(client, circle, kind):
    someone = person(kind, circle)
    if someone:
        client.force_login(someone)
    response = client.get(f"/cirkler/{circle.slug}/medlemmer/")
    assert response.status_code == MEMBERS_PAGE[kind]
    if kind == "anonymous":
        assert response["Location"].startswith("/konto/login/")


@pytest.mark.parametrize("kind", PEOPLE)
def test_a_refused_decision_changes_nothing(client, circle, kind):
    target = factories.MembershipFactory(circle=circle)
    someone = person(kind, circle)
    if someone:
        client.force_login(someone)
    client.post(f"/cirkler/{circle.slug}/medlemmer/", {"membership": target.pk, "action": "ban", "message": ""})
    target.refresh_from_db()
    expected = MembershipState.BANNED if MEMBERS_PAGE[kind] == 200 else MembershipState.ACTIVE
    assert target.state == expected


@pytest.mark.parametrize(
    ("url", "anonymous_status"), [("/min-side/", 302), ("/cirkler/{slug}/afmeld/", 302), ("/cirkler/{slug}/", 200)]
)
@pytest.mark.parametrize("kind", PEOPLE)
def test_pages_of_a_circle_for_everyone_logged_in(client, circle, kind, url, anonymous_status):
    someone = person(kind, circle)
    if someone:
        client.force_login(someone)
    response = client.get(url.format(slug=circle.slug))
    if someone is None:
        assert response.status_code == anonymous_status
    else:
        assert response.status_code in (200, 302)


def test_join_by_form_then_leave(client, circle, user):
    client.force_login(user)
    html = client.get(circle.get_absolute_url()).content.decode()
    assert "Meld dig til cirklen" in html
    response = client.post(f"/cirkler/{circle.slug}/tilmeld/")
    assert response.status_code == 302
    assert Membership.objects.get(circle=circle, user=user).state == MembershipState.ACTIVE
    html = client.get(circle.get_absolute_url()).content.decode()
    assert "Du er med i denne cirkel" in html
    assert "Forlad cirklen" in html
    client.post(f"/cirkler/{circle.slug}/afmeld/")
    assert not Membership.objects.filter(circle=circle, user=user).exists()


def test_joining_needs_a_login_and_a_post(client, circle):
    response = client.post(f"/cirkler/{circle.slug}/tilmeld/")
    assert response["Location"].startswith("/konto/login/?next=")
    assert client.get(f"/cirkler/{circle.slug}/tilmeld/").status_code == 405
    assert not Membership.objects.exists()


def test_button_says_what_will_happen(client, circle, user):
    client.force_login(user)
    circle.join_policy = JoinPolicy.APPROVAL
    circle.save()
    assert "Spørg, om du må være med" in client.get(circle.get_absolute_url()).content.decode()
    circle.join_policy = JoinPolicy.OPEN
    circle.capacity = 1
    circle.save()
    factories.MembershipFactory(circle=circle)
    assert "Skriv dig på ventelisten" in client.get(circle.get_absolute_url()).content.decode()
    client.post(f"/cirkler/{circle.slug}/tilmeld/")
    assert "Du står på ventelisten som nummer 1." in client.get(circle.get_absolute_url()).content.decode()


def test_online_link_and_member_list_only_for_active_members(client, circle, user):
    circle.format = "hybrid"
    circle.online_url = "https://meet.example/hemmeligt-rum"
    circle.venue = factories.VenueFactory(library=circle.host_library)
    circle.save()
    factories.MeetingFactory(circle=circle, online_url=circle.online_url)
    factories.MembershipFactory(circle=circle, user=factories.UserFactory(display_name="Birthe Bjerg"))
    client.force_login(user)
    html = client.get(circle.get_absolute_url()).content.decode()
    assert "meet.example/hemmeligt-rum" not in html
    assert "Birthe Bjerg" not in html
    factories.MembershipFactory(circle=circle, user=user)
    html = client.get(circle.get_absolute_url()).content.decode()
    assert "meet.example/hemmeligt-rum" in html
    assert "Birthe Bjerg" in html


def test_facilitator_answers_a_request_from_the_members_page(
    client, circle, facilitator, django_capture_on_commit_callbacks
):
    circle.join_policy = JoinPolicy.APPROVAL
    circle.save()
    request = factories.MembershipFactory(circle=circle, state=MembershipState.PENDING)
    client.force_login(facilitator)
    html = client.get(f"/cirkler/{circle.slug}/medlemmer/").content.decode()
    assert request.user.name in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/cirkler/{circle.slug}/medlemmer/", {"membership": request.pk, "action": "approve", "message": "Hej!"}
        )
    request.refresh_from_db()
    assert request.state == MembershipState.ACTIVE
    assert mail.outbox[-1].to == [request.user.email]


def test_a_decision_about_a_membership_of_another_circle_is_not_found(client, circle, facilitator):
    elsewhere = factories.MembershipFactory()
    client.force_login(facilitator)
    response = client.post(f"/cirkler/{circle.slug}/medlemmer/", {"membership": elsewhere.pk, "action": "ban"})
    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.state == MembershipState.ACTIVE


def test_my_page_shows_my_circles_meetings_and_requests_to_answer(client, circle, facilitator, library):
    waiting_circle = factories.CircleFactory(host_library=library, capacity=1, title="Fuld cirkel")
    factories.MembershipFactory(circle=waiting_circle)
    factories.MembershipFactory(circle=waiting_circle, user=facilitator, state=MembershipState.WAITLISTED)
    meeting = factories.MeetingFactory(circle=circle)
    factories.MeetingFactory(
        circle=circle, cancelled=True, starts_at=meeting.starts_at.replace(hour=(meeting.starts_at.hour + 3) % 24)
    )
    factories.MembershipFactory(
        circle=circle, state=MembershipState.PENDING, user=factories.UserFactory(display_name="Ansøger Andersen")
    )
    client.force_login(facilitator)
    response = client.get("/min-side/")
    html = response.content.decode()
    assert circle.title in html
    assert "du er facilitator" in html
    assert "nummer 1 på ventelisten" in html
    assert "Ansøger Andersen" in html
    assert len(response.context["next_meetings"]) == 1


def test_my_page_query_count_does_not_grow_with_circles(client, user, django_assert_max_num_queries, sdgs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get("/min-side/")
        return len(captured)

    client.force_login(user)
    factories.MeetingFactory(circle=factories.MembershipFactory(user=user).circle)
    few = count()
    for _ in range(8):
        membership = factories.MembershipFactory(user=user)
        factories.MeetingFactory(circle=membership.circle)
    factories.MembershipFactory(user=user, state=MembershipState.WAITLISTED)
    assert count() <= few + 1  # +1: the first waiting-list position


def test_finished_circle_stays_visible_but_cannot_be_joined(client, circle, user):
    circle.status = CircleStatus.FINISHED
    circle.save()
    client.force_login(user)
    html = client.get(circle.get_absolute_url()).content.decode()
    assert "Meld dig til cirklen" not in html
    response = client.post(f"/cirkler/{circle.slug}/tilmeld/", follow=True)
    assert "Der er ikke åbent for tilmelding til denne cirkel." in response.content.decode()
    assert not Membership.objects.filter(user=user).exists()


def test_my_page_counts_new_messages_from_others_past_my_read_state(client, circle, member):
    import uuid

    from chat.models import ReadState
    from chat.services import message_post

    other = factories.MembershipFactory(circle=circle).user
    for number in range(3):
        message_post(room=circle.room, author=other, body=f"Besked {number}", client_id=uuid.uuid4())
    message_post(room=circle.room, author=member, body="Min egen", client_id=uuid.uuid4())
    client.force_login(member)
    # The badge's text; its data-one/data-many attributes hold the wording for live updates.
    assert "3 nye beskeder</span>" in client.get("/min-side/").content.decode()
    ReadState.objects.create(room=circle.room, user=member, last_read_seq=2)
    assert "1 ny besked</span>" in client.get("/min-side/").content.decode()
    ReadState.objects.filter(user=member).update(last_read_seq=4)
    assert "ny besked</span>" not in client.get("/min-side/").content.decode()
