"""Calendar feeds (.ics): one per circle, and a private one per person with all their meetings."""

from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from .models import Meeting

PRODUCT_ID = "-//Cirkler//Læringscirkler//DA"


def _location(meeting: Meeting, *, show_link: bool) -> str:
    place = ""
    if meeting.venue is not None:
        venue = meeting.venue
        place = ", ".join(
            part for part in (venue.name, venue.address, f"{venue.postcode} {venue.city}".strip()) if part
        )
    if show_link and meeting.online_url:
        place = f"{place} · {meeting.online_url}" if place else meeting.online_url
    return place or "Online"


def meetings_calendar(
    *, name: str, meetings: Iterable[Meeting], base_url: str, show_links: bool, refresh_minutes: int = 60
) -> bytes:
    """An iCalendar document with one event per meeting; cancelled meetings stay in it, marked cancelled."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    calendar.add("refresh-interval;value=duration", f"PT{refresh_minutes}M")
    stamp = timezone.now()
    for meeting in meetings:
        circle = meeting.circle
        event = Event()
        event.add("uid", f"meeting-{meeting.pk}@cirkler")
        event.add("dtstamp", stamp)
        event.add("dtstart", meeting.starts_at)
        event.add("dtend", meeting.ends_at)
        event.add("summary", circle.title)
        event.add("location", _location(meeting, show_link=show_links))
        url = base_url + circle.get_absolute_url()
        description = "\n\n".join(part for part in (meeting.agenda.strip(), url) if part)
        event.add("description", description)
        event.add("url", url)
        event.add("sequence", meeting.sequence)
        event.add("status", "CANCELLED" if meeting.cancelled else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()
