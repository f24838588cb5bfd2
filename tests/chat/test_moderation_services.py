"""Moderation services: who may, what they store, the audit log, and the rules they put on writing."""

import datetime
import uuid

import pytest
from django.utils import timezone

from accounts.permissions import may_moderate_room, may_report_message
from chat import protocol
from chat.models import Message, ModerationAction, ModerationKind, Report, ReportState
from chat.services import (
    member_mute,
    member_unmute,
    message_pin_set,
    message_post,
    message_report,
    report_resolve,
    room_lock_set,
    room_slow_mode_set,
)
from circles.models import Membership, MembershipRole
from config.errors import ServiceError
from tests import factories


def post(room, author, body: str = "Hej") -> Message:
    message, _created = message_post(room=room, author=author, body=body, client_id=uuid.uuid4())
    return message


@pytest.fixture
def other_member(circle):
    return factories.MembershipFactory(circle=circle).user


MODERATORS = {
    "member": lambda circle: factories.MembershipFactory(circle=circle).user,
    "facilitator of another circle": lambda circle: factories.MembershipFactory(role=MembershipRole.FACILITATOR).user,
    "staff of another library": lambda circle: factories.LibraryStaffFactory().user,
    "facilitator": lambda circle: factories.MembershipFactory(circle=circle, role=MembershipRole.FACILITATOR).user,
    "staff of the host library": lambda circle: factories.LibraryStaffFactory(library=circle.host_library).user,
}


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("member", False),
        ("facilitator of another circle", False),
        ("staff of another library", False),
        ("facilitator", True),
        ("staff of the host library", True),
    ],
)
def test_who_may_moderate_a_room(circle, other_member, who, allowed):
    person = MODERATORS[who](circle)
    room = circle.room
    message = post(room, other_member)
    assert may_moderate_room(person, room) is allowed
    actions = [
        lambda: message_pin_set(message=message, moderator=person, pinned=True),
        lambda: member_mute(room=room, moderator=person, user_id=other_member.pk, seconds=3600),
        lambda: member_unmute(room=room, moderator=person, user_id=other_member.pk),
        lambda: room_lock_set(room=room, moderator=person, locked=True),
        lambda: room_slow_mode_set(room=room, moderator=person, seconds=10),
    ]
    for action in actions:
        if allowed:
            action()
        else:
            with pytest.raises(ServiceError) as refused:
                action()
            assert refused.value.code == "not_moderator"
    assert ModerationAction.objects.exists() is allowed


def test_only_members_report_and_never_their_own_message(circle, member, other_member):
    message = post(circle.room, other_member)
    assert may_report_message(member, message)
    assert not may_report_message(other_member, message)
    assert not may_report_message(factories.UserFactory(), message)
    with pytest.raises(ServiceError) as refused:
        message_report(message=message, reporter=factories.UserFactory(), reason="spam")
    assert refused.value.code == "not_a_member"
    with pytest.raises(ServiceError) as refused:
        message_report(message=message, reporter=other_member, reason="spam")
    assert refused.value.code == "own_message"


def test_one_open_report_per_person_per_message_and_a_new_one_after_it_is_handled(
    circle, member, other_member, facilitator
):
    message = post(circle.room, other_member)
    first = message_report(message=message, reporter=member, reason="false", text="  Det passer ikke.  ")
    assert first.text == "Det passer ikke."
    with pytest.raises(ServiceError) as refused:
        message_report(message=message, reporter=member, reason="spam")
    assert refused.value.code == "already_reported"
    report_resolve(report=first, moderator=facilitator, outcome=ReportState.DISMISSED)
    again = message_report(message=message, reporter=member, reason="spam")
    assert again.state == ReportState.OPEN
    assert Report.objects.count() == 2


def test_a_report_text_has_a_limit_and_reasons_are_fixed(circle, member, other_member):
    message = post(circle.room, other_member)
    with pytest.raises(ServiceError) as refused:
        message_report(
            message=message, reporter=member, reason="other", text="x" * (protocol.MAX_REPORT_TEXT_CHARS + 1)
        )
    assert refused.value.code == "too_long"
    with pytest.raises(ServiceError) as refused:
        message_report(message=message, reporter=member, reason="boring")
    assert refused.value.code == "invalid_field"
    assert set(protocol.REPORT_REASONS) == {choice for choice, _label in Report._meta.get_field("reason").choices}


def test_removing_a_reported_message_closes_every_open_report_of_it(circle, member, other_member, facilitator):
    third = factories.MembershipFactory(circle=circle).user
    message = post(circle.room, other_member, "grimt")
    report = message_report(message=message, reporter=member, reason="offensive")
    message_report(message=message, reporter=third, reason="offensive")
    report_resolve(report=report, moderator=facilitator, outcome=ReportState.REMOVED)
    message.refresh_from_db()
    assert message.deleted_at is not None and message.removed_by_facilitator
    assert set(Report.objects.values_list("state", "resolved_by")) == {(ReportState.REMOVED, facilitator.pk)}
    action = ModerationAction.objects.get()
    assert (action.kind, action.actor_id, action.target_id, action.message_id) == (
        ModerationKind.REMOVE,
        facilitator.pk,
        other_member.pk,
        message.pk,
    )


def test_muting_the_author_from_a_report(circle, member, other_member, facilitator):
    message = post(circle.room, other_member)
    report = message_report(message=message, reporter=member, reason="spam")
    report_resolve(report=report, moderator=facilitator, outcome=ReportState.MUTED, mute_seconds=86_400)
    membership = Membership.objects.get(circle=circle, user=other_member)
    assert membership.muted_until - timezone.now() > datetime.timedelta(hours=23)
    report.refresh_from_db()
    assert report.state == ReportState.MUTED
    assert list(ModerationAction.objects.values_list("kind", "seconds")) == [(ModerationKind.MUTE, 86_400)]
    with pytest.raises(ServiceError) as refused:
        post(circle.room, other_member)
    assert refused.value.code == "muted"
    assert refused.value.extra["until"] == membership.muted_until.isoformat()
    assert "Du kan skrive igen" in str(refused.value.message) or "You can write again" in str(refused.value.message)


def test_a_member_cannot_resolve_a_report(circle, member, other_member):
    report = message_report(message=post(circle.room, other_member), reporter=member, reason="spam")
    with pytest.raises(ServiceError) as refused:
        report_resolve(report=report, moderator=member, outcome=ReportState.DISMISSED)
    assert refused.value.code == "not_moderator"
    report.refresh_from_db()
    assert report.state == ReportState.OPEN


def test_a_mute_runs_out_by_itself(circle, other_member, facilitator):
    member_mute(room=circle.room, moderator=facilitator, user_id=other_member.pk, seconds=3600)
    Membership.objects.filter(user=other_member).update(muted_until=timezone.now() - datetime.timedelta(seconds=1))
    assert post(circle.room, other_member).seq == 1


def test_a_locked_room_refuses_members_and_lets_facilitators_write(circle, member, facilitator):
    room_lock_set(room=circle.room, moderator=facilitator, locked=True)
    with pytest.raises(ServiceError) as refused:
        post(circle.room, member)
    assert refused.value.code == "room_locked"
    assert post(circle.room, facilitator).seq == 1
    room_lock_set(room=circle.room, moderator=facilitator, locked=False)
    assert post(circle.room, member).seq == 2
    assert list(ModerationAction.objects.order_by("pk").values_list("kind", flat=True)) == [
        ModerationKind.LOCK,
        ModerationKind.UNLOCK,
    ]


def test_slow_mode_counts_from_the_persons_last_message_and_a_retry_is_not_refused(circle, member, facilitator):
    room_slow_mode_set(room=circle.room, moderator=facilitator, seconds=60)
    client_id = uuid.uuid4()
    first, _created = message_post(room=circle.room, author=member, body="en", client_id=client_id)
    # A retried send (same client_id) returns the original, slow mode or not.
    again, created = message_post(room=circle.room, author=member, body="en", client_id=client_id)
    assert (again.pk, created) == (first.pk, False)
    with pytest.raises(ServiceError) as refused:
        post(circle.room, member, "to")
    assert refused.value.code == "slow_mode"
    assert 1 <= refused.value.extra["retry_after"] <= 60
    Message.objects.filter(pk=first.pk).update(created_at=timezone.now() - datetime.timedelta(seconds=61))
    assert post(circle.room, member, "to").seq == 2


def test_pinning_a_deleted_message_is_refused_and_unpinning_twice_is_harmless(circle, member, facilitator):
    message = post(circle.room, member)
    message_pin_set(message=message, moderator=facilitator, pinned=False)
    assert not ModerationAction.objects.exists()
    Message.objects.filter(pk=message.pk).update(deleted_at=timezone.now())
    with pytest.raises(ServiceError) as refused:
        message_pin_set(message=message, moderator=facilitator, pinned=True)
    assert refused.value.code == "deleted"
