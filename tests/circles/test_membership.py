"""Joining, leaving, the waiting list, and facilitators' decisions — with the e-mails they send."""

import threading

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core import mail
from django.db import close_old_connections

from chat.groups import user_group_name
from circles import errors
from circles.models import JoinPolicy, Membership, MembershipRole, MembershipState
from circles.selectors import waitlist_position
from circles.services import (
    membership_approve,
    membership_decline,
    membership_join,
    membership_leave,
    membership_remove,
)
from config.errors import ServiceError
from tests import factories


@pytest.fixture
def small_circle(circle):
    circle.capacity = 2
    circle.save()
    return circle


def fill(circle, count: int) -> list:
    return [membership_join(circle=circle, user=factories.UserFactory()) for _ in range(count)]


def test_joining_sends_a_welcome_mail_after_commit(circle, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        membership_join(circle=circle, user=user)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert circle.title in mail.outbox[0].subject
    assert circle.get_absolute_url() in mail.outbox[0].body


def test_no_mail_when_the_transaction_does_not_commit(circle, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        membership_join(circle=circle, user=user)
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_waiting_list_positions_follow_the_order_people_joined(small_circle):
    fill(small_circle, 2)
    waiting = fill(small_circle, 3)
    assert [membership.state for membership in waiting] == [MembershipState.WAITLISTED] * 3
    assert [waitlist_position(membership) for membership in waiting] == [1, 2, 3]


def test_a_freed_seat_goes_to_the_first_on_the_waiting_list(small_circle, django_capture_on_commit_callbacks):
    seated = fill(small_circle, 2)
    first, second = fill(small_circle, 2)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        membership_leave(circle=small_circle, user=seated[0].user)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == MembershipState.ACTIVE
    assert second.state == MembershipState.WAITLISTED
    assert waitlist_position(second) == 1
    assert [message.to for message in mail.outbox] == [[first.user.email]]


def test_leaving_the_waiting_list_moves_the_others_up(small_circle):
    fill(small_circle, 2)
    first, second = fill(small_circle, 2)
    membership_leave(circle=small_circle, user=first.user)
    second.refresh_from_db()
    assert waitlist_position(second) == 1


def test_raising_capacity_is_not_needed_for_promotion_when_a_member_is_removed(small_circle, facilitator):
    seated = fill(small_circle, 2)
    (waiting,) = fill(small_circle, 1)
    membership_remove(decided_by=facilitator, membership=seated[1])
    waiting.refresh_from_db()
    assert waiting.state == MembershipState.ACTIVE


def test_facilitator_approves_a_request_with_a_message(circle, facilitator, user, django_capture_on_commit_callbacks):
    circle.join_policy = JoinPolicy.APPROVAL
    circle.save()
    request = membership_join(circle=circle, user=user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        membership_approve(decided_by=facilitator, membership=request, message="Velkommen, vi ses tirsdag!")
    request.refresh_from_db()
    assert request.state == MembershipState.ACTIVE
    assert "Velkommen, vi ses tirsdag!" in mail.outbox[0].body


def test_approving_into_a_full_circle_puts_the_person_on_the_waiting_list(small_circle, facilitator, user):
    small_circle.join_policy = JoinPolicy.APPROVAL
    small_circle.save()
    factories.MembershipFactory.create_batch(2, circle=small_circle)
    request = membership_join(circle=small_circle, user=user)
    assert membership_approve(decided_by=facilitator, membership=request).state == MembershipState.WAITLISTED


def test_facilitator_declines_a_request(circle, facilitator, user, django_capture_on_commit_callbacks):
    circle.join_policy = JoinPolicy.APPROVAL
    circle.save()
    request = membership_join(circle=circle, user=user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        membership_decline(decided_by=facilitator, membership=request, message="Vi er desværre fuldt booket.")
    request.refresh_from_db()
    assert request.state == MembershipState.REMOVED
    assert "fuldt booket" in mail.outbox[0].body


@pytest.mark.parametrize("ban", [False, True])
def test_removal_and_ban_close_the_persons_sockets(
    circle, facilitator, member, ban, django_capture_on_commit_callbacks
):
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group_name(member.pk), channel)
    membership = Membership.objects.get(circle=circle, user=member)
    with django_capture_on_commit_callbacks(execute=True):
        membership_remove(decided_by=facilitator, membership=membership, ban=ban)
    assert async_to_sync(layer.receive)(channel) == {"type": "membership.revoked", "circle_id": circle.pk}
    membership.refresh_from_db()
    assert membership.state == (MembershipState.BANNED if ban else MembershipState.REMOVED)
    if ban:
        with pytest.raises(ServiceError) as refused:
            membership_join(circle=circle, user=member)
        assert refused.value.code == "banned"
    else:
        assert membership_join(circle=circle, user=member).state == MembershipState.ACTIVE


@pytest.mark.parametrize("who", ["member", "stranger", "staff_of_other_library"])
def test_only_facilitators_and_host_staff_decide(circle, member, who):
    person = {
        "member": member,
        "stranger": factories.UserFactory(),
        "staff_of_other_library": factories.LibraryStaffFactory().user,
    }[who]
    target = factories.MembershipFactory(circle=circle)
    with pytest.raises(ServiceError) as refused:
        membership_remove(decided_by=person, membership=target)
    assert refused.value.code == "not_allowed"
    target.refresh_from_db()
    assert target.state == MembershipState.ACTIVE


def test_a_facilitator_cannot_remove_another_facilitator_but_staff_can(circle, facilitator, library_staff):
    other = factories.MembershipFactory(circle=circle, role=MembershipRole.FACILITATOR)
    with pytest.raises(ServiceError):
        membership_remove(decided_by=facilitator, membership=other)
    membership_remove(decided_by=library_staff, membership=other)
    other.refresh_from_db()
    assert (other.role, other.state) == (MembershipRole.MEMBER, MembershipState.REMOVED)


def test_a_facilitator_cannot_leave_or_remove_themselves(circle, facilitator):
    with pytest.raises(ServiceError) as refused:
        membership_leave(circle=circle, user=facilitator)
    assert refused.value.message == errors.FACILITATOR_CANNOT_LEAVE
    with pytest.raises(ServiceError):
        membership_remove(decided_by=facilitator, membership=Membership.objects.get(user=facilitator))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_taking_the_last_seat_at_once_do_not_both_get_it(sdgs):
    """Concurrent transactions on PostgreSQL: the circle row lock makes the second person wait, then waitlists them."""
    circle = factories.CircleFactory(capacity=3)
    factories.MembershipFactory.create_batch(2, circle=circle)
    people = [factories.UserFactory() for _ in range(6)]
    start = threading.Barrier(len(people))
    results: dict[int, str] = {}
    failures: list[BaseException] = []

    def take_seat(person) -> None:
        try:
            start.wait()
            results[person.pk] = membership_join(circle=circle, user=person).state
        except BaseException as error:
            failures.append(error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=take_seat, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(results.values()).count(MembershipState.ACTIVE) == 1
    assert (
        Membership.objects.filter(circle=circle, state=MembershipState.ACTIVE, role=MembershipRole.MEMBER).count() == 3
    )
    waiting = Membership.objects.filter(circle=circle, state=MembershipState.WAITLISTED)
    assert sorted(waitlist_position(membership) for membership in waiting) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("hosts", "expected"),
    [
        (["localhost", "127.0.0.1"], "http://127.0.0.1:8000"),
        (["cirkler.example.dk", "localhost"], "https://cirkler.example.dk"),
        (["localhost", ".cirkler.dk"], "https://cirkler.dk"),
        (["*"], "http://127.0.0.1:8000"),
    ],
)
def test_links_in_e_mails_point_at_the_site(settings, hosts, expected):
    from circles.notifications import site_url

    settings.ALLOWED_HOSTS = hosts
    assert site_url() == expected
