import datetime

import pytest
from django.utils import timezone

from chat.models import Room
from circles import errors
from circles.models import CircleKind, CircleStatus, JoinPolicy, Meeting, MembershipRole, MembershipState
from circles.services import circle_create, facilitator_appoint, meeting_create, membership_join
from config.errors import ServiceError
from tests import factories


def test_library_staff_create_a_circle_with_its_room(library, library_staff, sdgs):
    circle = circle_create(
        created_by=library_staff,
        host_library=library,
        title="Klima og kaffe",
        sdgs=[sdgs[13], sdgs[3]],
        kind=CircleKind.PROJECT_GROUP,
        partner_libraries=[factories.LibraryFactory(), factories.LibraryFactory()],
    )
    assert circle.slug == "klima-og-kaffe"
    assert sorted(circle.sdgs.values_list("number", flat=True)) == [3, 13]
    assert circle.partner_libraries.count() == 2
    assert Room.objects.filter(circle=circle).exists()
    assert circle.status == CircleStatus.DRAFT


def test_circle_slugs_stay_unique(library, library_staff, sdgs):
    first = circle_create(created_by=library_staff, host_library=library, title="Madspild", sdgs=[sdgs[12]])
    second = circle_create(created_by=library_staff, host_library=library, title="Madspild", sdgs=[sdgs[12]])
    assert (first.slug, second.slug) == ("madspild", "madspild-2")


@pytest.mark.parametrize("who", ["stranger", "staff_of_other_library", "member"])
def test_only_staff_of_the_host_library_create_circles(who, library, sdgs, circle, member):
    person = {
        "stranger": factories.UserFactory(),
        "staff_of_other_library": factories.LibraryStaffFactory().user,
        "member": member,
    }[who]
    with pytest.raises(ServiceError) as refused:
        circle_create(created_by=person, host_library=library, title="Nej", sdgs=[sdgs[1]])
    assert refused.value.code == "not_allowed"
    assert refused.value.message == errors.NOT_ALLOWED


def test_online_circle_needs_a_link(library, library_staff, sdgs):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        circle_create(created_by=library_staff, host_library=library, title="Online", sdgs=[sdgs[4]], format="online")


def test_open_circle_with_seats_makes_the_person_a_member(circle, user):
    membership = membership_join(circle=circle, user=user)
    assert (membership.role, membership.state) == (MembershipRole.MEMBER, MembershipState.ACTIVE)


def test_full_circle_puts_next_person_on_waitlist(circle):
    circle.capacity = 1
    circle.save()
    first, second = factories.UserFactory(), factories.UserFactory()
    assert membership_join(circle=circle, user=first).state == MembershipState.ACTIVE
    assert membership_join(circle=circle, user=second).state == MembershipState.WAITLISTED


def test_facilitators_do_not_take_member_seats(circle, facilitator, user):
    circle.capacity = 1
    circle.save()
    assert membership_join(circle=circle, user=user).state == MembershipState.ACTIVE


def test_circle_by_approval_makes_joining_pending(circle, user):
    circle.join_policy = JoinPolicy.APPROVAL
    circle.save()
    assert membership_join(circle=circle, user=user).state == MembershipState.PENDING


@pytest.mark.parametrize(
    ("state", "code"),
    [
        (MembershipState.BANNED, "banned"),
        (MembershipState.ACTIVE, "already_member"),
        (MembershipState.PENDING, "already_member"),
    ],
)
def test_joining_again_is_refused(circle, user, state, code):
    factories.MembershipFactory(circle=circle, user=user, state=state)
    with pytest.raises(ServiceError) as refused:
        membership_join(circle=circle, user=user)
    assert refused.value.code == code


def test_a_removed_member_can_join_again(circle, user):
    factories.MembershipFactory(circle=circle, user=user, state=MembershipState.REMOVED)
    assert membership_join(circle=circle, user=user).state == MembershipState.ACTIVE


@pytest.mark.parametrize("status", [CircleStatus.DRAFT, CircleStatus.FINISHED])
def test_joining_a_circle_that_is_not_open_is_refused(circle, user, status):
    circle.status = status
    circle.save()
    with pytest.raises(ServiceError) as refused:
        membership_join(circle=circle, user=user)
    assert refused.value.code == "circle_not_open"


def test_staff_appoint_facilitators(circle, library_staff, member):
    membership = facilitator_appoint(appointed_by=library_staff, circle=circle, user=member)
    assert (membership.role, membership.state) == (MembershipRole.FACILITATOR, MembershipState.ACTIVE)


def test_a_member_cannot_appoint_facilitators(circle, member, user):
    with pytest.raises(ServiceError):
        facilitator_appoint(appointed_by=member, circle=circle, user=user)


def test_facilitator_schedules_a_meeting_at_the_circles_venue(circle, facilitator):
    circle.venue = factories.VenueFactory(library=circle.host_library)
    circle.save()
    starts = timezone.now() + datetime.timedelta(days=3)
    meeting = meeting_create(
        created_by=facilitator, circle=circle, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2)
    )
    assert meeting.venue == circle.venue
    assert Meeting.objects.filter(circle=circle).count() == 1


def test_a_member_cannot_schedule_meetings(circle, member):
    starts = timezone.now() + datetime.timedelta(days=3)
    with pytest.raises(ServiceError):
        meeting_create(created_by=member, circle=circle, starts_at=starts, ends_at=starts + datetime.timedelta(hours=1))
    assert not Meeting.objects.exists()
