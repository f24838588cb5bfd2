"""Every change to circles, memberships and meetings. Each runs in a transaction and checks who may do it."""

import datetime
import enum
import logging
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.text import slugify

from accounts.models import User
from accounts.permissions import (
    may_appoint_facilitator,
    may_create_circle,
    may_edit_project_actions,
    may_give_feedback,
    may_manage_circle,
)
from chat.groups import user_group_name
from chat.models import Room
from config.errors import ServiceError
from libraries.models import Library, Venue

from . import errors, meeting_notices, notifications
from .models import (
    SDG,
    ActionStatus,
    Attendance,
    Audience,
    Circle,
    CircleKind,
    CircleStatus,
    Feedback,
    JoinPolicy,
    Language,
    Meeting,
    MeetingFormat,
    MeetingReminder,
    Membership,
    MembershipRole,
    MembershipState,
    ProjectAction,
)
from .reminders import (
    meetings_with_reminders_due,
    reminder_due_at,
    reminder_email,
    reminder_recipients,
    reminder_task_waiting,
    reminder_time_key,
)
from .selectors import waitlist_position
from .times import COPENHAGEN, NonexistentTime, format_moment, local_datetime, plannable_day

logger = logging.getLogger(__name__)


def _unique_slug(title: str) -> str:
    base = slugify(title)[:150] or "cirkel"
    slug, counter = base, 2
    while Circle.objects.filter(slug=slug).exists():
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


@transaction.atomic
def circle_create(
    *,
    created_by: User,
    host_library: Library,
    title: str,
    sdgs: Iterable[SDG],
    description: str = "",
    kind: CircleKind = CircleKind.LEARNING_CIRCLE,
    audience: Audience = Audience.EVERYONE,
    format: MeetingFormat = MeetingFormat.IN_PERSON,
    language: Language = Language.DANISH,
    venue: Venue | None = None,
    online_url: str = "",
    capacity: int | None = None,
    join_policy: JoinPolicy = JoinPolicy.OPEN,
    status: CircleStatus = CircleStatus.DRAFT,
    partner_libraries: Iterable[Library] = (),
    starts_on: datetime.date | None = None,
    rhythm: str = "",
    slug: str = "",
    reminder_hours: int = 24,
) -> Circle:
    """Create a circle with its discussion room. Only staff of the host library may."""
    if not may_create_circle(created_by, host_library):
        raise ServiceError("not_allowed", errors.NOT_ALLOWED)
    sdgs, partner_libraries = list(sdgs), list(partner_libraries)
    circle = Circle(
        title=title,
        slug=slug or _free_slug(title),
        description=description,
        kind=kind,
        audience=audience,
        format=format,
        language=language,
        host_library=host_library,
        venue=venue,
        online_url=online_url,
        capacity=capacity,
        join_policy=join_policy,
        status=status,
        starts_on=starts_on,
        rhythm=rhythm,
        reminder_hours=reminder_hours,
        created_by=created_by,
    )
    _check_circle_rules(circle, sdgs=sdgs, partner_libraries=partner_libraries)
    circle.full_clean()
    circle.save()
    circle.sdgs.set(sdgs)
    circle.partner_libraries.set(partner_libraries)
    Room.objects.create(circle=circle)
    return circle


@transaction.atomic
def facilitator_appoint(*, appointed_by: User, circle: Circle, user: User) -> Membership:
    """Make a person a facilitator of the circle. Staff of the host library appoint facilitators."""
    if not may_appoint_facilitator(appointed_by, circle):
        raise ServiceError("not_allowed", errors.NOT_ALLOWED)
    membership, _created = Membership.objects.update_or_create(
        circle=circle,
        user=user,
        defaults={
            "role": MembershipRole.FACILITATOR,
            "state": MembershipState.ACTIVE,
            "state_changed_at": timezone.now(),
        },
    )
    _role_changed_for(membership)
    return membership


def _active_member_count(circle: Circle) -> int:
    return Membership.objects.filter(circle=circle, role=MembershipRole.MEMBER, state=MembershipState.ACTIVE).count()


def _has_free_seat(circle: Circle) -> bool:
    return circle.capacity is None or _active_member_count(circle) < circle.capacity


def _set_state(membership: Membership, state: MembershipState) -> Membership:
    membership.state = state
    membership.state_changed_at = timezone.now()
    membership.save(update_fields=["state", "state_changed_at"])
    return membership


def _lock_circle(circle: Circle) -> Circle:
    """Memberships of one circle change one at a time: the circle row is the lock."""
    return Circle.objects.select_for_update().get(pk=circle.pk)


def _promote_from_waitlist(circle: Circle) -> None:
    """Give free seats to the people waiting longest. The caller holds the circle lock."""
    while _has_free_seat(circle):
        next_in_line = (
            Membership.objects.filter(circle=circle, state=MembershipState.WAITLISTED)
            .order_by("state_changed_at", "pk")
            .select_related("user", "circle")
            .first()
        )
        if next_in_line is None:
            return
        _set_state(next_in_line, MembershipState.ACTIVE)
        notifications.membership_changed(next_in_line, "promoted")


def _tell_sockets_after_commit(membership: Membership, event_type: str) -> None:
    """After commit, send the person's open sockets an event about their place in this circle
    (`membership.revoked`: access is gone; `membership.role_changed`: appointed or demoted).
    Best effort: a lost event is caught by the sockets' own access re-check within a minute."""
    event = {"type": event_type, "circle_id": membership.circle_id}
    user_id = membership.user_id

    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(user_group_name(user_id), event)

    transaction.on_commit(send, robust=True)


def _role_changed_for(membership: Membership) -> None:
    _tell_sockets_after_commit(membership, "membership.role_changed")


def _close_room_for(membership: Membership) -> None:
    _tell_sockets_after_commit(membership, "membership.revoked")


@transaction.atomic
def membership_join(*, circle: Circle, user: User) -> Membership:
    """Join a circle: active when there is a seat, waitlisted when full, pending when a facilitator approves."""
    circle = _lock_circle(circle)
    if circle.status not in (CircleStatus.OPEN, CircleStatus.RUNNING):
        raise ServiceError("circle_not_open", errors.CIRCLE_NOT_OPEN)
    existing = Membership.objects.filter(circle=circle, user=user).first()
    if existing is not None:
        if existing.state == MembershipState.BANNED:
            raise ServiceError("banned", errors.BANNED)
        if existing.state != MembershipState.REMOVED:
            raise ServiceError("already_member", errors.ALREADY_MEMBER)
    if circle.join_policy == JoinPolicy.APPROVAL:
        state, event = MembershipState.PENDING, "pending"
    elif _has_free_seat(circle):
        state, event = MembershipState.ACTIVE, "joined"
    else:
        state, event = MembershipState.WAITLISTED, "waitlisted"
    membership, _created = Membership.objects.update_or_create(
        circle=circle,
        user=user,
        defaults={"role": MembershipRole.MEMBER, "state": state, "state_changed_at": timezone.now()},
    )
    notifications.membership_changed(membership, event, position=waitlist_position(membership))
    return membership


@transaction.atomic
def membership_leave(*, circle: Circle, user: User) -> None:
    """Leave a circle, withdraw a request or leave the waiting list. A freed seat goes to the next in line;
    the person's open sockets in the circle's room close at once."""
    circle = _lock_circle(circle)
    membership = Membership.objects.filter(circle=circle, user=user).first()
    if membership is None or membership.state in (MembershipState.REMOVED, MembershipState.BANNED):
        raise ServiceError("not_a_member", errors.NOT_A_MEMBER)
    if membership.role == MembershipRole.FACILITATOR:
        raise ServiceError("facilitator_cannot_leave", errors.FACILITATOR_CANNOT_LEAVE)
    if membership.state == MembershipState.ACTIVE:
        _close_room_for(membership)
    membership.delete()
    _promote_from_waitlist(circle)


def _decision(decided_by: User, membership: Membership) -> tuple[Circle, Membership]:
    circle = _lock_circle(membership.circle)
    if not may_manage_circle(decided_by, circle):
        raise ServiceError("not_allowed", errors.NOT_ALLOWED)
    membership = Membership.objects.select_related("user", "circle").get(pk=membership.pk)
    return circle, membership


@transaction.atomic
def membership_approve(*, decided_by: User, membership: Membership, message: str = "") -> Membership:
    """Say yes to a request: a seat if there is one, else the waiting list."""
    circle, membership = _decision(decided_by, membership)
    if membership.state != MembershipState.PENDING:
        raise ServiceError("not_pending", errors.NOT_PENDING)
    if _has_free_seat(circle):
        _set_state(membership, MembershipState.ACTIVE)
        notifications.membership_changed(membership, "approved", message=message)
    else:
        _set_state(membership, MembershipState.WAITLISTED)
        notifications.membership_changed(
            membership, "waitlisted", message=message, position=waitlist_position(membership)
        )
    return membership


@transaction.atomic
def membership_decline(*, decided_by: User, membership: Membership, message: str = "") -> Membership:
    """Say no to a request, with an optional message to the person."""
    _circle, membership = _decision(decided_by, membership)
    if membership.state != MembershipState.PENDING:
        raise ServiceError("not_pending", errors.NOT_PENDING)
    _set_state(membership, MembershipState.REMOVED)
    notifications.membership_changed(membership, "declined", message=message)
    return membership


@transaction.atomic
def membership_remove(*, decided_by: User, membership: Membership, message: str = "", ban: bool = False) -> Membership:
    """Take a member out of the circle (and, with `ban`, keep them out). Their open sockets close at once."""
    circle, membership = _decision(decided_by, membership)
    if membership.user_id == decided_by.pk:
        raise ServiceError("not_yourself", errors.NOT_YOURSELF)
    if membership.role == MembershipRole.FACILITATOR and not may_appoint_facilitator(decided_by, circle):
        raise ServiceError("not_allowed", errors.NOT_ALLOWED)
    if membership.state == (MembershipState.BANNED if ban else MembershipState.REMOVED):
        return membership
    membership.role = MembershipRole.MEMBER
    membership.save(update_fields=["role"])
    _set_state(membership, MembershipState.BANNED if ban else MembershipState.REMOVED)
    notifications.membership_changed(membership, "banned" if ban else "removed", message=message)
    _close_room_for(membership)
    _promote_from_waitlist(circle)
    return membership


@transaction.atomic
def meeting_create(
    *,
    created_by: User,
    circle: Circle,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    venue: Venue | None = None,
    online_url: str = "",
    agenda: str = "",
) -> Meeting:
    """Schedule one meeting. Facilitators of the circle and staff of its library may."""
    if not may_manage_circle(created_by, circle):
        raise ServiceError("not_allowed", errors.NOT_ALLOWED)
    meeting = Meeting(
        circle=circle,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue if venue is not None else circle.venue,
        online_url=online_url or circle.online_url,
        agenda=agenda,
    )
    meeting.full_clean()
    meeting.save()
    meeting_reminders_enqueue(meeting)
    return meeting


def meeting_reminders_enqueue(meeting: Meeting) -> None:
    """Queue the meeting's reminder e-mails for `reminder_hours` before it starts, once the transaction commits.

    Call it whenever a meeting is created or moved; a task queued for an earlier time does nothing.
    """
    # circles.tasks imports this module.
    from .tasks import meeting_reminders_send as reminders_task

    if meeting.cancelled:
        return
    meeting_id, starts_at, due = meeting.pk, meeting.starts_at, reminder_due_at(meeting)

    def enqueue() -> None:
        if starts_at > timezone.now():
            reminders_task.using(run_after=due).enqueue(
                meeting_id=meeting_id, starts_at_iso=reminder_time_key(starts_at)
            )

    # robust: a failed enqueue must not turn a saved meeting into an error page; the safety net
    # (meeting_reminders_enqueue_due) queues it within minutes.
    transaction.on_commit(enqueue, robust=True)


class _MeetingChanged(Exception):
    """The meeting was moved or cancelled while its reminders were going out."""


def _meeting_reminder_send_once(*, meeting: Meeting, person: User, connection: BaseEmailBackend) -> bool:
    """Send one person's reminder unless it was sent already or another worker is sending it. True when sent now."""
    with transaction.atomic():
        current = Meeting.objects.filter(pk=meeting.pk).values_list("starts_at", "cancelled").first()
        if current != (meeting.starts_at, False):
            raise _MeetingChanged
        reminder, _created = MeetingReminder.objects.get_or_create(
            meeting=meeting, user=person, starts_at=meeting.starts_at
        )
        # skip_locked: a second worker passes over a reminder the first is sending right now
        # (PostgreSQL; SQLite's IMMEDIATE transactions already let only one writer in at a time).
        claimed = (
            MeetingReminder.objects.select_for_update(skip_locked=True)
            .filter(pk=reminder.pk, sent_at__isnull=True)
            .first()
        )
        if claimed is None:
            return False
        reminder_email(meeting, person, connection=connection).send()
        # The one window left: the mail server accepted the message, then the commit below fails
        # (the process dies, the database goes away). The row rolls back and a later run sends the
        # reminder again. Sending after the commit instead would lose reminders in the same window;
        # a duplicate reminder is the lesser harm.
        claimed.sent_at = timezone.now()
        claimed.save(update_fields=["sent_at"])
    return True


def meeting_reminders_send(*, meeting: Meeting, now: datetime.datetime) -> int:
    """Send the meeting's reminder to each person who wants one, exactly once per person and meeting time.

    Each person is a transaction of their own, so a crash mid-batch keeps what was sent and a
    rerun sends only the rest. Returns how many were sent now.
    """
    meeting = Meeting.objects.select_related("circle", "venue").get(pk=meeting.pk)
    if meeting.cancelled or meeting.starts_at <= now:
        return 0
    sent, failed = 0, 0
    with mail.get_connection() as connection:
        for person in reminder_recipients(meeting=meeting):
            try:
                if _meeting_reminder_send_once(meeting=meeting, person=person, connection=connection):
                    sent += 1
            except _MeetingChanged:
                break
            except Exception:
                # One refused address must not stop the others; the safety net retries it.
                logger.exception("Reminder for meeting %s to person %s failed", meeting.pk, person.pk)
                failed += 1
    if failed:
        raise ServiceError("reminders_failed", errors.REMINDERS_FAILED)
    return sent


def meeting_reminders_enqueue_due(*, now: datetime.datetime) -> int:
    """The safety net: queue reminders that are due but unsent and not waiting in the queue. Returns how many."""
    queued = 0
    for meeting in meetings_with_reminders_due(now=now):
        if not reminder_task_waiting(meeting):
            meeting_reminders_enqueue(meeting)
            queued += 1
    return queued


PROJECT_ACTION_FIELDS = frozenset({"title", "description", "sdg", "owner", "due_on", "status"})


def _require_action_editor(user: User, circle: Circle) -> None:
    if not may_edit_project_actions(user, circle):
        raise ServiceError("not_allowed", errors.NOT_ALLOWED)


def _require_owner_in_group(action: ProjectAction) -> None:
    if action.owner_id is None:
        return
    in_group = Membership.objects.filter(
        circle_id=action.circle_id, user_id=action.owner_id, state=MembershipState.ACTIVE
    ).exists()
    if not in_group:
        raise ServiceError("owner_not_member", errors.OWNER_NOT_MEMBER)


@transaction.atomic
def project_action_create(
    *,
    created_by: User,
    circle: Circle,
    title: str,
    description: str = "",
    sdg: SDG | None = None,
    owner: User | None = None,
    due_on: datetime.date | None = None,
    status: ActionStatus = ActionStatus.TODO,
) -> ProjectAction:
    """Add an action to a project group. Its active members and facilitators and its host library's staff may."""
    _require_action_editor(created_by, circle)
    action = ProjectAction(
        circle=circle,
        title=title,
        description=description,
        sdg=sdg,
        owner=owner,
        due_on=due_on,
        status=status,
        created_by=created_by,
    )
    _require_owner_in_group(action)
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def project_action_update(*, updated_by: User, action: ProjectAction, data: dict[str, Any]) -> ProjectAction:
    """Change an action; `data` holds the fields to change (title, description, sdg, owner, due_on, status)."""
    unknown = set(data) - PROJECT_ACTION_FIELDS
    if unknown:
        raise ValueError(f"not fields of an action: {sorted(unknown)}")
    _require_action_editor(updated_by, action.circle)
    # From the database: a bound ModelForm has already set the new values on `action`.
    previous_owner_id = ProjectAction.objects.filter(pk=action.pk).values_list("owner_id", flat=True).first()
    for field, value in data.items():
        setattr(action, field, value)
    # Whoever already has the action keeps it even after leaving the group; a new owner must be in it.
    if action.owner_id != previous_owner_id:
        _require_owner_in_group(action)
    action.updated_at = timezone.now()
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def project_action_delete(*, deleted_by: User, action: ProjectAction) -> None:
    """Delete an action from a project group. The same people who may add actions may."""
    _require_action_editor(deleted_by, action.circle)
    action.delete()


# Creating circles and running them: details, facilitators, schedules, meetings, attendance, feedback.

# Addresses under /cirkler/ that are pages of their own, not circles.
RESERVED_SLUGS = {"ny"}
MEETING_MINUTES = (15, 12 * 60)
SCHEDULE_WEEKS = (1, 2)
SCHEDULE_MAX_MEETINGS = 52


class Keep(enum.Enum):
    """Stands for "leave it as it is" in update services, where None is a value of its own."""

    KEEP = "keep"


KEEP = Keep.KEEP


def _free_slug(title: str) -> str:
    """A unique address for a new circle that is not one of the circle pages' own addresses."""
    if (slugify(title)[:150] or "cirkel") in RESERVED_SLUGS:
        title = f"{title} cirkel"
    return _unique_slug(title)


def _check_circle_rules(circle: Circle, *, sdgs: list[SDG], partner_libraries: list[Library]) -> None:
    """What a circle needs beyond its fields: goals, and a place to meet once it is no longer a draft.

    The place rules are field errors, like the database's own rule for online circles (ValidationError).
    """
    if not sdgs:
        raise ServiceError("no_sdgs", errors.NO_SDGS)
    if circle.format in (MeetingFormat.ONLINE, MeetingFormat.HYBRID) and not circle.online_url:
        raise ValidationError({"online_url": errors.ONLINE_NEEDS_LINK})
    if (
        circle.format in (MeetingFormat.IN_PERSON, MeetingFormat.HYBRID)
        and circle.venue is None
        and circle.status != CircleStatus.DRAFT
    ):
        raise ValidationError({"venue": errors.IN_PERSON_NEEDS_VENUE})
    if circle.venue is not None and circle.venue.library_id not in {
        circle.host_library_id,
        *(library.pk for library in partner_libraries),
    }:
        raise ValidationError({"venue": errors.VENUE_NOT_OF_LIBRARY})


@transaction.atomic
def circle_update(
    *,
    updated_by: User,
    circle: Circle,
    title: str | None = None,
    description: str | None = None,
    kind: CircleKind | None = None,
    audience: Audience | None = None,
    format: MeetingFormat | None = None,
    language: Language | None = None,
    venue: Venue | Keep | None = KEEP,
    online_url: str | None = None,
    capacity: int | Keep | None = KEEP,
    join_policy: JoinPolicy | None = None,
    status: CircleStatus | None = None,
    sdgs: Iterable[SDG] | None = None,
    partner_libraries: Iterable[Library] | None = None,
    starts_on: datetime.date | Keep | None = KEEP,
    rhythm: str | None = None,
    reminder_hours: int | None = None,
) -> Circle:
    """Change a circle's details (its address and host library stay). Its facilitators and its library's staff may."""
    if not may_manage_circle(updated_by, circle):
        raise ServiceError("not_allowed", errors.NOT_ALLOWED)
    circle = _lock_circle(circle)
    old_capacity = circle.capacity
    changes = {
        "title": title,
        "description": description,
        "kind": kind,
        "audience": audience,
        "format": format,
        "language": language,
        "online_url": online_url,
        "join_policy": join_policy,
        "status": status,
        "rhythm": rhythm,
        "reminder_hours": reminder_hours,
    }
    for name, value in changes.items():
        if value is not None:
            setattr(circle, name, value)
    for name, value in {"venue": venue, "capacity": capacity, "starts_on": starts_on}.items():
        if value is not KEEP:
            setattr(circle, name, value)
    sdgs = list(circle.sdgs.all()) if sdgs is None else list(sdgs)
    partner_libraries = list(circle.partner_libraries.all()) if partner_libraries is None else list(partner_libraries)
    _check_circle_rules(circle, sdgs=sdgs, partner_libraries=partner_libraries)
    circle.full_clean()
    circle.save()
    circle.sdgs.set(sdgs)
    circle.partner_libraries.set(partner_libraries)
    if circle.capacity is None or (old_capacity is not None and circle.capacity > old_capacity):
        _promote_from_waitlist(circle)
    return circle


@transaction.atomic
def facilitator_remove(*, removed_by: User, circle: Circle, user: User) -> Membership:
    """Make a facilitator an ordinary member of the circle again. Staff of the host library may."""
    if not may_appoint_facilitator(removed_by, circle):
        raise ServiceError("not_allowed", errors.NOT_ALLOWED)
    membership = (
        Membership.objects.select_for_update().filter(circle=circle, user=user, role=MembershipRole.FACILITATOR).first()
    )
    if membership is None:
        raise ServiceError("not_a_facilitator", errors.NOT_A_FACILITATOR)
    membership.role = MembershipRole.MEMBER
    membership.save(update_fields=["role"])
    _role_changed_for(membership)
    return membership


def _meeting_place(circle: Circle, venue: Venue | None, online_url: str) -> tuple[Venue | None, str]:
    """A meeting's place and link: the circle's unless given; a venue of the host or a partner library (field errors)."""
    venue = venue if venue is not None else circle.venue
    online_url = online_url or circle.online_url
    if (
        venue is not None
        and venue.library_id != circle.host_library_id
        and not circle.partner_libraries.filter(pk=venue.library_id).exists()
    ):
        raise ValidationError({"venue": errors.VENUE_NOT_OF_LIBRARY})
    if circle.format in (MeetingFormat.IN_PERSON, MeetingFormat.HYBRID) and venue is None:
        raise ValidationError({"venue": errors.IN_PERSON_NEEDS_VENUE})
    if circle.format in (MeetingFormat.ONLINE, MeetingFormat.HYBRID) and not online_url:
        raise ValidationError({"online_url": errors.ONLINE_NEEDS_LINK})
    return venue, online_url


def _clashes(
    circle: Circle, slots: list[tuple[datetime.datetime, datetime.datetime]], *, moving: Meeting | None = None
) -> list[datetime.datetime]:
    """The wanted start times that clash with the circle's other meetings: the same start, or an overlap."""
    others = circle.meetings.filter(
        starts_at__lt=max(ends_at for _starts, ends_at in slots),
        ends_at__gt=min(starts_at for starts_at, _ends in slots),
    )
    if moving is not None:
        others = others.exclude(pk=moving.pk)
    others = list(others.only("starts_at", "ends_at", "cancelled"))
    return [
        starts_at
        for starts_at, ends_at in slots
        if any(
            # Even a cancelled meeting keeps its start time (one meeting per circle and start).
            other.starts_at == starts_at
            or (not other.cancelled and other.starts_at < ends_at and other.ends_at > starts_at)
            for other in others
        )
    ]


def _refuse_clashes(circle: Circle, slots, *, moving: Meeting | None = None) -> None:
    clashes = _clashes(circle, slots, moving=moving)
    if clashes:
        raise ServiceError(
            "meeting_time_taken",
            errors.MEETING_TIME_TAKEN % {"times": ", ".join(format_moment(moment) for moment in clashes)},
        )


@transaction.atomic
def meeting_schedule_create(
    *,
    created_by: User,
    circle: Circle,
    first_date: datetime.date,
    start_time: datetime.time,
    duration_minutes: int,
    every_weeks: int,
    count: int,
    venue: Venue | None = None,
    online_url: str = "",
) -> list[Meeting]:
    """Plan a series of meetings at the same Copenhagen wall-clock time, all or none. Whoever runs the circle may."""
    if not may_manage_circle(created_by, circle):
        raise ServiceError("not_allowed", errors.NOT_ALLOWED)
    if (
        every_weeks not in SCHEDULE_WEEKS
        or not 1 <= count <= SCHEDULE_MAX_MEETINGS
        or not MEETING_MINUTES[0] <= duration_minutes <= MEETING_MINUTES[1]
    ):
        raise ServiceError("invalid_schedule", errors.SCHEDULE_INVALID)
    if first_date < timezone.localdate(timezone=COPENHAGEN):
        raise ServiceError("meeting_in_the_past", errors.MEETING_IN_THE_PAST)
    if not plannable_day(first_date):
        raise ServiceError("day_out_of_range", errors.MEETING_DAY_OUT_OF_RANGE)
    circle = _lock_circle(circle)
    venue, online_url = _meeting_place(circle, venue, online_url)
    slots = []
    for number in range(count):
        day = first_date + datetime.timedelta(weeks=number * every_weeks)
        try:
            starts_at = local_datetime(day, start_time)
        except NonexistentTime:
            raise ServiceError(
                "time_does_not_exist",
                errors.TIME_DOES_NOT_EXIST
                % {"time": start_time.strftime("%H:%M"), "date": formats.date_format(day, "DATE_FORMAT")},
            ) from None
        slots.append((starts_at, starts_at + datetime.timedelta(minutes=duration_minutes)))
    if slots[0][0] <= timezone.now():
        raise ServiceError("meeting_in_the_past", errors.MEETING_IN_THE_PAST)
    _refuse_clashes(circle, slots)
    meetings = [
        Meeting(circle=circle, starts_at=starts_at, ends_at=ends_at, venue=venue, online_url=online_url)
        for starts_at, ends_at in slots
    ]
    for meeting in meetings:
        # The clash check above and the database's constraints stand for the per-row constraint queries.
        meeting.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            for meeting in meetings:
                meeting.save()
    except IntegrityError:
        # A meeting was planned at one of these times a moment ago, outside the circle lock.
        _refuse_clashes(circle, slots)
        raise
    for meeting in meetings:
        meeting_reminders_enqueue(meeting)
    return meetings


def _changeable_meeting(changed_by: User, meeting: Meeting) -> Meeting:
    """The meeting, locked, when the person may change it and it is still to come and not cancelled."""
    if not may_manage_circle(changed_by, meeting.circle):
        raise ServiceError("not_allowed", errors.NOT_ALLOWED)
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("circle", "venue").get(pk=meeting.pk)
    if meeting.cancelled:
        raise ServiceError("meeting_cancelled", errors.MEETING_CANCELLED)
    if meeting.starts_at <= timezone.now():
        raise ServiceError("meeting_already_held", errors.MEETING_ALREADY_HELD)
    return meeting


@transaction.atomic
def meeting_move(
    *,
    changed_by: User,
    meeting: Meeting,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    venue: Venue | None = None,
    online_url: str | None = None,
) -> Meeting:
    """Move a coming meeting to another time or place; members already reminded of it are told by e-mail."""
    meeting = _changeable_meeting(changed_by, meeting)
    if ends_at <= starts_at:
        raise ServiceError("meeting_ends_before_start", errors.MEETING_ENDS_BEFORE_START)
    if starts_at <= timezone.now():
        raise ServiceError("meeting_in_the_past", errors.MEETING_IN_THE_PAST)
    if not plannable_day(timezone.localtime(starts_at, COPENHAGEN).date()):
        raise ServiceError("day_out_of_range", errors.MEETING_DAY_OUT_OF_RANGE)
    circle = meeting.circle
    venue, online_url = _meeting_place(
        circle,
        venue if venue is not None else meeting.venue,
        online_url if online_url is not None else meeting.online_url,
    )
    _refuse_clashes(circle, [(starts_at, ends_at)], moving=meeting)
    before = (meeting.starts_at, meeting.ends_at, meeting.venue_id, meeting.online_url)
    if before == (starts_at, ends_at, venue.pk if venue else None, online_url):
        return meeting
    previous_starts_at = meeting.starts_at
    meeting.starts_at, meeting.ends_at, meeting.venue, meeting.online_url = starts_at, ends_at, venue, online_url
    meeting.sequence += 1
    meeting.full_clean()
    meeting.save()
    meeting_reminders_enqueue(meeting)
    meeting_notices.meeting_changed(meeting, "moved", previous_starts_at=previous_starts_at)
    return meeting


@transaction.atomic
def meeting_cancel(*, changed_by: User, meeting: Meeting) -> Meeting:
    """Cancel a coming meeting; it stays in calendars as cancelled, and members already reminded are told."""
    meeting = _changeable_meeting(changed_by, meeting)
    meeting.cancelled = True
    meeting.sequence += 1
    meeting.save(update_fields=["cancelled", "sequence"])
    meeting_notices.meeting_changed(meeting, "cancelled")
    return meeting


@transaction.atomic
def meeting_update_notes(*, updated_by: User, meeting: Meeting, agenda: str, notes: str) -> Meeting:
    """Write a meeting's agenda and notes (Markdown). Whoever runs the circle may."""
    if not may_manage_circle(updated_by, meeting.circle):
        raise ServiceError("not_allowed", errors.NOT_ALLOWED)
    meeting.agenda, meeting.notes = agenda, notes
    meeting.full_clean(validate_unique=False, validate_constraints=False)
    meeting.save(update_fields=["agenda", "notes"])
    return meeting


def _started_meeting(meeting: Meeting) -> None:
    if meeting.cancelled:
        raise ServiceError("meeting_cancelled", errors.MEETING_CANCELLED)
    if meeting.starts_at > timezone.now():
        raise ServiceError("meeting_not_started", errors.MEETING_NOT_STARTED)


@transaction.atomic
def attendance_record(*, recorded_by: User, meeting: Meeting, present_user_ids: Iterable[int]) -> list[Attendance]:
    """Record who came to a meeting, replacing the previous record: every active member, present or not."""
    if not may_manage_circle(recorded_by, meeting.circle):
        raise ServiceError("not_allowed", errors.NOT_ALLOWED)
    # The lock makes two facilitators recording at once take turns instead of colliding.
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _started_meeting(meeting)
    members = set(
        Membership.objects.filter(
            circle_id=meeting.circle_id, role=MembershipRole.MEMBER, state=MembershipState.ACTIVE
        ).values_list("user_id", flat=True)
    )
    present = {int(user_id) for user_id in present_user_ids}
    if not present <= members:
        raise ServiceError("not_active_members", errors.NOT_ACTIVE_MEMBERS)
    Attendance.objects.filter(meeting=meeting).delete()
    now = timezone.now()
    return Attendance.objects.bulk_create(
        Attendance(
            meeting=meeting, user_id=user_id, present=user_id in present, recorded_by=recorded_by, recorded_at=now
        )
        for user_id in sorted(members)
    )


@transaction.atomic
def feedback_give(*, user: User, meeting: Meeting, rating: int, comment: str = "") -> Feedback:
    """A member rates a meeting that has started (1–5, with an optional comment), once."""
    if not may_give_feedback(user, meeting):
        raise ServiceError("not_allowed", errors.NOT_ALLOWED)
    _started_meeting(meeting)
    if Feedback.objects.filter(meeting=meeting, user=user).exists():
        raise ServiceError("feedback_given", errors.FEEDBACK_ALREADY_GIVEN)
    feedback = Feedback(meeting=meeting, user=user, rating=rating, comment=comment.strip())
    feedback.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            feedback.save()
    except IntegrityError:
        # The same person sent the form twice at once: the database keeps one.
        raise ServiceError("feedback_given", errors.FEEDBACK_ALREADY_GIVEN) from None
    return feedback
