"""Meeting times: people plan in Copenhagen wall-clock time; the database keeps UTC."""

import datetime
from zoneinfo import ZoneInfo

from django.utils import formats, timezone

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


# Meetings are planned from today up to this many days ahead (five years); further dates are a typing mistake.
PLAN_DAYS_AHEAD = 5 * 365 + 1


class NonexistentTime(ValueError):
    """A wall-clock time the clocks skip (the night summer time starts)."""


def local_datetime(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """The moment it is `time` on `day` in Copenhagen, in UTC; the same wall-clock time in summer and winter."""
    local = datetime.datetime.combine(day, time, tzinfo=COPENHAGEN)
    moment = local.astimezone(datetime.UTC)
    # A skipped time (02:30 on the last Sunday of March) comes back as another wall-clock time.
    if moment.astimezone(COPENHAGEN).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise NonexistentTime(local.isoformat())
    return moment


def plannable_days() -> tuple[datetime.date, datetime.date]:
    """The first and last day a meeting may be planned on: today (Copenhagen) and five years ahead."""
    today = timezone.localdate(timezone=COPENHAGEN)
    return today, today + datetime.timedelta(days=PLAN_DAYS_AHEAD)


def plannable_day(day: datetime.date) -> bool:
    """Whether a meeting may be planned on `day`.

    Besides sparing people a meeting in the year 2205, the bound keeps the arithmetic on the
    day (a series of weeks, the move to UTC) inside the dates Python can hold.
    """
    first, last = plannable_days()
    return first <= day <= last


def format_moment(moment: datetime.datetime) -> str:
    """A meeting time for people, in Copenhagen time and the active language: "4. marts 2025 10:00"."""
    return formats.date_format(timezone.localtime(moment, COPENHAGEN), "DATETIME_FORMAT")
