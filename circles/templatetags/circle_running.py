"""Links for the people who run circles: on a circle's page, and on the page of the library that hosts it."""

from django import template
from django.contrib.auth.models import AnonymousUser

from accounts.permissions import may_appoint_facilitator, may_create_circle, may_manage_circle
from circles.models import Circle
from circles.selectors import drafts_of_library
from libraries.models import Library

register = template.Library()


@register.inclusion_tag("circles/_run_links.html", takes_context=True)
def run_circle_links(context: template.Context, circle: Circle, may_manage: bool | None = None) -> dict:
    """`may_manage`: may_manage_circle's answer when the page has it already (asked here otherwise)."""
    request = context.get("request")
    person = getattr(request, "user", None) or AnonymousUser()
    if may_manage is None:
        may_manage = may_manage_circle(person, circle)
    return {
        "circle": circle,
        "may_manage": may_manage,
        "may_appoint": may_manage and may_appoint_facilitator(person, circle),
    }


@register.inclusion_tag("circles/_library_circle_tools.html", takes_context=True)
def library_circle_tools(context: template.Context, library: Library) -> dict:
    """For the library's staff: start a circle, and the drafts that only they can see."""
    request = context.get("request")
    person = getattr(request, "user", None) or AnonymousUser()
    may_create = may_create_circle(person, library)
    return {
        "library": library,
        "may_create": may_create,
        "drafts": drafts_of_library(library=library) if may_create else [],
    }
