"""Background work for circles, run by the django-tasks worker (`manage.py db_worker`)."""

import datetime

from django.utils import timezone
from django_tasks import task

from . import services
from .models import Meeting
from .reminders import reminder_due_at, reminder_time_key


@task()
def meeting_reminders_send(meeting_id: int, starts_at_iso: str) -> int:
    """Send one meeting's reminders; nothing if it was cancelled, deleted or moved since this was queued."""
    meeting = Meeting.objects.select_related("circle", "venue").filter(pk=meeting_id).first()
    if meeting is None or meeting.cancelled or meeting.starts_at != datetime.datetime.fromisoformat(starts_at_iso):
        # A moved meeting had a new task queued for its new time.
        return 0
    now = timezone.now()
    due = reminder_due_at(meeting)
    if now < due:
        # The circle's reminder time was shortened after this was queued: come back at the right time.
        meeting_reminders_send.using(run_after=due).enqueue(
            meeting_id=meeting.pk, starts_at_iso=reminder_time_key(meeting.starts_at)
        )
        return 0
    return services.meeting_reminders_send(meeting=meeting, now=now)
