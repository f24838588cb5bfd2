from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from .calendar import meetings_calendar
from .models import Circle
from .selectors import circle_get_public, meetings_for_circle_calendar, meetings_for_person_calendar


def circle_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        circle = circle_get_public(slug=slug)
    except Circle.DoesNotExist:
        raise Http404 from None
    return TemplateResponse(request, "circles/detail.html", {"circle": circle})


def _calendar_response(document: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(document, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def circle_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    """The circle's meetings as .ics. Public, so online meeting links are left out."""
    try:
        circle = circle_get_public(slug=slug)
    except Circle.DoesNotExist:
        raise Http404 from None
    document = meetings_calendar(
        name=circle.title,
        meetings=meetings_for_circle_calendar(circle=circle),
        base_url=request.build_absolute_uri("/").rstrip("/"),
        show_links=False,
    )
    return _calendar_response(document, f"{circle.slug}.ics")


def person_calendar(request: HttpRequest, token: str) -> HttpResponse:
    """A person's private feed: the secret token in the address is the only key, so links are included."""
    person = get_user_model().objects.filter(calendar_token=token, is_active=True).first()
    if person is None:
        raise Http404
    document = meetings_calendar(
        name=_("My circles – Cirkler"),
        meetings=meetings_for_person_calendar(user=person),
        base_url=request.build_absolute_uri("/").rstrip("/"),
        show_links=True,
    )
    response = _calendar_response(document, "cirkler.ics")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
