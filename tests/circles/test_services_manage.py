"""Creating and running circles: details, facilitators, schedules, moved and cancelled meetings, attendance, feedback."""

import csv
import datetime
import io
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.utils import formats, timezone, translation

from circles import errors
from circles.exports import feedback_csv, spreadsheet_safe
from circles.models import (
    Attendance,
    CircleKind,
    CircleStatus,
    Feedback,
    Meeting,
    MeetingFormat,
    MeetingReminder,
    Membership,
    MembershipRole,
    MembershipState,
)
from circles.selectors import feedback_for_circle, feedback_for_meeting
from circles.services import (
    attendance_record,
    circle_create,
    circle_update,
    facilitator_remove,
    feedback_give,
    meeting_cancel,
    meeting_move,
    meeting_schedule_create,
    meeting_update_notes,
    membership_join,
)
from circles.times import COPENHAGEN
from config.errors import ServiceError
from libraries.models import StaffRole
from tests import factories

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def venue(library):
    return factories.VenueFactory(library=library, name="Posthuset")


@pytest.fixture
def circle(circle, venue):
    """The shared open circle, meeting in person at the library's venue."""
    circle.venue = venue
    circle.save()
    return circle


@pytest.fixture
def outsiders(circle, library):
    """People with no say over the circle: a member, people of other circles, staff of another library."""
    other_circle = factories.CircleFactory()
    return {
        "member": factories.MembershipFactory(circle=circle).user,
        "member_of_other_circle": factories.MembershipFactory(circle=other_circle).user,
        "facilitator_of_other_circle": factories.MembershipFactory(
            circle=other_circle, role=MembershipRole.FACILITATOR
        ).user,
        "staff_of_other_library": factories.LibraryStaffFactory().user,
    }


def future_meeting(circle, days: int = 7, **fields) -> Meeting:
    starts_at = (timezone.now() + datetime.timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    fields.setdefault("venue", circle.venue)
    return factories.MeetingFactory(circle=circle, starts_at=starts_at, ends_at=starts_at + 2 * HOUR, **fields)


def past_meeting(circle, hours_ago: int = 3) -> Meeting:
    starts_at = (timezone.now() - datetime.timedelta(hours=hours_ago)).replace(second=0, microsecond=0)
    return factories.MeetingFactory(circle=circle, starts_at=starts_at, ends_at=starts_at + 2 * HOUR)


def reminded(meeting: Meeting, person) -> MeetingReminder:
    return MeetingReminder.objects.create(
        meeting=meeting, user=person, starts_at=meeting.starts_at, sent_at=timezone.now() - HOUR
    )


def last_sunday(year: int, month: int) -> datetime.date:
    last_day = datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)
    return last_day - datetime.timedelta(days=(last_day.weekday() + 1) % 7)


def schedule(circle, person, **overrides) -> list[Meeting]:
    arguments = {
        "first_date": timezone.localdate() + datetime.timedelta(days=7),
        "start_time": datetime.time(10),
        "duration_minutes": 120,
        "every_weeks": 1,
        "count": 6,
    }
    return meeting_schedule_create(created_by=person, circle=circle, **{**arguments, **overrides})


# Creating and editing circles


def test_staff_create_a_hybrid_circle_with_reminder_hours(library, library_staff, venue, sdgs):
    circle = circle_create(
        created_by=library_staff,
        host_library=library,
        title="Klima og kaffe",
        sdgs=[sdgs[13]],
        format=MeetingFormat.HYBRID,
        venue=venue,
        online_url="https://meet.cirkler.example/klima",
        status=CircleStatus.OPEN,
        reminder_hours=48,
    )
    assert (circle.reminder_hours, circle.venue, circle.status) == (48, venue, CircleStatus.OPEN)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"format": MeetingFormat.HYBRID, "status": CircleStatus.DRAFT}, "online_url", errors.ONLINE_NEEDS_LINK),
        ({"format": MeetingFormat.ONLINE}, "online_url", errors.ONLINE_NEEDS_LINK),
        ({"format": MeetingFormat.IN_PERSON, "status": CircleStatus.OPEN}, "venue", errors.IN_PERSON_NEEDS_VENUE),
        (
            {"format": MeetingFormat.HYBRID, "status": CircleStatus.OPEN, "online_url": "https://meet.example/x"},
            "venue",
            errors.IN_PERSON_NEEDS_VENUE,
        ),
    ],
    ids=["hybrid-without-link", "online-without-link", "open-in-person-without-venue", "hybrid-without-venue"],
)
def test_a_circle_needs_a_place_to_meet(library, library_staff, sdgs, fields, field, message):
    with pytest.raises(ValidationError) as refused:
        circle_create(created_by=library_staff, host_library=library, title="Uden sted", sdgs=[sdgs[4]], **fields)
    assert refused.value.message_dict[field] == [str(message)]


def test_a_draft_may_wait_for_its_venue(library, library_staff, sdgs):
    draft = circle_create(created_by=library_staff, host_library=library, title="Kladde", sdgs=[sdgs[7]])
    assert (draft.status, draft.venue) == (CircleStatus.DRAFT, None)


def test_a_circle_needs_at_least_one_goal(library, library_staff):
    with pytest.raises(ServiceError) as refused:
        circle_create(created_by=library_staff, host_library=library, title="Ingen mål", sdgs=[])
    assert refused.value.code == "no_sdgs"


def test_the_venue_must_belong_to_the_host_library(library, library_staff, sdgs):
    elsewhere = factories.VenueFactory()
    with pytest.raises(ValidationError) as refused:
        circle_create(created_by=library_staff, host_library=library, title="Ude", sdgs=[sdgs[1]], venue=elsewhere)
    assert refused.value.message_dict["venue"] == [str(errors.VENUE_NOT_OF_LIBRARY)]


def test_a_circle_never_takes_the_address_of_the_new_circle_page(library, library_staff, sdgs):
    circle = circle_create(created_by=library_staff, host_library=library, title="Ny", sdgs=[sdgs[1]])
    assert circle.slug == "ny-cirkel"


def test_facilitators_edit_their_circle_and_what_is_not_given_stays(circle, facilitator, sdgs):
    updated = circle_update(
        updated_by=facilitator, circle=circle, title="Klimasnak", sdgs=[sdgs[13], sdgs[7]], reminder_hours=12
    )
    updated.refresh_from_db()
    assert (updated.title, updated.reminder_hours, updated.slug) == ("Klimasnak", 12, circle.slug)
    assert sorted(updated.sdgs.values_list("number", flat=True)) == [7, 13]
    assert updated.venue == circle.venue
    assert updated.capacity is None


def test_staff_of_the_host_library_edit_circles(circle, library_staff):
    circle_update(updated_by=library_staff, circle=circle, capacity=8, starts_on=datetime.date(2031, 3, 4))
    circle.refresh_from_db()
    assert (circle.capacity, circle.starts_on) == (8, datetime.date(2031, 3, 4))


@pytest.mark.parametrize(
    "who", ["member", "member_of_other_circle", "facilitator_of_other_circle", "staff_of_other_library"]
)
def test_others_may_not_edit_a_circle_and_nothing_changes(circle, outsiders, who):
    with pytest.raises(ServiceError) as refused:
        circle_update(updated_by=outsiders[who], circle=circle, title="Kapret")
    assert refused.value.code == "not_allowed"
    circle.refresh_from_db()
    assert circle.title != "Kapret"


def test_more_seats_go_to_the_people_on_the_waiting_list(circle, facilitator):
    circle.capacity = 1
    circle.save()
    first, second = factories.UserFactory(), factories.UserFactory()
    membership_join(circle=circle, user=first)
    assert membership_join(circle=circle, user=second).state == MembershipState.WAITLISTED
    circle_update(updated_by=facilitator, circle=circle, capacity=2)
    assert Membership.objects.get(circle=circle, user=second).state == MembershipState.ACTIVE


def test_editing_checks_the_place_rules_too(circle, facilitator):
    with pytest.raises(ValidationError):
        circle_update(updated_by=facilitator, circle=circle, format=MeetingFormat.ONLINE, online_url="")
    circle.refresh_from_db()
    assert circle.format == MeetingFormat.IN_PERSON


def test_partner_libraries_venues_may_host_a_project_group(circle, facilitator):
    partner = factories.LibraryFactory()
    partner_venue = factories.VenueFactory(library=partner)
    circle_update(
        updated_by=facilitator,
        circle=circle,
        kind=CircleKind.PROJECT_GROUP,
        partner_libraries=[partner],
        venue=partner_venue,
    )
    circle.refresh_from_db()
    assert circle.venue == partner_venue


# Facilitators


def test_staff_turn_a_facilitator_into_an_ordinary_member(circle, library_staff, facilitator):
    membership = facilitator_remove(removed_by=library_staff, circle=circle, user=facilitator)
    assert (membership.role, membership.state) == (MembershipRole.MEMBER, MembershipState.ACTIVE)


def test_a_facilitator_cannot_take_another_facilitator_off(circle, facilitator):
    other = factories.MembershipFactory(circle=circle, role=MembershipRole.FACILITATOR).user
    with pytest.raises(ServiceError) as refused:
        facilitator_remove(removed_by=facilitator, circle=circle, user=other)
    assert refused.value.code == "not_allowed"
    assert Membership.objects.get(circle=circle, user=other).role == MembershipRole.FACILITATOR


def test_only_a_facilitator_can_stop_being_one(circle, library_staff, member):
    with pytest.raises(ServiceError) as refused:
        facilitator_remove(removed_by=library_staff, circle=circle, user=member)
    assert refused.value.code == "not_a_facilitator"


# The schedule builder


@pytest.mark.parametrize(
    ("month", "offsets"),
    [(3, [1, 1, 2, 2]), (10, [2, 2, 1, 1])],
    ids=["summer-time-starts", "summer-time-ends"],
)
def test_a_series_keeps_its_wall_clock_time_across_daylight_saving(circle, facilitator, month, offsets):
    change = last_sunday(timezone.localdate().year + 1, month)
    first_tuesday = change - datetime.timedelta(days=12)
    schedule(circle, facilitator, first_date=first_tuesday, count=4)
    meetings = list(Meeting.objects.filter(circle=circle).order_by("starts_at"))
    local = [timezone.localtime(meeting.starts_at, COPENHAGEN) for meeting in meetings]
    assert [moment.date() for moment in local] == [first_tuesday + datetime.timedelta(weeks=n) for n in range(4)]
    assert {(moment.hour, moment.minute) for moment in local} == {(10, 0)}
    assert [moment.utcoffset() for moment in local] == [datetime.timedelta(hours=hours) for hours in offsets]
    assert [meeting.starts_at.astimezone(datetime.UTC).hour for meeting in meetings] == [10 - h for h in offsets]
    assert {meeting.ends_at - meeting.starts_at for meeting in meetings} == {2 * HOUR}


def test_every_other_week_with_the_circles_place(circle, facilitator):
    meetings = schedule(circle, facilitator, every_weeks=2, count=3)
    days = [timezone.localtime(meeting.starts_at, COPENHAGEN).date() for meeting in meetings]
    assert [later - earlier for earlier, later in itertools.pairwise(days)] == [datetime.timedelta(weeks=2)] * 2
    assert {meeting.venue for meeting in meetings} == {circle.venue}


def test_staff_schedule_meetings_somewhere_else(circle, library, library_staff):
    hall = factories.VenueFactory(library=library, name="Mødesalen")
    meetings = schedule(circle, library_staff, count=2, venue=hall)
    assert [meeting.venue for meeting in meetings] == [hall, hall]


def test_a_schedule_that_collides_is_refused_whole(circle, facilitator):
    first_date = timezone.localdate() + datetime.timedelta(days=7)
    third = datetime.datetime.combine(first_date + datetime.timedelta(weeks=2), datetime.time(10), tzinfo=COPENHAGEN)
    factories.MeetingFactory(circle=circle, starts_at=third, ends_at=third + HOUR)
    with pytest.raises(ServiceError) as refused:
        schedule(circle, facilitator, first_date=first_date)
    assert refused.value.code == "meeting_time_taken"
    with translation.override("da"):
        assert formats.date_format(third, "DATETIME_FORMAT") in str(refused.value.message)
    assert Meeting.objects.filter(circle=circle).count() == 1


def test_an_overlap_and_a_cancelled_meeting_at_the_same_start_are_collisions_too(circle, facilitator):
    first_date = timezone.localdate() + datetime.timedelta(days=7)
    at_ten = datetime.datetime.combine(first_date, datetime.time(10), tzinfo=COPENHAGEN)
    overlapping = factories.MeetingFactory(circle=circle, starts_at=at_ten + HOUR, ends_at=at_ten + 3 * HOUR)
    with pytest.raises(ServiceError):
        schedule(circle, facilitator, first_date=first_date, count=1)
    overlapping.delete()
    factories.MeetingFactory(circle=circle, starts_at=at_ten, ends_at=at_ten + HOUR, cancelled=True)
    with pytest.raises(ServiceError):
        schedule(circle, facilitator, first_date=first_date, count=1)
    # A cancelled meeting does not block other times on the same day.
    assert len(schedule(circle, facilitator, first_date=first_date, start_time=datetime.time(14), count=1)) == 1


def test_a_time_the_clocks_skip_is_refused(circle, facilitator):
    change = last_sunday(timezone.localdate().year + 1, 3)
    with pytest.raises(ServiceError) as refused:
        schedule(circle, facilitator, first_date=change, start_time=datetime.time(2, 30), count=1)
    assert refused.value.code == "time_does_not_exist"
    assert not Meeting.objects.filter(circle=circle).exists()


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"every_weeks": 3}, "invalid_schedule"),
        ({"count": 0}, "invalid_schedule"),
        ({"count": 53}, "invalid_schedule"),
        ({"duration_minutes": 5}, "invalid_schedule"),
        ({"first_date": datetime.date(2020, 1, 7)}, "meeting_in_the_past"),
        # Far dates are typing mistakes, and the series' weeks would run past the last date Python holds.
        ({"first_date": datetime.date(9999, 12, 31)}, "day_out_of_range"),
        ({"first_date": datetime.date.max - datetime.timedelta(weeks=3)}, "day_out_of_range"),
        ({"first_date": timezone.localdate() + datetime.timedelta(days=6 * 365)}, "day_out_of_range"),
    ],
)
def test_impossible_schedules_are_refused(circle, facilitator, overrides, code):
    with pytest.raises(ServiceError) as refused:
        schedule(circle, facilitator, **overrides)
    assert refused.value.code == code
    assert not Meeting.objects.filter(circle=circle).exists()


@pytest.mark.parametrize(
    "who", ["member", "member_of_other_circle", "facilitator_of_other_circle", "staff_of_other_library"]
)
def test_only_those_who_run_the_circle_schedule_meetings(circle, outsiders, who):
    with pytest.raises(ServiceError) as refused:
        schedule(circle, outsiders[who])
    assert refused.value.code == "not_allowed"
    assert not Meeting.objects.filter(circle=circle).exists()


# Moving and cancelling


def test_moving_a_meeting_counts_a_new_version_and_tells_only_the_reminded(
    circle, facilitator, mailoutbox, django_capture_on_commit_callbacks
):
    meeting = future_meeting(circle, days=1)
    told, _not_reminded_yet, unsent = (factories.MembershipFactory(circle=circle).user for _ in range(3))
    reminded(meeting, told)
    MeetingReminder.objects.create(meeting=meeting, user=unsent, starts_at=meeting.starts_at)
    new_start = meeting.starts_at + datetime.timedelta(days=2)
    with django_capture_on_commit_callbacks() as callbacks:
        meeting_move(changed_by=facilitator, meeting=meeting, starts_at=new_start, ends_at=new_start + HOUR)
    assert mailoutbox == [], "the e-mail waits for the commit"
    for callback in callbacks:
        callback()
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.sequence) == (new_start, 1)
    assert [message.to for message in mailoutbox] == [[told.email]]
    with translation.override("da"):
        new_day = formats.date_format(timezone.localtime(new_start, COPENHAGEN), "DATE_FORMAT")
    assert new_day in mailoutbox[0].body
    assert f"/cirkler/{circle.slug}/moeder/{meeting.pk}/" in mailoutbox[0].body


def test_the_notice_speaks_the_circles_language(circle, facilitator, mailoutbox, django_capture_on_commit_callbacks):
    circle.language = "en"
    circle.save()
    meeting = future_meeting(circle, days=1)
    reminded(meeting, factories.MembershipFactory(circle=circle).user)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_cancel(changed_by=facilitator, meeting=meeting)
    with translation.override("en"):
        day = formats.date_format(timezone.localtime(meeting.starts_at, COPENHAGEN), "DATE_FORMAT")
    assert day in mailoutbox[0].subject
    assert "/en/cirkler/" in mailoutbox[0].body


def test_no_notice_for_someone_who_left_the_circle(circle, facilitator, mailoutbox, django_capture_on_commit_callbacks):
    meeting = future_meeting(circle, days=1)
    gone = factories.MembershipFactory(circle=circle, state=MembershipState.REMOVED).user
    reminded(meeting, gone)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_cancel(changed_by=facilitator, meeting=meeting)
    assert mailoutbox == []


def test_moving_to_the_same_time_and_place_changes_nothing(circle, facilitator, mailoutbox):
    meeting = future_meeting(circle)
    reminded(meeting, factories.MembershipFactory(circle=circle).user)
    meeting_move(changed_by=facilitator, meeting=meeting, starts_at=meeting.starts_at, ends_at=meeting.ends_at)
    meeting.refresh_from_db()
    assert meeting.sequence == 0


def test_moving_to_a_place_of_another_library_is_refused(circle, facilitator):
    meeting = future_meeting(circle)
    with pytest.raises(ValidationError):
        meeting_move(
            changed_by=facilitator,
            meeting=meeting,
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            venue=factories.VenueFactory(),
        )


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("onto_another_meeting", "meeting_time_taken"),
        ("ends_before_it_starts", "meeting_ends_before_start"),
        ("into_the_past", "meeting_in_the_past"),
        ("already_held", "meeting_already_held"),
        ("cancelled", "meeting_cancelled"),
        ("years_ahead", "day_out_of_range"),
    ],
)
def test_moves_that_cannot_be_are_refused(circle, facilitator, case, code):
    meeting = past_meeting(circle) if case == "already_held" else future_meeting(circle, days=3)
    other = future_meeting(circle, days=5)
    if case == "cancelled":
        meeting.cancelled = True
        meeting.save()
    starts_at, ends_at = {
        "onto_another_meeting": (other.starts_at + HOUR, other.starts_at + 2 * HOUR),
        "ends_before_it_starts": (meeting.starts_at, meeting.starts_at - HOUR),
        "into_the_past": (timezone.now() - 2 * HOUR, timezone.now() - HOUR),
        "years_ahead": (meeting.starts_at + 6 * 365 * 24 * HOUR, meeting.ends_at + 6 * 365 * 24 * HOUR),
    }.get(case, (meeting.starts_at + 24 * HOUR, meeting.ends_at + 24 * HOUR))
    before = Meeting.objects.get(pk=meeting.pk)
    with pytest.raises(ServiceError) as refused:
        meeting_move(changed_by=facilitator, meeting=meeting, starts_at=starts_at, ends_at=ends_at)
    assert refused.value.code == code
    after = Meeting.objects.get(pk=meeting.pk)
    assert (after.starts_at, after.sequence) == (before.starts_at, before.sequence)


@pytest.mark.parametrize(
    "who", ["member", "member_of_other_circle", "facilitator_of_other_circle", "staff_of_other_library"]
)
def test_only_those_who_run_the_circle_move_or_cancel(circle, outsiders, who, mailoutbox):
    meeting = future_meeting(circle)
    reminded(meeting, outsiders["member"])
    with pytest.raises(ServiceError):
        meeting_move(
            changed_by=outsiders[who],
            meeting=meeting,
            starts_at=meeting.starts_at + HOUR,
            ends_at=meeting.ends_at + HOUR,
        )
    with pytest.raises(ServiceError):
        meeting_cancel(changed_by=outsiders[who], meeting=meeting)
    meeting.refresh_from_db()
    assert (meeting.cancelled, meeting.sequence) == (False, 0)
    assert mailoutbox == []


def test_cancelling_counts_a_new_version_tells_the_reminded_and_happens_once(
    circle, library_staff, mailoutbox, django_capture_on_commit_callbacks
):
    meeting = future_meeting(circle, days=1)
    told = factories.MembershipFactory(circle=circle).user
    factories.MembershipFactory(circle=circle)
    reminded(meeting, told)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_cancel(changed_by=library_staff, meeting=meeting)
    meeting.refresh_from_db()
    assert (meeting.cancelled, meeting.sequence) == (True, 1)
    assert [message.to for message in mailoutbox] == [[told.email]]
    assert circle.title in mailoutbox[0].subject
    with pytest.raises(ServiceError) as refused:
        meeting_cancel(changed_by=library_staff, meeting=meeting)
    assert refused.value.code == "meeting_cancelled"
    meeting.refresh_from_db()
    assert meeting.sequence == 1


def test_no_e_mail_when_the_change_does_not_commit(circle, facilitator, mailoutbox, django_capture_on_commit_callbacks):
    meeting = future_meeting(circle, days=1)
    reminded(meeting, factories.MembershipFactory(circle=circle).user)
    with django_capture_on_commit_callbacks(execute=False):
        meeting_cancel(changed_by=facilitator, meeting=meeting)
    assert mailoutbox == []


# Agenda, notes and attendance


def test_facilitators_write_the_agenda_and_notes(circle, facilitator, member):
    meeting = future_meeting(circle)
    meeting_update_notes(updated_by=facilitator, meeting=meeting, agenda="1. Velkomst", notes="Vi talte om *mad*.")
    meeting.refresh_from_db()
    assert (meeting.agenda, meeting.notes) == ("1. Velkomst", "Vi talte om *mad*.")
    with pytest.raises(ServiceError):
        meeting_update_notes(updated_by=member, meeting=meeting, agenda="Nej", notes="")
    meeting.refresh_from_db()
    assert meeting.agenda == "1. Velkomst"


def test_attendance_lists_every_active_member_and_a_new_record_replaces_the_old(circle, facilitator):
    came, stayed_home = (factories.MembershipFactory(circle=circle).user for _ in range(2))
    factories.MembershipFactory(circle=circle, state=MembershipState.WAITLISTED)
    meeting = past_meeting(circle)
    attendance_record(recorded_by=facilitator, meeting=meeting, present_user_ids=[came.pk])
    assert set(Attendance.objects.filter(meeting=meeting).values_list("user_id", "present")) == {
        (came.pk, True),
        (stayed_home.pk, False),
    }
    attendance_record(recorded_by=facilitator, meeting=meeting, present_user_ids=[stayed_home.pk])
    assert set(Attendance.objects.filter(meeting=meeting).values_list("user_id", "present")) == {
        (came.pk, False),
        (stayed_home.pk, True),
    }
    assert set(Attendance.objects.values_list("recorded_by", flat=True)) == {facilitator.pk}


@pytest.mark.parametrize("case", ["not_a_member", "not_started", "cancelled", "member_records"])
def test_attendance_refusals_change_nothing(circle, facilitator, member, case):
    meeting = future_meeting(circle) if case == "not_started" else past_meeting(circle)
    attendance_record(recorded_by=facilitator, meeting=past_meeting(circle, hours_ago=30), present_user_ids=[])
    if case == "cancelled":
        Meeting.objects.filter(pk=meeting.pk).update(cancelled=True)
        meeting.refresh_from_db()
    recorder = member if case == "member_records" else facilitator
    present = [factories.UserFactory().pk] if case == "not_a_member" else [member.pk]
    with pytest.raises(ServiceError) as refused:
        attendance_record(recorded_by=recorder, meeting=meeting, present_user_ids=present)
    assert (
        refused.value.code
        == {
            "not_a_member": "not_active_members",
            "not_started": "meeting_not_started",
            "cancelled": "meeting_cancelled",
            "member_records": "not_allowed",
        }[case]
    )
    assert not Attendance.objects.filter(meeting=meeting).exists()


# Feedback


def test_a_member_gives_feedback_once(circle, member):
    meeting = past_meeting(circle)
    feedback = feedback_give(user=member, meeting=meeting, rating=4, comment="  Hyggeligt  ")
    assert (feedback.rating, feedback.comment) == (4, "Hyggeligt")
    with pytest.raises(ServiceError) as refused:
        feedback_give(user=member, meeting=meeting, rating=1)
    assert (refused.value.code, refused.value.message) == ("feedback_given", errors.FEEDBACK_ALREADY_GIVEN)
    assert list(Feedback.objects.values_list("rating", flat=True)) == [4]


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("before_the_meeting", "meeting_not_started"),
        ("cancelled_meeting", "meeting_cancelled"),
        ("facilitator", "not_allowed"),
        ("staff", "not_allowed"),
        ("waitlisted", "not_allowed"),
        ("stranger", "not_allowed"),
    ],
)
def test_feedback_refusals(circle, member, facilitator, library_staff, case, code):
    meeting = future_meeting(circle) if case == "before_the_meeting" else past_meeting(circle)
    if case == "cancelled_meeting":
        Meeting.objects.filter(pk=meeting.pk).update(cancelled=True)
        meeting.refresh_from_db()
    person = {
        "facilitator": facilitator,
        "staff": library_staff,
        "waitlisted": factories.MembershipFactory(circle=circle, state=MembershipState.WAITLISTED).user,
        "stranger": factories.UserFactory(),
    }.get(case, member)
    with pytest.raises(ServiceError) as refused:
        feedback_give(user=person, meeting=meeting, rating=5)
    assert refused.value.code == code
    assert not Feedback.objects.exists()


def test_a_rating_is_from_1_to_5(circle, member):
    with pytest.raises(ValidationError):
        feedback_give(user=member, meeting=past_meeting(circle), rating=6)
    assert not Feedback.objects.exists()


def give(meeting, rating: int, comment: str = "") -> None:
    person = factories.MembershipFactory(circle=meeting.circle).user
    feedback_give(user=person, meeting=meeting, rating=rating, comment=comment)


def test_feedback_is_summed_up_per_meeting_and_per_circle_without_names(circle):
    first, second = past_meeting(circle, hours_ago=200), past_meeting(circle, hours_ago=30)
    give(first, 5, "Zoo-besøget var godt")
    give(first, 4)
    give(first, 3, "Aftenen var for kort")
    give(second, 1, "For meget snak")
    summary = feedback_for_meeting(meeting=first)
    assert (summary.count, summary.average) == (3, 4.0)
    assert [(row.rating, row.count, row.percent) for row in summary.distribution] == [
        (5, 1, 33),
        (4, 1, 33),
        (3, 1, 33),
        (2, 0, 0),
        (1, 0, 0),
    ]
    assert summary.comments == ["Aftenen var for kort", "Zoo-besøget var godt"]
    overall, per_meeting = feedback_for_circle(circle=circle)
    assert (overall.count, overall.average) == (4, 3.2)
    assert [(item.meeting, item.summary.count) for item in per_meeting] == [(first, 3), (second, 1)]


def test_feedback_for_a_circle_takes_two_queries(circle, django_assert_num_queries):
    for hours_ago in (30, 60, 90):
        give(past_meeting(circle, hours_ago=hours_ago), 4, "fint")
    with django_assert_num_queries(2):
        feedback_for_circle(circle=circle)


# The CSV file


def test_the_csv_file_has_local_times_ratings_comments_and_no_names(circle):
    meeting = past_meeting(circle, hours_ago=48)
    give(meeting, 5, "Dejligt med æbler, øl og ål")
    give(meeting, 2, '=HYPERLINK("http://evil.example")')
    give(meeting, 3, "+45 12 34 56 78")
    give(meeting, 4, "-nej")
    give(meeting, 1, "@SUM(A1)")
    document = feedback_csv(circle=circle)
    assert document.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(document.removeprefix("\ufeff"))))
    start = timezone.localtime(meeting.starts_at, COPENHAGEN).strftime("%Y-%m-%d %H:%M")
    assert rows[1:] == [
        [start, "1", "'@SUM(A1)"],
        [start, "2", '\'=HYPERLINK("http://evil.example")'],
        [start, "3", "'+45 12 34 56 78"],
        [start, "4", "'-nej"],
        [start, "5", "Dejligt med æbler, øl og ål"],
    ]
    assert len(rows[0]) == 3
    names = Membership.objects.filter(circle=circle).values_list("user__display_name", "user__email")
    assert not any(name in document or email in document for name, email in names)
    assert document.encode("utf-8").startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize(
    ("value", "safe"),
    [("=1+1", "'=1+1"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("fint", "fint"), ("", ""), (5, "5"), ("a=b", "a=b")],
)
def test_spreadsheet_safe_cells(value, safe):
    assert spreadsheet_safe(value) == safe


def test_library_admins_run_circles_too(circle, library):
    admin = factories.LibraryStaffFactory(library=library, role=StaffRole.ADMIN).user
    assert len(schedule(circle, admin, count=1)) == 1
