"""E-mails telling members that a meeting they were already reminded of has moved or is cancelled.

Only people who got the reminder need the correction; everyone else simply gets a reminder for the
new time. It is a service message about a meeting they are expecting, so it goes to everyone it
concerns, whatever their e-mail preferences.
"""

import datetime

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User

from .models import Meeting, MembershipState
from .notifications import site_url
from .times import COPENHAGEN

MEETING_EVENTS = {"moved", "cancelled"}


def reminded_members(meeting: Meeting) -> list[User]:
    """The circle's active members and facilitators who already got a reminder about this meeting."""
    return list(
        User.objects.filter(
            meeting_reminders__meeting=meeting,
            meeting_reminders__sent_at__isnull=False,
        )
        .filter(memberships__circle_id=meeting.circle_id, memberships__state=MembershipState.ACTIVE, is_active=True)
        .distinct()
        .order_by("pk")
    )


def meeting_changed(meeting: Meeting, event: str, *, previous_starts_at: datetime.datetime | None = None) -> None:
    """Once the change commits, e-mail each person already reminded of the meeting, in the circle's language."""
    if event not in MEETING_EVENTS:
        raise ValueError(event)
    recipients = reminded_members(meeting)
    if not recipients:
        return
    circle = meeting.circle
    messages = []
    with translation.override(circle.language or settings.LANGUAGE_CODE), timezone.override(COPENHAGEN):
        meeting_url = site_url() + reverse("circles:meeting", kwargs={"slug": circle.slug, "pk": meeting.pk})
        circle_url = site_url() + circle.get_absolute_url()
        for person in recipients:
            context = {
                "name": person.name,
                "circle": circle,
                "meeting": meeting,
                "previous_starts_at": previous_starts_at or meeting.starts_at,
                "meeting_url": meeting_url,
                "circle_url": circle_url,
            }
            subject = render_to_string(f"circles/email/meeting_{event}_subject.txt", context).strip()
            body = render_to_string(f"circles/email/meeting_{event}.txt", context)
            messages.append(EmailMessage(subject, body, to=[person.email]))

    def send() -> None:
        get_connection().send_messages(messages)

    # robust: a mail server that is down must not turn a saved change into an error page.
    transaction.on_commit(send, robust=True)
