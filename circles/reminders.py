"""The reminder e-mail before a meeting: when it is due, and what it says. Sending lives in services."""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from accounts.models import User

from .calendar import meetings_calendar
from .models import Meeting, MeetingReminder, Membership, MembershipState
from .notifications import site_url

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
# The largest Circle.reminder_hours allowed: no reminder is due for a meeting further ahead.
REMINDER_HOURS_MAX = 168
REMINDER_TASK_PATH = "circles.tasks.meeting_reminders_send"


def reminder_due_at(meeting: Meeting) -> datetime.datetime:
    """When the meeting's reminders should go out: the circle's `reminder_hours` before it starts."""
    return meeting.starts_at - datetime.timedelta(hours=meeting.circle.reminder_hours)


def reminder_time_key(starts_at: datetime.datetime) -> str:
    """The meeting time as the reminder task receives it: ISO 8601 in UTC, the same text for the same instant."""
    return starts_at.astimezone(datetime.UTC).isoformat()


def reminder_recipients(*, meeting: Meeting) -> list[User]:
    """Who gets the meeting's reminder: its active members and facilitators who want reminders."""
    return list(
        User.objects.filter(
            memberships__circle_id=meeting.circle_id,
            memberships__state=MembershipState.ACTIVE,
            is_active=True,
            email_meeting_reminders=True,
        ).order_by("pk")
    )


def meetings_with_reminders_due(*, now: datetime.datetime) -> list[Meeting]:
    """Coming meetings whose reminder time has come and where someone who wants one has no sent reminder yet.

    Someone: for the meeting's current time, so a moved meeting counts again. This finds reminders
    whose task was never queued (the enqueue failed) or never finished (a worker died mid-batch).
    """
    sent = MeetingReminder.objects.filter(
        meeting=OuterRef(OuterRef("pk")),
        user=OuterRef("user"),
        starts_at=OuterRef(OuterRef("starts_at")),
        sent_at__isnull=False,
    )
    waiting_for_one = Membership.objects.filter(
        circle=OuterRef("circle"),
        state=MembershipState.ACTIVE,
        user__is_active=True,
        user__email_meeting_reminders=True,
    ).filter(~Exists(sent))
    candidates = (
        Meeting.objects.filter(
            cancelled=False,
            starts_at__gt=now,
            starts_at__lte=now + datetime.timedelta(hours=REMINDER_HOURS_MAX),
        )
        .filter(Exists(waiting_for_one))
        .select_related("circle")
        .order_by("starts_at")
    )
    return [meeting for meeting in candidates if reminder_due_at(meeting) <= now]


def reminder_task_waiting(meeting: Meeting) -> bool:
    """Whether a reminder task for the meeting at its current time is queued and ready to run now."""
    return (
        DBTaskResult.objects.ready()
        .filter(
            task_path=REMINDER_TASK_PATH,
            args_kwargs__kwargs__meeting_id=meeting.pk,
            args_kwargs__kwargs__starts_at_iso=reminder_time_key(meeting.starts_at),
        )
        .exists()
    )


def reminder_email(meeting: Meeting, person: User, *, connection: BaseEmailBackend | None = None) -> EmailMessage:
    """The reminder to one person, in the circle's language and Copenhagen time, with the meeting as an .ics file."""
    circle = meeting.circle
    base_url = site_url()
    with translation.override(circle.language or settings.LANGUAGE_CODE), timezone.override(COPENHAGEN):
        context = {
            "name": person.name,
            "circle": circle,
            "meeting": meeting,
            "circle_url": base_url + circle.get_absolute_url(),
            "preferences_url": base_url + reverse("accounts:email_preferences"),
        }
        subject = render_to_string("circles/email/meeting_reminder_subject.txt", context).strip()
        body = render_to_string("circles/email/meeting_reminder.txt", context)
    message = EmailMessage(subject=" ".join(subject.split()), body=body, to=[person.email], connection=connection)
    calendar = meetings_calendar(name=circle.title, meetings=[meeting], base_url=base_url, show_links=True)
    message.attach(f"{circle.slug}.ics", calendar, "text/calendar")
    return message
