"""accounts.permissions: who may do what, as one table over every permission question."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts import permissions
from circles.models import MembershipRole, MembershipState
from libraries.models import StaffRole
from resources.models import Resource, ResourceFormat
from tests import factories

PEOPLE = [
    "anonymous",
    "stranger",
    "member",
    "muted_member",
    "pending_member",
    "facilitator",
    "staff",
    "library_admin",
    "staff_of_other_library",
    "admin_of_other_library",
    "superuser",
]
LIBRARY_STAFF = {"staff", "library_admin", "superuser"}

# (permission function, what it is asked about, who may)
TABLE = [
    (permissions.is_library_staff, "library", LIBRARY_STAFF),
    (permissions.is_library_admin, "library", {"library_admin", "superuser"}),
    (permissions.may_edit_library, "library", LIBRARY_STAFF),
    (permissions.may_manage_library_staff, "library", {"library_admin", "superuser"}),
    (permissions.may_create_circle, "library", LIBRARY_STAFF),
    (permissions.may_appoint_facilitator, "circle", LIBRARY_STAFF),
    (permissions.may_manage_circle, "circle", LIBRARY_STAFF | {"facilitator"}),
    (permissions.may_post_in_room, "room", {"member", "facilitator", "superuser"}),
    (permissions.may_share_resource, "library_resource", LIBRARY_STAFF),
    (permissions.may_share_resource, "circle_resource", LIBRARY_STAFF | {"facilitator"}),
]


@pytest.fixture
def world(library, circle):
    """One library with a circle, and one person of every kind around it."""
    other_library = factories.LibraryFactory()

    def in_circle(role=MembershipRole.MEMBER, state=MembershipState.ACTIVE, muted_until=None):
        return factories.MembershipFactory(circle=circle, role=role, state=state, muted_until=muted_until).user

    people = {
        "anonymous": AnonymousUser(),
        "stranger": factories.UserFactory(),
        "member": in_circle(),
        "muted_member": in_circle(muted_until=timezone.now() + datetime.timedelta(hours=1)),
        "pending_member": in_circle(state=MembershipState.PENDING),
        "facilitator": in_circle(role=MembershipRole.FACILITATOR),
        "staff": factories.LibraryStaffFactory(library=library, role=StaffRole.STAFF).user,
        "library_admin": factories.LibraryStaffFactory(library=library, role=StaffRole.ADMIN).user,
        "staff_of_other_library": factories.LibraryStaffFactory(library=other_library).user,
        "admin_of_other_library": factories.LibraryStaffFactory(library=other_library, role=StaffRole.ADMIN).user,
        "superuser": factories.UserFactory(is_superuser=True, is_staff=True),
    }
    subjects = {
        "library": library,
        "circle": circle,
        "room": circle.room,
        "library_resource": Resource(
            owner_library=library, title="t", url="https://x.example", format=ResourceFormat.GUIDE
        ),
        "circle_resource": Resource(
            owner_library=library, circle=circle, title="t", url="https://x.example", format=ResourceFormat.GUIDE
        ),
    }
    return people, subjects


@pytest.mark.parametrize(
    ("permission", "subject", "who", "allowed"),
    [
        pytest.param(permission, subject, who, who in allowed, id=f"{permission.__name__}-{subject}-{who}")
        for permission, subject, allowed in TABLE
        for who in PEOPLE
    ],
)
def test_permission_table(world, permission, subject, who, allowed):
    people, subjects = world
    assert permission(people[who], subjects[subject]) is allowed


def test_an_expired_mute_lets_a_member_post_again(circle):
    user = factories.MembershipFactory(circle=circle, muted_until=timezone.now() - datetime.timedelta(minutes=1)).user
    assert permissions.may_post_in_room(user, circle.room)


def test_a_facilitator_who_was_removed_no_longer_manages_the_circle(circle):
    user = factories.MembershipFactory(
        circle=circle, role=MembershipRole.FACILITATOR, state=MembershipState.REMOVED
    ).user
    assert not permissions.may_manage_circle(user, circle)


def test_anonymous_visitors_are_answered_without_a_query(library, circle, django_assert_num_queries):
    anonymous = AnonymousUser()
    with django_assert_num_queries(0):
        for permission, subject in [
            (permissions.may_edit_library, library),
            (permissions.may_manage_circle, circle),
            (permissions.may_post_in_room, circle.room),
        ]:
            assert not permission(anonymous, subject)
